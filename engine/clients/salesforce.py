"""A thin Salesforce REST client: OAuth login and re-login, SOQL paging, sObject writes."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import requests

from engine.clients.retry import RetryPolicy
from engine.errors import AmbiguousWrite, RemoteError

log = logging.getLogger("siasim.engine.salesforce")
API_VERSION = "59.0"
#: Failures after which the same request may well succeed later: keep the work, retry it.
TRANSIENT_CODES = frozenset({"connection", "REQUEST_LIMIT_EXCEEDED", "INVALID_SESSION_ID",
                             "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"})


def transient(exc: RemoteError) -> bool:
    """Whether a failed write is worth sending again later (else it is refused for good)."""
    code = getattr(exc, "remote_code", "")
    return code in TRANSIENT_CODES or (code.isdigit() and int(code) >= 500)


@dataclass
class SalesforceCredentials:
    login_url: str  # where /services/oauth2/token lives (the mock's base URL)
    client_id: str
    client_secret: str
    username: str | None = None  # with a password: the password grant; else client credentials
    password: str | None = None


class SalesforceClient:
    def __init__(self, credentials: SalesforceCredentials, *,
                 session: requests.Session | None = None, retry: RetryPolicy | None = None,
                 timeout: float = 60.0, verify: bool | str = True) -> None:
        self.credentials = credentials
        self.session = session or requests.Session()
        self.session.verify = verify
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self._token: str | None = None
        self._instance_url: str | None = None
        self._lock = threading.Lock()
        self._rng = random.Random()
        self.calls = 0
        self.server_time: datetime | None = None  # from the Date header of the last answer

    # --- login -------------------------------------------------------------------------------
    def login(self) -> None:
        c = self.credentials
        data = {"client_id": c.client_id, "client_secret": c.client_secret}
        if c.username:
            data.update(grant_type="password", username=c.username, password=c.password or "")
        else:
            data["grant_type"] = "client_credentials"
        url = f"{c.login_url.rstrip('/')}/services/oauth2/token"
        for attempt in range(self.retry.attempts):
            try:
                # verify per call: a REQUESTS_CA_BUNDLE in the environment would win over
                # the session's, and the CA of a mock served with --tls would be ignored
                response = self.session.post(url, data=data, timeout=self.timeout,
                                             verify=self.session.verify)
            except requests.RequestException as exc:
                self._backoff(attempt, "connection", str(exc))
                continue
            if response.status_code >= 500:
                self._backoff(attempt, str(response.status_code), response.text[:200])
                continue
            body = _json(response)
            if response.status_code != 200:
                raise RemoteError("Salesforce", str(body.get("error", response.status_code)),
                                  str(body.get("error_description", response.text[:200])))
            with self._lock:
                self._token = body["access_token"]
                self._instance_url = body["instance_url"].rstrip("/")
            return
        raise AssertionError("unreachable")

    @property
    def data_url(self) -> str:
        if self._instance_url is None:
            self.login()
        return f"{self._instance_url}/services/data/v{API_VERSION}"

    # --- one call ----------------------------------------------------------------------------
    def call(self, method: str, path: str, *, params: dict | None = None,
             json: dict | list | None = None, idempotent: bool = True,
             headers: dict | None = None) -> requests.Response:
        """One data API call (``path`` under ``/services/data/vXX.X``, or a full path).

        Logs in again once on ``INVALID_SESSION_ID``; retries idempotent calls on dropped
        connections and 5xx; raises :class:`AmbiguousWrite` when a write's answer is lost.
        """
        relogged = False
        attempt = 0
        while True:
            base = self.data_url
            url = f"{self._instance_url}{path}" if path.startswith("/services/") else base + path
            self.calls += 1
            try:
                response = self.session.request(
                    method, url, params=params, json=json, timeout=self.timeout,
                    verify=self.session.verify,
                    headers={"Authorization": f"Bearer {self._token}", **(headers or {})})
            except requests.RequestException as exc:
                if not idempotent:
                    raise AmbiguousWrite("Salesforce", "connection", str(exc)) from None
                attempt = self._backoff(attempt, "connection", str(exc))
                continue
            self._note_time(response)
            if response.status_code == 401 and not relogged:
                relogged = True
                self.login()
                continue
            if response.status_code >= 500:
                if not idempotent:
                    raise AmbiguousWrite("Salesforce", str(response.status_code),
                                         response.text[:200])
                attempt = self._backoff(attempt, str(response.status_code), response.text[:200])
                continue
            if response.status_code >= 400:
                body = _json(response)
                first = body[0] if isinstance(body, list) and body else {}
                raise RemoteError("Salesforce", str(first.get("errorCode", response.status_code)),
                                  str(first.get("message", response.text[:300])))
            return response

    def _backoff(self, attempt: int, code: str, message: str) -> int:
        return self.retry.backoff(attempt, "Salesforce", code, message, self._rng)

    def _note_time(self, response: requests.Response) -> None:
        stamp = response.headers.get("Date")
        if stamp:
            try:
                self.server_time = parsedate_to_datetime(stamp).astimezone(UTC)
            except (TypeError, ValueError):
                pass

    def server_now(self) -> datetime:
        """Salesforce's own time (its Date header): "the last 24 hours" is Salesforce's."""
        self.call("GET", "/limits/")
        return self.server_time or datetime.now(UTC)

    def clock(self) -> datetime:
        """Salesforce's time as of its last answer, asked for when there was none yet.

        Possibly a little behind: good for "created since" searches, which then only
        look a little further back.
        """
        return self.server_time or self.server_now()

    # --- queries -----------------------------------------------------------------------------
    def query(self, soql: str, *, include_deleted: bool = False,
              batch_size: int | None = None) -> Iterator[dict]:
        """Every record of a query, following ``nextRecordsUrl`` page by page."""
        endpoint = "/queryAll/" if include_deleted else "/query/"
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else None
        body = self.call("GET", endpoint, params={"q": soql}, headers=headers).json()
        while True:
            yield from body.get("records", [])
            if body.get("done", True) or not body.get("nextRecordsUrl"):
                return
            body = self.call("GET", body["nextRecordsUrl"], headers=headers).json()

    def count(self, soql: str) -> int:
        return int(self.call("GET", "/query/", params={"q": soql}).json()["totalSize"])

    # --- records -----------------------------------------------------------------------------
    def get(self, sobject: str, record_id: str) -> dict:
        return self.call("GET", f"/sobjects/{sobject}/{quote(record_id)}").json()

    def create(self, sobject: str, fields: dict) -> str:
        """Create a record; not idempotent (see :class:`AmbiguousWrite`)."""
        response = self.call("POST", f"/sobjects/{sobject}/", json=fields, idempotent=False)
        return response.json()["id"]

    def update(self, sobject: str, record_id: str, fields: dict) -> None:
        # setting fields to values is idempotent: the same PATCH twice ends the same
        self.call("PATCH", f"/sobjects/{sobject}/{quote(record_id)}", json=fields)

    def delete(self, sobject: str, record_id: str) -> None:
        try:
            self.call("DELETE", f"/sobjects/{sobject}/{quote(record_id)}")
        except RemoteError as exc:
            if exc.remote_code not in ("ENTITY_IS_DELETED", "NOT_FOUND"):
                raise  # already gone is what we wanted

    def deleted(self, sobject: str, start: str, end: str) -> list[dict]:
        body = self.call("GET", f"/sobjects/{sobject}/deleted/",
                         params={"start": start, "end": end}).json()
        return body.get("deletedRecords", [])

    def updated(self, sobject: str, start: str, end: str) -> list[str]:
        body = self.call("GET", f"/sobjects/{sobject}/updated/",
                         params={"start": start, "end": end}).json()
        return body.get("ids", [])


def _json(response: requests.Response):
    try:
        return response.json()
    except ValueError:
        return {}

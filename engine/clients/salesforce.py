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

from engine.clients import answers
from engine.clients.retry import RetryPolicy
from engine.errors import AmbiguousWrite, LoginFailed, RemoteError
from engine.redact import scrub

log = logging.getLogger("siasim.engine.salesforce")
API_VERSION = "59.0"
#: Failures after which the same request may well succeed later: keep the work, retry it.
TRANSIENT_CODES = frozenset({"connection", "REQUEST_LIMIT_EXCEEDED", "INVALID_SESSION_ID",
                             "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"})


def transient(exc: RemoteError) -> bool:
    """Whether a failed write is worth sending again later (else it is refused for good)."""
    if isinstance(exc, LoginFailed):
        return True
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
                 timeout: float = 60.0, write_horizon: float = 660.0,
                 verify: bool | str = True) -> None:
        self.credentials = credentials
        self.session = session or requests.Session()
        self.session.verify = verify
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.write_horizon = write_horizon  # see engine.sync.attempts
        self._token: str | None = None
        self._instance_url: str | None = None
        self._lock = threading.Lock()
        self._rng = random.Random()
        self.calls = 0
        self.server_time: datetime | None = None  # from the Date header of the last answer
        self._described: dict[tuple[str, str], bool] = {}

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
                self._backoff(attempt, "connection", self._scrub(str(exc)))
                continue
            if response.status_code >= 500:
                self._backoff(attempt, str(response.status_code),
                              self._scrub(response.text[:200]))
                continue
            body = _json(response)
            if response.status_code != 200 or not isinstance(body, dict):
                code, message = answers.error_of(body)
                if code == "?":
                    code = str(response.status_code)
                raise LoginFailed("Salesforce", code, f"login: {message}")
            try:
                token = answers.text(body, "access_token", "Salesforce", "login")
                instance = answers.text(body, "instance_url", "Salesforce", "login")
            except RemoteError as exc:
                raise LoginFailed("Salesforce", exc.remote_code, exc.remote_message) from None
            if not instance.startswith(("http://", "https://")):
                raise LoginFailed("Salesforce", answers.INVALID,
                                  "login: 'instance_url' is not a URL")
            with self._lock:
                self._token = token
                self._instance_url = instance.rstrip("/")
            return
        raise AssertionError("unreachable")

    def _scrub(self, text: str) -> str:
        c = self.credentials
        return scrub(text, c.client_secret, c.password, self._token)

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
            except requests.ConnectTimeout as exc:  # never reached Salesforce: safe to resend
                attempt = self._backoff(attempt, "connection", self._scrub(str(exc)))
                continue
            except requests.RequestException as exc:
                if not idempotent:
                    raise AmbiguousWrite("Salesforce", "connection", self._scrub(str(exc)),
                                         in_flight=isinstance(exc, requests.Timeout)) from None
                attempt = self._backoff(attempt, "connection", self._scrub(str(exc)))
                continue
            self._note_time(response)
            if response.status_code == 401 and not relogged:
                relogged = True
                self.login()
                continue
            if response.status_code >= 500:
                text = self._scrub(response.text[:200])
                if not idempotent:
                    raise AmbiguousWrite("Salesforce", str(response.status_code), text,
                                         in_flight=response.status_code == 504)
                attempt = self._backoff(attempt, str(response.status_code), text)
                continue
            if response.status_code >= 400:
                code, message = answers.error_of(_json(response))
                if code == "?":
                    code, message = str(response.status_code), response.text[:300]
                raise RemoteError("Salesforce", code, message)
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
        body = self._object(self.call("GET", endpoint, params={"q": soql}, headers=headers),
                            "query")
        while True:
            yield from answers.objects(body.get("records", "none"), "Salesforce", "query")
            following = body.get("nextRecordsUrl")
            if body.get("done", True) is not False or not isinstance(following, str):
                return
            body = self._object(self.call("GET", following, headers=headers), "query")

    def count(self, soql: str) -> int:
        body = self._object(self.call("GET", "/query/", params={"q": soql}), "count")
        return int(answers.number(body, "totalSize", "Salesforce", "count"))

    # --- records -----------------------------------------------------------------------------
    def get(self, sobject: str, record_id: str) -> dict:
        return self._object(self.call("GET", f"/sobjects/{sobject}/{quote(record_id)}"),
                            sobject)

    def create(self, sobject: str, fields: dict) -> str:
        """Create a record; not idempotent (see :class:`AmbiguousWrite`)."""
        response = self.call("POST", f"/sobjects/{sobject}/", json=fields, idempotent=False)
        return self._new_id(response, f"create {sobject}")

    def upsert(self, sobject: str, field: str, value: str, fields: dict) -> str:
        """Create or update the record whose external ID ``field`` is ``value``: the same
        upsert twice makes one record. A lost answer raises :class:`AmbiguousWrite` all the
        same (the caller looks for the key: see engine.sync.attempts)."""
        response = self.call("PATCH", f"/sobjects/{sobject}/{field}/{quote(value, safe='')}",
                             json=fields, idempotent=False)
        if response.status_code == 204:  # an update, in versions before 46.0
            return self.find_by(sobject, field, value, include_deleted=False) or ""
        return self._new_id(response, f"upsert {sobject}")

    def find_by(self, sobject: str, field: str, value: str,
                include_deleted: bool = True) -> str | None:
        """The ID of the record whose ``field`` is ``value`` (deleted ones too, unless
        told not to: one that landed and was deleted since is still the one SIA made)."""
        soql = f"SELECT Id FROM {sobject} WHERE {field} = {soql_text(value)} LIMIT 1"
        for record in self.query(soql, include_deleted=include_deleted):
            if isinstance(record.get("Id"), str):
                return record["Id"]
        return None

    def has_field(self, sobject: str, field: str) -> bool:
        """Whether the org has ``field`` on ``sobject`` as an External ID (describe, read
        once per client)."""
        key = (sobject, field)
        if key not in self._described:
            describe = self._object(self.call("GET", f"/sobjects/{sobject}/describe/"),
                                    f"describe {sobject}")
            names = {str(f.get("name", "")).lower(): f for f in
                     answers.objects(describe.get("fields", "none"), "Salesforce", "describe")}
            found = names.get(field.lower())
            self._described[key] = bool(found and found.get("externalId"))
        return self._described[key]

    def _new_id(self, response: requests.Response, what: str) -> str:
        return answers.text(self._object(response, what), "id", "Salesforce", what)

    @staticmethod
    def _object(response: requests.Response, what: str) -> dict:
        return answers.obj(answers.json_of(response, "Salesforce", what), "Salesforce", what)

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
        body = self._object(self.call("GET", f"/sobjects/{sobject}/deleted/",
                                      params={"start": start, "end": end}), "deleted")
        return answers.objects(body.get("deletedRecords"), "Salesforce", "deleted")

    def updated(self, sobject: str, start: str, end: str) -> list[str]:
        body = self._object(self.call("GET", f"/sobjects/{sobject}/updated/",
                                      params={"start": start, "end": end}), "updated")
        ids = body.get("ids") or []
        return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def soql_text(value: str) -> str:
    """A SOQL string literal."""
    escaped = (value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f"'{escaped}'"


def _json(response: requests.Response):
    try:
        return response.json()
    except ValueError:
        return {}

"""A thin Marketo REST client: tokens, the envelope, retries, paging, bulk export.

Only what SIA needs, and nothing that hides the API: each method is one endpoint.
"""

from __future__ import annotations

import codecs
import csv
import logging
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from engine.clients.retry import Pacer, RetryPolicy
from engine.errors import AmbiguousWrite, RemoteError

log = logging.getLogger("siasim.engine.marketo")

#: Codes for which Marketo did nothing and asks to be called again later.
RETRYABLE_CODES = frozenset({"502", "604", "606", "608", "611", "615", "713", "1029"})
TOKEN_CODES = frozenset({"600", "601", "602"})
MAX_FILTER_VALUES = 300
TOKEN_MARGIN = 60.0  # renew a token with less than this many seconds left
EXPORT_PIECE = 1024 * 1024  # bytes read at a time from an export file


@dataclass
class MarketoCredentials:
    base_url: str
    client_id: str
    client_secret: str


@dataclass
class Page:
    result: list[dict]
    next_page_token: str | None
    more_result: bool
    warnings: list = field(default_factory=list)


class MarketoClient:
    def __init__(self, credentials: MarketoCredentials, *,
                 session: requests.Session | None = None,
                 retry: RetryPolicy | None = None,
                 calls_per_window: int | None = 100, window: float = 20.0,
                 timeout: float = 60.0, verify: bool | str = True) -> None:
        self.base_url = credentials.base_url.rstrip("/")
        self.credentials = credentials
        self.session = session or requests.Session()
        self.session.verify = verify
        self.retry = retry or RetryPolicy()
        self.pacer = Pacer(calls_per_window, window)
        self.timeout = timeout
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = threading.Lock()
        self._rng = random.Random()
        self.calls = 0  # REST calls sent (identity calls not counted, as in Marketo)

    # --- identity ----------------------------------------------------------------------------
    def token(self, force: bool = False) -> str:
        with self._token_lock:
            if force or self._token is None or time.monotonic() >= self._token_expires:
                self._token, self._token_expires = self._fetch_token()
            return self._token

    def _fetch_token(self) -> tuple[str, float]:
        c = self.credentials
        for attempt in range(self.retry.attempts):
            try:
                response = self.session.get(
                    f"{self.base_url}/identity/oauth/token",
                    params={"grant_type": "client_credentials", "client_id": c.client_id,
                            "client_secret": c.client_secret},
                    # verify per call: a REQUESTS_CA_BUNDLE in the environment would win
                    # over the session's (the mocks' own CA under TLS)
                    timeout=self.timeout, verify=self.session.verify)
            except requests.RequestException as exc:
                if attempt + 1 >= self.retry.attempts:
                    raise RemoteError("Marketo", "connection", str(exc)) from None
                time.sleep(self.retry.delay(attempt, self._rng))
                continue
            if response.status_code == 200:
                body = response.json()
                lifetime = float(body.get("expires_in", 3600))
                return body["access_token"], time.monotonic() + lifetime - TOKEN_MARGIN
            if response.status_code >= 500 and attempt + 1 < self.retry.attempts:
                time.sleep(self.retry.delay(attempt, self._rng))
                continue
            try:
                detail = response.json().get("error_description", response.text)
            except ValueError:
                detail = response.text
            raise RemoteError("Marketo", str(response.status_code), f"identity: {detail}")
        raise AssertionError("unreachable")

    # --- one call, with the envelope and the retries -----------------------------------------
    def call(self, method: str, path: str, *, params: dict | None = None,
             json: dict | None = None, data: dict | None = None,
             idempotent: bool = True) -> dict:
        """One REST call; returns the whole envelope of a successful answer.

        Retries what Marketo refused without acting (606, 615, 604 ...) and, for
        idempotent calls, dropped connections and 5xx. A non-idempotent call whose answer
        was lost raises :class:`AmbiguousWrite`.
        """
        url = f"{self.base_url}{path}"
        renewed = False
        attempt = 0
        while True:
            self.pacer.wait()
            headers = {"Authorization": f"Bearer {self.token()}"}
            self.calls += 1
            try:
                response = self.session.request(method, url, params=params, json=json,
                                                data=data, headers=headers,
                                                timeout=self.timeout,
                                                verify=self.session.verify)
            except requests.RequestException as exc:
                if not idempotent:
                    raise AmbiguousWrite("Marketo", "connection", str(exc)) from None
                attempt = self._backoff(attempt, "connection", str(exc))
                continue
            if response.status_code >= 500 or response.status_code in (502, 503, 504):
                if not idempotent:
                    raise AmbiguousWrite("Marketo", str(response.status_code), response.text[:200])
                attempt = self._backoff(attempt, str(response.status_code), response.text[:200])
                continue
            if response.status_code != 200:
                raise RemoteError("Marketo", str(response.status_code), response.text[:500])
            body = response.json()
            if body.get("success"):
                return body
            errors = body.get("errors") or [{"code": "?", "message": "no errors given"}]
            code, message = str(errors[0].get("code")), str(errors[0].get("message"))
            if code in TOKEN_CODES and not renewed:
                renewed = True
                self.token(force=True)
                continue
            if code in RETRYABLE_CODES:
                attempt = self._backoff(attempt, code, message)
                continue
            raise RemoteError("Marketo", code, message)

    def _backoff(self, attempt: int, code: str, message: str) -> int:
        return self.retry.backoff(attempt, "Marketo", code, message, self._rng)

    # --- leads -------------------------------------------------------------------------------
    def leads_by_filter(self, filter_type: str, values: list, fields: list[str],
                        batch_size: int = 300) -> list[dict]:
        """Every lead matching; POST with ``_method=GET`` so long value lists fit, and at
        most 300 values a call, as Marketo takes them."""
        found: list[dict] = []
        for start in range(0, len(values), MAX_FILTER_VALUES):
            chunk = values[start:start + MAX_FILTER_VALUES]
            token = None
            while True:
                data = {"_method": "GET", "filterType": filter_type,
                        "filterValues": ",".join(str(v) for v in chunk),
                        "fields": ",".join(fields), "batchSize": str(batch_size)}
                if token:
                    data["nextPageToken"] = token
                body = self.call("POST", "/rest/v1/leads.json", data=data)
                found.extend(body.get("result", []))
                token = body.get("nextPageToken")
                if not token or not body.get("result"):
                    break
        return found

    def describe_leads(self) -> list[dict]:
        return self.call("GET", "/rest/v1/leads/describe.json")["result"]

    # --- activities --------------------------------------------------------------------------
    def paging_token(self, since: datetime) -> str:
        stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.call("GET", "/rest/v1/activities/pagingtoken.json",
                         params={"sinceDatetime": stamp})["nextPageToken"]

    def lead_changes(self, page_token: str, fields: list[str], batch_size: int = 300) -> Page:
        body = self.call("GET", "/rest/v1/activities/leadchanges.json",
                         params={"nextPageToken": page_token, "fields": ",".join(fields),
                                 "batchSize": batch_size})
        return Page(body.get("result", []), body.get("nextPageToken"),
                    bool(body.get("moreResult")), body.get("warnings", []))

    def activities(self, page_token: str, type_ids: list[int], lead_ids: list[int] | None = None,
                   batch_size: int = 300) -> Page:
        params: dict = {"nextPageToken": page_token,
                        "activityTypeIds": ",".join(str(t) for t in type_ids),
                        "batchSize": batch_size}
        if lead_ids:
            params["leadIds"] = ",".join(str(i) for i in lead_ids)
        body = self.call("GET", "/rest/v1/activities.json", params=params)
        return Page(body.get("result", []), body.get("nextPageToken"),
                    bool(body.get("moreResult")), body.get("warnings", []))

    def all_activities(self, since: datetime, type_ids: list[int],
                       lead_ids: list[int] | None = None) -> Iterator[dict]:
        token = self.paging_token(since)
        while True:
            page = self.activities(token, type_ids, lead_ids)
            yield from page.result
            if not page.more_result or not page.next_page_token:
                return
            token = page.next_page_token

    def activity_types(self) -> list[dict]:
        return self.call("GET", "/rest/v1/activities/types.json")["result"]

    def add_activities(self, items: list[dict]) -> list[dict]:
        """Log activities (``external.json``); not idempotent: see :class:`AmbiguousWrite`."""
        body = self.call("POST", "/rest/v1/activities/external.json", json={"input": items},
                         idempotent=False)
        return body["result"]

    def deleted_leads(self, page_token: str, batch_size: int = 300) -> Page:
        body = self.call("GET", "/rest/v1/activities/deletedleads.json",
                         params={"nextPageToken": page_token, "batchSize": batch_size})
        return Page(body.get("result", []), body.get("nextPageToken"),
                    bool(body.get("moreResult")), body.get("warnings", []))

    # --- bulk lead export --------------------------------------------------------------------
    def create_export(self, fields: list[str], created_from: datetime,
                      created_to: datetime) -> str:
        body = self.call("POST", "/bulk/v1/leads/export/create.json", json={
            "fields": fields, "format": "CSV",
            "filter": {"createdAt": {
                "startAt": created_from.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "endAt": created_to.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}}},
            idempotent=False)
        return body["result"][0]["exportId"]

    def enqueue_export(self, export_id: str) -> dict:
        return self.call("POST", f"/bulk/v1/leads/export/{export_id}/enqueue.json",
                         json={})["result"][0]

    def export_status(self, export_id: str) -> dict:
        return self.call("GET", f"/bulk/v1/leads/export/{export_id}/status.json")["result"][0]

    def export_jobs(self, statuses: tuple[str, ...]) -> list[dict]:
        """The export jobs in these states (one call for many jobs, paged)."""
        jobs, token = [], None
        while True:
            params = {"status": ",".join(statuses), "batchSize": 300}
            if token:
                params["nextPageToken"] = token
            body = self.call("GET", "/bulk/v1/leads/export.json", params=params)
            jobs.extend(body.get("result", []))
            token = body.get("nextPageToken")
            if not token or not body.get("moreResult"):
                return jobs

    def cancel_export(self, export_id: str) -> dict:
        return self.call("POST", f"/bulk/v1/leads/export/{export_id}/cancel.json",
                         json={})["result"][0]

    def export_file(self, export_id: str) -> Iterator[bytes]:
        """The file of a completed export, in pieces as they arrive: memory stays flat
        whatever its size."""
        for attempt in range(self.retry.attempts):
            self.pacer.wait()
            self.calls += 1
            try:
                response = self.session.get(
                    f"{self.base_url}/bulk/v1/leads/export/{export_id}/file.json",
                    headers={"Authorization": f"Bearer {self.token()}"}, stream=True,
                    timeout=self.timeout, verify=self.session.verify)
            except requests.RequestException as exc:
                self._backoff(attempt, "connection", str(exc))
                continue
            if response.status_code != 200 or "json" in response.headers.get("Content-Type", ""):
                body = response.json() if response.content else {}
                errors = body.get("errors") or [{"code": str(response.status_code),
                                                 "message": response.text[:200]}]
                code = str(errors[0].get("code"))
                if code in RETRYABLE_CODES or code in TOKEN_CODES:
                    if code in TOKEN_CODES:
                        self.token(force=True)
                    self._backoff(attempt, code, str(errors[0].get("message")))
                    continue
                raise RemoteError("Marketo", code, str(errors[0].get("message")))
            yield from response.iter_content(chunk_size=EXPORT_PIECE)
            return
        raise RemoteError("Marketo", "file", f"could not read export {export_id}")

    def export_rows(self, export_id: str) -> Iterator[dict]:
        """The rows of a completed export as dicts, streamed (an empty value is None)."""
        text = codecs.iterdecode(self.export_file(export_id), "utf-8")
        for row in csv.DictReader(_lines(text)):
            # an export writes an empty value as null
            yield {k: (None if v in ("null", "") else v) for k, v in row.items()}


def _lines(chunks: Iterator[str]) -> Iterator[str]:
    """Text chunks cut into lines at ``\n`` only, each line keeping it.

    ``iter_lines`` also splits at ``\r`` and other separators that may sit inside a quoted
    CSV field; csv itself deals with ``\r\n``.
    """
    pending = ""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split("\n")
        for line in complete:
            yield line + "\n"
    if pending:
        yield pending

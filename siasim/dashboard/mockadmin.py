"""The dashboard's hands on the mocks: their admin API over HTTP, and nothing else.

The admin API is the test's side door: reading through it is neither journaled nor
counted toward the API limits, so the dashboard can poll the mocks' state every second
without appearing in the live feed it shows or using the quota SIA syncs with. (The
Smart Grid is the exception, on purpose: it is SIA's own read of Marketo, A-GRID.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

TIMEOUT = 10


class MockUnreachable(Exception):
    """A mock did not answer: stopped, or its address is wrong."""


class MockRefused(Exception):
    """A mock answered an admin call with an error (bad input, unknown route)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class MockLink:
    """Where one mock is, as ``siasim up`` started it."""

    name: str  # "marketo" or "salesforce"
    title: str
    url: str
    verify: bool | str = True  # the CA file of a mock served with --tls
    admin_token: str | None = None  # a mock bound beyond loopback asks for it


class MockAdmin:
    def __init__(self, link: MockLink) -> None:
        self.link = link
        self.http = requests.Session()
        # what the admin API asks of a caller that is no web page (mocks.core.admin.guard)
        self.http.headers["X-Siasim-Admin"] = "1"
        if link.admin_token:
            self.http.headers["X-Siasim-Admin-Token"] = link.admin_token

    def call(self, method: str, path: str, params: dict | None = None,
             json: Any = None) -> Any:
        url = f"{self.link.url}/__admin__{path}"
        try:
            # verify per call: a REQUESTS_CA_BUNDLE in the environment would otherwise win
            # over the session's, and the CA of a mock served with --tls would be ignored
            response = self.http.request(method, url, params=params, json=json,
                                         timeout=TIMEOUT, verify=self.link.verify)
        except requests.RequestException as exc:
            raise MockUnreachable(f"{self.link.title} at {self.link.url} does not answer "
                                  f"({type(exc).__name__})") from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            message = (data or {}).get("message") if isinstance(data, dict) else None
            raise MockRefused(response.status_code,
                              f"{self.link.title}: {message or response.reason}")
        return data

    def rows(self, table: str, where: dict[str, list[str]] | None = None,
             order: str | None = None, limit: int = 100) -> list[dict]:
        params: dict[str, Any] = {"table": table, "limit": limit}
        for column, values in (where or {}).items():
            params[f"where.{column}"] = values
        if order:
            params["order"] = order
        return self.call("GET", "/state", params=params)["rows"]

    def one(self, table: str, column: str, value) -> dict | None:
        if value in (None, ""):
            return None
        rows = self.rows(table, {column: [str(value)]}, limit=1)
        return rows[0] if rows else None

    def journal(self, after: int | None, limit: int) -> dict:
        params = {"limit": limit}
        if after is not None:
            params["after"] = after
        return self.call("GET", "/journal", params=params)

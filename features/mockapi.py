"""The kit's hands on the mocks: their admin API over HTTP, and nothing else.

Steps build each scenario's world and read the mocks' state and journals through this;
they never import the mocks' code.
"""

from __future__ import annotations

from typing import Any

import requests


class MockAdminError(AssertionError):
    pass


class MockAdmin:
    def __init__(self, base_url: str, service: str, verify: bool | str = True,
                 admin_token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.service = service
        self.http = requests.Session()
        self.http.verify = verify
        # what the admin API asks of a caller that is no web page (mocks.core.admin.guard)
        self.http.headers["X-Siasim-Admin"] = "1"
        if admin_token:
            self.http.headers["X-Siasim-Admin-Token"] = admin_token

    def call(self, method: str, path: str, json: Any = None, params: dict | None = None,
             expect: int | tuple[int, ...] = (200, 201)) -> Any:
        # verify per call: a REQUESTS_CA_BUNDLE in the environment would win over the
        # session's (the mocks' own CA under --tls)
        response = self.http.request(method, f"{self.base_url}/__admin__{path}", json=json,
                                     params=params, timeout=60, verify=self.http.verify)
        statuses = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in statuses:
            raise MockAdminError(f"{self.service} admin {method} {path} -> "
                                 f"{response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    # --- shared admin API --------------------------------------------------------------------
    def reset(self) -> None:
        self.call("POST", "/reset")

    def seed_scenario(self, name: str) -> dict:
        return self.call("POST", "/seed", json={"scenario": name})

    def seed_world(self, seed: int, profile: str = "tiny", people: int | None = None) -> dict:
        return self.call("POST", "/seed", json={"seed": seed, "profile": profile,
                                                "people": people})

    def rows(self, table: str, limit: int = 100_000) -> list[dict]:
        return self.call("GET", "/state", params={"table": table, "limit": limit})["rows"]

    def journal(self, after: int | None = None, path: str | None = None,
                method: str | None = None) -> list[dict]:
        params = {k: v for k, v in (("after", after), ("path", path), ("method", method))
                  if v is not None}
        return self.call("GET", "/journal", params=params)["entries"]

    def journal_mark(self) -> int:
        return self.call("GET", "/journal", params={"limit": 0})["lastId"]

    def add_fault(self, **spec) -> dict:
        return self.call("POST", "/faults", json=spec)

    def advance_clock(self, seconds: float) -> dict:
        return self.call("POST", "/clock", json={"advance": seconds})

    def set_limits(self, **limits) -> dict:
        return self.call("PATCH", "/limits", json=limits)

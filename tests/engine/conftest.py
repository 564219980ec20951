"""The engine against real mocks: both servers on port 0, SIA on a fresh database.

The mocks start once per module and are reset and seeded for every test; faults, clocks
and state go through their admin API, as the conformance kit does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.clients.retry import RetryPolicy
from engine.config import Endpoints
from engine.sia import SIA
from features.harness import MockStack, start_mocks
from features.world import MarketoWorld, SalesforceWorld

#: Retries as in production, only quicker: a test waits milliseconds, not seconds.
QUICK = RetryPolicy(attempts=4, base_delay=0.02, max_delay=0.1)


@pytest.fixture(scope="module")
def mock_stack() -> Iterator[MockStack]:
    stack = start_mocks()
    yield stack
    stack.stop()


def engine_endpoints(stack: MockStack) -> Endpoints:
    e = stack.endpoints
    return Endpoints(marketo_url=e.marketo_url, marketo_client_id=e.marketo_client_id,
                     marketo_client_secret=e.marketo_client_secret,
                     salesforce_url=e.salesforce_url,
                     salesforce_client_id=e.salesforce_client_id,
                     salesforce_client_secret=e.salesforce_client_secret,
                     salesforce_username=e.salesforce_username,
                     salesforce_password=e.salesforce_password)


def open_sia(path: Path, stack: MockStack) -> SIA:
    sia = SIA(path, engine_endpoints(stack))
    sia.marketo.retry = QUICK
    sia.salesforce.retry = QUICK
    return sia


@dataclass
class World:
    """The "owner-filter" data set in both mocks, synced into a fresh SIA."""

    stack: MockStack
    sia: SIA
    db_path: Path

    @property
    def marketo(self) -> MarketoWorld:
        return MarketoWorld(self.stack)

    @property
    def salesforce(self) -> SalesforceWorld:
        return SalesforceWorld(self.stack)

    def id(self, email: str) -> int:
        return self.marketo.by_email(email)["id"]

    def activities(self, email: str, kind: str | None = None) -> list[dict]:
        return self.marketo.activities(self.id(email), kind)

    def sales_activities(self) -> list[dict]:
        return [a for a in self.marketo.activities()
                if a["type"] not in ("New Lead", "Change Data Value")]

    def tasks(self, email: str | None = None) -> list[dict]:
        who = None
        if email:
            kind = "Contact" if email.startswith("carla") else "Lead"
            who = self.salesforce.by_email(kind, email)["Id"]
        return self.salesforce.tasks(who)

    def fault(self, service: str, **spec) -> None:
        getattr(self.stack, service).add_fault(**spec)

    def calls(self, service: str, path: str | None = None, method: str | None = None):
        return getattr(self.stack, service).journal(path=path, method=method)

    def reopen(self) -> SIA:
        """SIA started again on the same database (the previous one closed)."""
        self.sia.close()
        self.sia = open_sia(self.db_path, self.stack)
        return self.sia


@pytest.fixture
def world(mock_stack: MockStack, tmp_path: Path) -> Iterator[World]:
    mock_stack.reset()
    mock_stack.salesforce.seed_scenario("owner-filter")
    mock_stack.marketo.seed_scenario("owner-filter")
    path = tmp_path / "sia.db"
    sia = open_sia(path, mock_stack)
    sia.initiate_sync()
    for admin in (mock_stack.marketo, mock_stack.salesforce):  # journals start after it
        admin.call("DELETE", "/journal")
    w = World(mock_stack, sia, path)
    yield w
    w.sia.close()


def rows(sia: SIA, table: str) -> list[dict]:
    return sia.db.query(f"SELECT * FROM {table} ORDER BY rowid")


def fields(row: dict) -> dict:
    return json.loads(row["fields"])

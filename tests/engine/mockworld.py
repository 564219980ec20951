"""A seeded world for engine tests of sellers' actions and their syncs: both mocks on
port 0 (started once per module by ``features.harness``, as the conformance kit starts
them), reset and seeded with the "owner-filter" data set for every test, and SIA synced
from it. Faults, clocks and state go through the mocks' admin API."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from engine.clients.retry import RetryPolicy
from engine.config import Endpoints
from engine.sia import SIA
from features.harness import MockStack
from features.world import MarketoWorld, SalesforceWorld

#: Retries as in production, only quicker: a test waits milliseconds, not seconds.
QUICK = RetryPolicy(attempts=4, base_delay=0.02, max_delay=0.1, patience=0.5)
#: How long a write may still land after it was sent: the mocks of these tests answer
#: every call (latency faults included) well within it
HORIZON = 4.0
#: The fault match of a Task write, in an org with SIA's key field (an upsert by it)
TASK_WRITE = {"path": "*/sobjects/Task/SIA_Id__c/*", "method": "PATCH"}


def engine_endpoints(stack: MockStack) -> Endpoints:
    e = stack.endpoints
    return Endpoints(marketo_url=e.marketo_url, marketo_client_id=e.marketo_client_id,
                     marketo_client_secret=e.marketo_client_secret,
                     salesforce_url=e.salesforce_url,
                     salesforce_client_id=e.salesforce_client_id,
                     salesforce_client_secret=e.salesforce_client_secret,
                     salesforce_username=e.salesforce_username,
                     salesforce_password=e.salesforce_password, write_horizon=HORIZON)


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


def make_world(stack: MockStack, path: Path) -> World:
    stack.reset()
    stack.salesforce.seed_scenario("owner-filter")
    stack.marketo.seed_scenario("owner-filter")
    sia = open_sia(path, stack)
    sia.initiate_sync()
    for admin in (stack.marketo, stack.salesforce):  # journals start after it
        admin.call("DELETE", "/journal")
    return World(stack, sia, path)


def rows(sia: SIA, table: str) -> list[dict]:
    return sia.db.query(f"SELECT * FROM {table} ORDER BY rowid")


def fields(row: dict) -> dict:
    return json.loads(row["fields"])

"""The engine against real mocks: servers on port 0, a fresh SIA database per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

from engine.clients.salesforce import SalesforceClient
from engine.config import Endpoints
from engine.sia import SIA
from engine.sync.attempts import TASK_KEY_FIELD
from features.harness import MockStack
from mocks.core.config import WorldSpec
from mocks.marketo import MarketoConfig
from mocks.marketo import create_app as marketo_app
from mocks.marketo.salesforce_sync import SalesforceLink
from mocks.salesforce import SalesforceConfig
from mocks.salesforce import create_app as salesforce_app
from tests.engine.mockworld import TASK_WRITE, World, make_world


class Mock:
    def __init__(self, handle, config) -> None:
        self.handle = handle
        self.config = config
        self.url = handle.url

    def admin(self, method: str, path: str, **kwargs):
        kwargs.setdefault("headers", {"X-Siasim-Admin": "1"})  # the test's hands
        response = requests.request(method, f"{self.url}/__admin__{path}", timeout=60, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def rows(self, table: str) -> list[dict]:
        return self.admin("GET", "/state", params={"table": table, "limit": 10**7})["rows"]

    def journal(self, **params) -> list[dict]:
        return self.admin("GET", "/journal", params=params)["entries"]


@pytest.fixture
def stack(serve) -> Callable[..., tuple[Mock, Mock]]:
    """Both mocks, seeded with the same world (or empty), Marketo's sync pointed at SF."""

    def start(profile: str | None = "tiny", people: int | None = None, seed: int = 3,
              limits: bool = False, scenario: str | None = None) -> tuple[Mock, Mock]:
        world = None
        if scenario:
            world = WorldSpec(scenario=scenario)
        elif profile:
            world = WorldSpec(seed=seed, profile=profile, people=people)
        sf_config = SalesforceConfig(world=world)
        if not limits:
            sf_config.limits.daily = sf_config.limits.concurrency = None
        sf = serve(salesforce_app(sf_config))
        mk_config = MarketoConfig(world=world, salesforce=SalesforceLink(
            sf.url, sf_config.client_id, sf_config.client_secret, sf_config.username,
            sf_config.password))
        if not limits:
            mk_config.limits.rate_calls = mk_config.limits.concurrency = None
            mk_config.limits.daily = None
        mk = serve(marketo_app(mk_config))
        marketo, salesforce = Mock(mk, mk_config), Mock(sf, sf_config)
        marketo.admin("PATCH", "/exports", json={"startDelay": 0, "minSeconds": 0})
        return marketo, salesforce

    return start


def endpoints(marketo: Mock, salesforce: Mock, paced: bool = False) -> Endpoints:
    m, s = marketo.config, salesforce.config
    return Endpoints(marketo.url, m.sia_client_id, m.sia_client_secret, salesforce.url, s.client_id,
                     s.client_secret, s.username, s.password,
                     marketo_calls_per_window=100 if paced else None)


@pytest.fixture
def sia(tmp_path):
    """A factory of SIA engines on one database file in this test's folder."""
    made: list[SIA] = []

    def make(marketo: Mock, salesforce: Mock, paced: bool = False) -> SIA:
        engine = SIA(tmp_path / "sia.db", endpoints(marketo, salesforce, paced))
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


def qualified(marketo: Mock) -> list[int]:
    """The Marketo persons P-OWNER qualifies, by the mocks' own state."""
    return sorted(p["id"] for p in marketo.rows("leads")
                  if p.get("sfdcType") in ("Lead", "Contact")
                  and (p.get("sfdcLeadOwnerId") or "").startswith("005")
                  and (p.get("sfdcLeadId") or p.get("sfdcContactId")))


@pytest.fixture
def qualified_ids():
    return qualified


# --- sellers' actions and their syncs (tests/engine/mockworld.py) ------------------------------

@pytest.fixture(params=["keyed", "unkeyed"])
def task_write(request, monkeypatch) -> dict:
    """Both kinds of org: one with SIA's key field on Task (Tasks are upserted by it), one
    without (created, then looked for by person, subject and marker); the fault match of a
    Task write in it."""
    if request.param == "keyed":
        return TASK_WRITE
    real = SalesforceClient.has_field
    monkeypatch.setattr(SalesforceClient, "has_field", lambda self, sobject, field: (
        False if field == TASK_KEY_FIELD else real(self, sobject, field)))
    return {"path": "*/sobjects/Task*", "method": "POST"}


@pytest.fixture
def world(mock_stack: MockStack, tmp_path) -> Iterator[World]:
    """The "owner-filter" data set in both mocks, synced into a fresh SIA."""
    w = make_world(mock_stack, tmp_path / "sia.db")
    yield w
    w.sia.close()

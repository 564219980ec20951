"""Both mocks, seeded with a small world, limits off, served on port 0 for the fuzz suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from mocks.core.config import WorldSpec
from mocks.core.serving import start_server
from mocks.marketo import MarketoConfig
from mocks.marketo import create_app as marketo_app
from mocks.salesforce import SalesforceConfig
from mocks.salesforce import create_app as salesforce_app
from tests.fuzz.generator import Known, RequestFuzzer
from tests.fuzz.runner import Target


def _rules(app) -> list[tuple[str, tuple[str, ...]]]:
    return [(r.rule, tuple(sorted(r.methods - {"HEAD", "OPTIONS"})))
            for r in app.url_map.iter_rules()]


class Fuzzed:
    """One mock under fuzz: its server, a target for the runner, a fuzzer for it."""

    def __init__(self, service: str, app, tmp_path) -> None:
        self.service = service
        self.app = app
        self.handle = start_server(app)
        self.ctx = app.extensions["siasim"]
        self.target = Target(service, "127.0.0.1", self.handle.port, str(self.ctx.store.path))

    def fuzzer(self, seed: int) -> RequestFuzzer:
        return RequestFuzzer(self.service, _rules(self.app), self.known(), seed)

    def known(self) -> Known:
        url = self.handle.url
        if self.service == "marketo":
            c = self.ctx.config
            token = requests.post(f"{url}/identity/oauth/token", timeout=10, data={
                "grant_type": "client_credentials", "client_id": c.client_id,
                "client_secret": c.client_secret}).json()["access_token"]
            ids = [str(r["id"]) for r in self.ctx.store.query("SELECT id FROM leads LIMIT 20")]
        else:
            c = self.ctx.config
            token = requests.post(f"{url}/services/oauth2/token", timeout=10, data={
                "grant_type": "password", "client_id": c.client_id,
                "client_secret": c.client_secret, "username": c.username,
                "password": c.password}).json()["access_token"]
            ids = [r["Id"] for table in ("Lead", "Contact", "Task", "Account")
                   for r in self.ctx.store.query(f'SELECT Id FROM "{table}" LIMIT 5')]
        return Known(ids=ids, tokens={"valid": token})

    def keep_usable(self, request, status) -> None:
        """Undo what a fuzzed admin call may have done that would stop the rest from
        reaching the views: a fault armed, the clock moved far."""
        if request.kind == "admin":
            admin = f"{self.handle.url}/__admin__"
            requests.delete(f"{admin}/faults", json={}, timeout=10)
            requests.post(f"{admin}/clock", json={"reset": True}, timeout=10)

    def stop(self) -> None:
        self.handle.stop()
        self.ctx.store.close()


def _configs():
    world = WorldSpec(seed=5, profile="tiny")
    marketo = MarketoConfig(world=world)
    salesforce = SalesforceConfig(world=world)
    for config in (marketo, salesforce):  # every request reaches the views
        config.limits.rate_calls = config.limits.concurrency = config.limits.daily = None
    return marketo, salesforce


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory) -> Iterator[dict[str, Fuzzed]]:
    marketo_config, salesforce_config = _configs()
    mocks = {"marketo": Fuzzed("marketo", marketo_app(marketo_config), tmp_path_factory),
             "salesforce": Fuzzed("salesforce", salesforce_app(salesforce_config),
                                  tmp_path_factory)}
    yield mocks
    for mock in mocks.values():
        mock.stop()


@pytest.fixture
def fuzz_count(request) -> int:
    return request.config.getoption("--fuzz-count")


@pytest.fixture
def fuzz_seed(request) -> int:
    return request.config.getoption("--fuzz-seed")

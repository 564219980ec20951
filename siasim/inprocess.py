"""The mocks, and the whole stack, served from a thread of this process: for tests.

``with siasim.MarketoMock(profile="tiny") as mk:`` starts a real Marketo mock on a free
port of 127.0.0.1 (a production WSGI server in a thread, as ``siasim serve`` runs it), and
stops it at the end. What a test needs is on the object: the URL and credentials, a
client of the ecosystem ready to use (marketorestpython, simple-salesforce), the request
journal with filters, fault injection, the mock's clock, and ``reset()`` back to a world.
:class:`Stack` is ``siasim up`` in a process: both mocks, Marketo's own Salesforce sync
between them, and the reference SIA with its HTTP API.

The pytest plugin (``siasim.pytest_plugin``) builds its fixtures on these.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from features.mockapi import MockAdmin
from mocks.core.clock import Clock
from mocks.core.config import WorldSpec
from mocks.core.faults import Fault, FaultSpecError
from mocks.core.proxy import ForwardProxy
from mocks.core.tls import LocalCA
from mocks.marketo.config import MarketoConfig
from mocks.salesforce.config import SalesforceConfig
from siasim.calls import BodyFilter, Call, matches
from siasim.proxying import proxy_environment, start_proxy
from siasim.stack import (
    RunningMock,
    RunningSIA,
    bind,
    marketo_salesforce_link,
    start_mock,
    start_sia,
    stop_all,
    stop_marketo_salesforce_sync,
    stop_sia,
    tls_files,
)

#: what a mock starts with unless told: small enough to reset before every test
DEFAULT_PROFILE = "tiny"
#: marketorestpython wants a Munchkin ID; the mock serves any (this is Marketo's example)
MUNCHKIN_ID = "123-ABC-456"


@dataclass(frozen=True)
class World:
    """Which data a mock holds: a generated world (``profile``, ``seed``, ``people``), a
    named scenario of ``fixtures/scenarios``, or nothing (``empty``)."""

    profile: str = DEFAULT_PROFILE
    seed: int = 1
    people: int | None = None
    scenario: str | None = None
    empty: bool = False

    def __post_init__(self) -> None:
        if self.empty and self.scenario:
            raise ValueError("a world is empty or a scenario, not both")

    def spec(self) -> WorldSpec | None:
        if self.empty:
            return None
        return WorldSpec(seed=self.seed, profile=self.profile, people=self.people,
                         scenario=self.scenario)

    def seed_body(self) -> dict | None:
        """The admin API's ``/seed`` body for this world (None: stay empty)."""
        if self.empty:
            return None
        if self.scenario:
            return {"scenario": self.scenario}
        body = {"seed": self.seed, "profile": self.profile}
        if self.people is not None:
            body["people"] = self.people
        return body


class FaultRule:
    """An injected fault: how often it fired, and ``remove()`` (or leave a ``with``)."""

    def __init__(self, mock: _Mock, fault: Fault) -> None:
        self._mock = mock
        self._fault = fault

    @property
    def id(self) -> int:
        return self._fault.id

    @property
    def fired(self) -> int:
        return self._fault.fired

    @property
    def active(self) -> bool:
        return any(f.id == self.id for f in self._mock._ctx.faults.list())

    def remove(self) -> None:
        self._mock._ctx.faults.remove(self.id)

    def __enter__(self) -> FaultRule:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"<FaultRule {self._fault.describe()}, fired {self.fired}>"


class _Mock:
    """What both mocks have: a server in a thread, its world, journal, faults, clock."""

    name = ""

    def __init__(self, *, profile: str = DEFAULT_PROFILE, seed: int = 1, people: int | None = None,
                 scenario: str | None = None, empty: bool = False, limits: bool = True,
                 token_ttl: int | None = None, tls: bool = False, port: int = 0) -> None:
        self.world = World(profile, seed, people, scenario, empty)
        self._limits = limits
        self._token_ttl = token_ttl
        self._tls = tls
        self._port = port
        self._running: RunningMock | None = None
        self._admin: MockAdmin | None = None
        self._initial: dict[str, dict] = {}

    # --- life --------------------------------------------------------------------------------
    def _config(self):
        raise NotImplementedError

    def start(self):
        if self._running is not None:
            return self
        config = self._config()
        config.world = self.world.spec()
        if self._token_ttl:
            config.token_ttl = self._token_ttl
        if not self._limits:
            config.limits.rate_calls = config.limits.concurrency = config.limits.daily = None
        self._running = start_mock(self.name, config, "127.0.0.1", self._port,
                                   tls_files(self._tls))
        self._running.handle.serve_in_thread()
        verify = str(self._running.handle.tls.ca) if self._running.handle.tls else True
        self._admin = MockAdmin(self.url, self.name, verify)
        # a session of our own trusts our CA: REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE in the
        # environment would win over ``verify`` otherwise
        self._admin.http.trust_env = False
        self._initial = self._settings()
        return self

    def stop(self) -> None:
        if self._running is None:
            return
        self._before_stop()
        stop_all([self._running])
        self._running = None

    def _before_stop(self) -> None:
        pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> RunningMock:
        if self._running is None:
            raise RuntimeError(f"the {self.name} mock is not started (use it in a `with`, "
                               "or call start())")
        return self._running

    @property
    def _ctx(self):
        return self.running.app.extensions["siasim"]

    # --- where it is -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The base URL, no trailing slash: ``http://127.0.0.1:PORT`` (https with TLS)."""
        return self.running.url

    @property
    def ca_file(self) -> Path | None:
        """The CA to trust when served over HTTPS."""
        tls = self.running.handle.tls
        return tls.ca if tls else None

    @property
    def client_id(self) -> str:
        return self.running.config.client_id

    @property
    def client_secret(self) -> str:
        return self.running.config.client_secret

    def session(self) -> requests.Session:
        """A requests session for the mock's API (trusting its CA when over HTTPS)."""
        session = requests.Session()
        if self.ca_file:
            session.verify = str(self.ca_file)
            session.trust_env = False  # else REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE win
        return session

    # --- its state ---------------------------------------------------------------------------
    def _settings(self) -> dict[str, dict]:
        return {"/limits": self.admin("GET", "/limits")["settings"]}

    def reset(self, *, profile: str | None = None, seed: int | None = None,
              people: int | None = None, scenario: str | None = None,
              empty: bool | None = None) -> None:
        """Back to a world as new: every table, token, journal entry, fault, the clock and
        the limits as they were at start. Without arguments, the mock's own world; with
        them, another (which becomes its own)."""
        if any(v is not None for v in (profile, seed, people, scenario, empty)):
            given = {k: v for k, v in (("profile", profile), ("seed", seed),
                                       ("people", people), ("scenario", scenario),
                                       ("empty", empty)) if v is not None}
            self.world = World(**given)
        self.admin("POST", "/reset", json={})
        body = self.world.seed_body()
        if body is not None:
            self.admin("POST", "/seed", json=body)
        for path, settings in self._initial.items():
            self.admin("PATCH", path, json=settings)

    def admin(self, method: str, path: str, json: Any = None,
              params: dict | None = None) -> Any:
        """A call of the mock's admin API (``/__admin__`` + path), its JSON answer; an
        error answer raises ``AssertionError`` with the mock's message."""
        if self._admin is None:
            raise RuntimeError(f"the {self.name} mock is not started")
        return self._admin.call(method, path, json=json, params=params)

    def rows(self, table: str, limit: int = 100_000, **where: Any) -> list[dict]:
        """The rows of one of the mock's tables, those whose columns equal ``where``."""
        params: dict[str, Any] = {"table": table, "limit": limit}
        params.update({f"where.{column}": value for column, value in where.items()})
        return self.admin("GET", "/state", params=params)["rows"]

    # --- what happened -----------------------------------------------------------------------
    def journal(self, path: str | None = None, method: str | None = None,
                body: BodyFilter | None = None, status: int | None = None,
                after: int | None = None) -> list[Call]:
        """The API calls answered since the last reset, oldest first, filtered: ``path`` a
        glob or a part of the path, ``method`` the method a call is read as (a POST with
        _method=GET is a GET), ``body`` a text the request body contains, a mapping of
        fields it has, or a function of the :class:`~siasim.calls.Call`; ``after`` a
        :meth:`mark`. ``len(...)`` counts them."""
        entries = self._ctx.journal.entries(after_id=after)
        calls = [Call.from_entry(entry.to_dict()) for entry in entries]
        return [c for c in calls if matches(c, path=path, method=method, body=body,
                                            status=status)]

    def mark(self) -> int:
        """A point in the journal: ``journal(after=mark)`` has only what came later."""
        return self._ctx.journal.last_id()

    # --- what it does to the next calls ------------------------------------------------------
    def fault(self, error: str | int | None = None, *, path: str = "*",
              method: str | None = None, status: int | None = None,
              latency_ms: int | None = None, drop: str | None = None,
              times: int | None = None, probability: float | None = None,
              message: str | None = None) -> FaultRule:
        """Make the next matching calls fail: with an API ``error`` code in the service's
        own format, a bare HTTP ``status``, a delay (``latency_ms``), or a dropped
        connection (``drop="before"`` the call runs, or ``"after"`` it committed). ``path``
        is a glob; ``times`` the number of calls (default: every one)."""
        spec = {"path": path, "method": method,
                "error": str(error) if error is not None else None, "status": status,
                "latencyMs": latency_ms, "drop": drop, "times": times,
                "probability": probability, "message": message}
        try:
            fault = self._ctx.faults.add({k: v for k, v in spec.items() if v is not None})
        except FaultSpecError as exc:
            raise ValueError(str(exc)) from None
        return FaultRule(self, fault)

    def clear_faults(self) -> None:
        self._ctx.faults.clear()

    @property
    def clock(self) -> Clock:
        """The mock's clock: ``advance(seconds)``, ``set(datetime)``, ``freeze()``,
        ``reset()``, ``now()``; tokens, sessions, limits and jobs follow it."""
        return self._ctx.clock

    def expire_tokens(self) -> None:
        """Every access token or session issued so far expires now."""
        self.admin("POST", "/tokens/expire", json={})

    def __repr__(self) -> str:
        where = self._running.url if self._running else "not started"
        return f"<{type(self).__name__} {where}, {self.world}>"


class MarketoMock(_Mock):
    """The Marketo Engage REST API mock, in a thread of this process."""

    name = "marketo"
    munchkin_id = MUNCHKIN_ID

    def __init__(self, *, salesforce: SalesforceMock | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._salesforce = salesforce

    def _config(self) -> MarketoConfig:
        link = None
        if self._salesforce is not None:
            sf = self._salesforce.running
            link = marketo_salesforce_link(sf.handle, sf.config)
        return MarketoConfig(salesforce=link)

    def _settings(self) -> dict[str, dict]:
        return {**super()._settings(), "/exports": self.admin("GET", "/exports")}

    def _before_stop(self) -> None:
        stop_marketo_salesforce_sync(self.running)

    @property
    def identity_url(self) -> str:
        return f"{self.url}/identity"

    @property
    def rest_url(self) -> str:
        return f"{self.url}/rest"

    def access_token(self) -> str:
        answer = self.session().get(f"{self.url}/identity/oauth/token", params={
            "grant_type": "client_credentials", "client_id": self.client_id,
            "client_secret": self.client_secret}, timeout=30)
        answer.raise_for_status()
        return answer.json()["access_token"]

    def client(self):
        """A marketorestpython ``MarketoClient`` pointed at this mock (its host is the only
        thing changed)."""
        try:
            from marketorestpython.client import MarketoClient
        except ImportError:
            raise ImportError("MarketoMock.client() needs marketorestpython: "
                              "pip install marketorestpython") from None
        client = MarketoClient(self.munchkin_id, self.client_id, self.client_secret)
        client.host = self.url
        return client

    def sync_from_salesforce(self) -> dict:
        """Run Marketo's own Salesforce sync now (needs ``salesforce=``)."""
        return self.admin("POST", "/salesforce-sync/run", json={})


class SalesforceMock(_Mock):
    """The Salesforce REST API mock, in a thread of this process, over HTTPS by default
    (simple-salesforce and most Salesforce clients build ``https://`` URLs only)."""

    name = "salesforce"

    def __init__(self, *, tls: bool = True, **options: Any) -> None:
        super().__init__(tls=tls, **options)

    def _config(self) -> SalesforceConfig:
        return SalesforceConfig()

    @property
    def username(self) -> str:
        return self.running.config.username

    @property
    def password(self) -> str:
        return self.running.config.password

    @property
    def token_url(self) -> str:
        return f"{self.url}/services/oauth2/token"

    def login(self, session: requests.Session | None = None) -> dict:
        """OAuth's password grant as the API user: ``access_token``, ``instance_url``..."""
        answer = (session or self.session()).post(self.token_url, data={
            "grant_type": "password", "client_id": self.client_id,
            "client_secret": self.client_secret, "username": self.username,
            "password": self.password}, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def client(self, version: str | None = None):
        """A simple-salesforce ``Salesforce`` logged in to this mock (OAuth password grant,
        over a session that trusts the mock's CA); each call logs in afresh."""
        try:
            from simple_salesforce import Salesforce
        except ImportError:
            raise ImportError("SalesforceMock.client() needs simple-salesforce: "
                              "pip install simple-salesforce") from None
        if self.ca_file is None:
            raise RuntimeError("simple-salesforce speaks HTTPS only: start "
                               "SalesforceMock(tls=True), the default")
        session = self.session()
        token = self.login(session)
        options = {"version": version} if version else {}
        return Salesforce(instance_url=token["instance_url"], session_id=token["access_token"],
                          session=session, **options)


class Stack:
    """``siasim up`` in this process: the Salesforce and Marketo mocks on one world,
    Marketo's own Salesforce sync between them (run on demand), and the reference SIA
    (``engine``) on both, with its HTTP API at ``api_url``.

    ``synced=True`` (the default) runs SIA's initial sync at start and after each
    ``reset()``, so SIA holds the world's people as ``siasim up`` leaves them.
    """

    def __init__(self, *, profile: str = DEFAULT_PROFILE, seed: int = 1,
                 people: int | None = None, scenario: str | None = None, empty: bool = False,
                 synced: bool = True, tls: bool = True, limits: bool = True,
                 proxy: bool = False) -> None:
        world = {"profile": profile, "seed": seed, "people": people, "scenario": scenario,
                 "empty": empty}
        self.salesforce = SalesforceMock(tls=tls, limits=limits, **world)
        self.marketo = MarketoMock(salesforce=self.salesforce, limits=limits, **world)
        self.synced = synced
        self._want_proxy = proxy
        self._proxy: ForwardProxy | None = None
        self._proxy_ca: LocalCA | None = None
        self._folder: tempfile.TemporaryDirectory | None = None
        self._sia: RunningSIA | None = None
        self._generation = 0

    def start(self) -> Stack:
        if self._sia is not None:
            return self
        self._folder = tempfile.TemporaryDirectory(prefix="siasim-stack-")
        try:
            self.salesforce.start()
            self.marketo.start()
            self._instant_exports()
            if self._want_proxy:
                self._proxy_ca = LocalCA.create()
                self._proxy = start_proxy(self._proxy_ca, "127.0.0.1", 0, {
                    "marketo": self.marketo.running, "salesforce": self.salesforce.running})
            self._handle = bind("127.0.0.1", 0)
            self._handle.serve_in_thread()
            self._new_sia()
        except BaseException:
            self.stop()
            raise
        return self

    def _instant_exports(self) -> None:
        # how long Marketo's export queue takes is no business of a test of the stack;
        # reset() keeps it so (it restores these settings)
        self.marketo.admin("PATCH", "/exports", json={"startDelay": 0, "minSeconds": 0})
        self.marketo._initial["/exports"] = self.marketo.admin("GET", "/exports")

    def _new_sia(self) -> None:
        self._generation += 1
        db = Path(self._folder.name) / f"sia-{self._generation}.db"
        self._sia = start_sia(self._handle, db, self.marketo.running, self.salesforce.running,
                              interval=5.0)
        if self.synced:
            self._sia.sia.initiate_sync()

    def _close_sia(self) -> None:
        if self._sia is not None:
            from siasim.dashboard import close as close_dashboard

            self._sia.worker.stop()
            close_dashboard(self._handle.server.wsgi_app)
            self._sia.sia.close()

    def stop(self) -> None:
        if self._proxy is not None:
            self._proxy.stop()
            self._proxy = None
        if self._proxy_ca is not None:
            self._proxy_ca.remove()
            self._proxy_ca = None
        if self._sia is not None:
            stop_sia(self._sia)
            self._sia = None
        elif getattr(self, "_handle", None) is not None:
            self._handle.stop()
        self.marketo.stop()
        self.salesforce.stop()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self, **world: Any) -> None:
        """Both mocks back to a world as new (their own, or the one given), and a fresh SIA
        on them (synced, unless the stack is not)."""
        self._close_sia()
        self.salesforce.reset(**world)
        self.marketo.reset(**world)
        self._new_sia()

    @property
    def sia(self):
        """The reference SIA itself (``engine.sia.SIA``): ``people()``, ``send_email(...)``,
        ``sync_all()`` ..."""
        if self._sia is None:
            raise RuntimeError("the stack is not started")
        return self._sia.sia

    @property
    def api_url(self) -> str:
        """SIA's HTTP API (``GET /api`` lists the routes); the dashboard is at ``/``."""
        return f"{self._handle.url}/api"

    @property
    def dashboard_url(self) -> str:
        return f"{self._handle.url}/"

    @property
    def proxy_url(self) -> str:
        """The forward proxy of ``proxy=True``: it stands in for *.mktorest.com,
        login.salesforce.com, test.salesforce.com and *.my.salesforce.com."""
        if self._proxy is None:
            raise RuntimeError("the stack has no proxy: Stack(proxy=True)")
        return self._proxy.url

    @property
    def proxy_ca_file(self) -> Path:
        if self._proxy_ca is None:
            raise RuntimeError("the stack has no proxy: Stack(proxy=True)")
        return self._proxy_ca.ca_file

    def proxy_environment(self) -> dict[str, str]:
        """The variables a client process needs to reach the mocks through the proxy:
        ``HTTPS_PROXY`` and the CA for requests, OpenSSL and Node.js."""
        return proxy_environment(self.proxy_url, str(self.proxy_ca_file))

    def sync(self) -> dict:
        """One pass of every periodic sync of SIA (as ``siasim sync all``)."""
        return self.sia.sync_all()

    def sync_marketo_from_salesforce(self) -> dict:
        """Marketo's own Salesforce sync, now: a lead changed in Salesforce reaches
        Marketo (and SIA's next sync)."""
        return self.marketo.sync_from_salesforce()

    def __repr__(self) -> str:
        return f"<Stack marketo={self.marketo!r} salesforce={self.salesforce!r}>"

"""Starting the servers of the local stack: the mocks (for ``siasim serve`` and
``siasim up`` alike) and the reference SIA with its API and dashboard (``siasim up``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from engine.config import Endpoints
from engine.sia import SIA
from engine.worker import Worker
from mocks.core.admin import admin_hosts_for, admin_token_for
from mocks.core.config import MockConfig, WorldSpec
from mocks.core.serving import ServerHandle, TLSFiles, make_server
from mocks.core.tls import make_certificate
from mocks.marketo.salesforce_sync import SalesforceLink
from mocks.salesforce.config import SalesforceConfig
from siasim.dashboard import MockLink, create_app
from siasim.dashboard import close as close_dashboard


@dataclass
class RunningMock:
    name: str
    title: str
    app: Flask
    handle: ServerHandle
    config: MockConfig

    @property
    def url(self) -> str:
        return self.handle.url


def world_spec(empty: bool, seed: int, profile: str, people: int | None,
               workers: int | None = None) -> WorldSpec | None:
    return None if empty else WorldSpec(seed=seed, profile=profile, people=people,
                                        workers=workers)


def build_app(name: str, config: MockConfig) -> Flask:
    if name == "marketo":
        from mocks.marketo import create_app
    else:
        from mocks.salesforce import create_app
    return create_app(config)


def bind(host: str, port: int, tls: TLSFiles | None = None) -> ServerHandle:
    """Take a port now (``PortInUse`` on a clash), serve an app on it later."""
    return make_server(None, host, port, tls=tls)


def attach_mock(name: str, config: MockConfig, handle: ServerHandle,
                shared_token: str | None = None) -> RunningMock:
    """Build a mock's app (seeding a new database) for a bound port.

    Bound beyond loopback, its admin API asks for a token made now (printed by the
    commands) and answers under the machine's names as well.
    """
    config.base_url = handle.url
    if config.admin_token is None:
        config.admin_token = shared_token or admin_token_for(handle.host)
    config.admin_hosts = tuple(sorted({*config.admin_hosts, *admin_hosts_for(handle.host)}))
    app = build_app(name, config)
    handle.server.wsgi_app = app
    title = {"marketo": "Marketo mock", "salesforce": "Salesforce mock"}[name]
    return RunningMock(name, title, app, handle, config)


def start_mock(name: str, config: MockConfig, host: str, port: int,
               tls: TLSFiles | None = None) -> RunningMock:
    """Build the app and bind its port (a clash raises ``PortInUse`` before any serving;
    a database it cannot use, ``StoreUnusable``, with the port let go)."""
    handle = bind(host, port, tls)
    try:
        return attach_mock(name, config, handle)
    except BaseException:
        handle.stop()  # its worker threads would keep the process alive
        raise


def tls_files(enabled: bool, folder: Path | None = None) -> TLSFiles | None:
    return make_certificate(folder) if enabled else None


def stop_all(mocks: list[RunningMock]) -> None:
    for mock in mocks:
        mock.handle.stop()
        mock.app.extensions["siasim"].store.close()


@dataclass
class RunningSIA:
    sia: SIA
    worker: Worker
    handle: ServerHandle

    @property
    def url(self) -> str:
        return self.handle.url


def start_sia(handle: ServerHandle, db: Path, marketo: RunningMock, salesforce: RunningMock,
              interval: float) -> RunningSIA:
    """The reference SIA on the mocks, its worker (not started), its API and dashboard."""
    ca = str(salesforce.handle.tls.ca) if salesforce.handle.tls else None
    mc, sc = marketo.config, salesforce.config
    sia = SIA(db, Endpoints(
        marketo_url=marketo.url, marketo_client_id=mc.sia_client_id,
        marketo_client_secret=mc.sia_client_secret, salesforce_url=salesforce.url,
        salesforce_client_id=sc.client_id, salesforce_client_secret=sc.client_secret,
        salesforce_username=sc.username, salesforce_password=sc.password,
        verify=ca or True))
    worker = Worker(sia, interval)
    links = [MockLink(m.name, m.title, m.url, ca if m.handle.tls and ca else True,
                      m.config.admin_token) for m in (marketo, salesforce)]
    handle.server.wsgi_app = create_app(sia, worker, links, salesforce_sync=True)
    return RunningSIA(sia, worker, handle)


def stop_sia(running: RunningSIA) -> None:
    running.worker.stop()
    running.handle.stop()
    close_dashboard(running.handle.server.wsgi_app)
    running.sia.close()


def marketo_salesforce_link(salesforce: ServerHandle, config: SalesforceConfig) -> SalesforceLink:
    """Where Marketo's own Salesforce sync logs in: the Salesforce mock, as its API user."""
    return SalesforceLink(salesforce.url, config.client_id, config.client_secret,
                          config.username, config.password,
                          str(salesforce.tls.ca) if salesforce.tls else True)


def stop_marketo_salesforce_sync(marketo: RunningMock) -> None:
    """Before the stores close: its thread writes into Marketo's."""
    marketo.app.extensions["siasim"].service.salesforce_sync.stop()

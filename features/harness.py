"""The mocks the kit runs its scenarios against: both servers, where a driver can reach them.

This is the one place the kit touches the mocks' code, and only to start and stop them;
everything else goes through their HTTP APIs (``features.mockapi``).

By default both listen on free ports of 127.0.0.1. A :class:`Placement` puts them on a
host and fixed ports (an integration in a container or on another machine must be told an
address it can reach) and on TLS, with one CA the driver is given in ``Endpoints``.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, replace

from features.contract import Endpoints
from features.mockapi import MockAdmin
from mocks.core.serving import ServerHandle, TLSFiles, start_server
from mocks.core.tls import make_certificate
from mocks.marketo import MarketoConfig
from mocks.marketo import create_app as marketo_app
from mocks.marketo.salesforce_sync import SalesforceLink
from mocks.salesforce import SalesforceConfig
from mocks.salesforce import create_app as salesforce_app

WILDCARDS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class Placement:
    """Where the mocks listen, and the address the driver is told."""

    host: str = "127.0.0.1"
    marketo_port: int = 0  # 0: a free port
    salesforce_port: int = 0
    tls: bool = False
    #: the host name in the URLs the driver gets; default: ``host``, or this machine's
    #: name when ``host`` is a wildcard (0.0.0.0 listens everywhere but names nothing)
    public_host: str | None = None

    @property
    def url_host(self) -> str:
        if self.public_host:
            return self.public_host
        return socket.getfqdn() if self.host in WILDCARDS else self.host

    def for_worker(self, index: int) -> Placement:
        """Worker ``index`` of a parallel run (``-n``): fixed ports move up by the index, so
        that each worker's mocks have ports of their own."""
        return replace(self, marketo_port=self.marketo_port + index if self.marketo_port else 0,
                       salesforce_port=self.salesforce_port + index
                       if self.salesforce_port else 0)

    def check(self, workers: int) -> None:
        """Raises ValueError when the port ranges of ``workers`` workers would overlap."""
        span = max(workers, 1)
        if self.marketo_port and self.salesforce_port:
            low, high = sorted((self.marketo_port, self.salesforce_port))
            if high - low < span:
                raise ValueError(
                    f"--marketo-port {self.marketo_port} and --salesforce-port "
                    f"{self.salesforce_port} overlap with {span} workers: worker N uses each "
                    f"port plus N, so leave at least {span} ports between them")
        for name, port in (("marketo", self.marketo_port), ("salesforce", self.salesforce_port)):
            if port and port + span - 1 > 65535:
                raise ValueError(f"--{name}-port {port}: {span} workers need ports up to "
                                 f"{port + span - 1}")


@dataclass
class MockStack:
    marketo: MockAdmin
    salesforce: MockAdmin
    endpoints: Endpoints
    handles: tuple[ServerHandle, ...]
    configs: tuple
    tls: TLSFiles | None = None  # removed with the servers

    def reset(self) -> None:
        self.marketo.reset()
        self.salesforce.reset()
        # export jobs finish at once: how long Marketo's queue takes is not a rule here
        self.marketo.call("PATCH", "/exports", json={"startDelay": 0, "minSeconds": 0})

    def stop(self) -> None:
        for handle in self.handles:
            handle.stop()
        for handle in self.handles:
            handle.server.wsgi_app.extensions["siasim"].store.close()


def _url(handle: ServerHandle, host: str) -> str:
    name = f"[{host}]" if ":" in host else host
    return f"{handle.scheme}://{name}:{handle.port}"


def start_mocks(placement: Placement | None = None) -> MockStack:
    placement = placement or Placement()
    public = placement.url_host
    # the kit's own calls (admin API, Marketo's sync with Salesforce) stay on this machine
    local = "127.0.0.1" if placement.host in WILDCARDS else placement.host
    names = tuple(dict.fromkeys(h for h in (public, placement.host)
                                if h not in (*WILDCARDS, "127.0.0.1", "localhost")))
    tls = make_certificate(hosts=names) if placement.tls else None
    verify: bool | str = str(tls.ca) if tls else True
    sf_config = SalesforceConfig(world=None)
    sf_server = start_server(salesforce_app(sf_config), placement.host,
                             placement.salesforce_port, tls=tls)
    sf_config.base_url = _url(sf_server, public)  # the instance_url its logins answer
    mk_config = MarketoConfig(world=None, salesforce=SalesforceLink(
        _url(sf_server, local), sf_config.client_id, sf_config.client_secret,
        sf_config.username, sf_config.password, verify=verify))
    mk_server = start_server(marketo_app(mk_config), placement.host, placement.marketo_port,
                             tls=tls)
    mk_config.base_url = _url(mk_server, public)
    endpoints = Endpoints(
        marketo_url=_url(mk_server, public), marketo_client_id=mk_config.sia_client_id,
        marketo_client_secret=mk_config.sia_client_secret,
        salesforce_url=_url(sf_server, public), salesforce_client_id=sf_config.client_id,
        salesforce_client_secret=sf_config.client_secret,
        salesforce_username=sf_config.username, salesforce_password=sf_config.password,
        ca_bundle=str(tls.ca) if tls else None)
    return MockStack(MockAdmin(_url(mk_server, local), "marketo", verify),
                     MockAdmin(_url(sf_server, local), "salesforce", verify),
                     endpoints, (mk_server, sf_server), (mk_config, sf_config), tls)

"""The mocks the kit runs its scenarios against: both servers, started on free ports.

This is the one place the kit touches the mocks' code, and only to start and stop them;
everything else goes through their HTTP APIs (``features.mockapi``).
"""

from __future__ import annotations

from dataclasses import dataclass

from features.contract import Endpoints
from features.mockapi import MockAdmin
from mocks.core.serving import ServerHandle, start_server
from mocks.marketo import MarketoConfig
from mocks.marketo import create_app as marketo_app
from mocks.marketo.salesforce_sync import SalesforceLink
from mocks.salesforce import SalesforceConfig
from mocks.salesforce import create_app as salesforce_app


@dataclass
class MockStack:
    marketo: MockAdmin
    salesforce: MockAdmin
    endpoints: Endpoints
    handles: tuple[ServerHandle, ...]
    configs: tuple

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


def start_mocks() -> MockStack:
    sf_config = SalesforceConfig(world=None)
    sf_server = start_server(salesforce_app(sf_config))
    sf_config.base_url = sf_server.url
    mk_config = MarketoConfig(world=None, salesforce=SalesforceLink(
        sf_server.url, sf_config.client_id, sf_config.client_secret, sf_config.username,
        sf_config.password))
    mk_server = start_server(marketo_app(mk_config))
    mk_config.base_url = mk_server.url
    endpoints = Endpoints(
        marketo_url=mk_server.url, marketo_client_id=mk_config.sia_client_id,
        marketo_client_secret=mk_config.sia_client_secret,
        salesforce_url=sf_server.url, salesforce_client_id=sf_config.client_id,
        salesforce_client_secret=sf_config.client_secret,
        salesforce_username=sf_config.username, salesforce_password=sf_config.password)
    return MockStack(MockAdmin(mk_server.url, "marketo"), MockAdmin(sf_server.url, "salesforce"),
                     endpoints, (mk_server, sf_server), (mk_config, sf_config))

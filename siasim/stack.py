"""Starting the mock servers, for ``siasim serve`` and ``siasim up`` alike."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from mocks.core.config import MockConfig, WorldSpec
from mocks.core.serving import ServerHandle, TLSFiles, make_server
from mocks.core.tls import make_certificate


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


def world_spec(empty: bool, seed: int, profile: str, people: int | None) -> WorldSpec | None:
    return None if empty else WorldSpec(seed=seed, profile=profile, people=people)


def build_app(name: str, config: MockConfig) -> Flask:
    if name == "marketo":
        from mocks.marketo import create_app
    else:
        from mocks.salesforce import create_app
    return create_app(config)


def start_mock(name: str, config: MockConfig, host: str, port: int,
               tls: TLSFiles | None = None) -> RunningMock:
    """Build the app and bind its port (a clash raises ``PortInUse`` before any serving)."""
    handle = make_server(None, host, port, tls=tls)
    config.base_url = handle.url
    app = build_app(name, config)
    handle.server.wsgi_app = app
    title = {"marketo": "Marketo mock", "salesforce": "Salesforce mock"}[name]
    return RunningMock(name, title, app, handle, config)


def tls_files(enabled: bool, folder: Path | None = None) -> TLSFiles | None:
    return make_certificate(folder) if enabled else None


def stop_all(mocks: list[RunningMock]) -> None:
    for mock in mocks:
        mock.handle.stop()
        mock.app.extensions["siasim"].store.close()

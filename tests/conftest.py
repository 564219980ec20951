"""Shared test fixtures: mocks built fresh per test, and real servers on port 0."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from mocks.core.serving import ServerHandle, start_server


@pytest.fixture
def serve() -> Iterator[Callable[..., ServerHandle]]:
    """Start a WSGI app on a free port in a thread; every server started is stopped."""
    handles: list[ServerHandle] = []

    def start(app, **kwargs) -> ServerHandle:
        handle = start_server(app, "127.0.0.1", 0, **kwargs)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()

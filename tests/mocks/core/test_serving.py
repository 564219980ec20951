"""Real servers on port 0: dropped connections, latency, TLS, port clashes."""

from __future__ import annotations

import time

import pytest
import requests

from mocks.core.serving import PortInUse, make_server
from mocks.core.tls import make_certificate


def test_drop_before_resets_without_running_the_call(app, serve):
    server = serve(app)
    requests.post(server.url + "/__admin__/faults",
                  json={"path": "/api/items", "method": "POST", "drop": "before", "times": 1})
    with pytest.raises(requests.ConnectionError):
        requests.post(server.url + "/api/items", json={"names": ["lost"]}, timeout=5)
    assert requests.get(server.url + "/api/items", timeout=5).json() == []


def test_drop_after_commits_then_resets(app, serve):
    server = serve(app)
    requests.post(server.url + "/__admin__/faults",
                  json={"path": "/api/items", "method": "POST", "drop": "after", "times": 1})
    with pytest.raises(requests.ConnectionError):
        requests.post(server.url + "/api/items", json={"names": ["kept"]}, timeout=5)
    assert requests.get(server.url + "/api/items", timeout=5).json() == ["kept"]


def test_latency(app, serve):
    server = serve(app)
    requests.post(server.url + "/__admin__/faults", json={"path": "/api/items",
                                                          "latencyMs": 300, "times": 1})
    started = time.perf_counter()
    assert requests.get(server.url + "/api/items", timeout=5).status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_concurrency_limit(app, serve):
    server = serve(app)
    requests.patch(server.url + "/__admin__/limits", json={"rate_calls": None})
    requests.post(server.url + "/__admin__/faults", json={"path": "/api/items",
                                                          "latencyMs": 600, "times": 2})
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        slow = [pool.submit(requests.get, server.url + "/api/items", timeout=5)
                for _ in range(2)]
        time.sleep(0.2)
        third = requests.get(server.url + "/api/items", timeout=5)
        assert [f.result().status_code for f in slow] == [200, 200]
    assert third.status_code == 429 and third.json() == {"error": "limit:concurrency"}


def test_tls_with_the_printed_ca(app, serve, tmp_path):
    files = make_certificate(tmp_path)
    server = serve(app, tls=files)
    assert server.url.startswith("https://127.0.0.1:")
    assert requests.get(server.url + "/api/items", verify=str(files.ca), timeout=5).ok
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(server.url + "/api/items", timeout=5)  # the system store does not know it


def test_port_in_use(app, serve):
    server = serve(app)
    with pytest.raises(PortInUse, match="already in use"):
        make_server(app, "127.0.0.1", server.port)

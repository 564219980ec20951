"""Limits and faults, answered in Marketo's envelope: 606, 615, 607, injected codes."""

from __future__ import annotations

import concurrent.futures
import time

import pytest
import requests

from mocks.core.limits import LimitSettings
from mocks.marketo.config import MarketoConfig, marketo_limits

LEADS = "/rest/v1/leads.json?filterType=id&filterValues=1"


def test_limits_are_on_by_default_with_marketo_figures():
    limits = MarketoConfig().limits
    assert (limits.rate_calls, limits.rate_window, limits.concurrency, limits.daily) == (
        100, 20.0, 10, 50_000)
    assert marketo_limits() == limits


def test_rate_limit_606_then_a_new_window(make_api):
    api = make_api(limits=LimitSettings(rate_calls=100, rate_window=20, concurrency=10,
                                        daily=50_000))
    for _ in range(100):
        api.ok("get", LEADS)
    assert api.error("get", LEADS) == {"code": "606", "message":
                                       "Max rate limit '100' exceeded with in '20' secs"}
    api.client.post("/__admin__/clock", json={"advance": 20})
    assert api.ok("get", LEADS)


def test_daily_quota_607(make_api):
    api = make_api(limits=LimitSettings(rate_calls=None, concurrency=None, daily=3))
    for _ in range(3):
        api.ok("get", LEADS)
    assert api.error("get", LEADS) == {"code": "607", "message": "Daily quota reached"}
    api.client.patch("/__admin__/limits", json={"daily": 50_000})
    assert api.ok("get", LEADS)


def test_concurrency_615_on_a_real_server(make_app, serve):
    app = make_app(limits=LimitSettings(rate_calls=None, concurrency=10, daily=None))
    server = serve(app)
    token = app.test_client().get(
        "/identity/oauth/token?grant_type=client_credentials&client_id=siasim-marketo-client"
        "&client_secret=siasim-marketo-secret").json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    requests.post(f"{server.url}/__admin__/faults", json={"path": "/rest/v1/leads.json",
                                                          "latencyMs": 800, "times": 10})
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        slow = [pool.submit(requests.get, server.url + LEADS, headers=headers, timeout=10)
                for _ in range(10)]
        time.sleep(0.4)
        eleventh = requests.get(server.url + LEADS, headers=headers, timeout=10)
        assert all(f.result().json()["success"] for f in slow)
    assert eleventh.status_code == 200
    assert eleventh.json()["errors"] == [{"code": "615",
                                          "message": "Concurrent access limit reached"}]


@pytest.mark.parametrize("code", ["604", "608", "611", "1029", "713"])
def test_injected_api_errors_in_marketo_form(api, client, code):
    client.post("/__admin__/faults", json={"path": "/rest/v1/leads.json", "error": code,
                                           "times": 1})
    response = api.get(LEADS)
    assert response.status_code == 200
    assert response.json["success"] is False and response.json["errors"][0]["code"] == code
    assert api.ok("get", LEADS)


def test_injected_status_latency_probability_and_drops(api, client, make_app, serve):
    client.post("/__admin__/faults", json={"path": "/rest/v1/*", "status": 502, "times": 1})
    bad_gateway = api.get(LEADS)
    assert bad_gateway.status_code == 502 and bad_gateway.json["errors"][0]["code"] == "502"
    client.post("/__admin__/faults", json={"path": "/rest/v1/leads.json", "error": "606",
                                           "probability": 0.5})
    outcomes = {api.get(LEADS).json["success"] for _ in range(40)}
    assert outcomes == {True, False}
    client.delete("/__admin__/faults", json={})
    server = serve(client.application)
    requests.post(f"{server.url}/__admin__/faults",
                  json={"path": "/rest/v1/leads.json", "method": "POST", "drop": "after",
                        "times": 1})
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{server.url}/rest/v1/leads.json",
                      json={"input": [{"email": "dropped@example.com"}]},
                      headers={"Authorization": f"Bearer {api.token}"}, timeout=5)
    # the call ran and committed before its answer was lost
    found = api.ok("get", "/rest/v1/leads.json?filterType=email&"
                          "filterValues=dropped@example.com")["result"]
    assert len(found) == 1
    journal = client.get("/__admin__/journal?path=/rest/v1/leads.json&method=POST").json
    assert journal["entries"][-1]["fault"].startswith("fault ")

"""``siasim.MarketoMock``, ``SalesforceMock`` and ``Stack``: the plain Python API under the
pytest plugin, with its journal filters, faults and resets."""

from __future__ import annotations

import pytest
import requests

import siasim
from siasim.calls import Call, matches


@pytest.fixture(scope="module")
def mk():
    with siasim.MarketoMock(profile="tiny") as mock:
        yield mock


@pytest.fixture(scope="module")
def sf():
    with siasim.SalesforceMock(profile="tiny") as mock:
        yield mock


def test_body_filters_read_json_and_form_bodies(mk):
    mk.reset()
    token = mk.access_token()
    auth = {"Authorization": f"Bearer {token}"}
    requests.post(f"{mk.url}/rest/v1/leads.json", headers=auth, timeout=10, json={
        "action": "createOnly", "input": [{"email": "a@x.example", "title": "CTO"}]})
    requests.post(f"{mk.url}/rest/v1/leads.json", headers=auth, timeout=10, data={
        "_method": "GET", "filterType": "email", "filterValues": "a@x.example"})
    writes = mk.journal(path="/rest/v1/leads.json", method="POST")
    reads = mk.journal(path="/rest/v1/leads.json", method="GET")
    assert len(writes) == 1 and len(reads) == 1
    assert reads[0].method == "POST" and reads[0].read_as == "GET"
    assert reads[0].params["filterType"] == ["email"]
    assert mk.journal(body={"action": "createOnly"}) == writes
    assert mk.journal(body={"input": {"title": "CTO"}}) == writes  # one item of a list
    assert mk.journal(body={"filterType": "email"}) == reads  # a form field
    assert mk.journal(body="a@x.example") == writes + reads  # text in either
    assert mk.journal(body={"action": "updateOnly"}) == []
    assert mk.journal(status=200, path="/identity/*")[0].path == "/identity/oauth/token"
    assert mk.journal(path="leads.json") == writes + reads  # a part of the path
    assert "access_token" not in mk.journal(path="/identity/*")[0].response_body.replace(
        '"access_token":"***"', "")


def test_a_fault_rule_counts_and_goes(mk):
    mk.reset()
    with mk.fault("606", path="/rest/v1/lead/*", method="GET", times=2) as rule:
        token = mk.access_token()
        url = f"{mk.url}/rest/v1/lead/1.json"
        codes = [requests.get(url, headers={"Authorization": f"Bearer {token}"},
                              timeout=10).json().get("errors", [{}])[0].get("code")
                 for _ in range(3)]
        assert codes == ["606", "606", None] and rule.fired == 2 and not rule.active
    with mk.fault(latency_ms=1) as rule:
        assert rule.active
    assert not rule.active  # leaving the `with` removed it
    with pytest.raises(ValueError, match="exactly one of"):
        mk.fault(path="/x")


def test_reset_brings_back_the_world_limits_and_clock(mk):
    mk.admin("PATCH", "/limits", json={"rate_calls": 1})
    mk.admin("PATCH", "/exports", json={"minSeconds": 99})
    mk.clock.advance(7200)
    mk.admin("DELETE", "/leads", json={"ids": [1]})
    mk.reset()
    assert mk.admin("GET", "/limits")["settings"]["rate_calls"] == 100
    assert mk.admin("GET", "/exports")["minSeconds"] != 99
    assert mk.clock.describe()["offsetSeconds"] == 0
    assert mk.rows("leads", id=1)
    mk.reset(scenario="duplicates")  # another world, which becomes the mock's own
    assert len(mk.rows("leads")) == 4
    mk.reset()
    assert len(mk.rows("leads")) == 4
    mk.reset(profile="tiny")


def test_salesforce_over_https_trusts_its_ca_whatever_the_environment(sf, monkeypatch):
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
    sf.reset()
    assert sf.url.startswith("https://127.0.0.1:") and sf.ca_file.exists()
    client = sf.client()
    assert client.query("SELECT COUNT() FROM Lead")["totalSize"] > 0
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(sf.url + "/services/data/", timeout=10)  # nothing else trusts it
    assert sf.login()["instance_url"] == sf.url


def test_a_stopped_mock_says_so():
    mock = siasim.MarketoMock()
    with pytest.raises(RuntimeError, match="not started"):
        mock.url  # noqa: B018
    with pytest.raises(ValueError, match="empty or a scenario"):
        siasim.SalesforceMock(empty=True, scenario="duplicates")


def test_the_stack_resets_to_a_fresh_synced_sia():
    with siasim.Stack(scenario="owner-filter") as stack:
        people = stack.sia.people()
        assert people and requests.get(stack.api_url + "/people", timeout=10).json()[
            "total"] == len(people)
        first = people[0]["Marketo ID"]
        stack.sia.send_email(first, "Before the reset")
        assert stack.sia.activities(first)
        stack.reset()
        assert stack.sia.activities(first) == []  # a new SIA database
        assert len(stack.sia.people()) == len(people)
        assert stack.marketo.journal(path="/rest/v1/activities/external.json") == []
        run = stack.sync_marketo_from_salesforce()
        assert run and "error" not in run


def test_call_matching_on_its_own():
    call = Call.from_entry({"id": 1, "time": "t", "method": "POST", "path": "/a/b.json",
                            "query": "x=1", "status": 200,
                            "requestHeaders": {"Content-Type": "application/json"},
                            "requestBody": '{"input": [{"id": 5}], "mode": "m"}',
                            "responseBody": "[]", "durationMs": 1.0})
    assert matches(call, path="/a/*", method="post", body={"input": {"id": 5}})
    assert not matches(call, method="GET")
    assert not matches(call, body={"mode": "other"})
    assert call.params == {"x": ["1"]} and call.response_json() == []

"""The admin API is driven by tests, the kit and the dashboard, never by a web page: JSON
writes only, the Host checked (DNS rebinding), a token when bound beyond loopback; and
the clock it moves stays where dates still exist."""

from __future__ import annotations

import pytest

from mocks.core.admin import admin_hosts_for, admin_token_for, is_loopback
from mocks.core.app import create_mock_app
from mocks.core.config import MockConfig
from tests.mocks.core.conftest import EchoService


def test_a_form_post_from_a_foreign_page_changes_nothing(client):
    client.post("/api/items", json={"names": ["kept"]})
    # what an HTML form on any web site can send to 127.0.0.1 without asking
    for kwargs in ({"data": {"scenario": "duplicates"}},
                   {"data": '{"x": 1}', "content_type": "text/plain"},
                   {"data": b"", "content_type": "multipart/form-data; boundary=x"}, {}):
        for path in ("/__admin__/reset", "/__admin__/seed", "/__admin__/tokens/expire",
                     "/__admin__/faults", "/__admin__/clock"):
            response = client.post(path, **kwargs)
            assert response.status_code == 415, (path, kwargs)
            assert "X-Siasim-Admin" in response.json["message"]
    assert client.delete("/__admin__/journal").status_code == 415
    assert client.get("/api/items").json == ["kept"]
    assert client.get("/__admin__/faults").json["faults"] == []


def test_json_or_the_admin_header_lets_a_write_in(client):
    assert client.post("/__admin__/tokens/expire", json={}).status_code == 200
    assert client.post("/__admin__/tokens/expire",
                       headers={"X-Siasim-Admin": "1"}).status_code == 200
    assert client.delete("/__admin__/journal", headers={"X-Siasim-Admin": "1"}).json == {
        "cleared": True}


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8401", "127.0.0.1.evil.example",
                                  "localhost.evil.example", "", "a b", "[::1"])
def test_a_host_the_mock_is_not_served_under_is_refused_even_for_reads(client, host):
    # a page that rebinds its own name to 127.0.0.1 still sends that name as the Host
    for method, path in (("get", "/__admin__/state"), ("get", "/__admin__/journal"),
                         ("post", "/__admin__/reset")):
        response = getattr(client, method)(path, json={}, headers={"Host": host})
        assert response.status_code == 403, (host, path, response.data)


@pytest.mark.parametrize("host", ["127.0.0.1:8401", "localhost", "LOCALHOST:1", "[::1]:8401",
                                  "10.1.2.3", "app.localhost"])
def test_addresses_and_localhost_are_served(client, host):
    assert client.get("/__admin__/health", headers={"Host": host}).status_code == 200


def test_the_api_itself_answers_under_any_host(client):
    # clients may reach the mock through a proxy or an adapter that keeps the real name
    assert client.get("/api/items", headers={"Host": "login.salesforce.com"}).status_code == 200


def test_a_mock_bound_beyond_loopback_needs_its_admin_token(tmp_path):
    token = admin_token_for("0.0.0.0")
    assert token and admin_token_for("0.0.0.0") != token  # fresh each start
    config = MockConfig(db=str(tmp_path / "t.db"), world=None, admin_token=token,
                        admin_hosts=admin_hosts_for("0.0.0.0"))
    app = create_mock_app("echo", config, EchoService)
    client = app.test_client()
    assert client.get("/__admin__/state").status_code == 401
    assert client.post("/__admin__/reset", json={},
                       headers={"X-Siasim-Admin-Token": "guess"}).status_code == 401
    headers = {"X-Siasim-Admin-Token": token}
    assert client.get("/__admin__/state", headers=headers).status_code == 200
    assert client.post("/__admin__/reset", json={}, headers=headers).status_code == 200
    app.extensions["siasim"].store.close()


def test_loopback_binds_need_no_token_and_others_get_the_machine_names():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.5", "myhost"))
    assert admin_token_for("127.0.0.1") is None and admin_hosts_for("127.0.0.1") == ()
    assert "myhost.example" in admin_hosts_for("myhost.example")


@pytest.mark.parametrize("body", [{"advance": 1e300}, {"advance": 31_000 * 365 * 86400},
                                  {"set": "9999-12-31T23:59:58Z"}, {"set": "1999-12-31T00:00:00Z"},
                                  {"set": "0001-01-01T00:00:00Z"},
                                  {"set": "9999-12-31T23:59:59-23:59"}])
def test_the_clock_refuses_jumps_that_would_wedge_the_mock(client, body):
    before = client.get("/__admin__/clock").json
    response = client.post("/__admin__/clock", json=body)
    assert response.status_code == 400 and response.json["message"]
    after = client.get("/__admin__/clock").json
    assert abs(after["offsetSeconds"] - before["offsetSeconds"]) < 1
    assert client.get("/__admin__/health").status_code == 200
    assert client.get("/api/items").status_code == 200


def test_the_clock_refuses_nan_and_infinity_sent_as_json_literals(client):
    for literal in ("NaN", "Infinity", "1e400"):
        response = client.post("/__admin__/clock", data=f'{{"advance": {literal}}}',
                               content_type="application/json")
        assert response.status_code == 400, literal
    assert client.get("/__admin__/clock").json["offsetSeconds"] == 0


def test_the_clock_still_moves_far_within_its_range(client):
    assert client.post("/__admin__/clock", json={"set": "2999-12-01T00:00:00Z"}).status_code == 200
    assert client.get("/api/items").status_code == 200
    assert client.post("/__admin__/clock", json={"advance": 86400 * 60}).status_code == 400
    assert client.post("/__admin__/clock", json={"reset": True}).status_code == 200

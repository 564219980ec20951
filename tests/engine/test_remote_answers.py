"""Whatever a service answers, the clients raise RemoteError (never KeyError or
AttributeError), and SIA reports a stored action as stored (never a 500)."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask, Response

from engine.clients.marketo import MarketoClient, MarketoCredentials
from engine.clients.retry import RetryPolicy
from engine.clients.salesforce import SalesforceClient, SalesforceCredentials
from engine.errors import RemoteError
from engine.http_api import create_app
from engine.worker import Worker

NO_WAIT = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.001, patience=0.01)
CARLA = "carla@acme.example"


def stub(answers: dict[str, tuple[int, str, str]]) -> Flask:
    """A server that answers each path with (status, content type, body), whatever asked."""
    app = Flask("stub")

    @app.route("/<path:path>", methods=["GET", "POST", "PATCH"])
    def any_path(path: str):
        status, kind, body = answers.get("/" + path, (404, "text/plain", "nothing here"))
        return Response(body, status=status, content_type=kind)

    return app


JSON = "application/json"
TOKEN_ANSWERS = [
    (200, JSON, '{"success": false, "errors": [{"code": "601", "message": "bad"}]}'),
    (200, JSON, "[]"), (200, JSON, '[{"errorCode": "X"}]'), (200, JSON, "null"),
    (200, JSON, '{"access_token": 42}'), (200, JSON, '{"access_token": "t", "expires_in": "x"}'),
    (200, "text/html", "<html>captive portal</html>"), (401, JSON, "[1, 2]"),
    (400, JSON, '{"error": {"nested": true}}'), (200, JSON, '{"access_token": ""}'),
]


@pytest.mark.parametrize("answer", TOKEN_ANSWERS, ids=lambda a: f"{a[0]}-{a[2][:20]}")
def test_a_marketo_token_answer_of_any_shape_is_a_remote_error(serve, answer):
    server = serve(stub({"/identity/oauth/token": answer}))
    client = MarketoClient(MarketoCredentials(server.url, "id", "secret"), retry=NO_WAIT,
                           calls_per_window=None)
    with pytest.raises(RemoteError):
        client.token()


@pytest.mark.parametrize("answer", [
    *TOKEN_ANSWERS, (200, JSON, '{"access_token": "t", "instance_url": 5}'),
    (200, JSON, '{"access_token": "t", "instance_url": "ftp://x"}')],
    ids=lambda a: f"{a[0]}-{a[2][:20]}")
def test_a_salesforce_login_answer_of_any_shape_is_a_remote_error(serve, answer):
    server = serve(stub({"/services/oauth2/token": answer}))
    client = SalesforceClient(SalesforceCredentials(server.url, "id", "secret", "u", "p"),
                              retry=NO_WAIT)
    with pytest.raises(RemoteError):
        client.login()


BODIES = ["[]", "null", '"text"', '{"success": true}', '{"success": true, "result": 5}',
          '{"success": true, "result": [1, 2]}', '{"success": "yes"}',
          '{"success": false, "errors": "none"}', '{"success": false, "errors": [5]}']


@pytest.mark.parametrize("body", BODIES)
def test_a_marketo_envelope_of_any_shape_is_a_remote_error(serve, body):
    token = (200, JSON, '{"access_token": "t", "expires_in": 3600}')
    server = serve(stub({"/identity/oauth/token": token,
                         "/rest/v1/activities/types.json": (200, JSON, body),
                         "/rest/v1/activities/pagingtoken.json": (200, JSON, body),
                         "/rest/v1/activities/external.json": (200, JSON, body)}))
    client = MarketoClient(MarketoCredentials(server.url, "id", "secret"), retry=NO_WAIT,
                           calls_per_window=None)
    calls = [lambda: client.paging_token(datetime(2026, 1, 1)),
             lambda: client.add_activities([{"leadId": 1}])]
    if body != '{"success": true}':  # no types is an answer (Marketo leaves out empties)
        calls.append(client.activity_types)
    for call in calls:
        with pytest.raises(RemoteError):
            call()


@pytest.mark.parametrize("body", ["[]", '{"records": 5}', '{"records": [1]}', '{"id": 5}',
                                  '"x"', '{"totalSize": "many"}', "<html>"])
def test_a_salesforce_answer_of_any_shape_is_a_remote_error(serve, body):
    login = '{"access_token": "t", "instance_url": "%s"}'
    server = serve(stub({}))
    data = "/services/data/v59.0"
    server.server.wsgi_app = stub({  # now that its URL is known, for instance_url
        "/services/oauth2/token": (200, JSON, login % server.url),
        f"{data}/query/": (200, JSON, body), f"{data}/sobjects/Task/": (201, JSON, body),
        f"{data}/sobjects/Task/describe/": (200, JSON, body)})
    client = SalesforceClient(SalesforceCredentials(server.url, "id", "secret", "u", "p"),
                              retry=NO_WAIT)
    for call in (lambda: list(client.query("SELECT Id FROM Task")),
                 lambda: client.count("SELECT COUNT() FROM Task"),
                 lambda: client.create("Task", {}), lambda: client.has_field("Task", "X")):
        with pytest.raises(RemoteError):
            call()


# --- through SIA's API: a stored action is reported as stored -------------------------------

@pytest.fixture
def api(world):
    world.sia.set_setting("salesforce.log_calls", True)
    return create_app(world.sia, Worker(world.sia)).test_client()


def test_a_marketo_token_error_envelope_leaves_the_call_stored_not_a_500(world, api):
    world.stack.marketo.call("POST", "/tokens/expire")  # SIA's next call logs in again
    world.fault("marketo", path="/identity/oauth/token", error="601")  # was KeyError
    response = api.post(f"/api/people/{world.id(CARLA)}/calls", json={"subject": "Hello"})
    assert response.status_code == 201, response.json
    assert "error" in response.json["delivery"]["marketo"]
    [activity] = world.sia.activities(world.id(CARLA))
    assert activity["delivery"] == "pending"
    world.stack.marketo.call("DELETE", "/faults")
    world.sia.flush()  # delivered later, once
    assert len(world.activities(CARLA, "Sales Call Received")) == 1


def test_a_salesforce_login_error_list_leaves_the_call_stored_not_a_500(world, api):
    world.stack.salesforce.call("POST", "/tokens/expire")
    world.fault("salesforce", path="/services/oauth2/token", error="INVALID_GRANT")  # a list
    response = api.post(f"/api/people/{world.id(CARLA)}/calls", json={"subject": "Hello"})
    assert response.status_code == 201, response.json  # was AttributeError, 500
    assert "error" in response.json["delivery"]["salesforce"]
    world.stack.salesforce.call("DELETE", "/faults")
    world.sia.flush()
    assert [t["Subject"] for t in world.tasks(CARLA)] == ["Call: Hello"]


def test_an_unforeseen_failure_of_a_delivery_is_reported_not_a_500(world, api, monkeypatch):
    from engine.sync.to_marketo import ActivityDelivery

    monkeypatch.setattr(ActivityDelivery, "flush", lambda self: {}["boom"])
    response = api.post(f"/api/people/{world.id(CARLA)}/calls", json={"subject": "Hello"})
    assert response.status_code == 201
    assert "KeyError" in response.json["delivery"]["marketo"]["error"]
    assert response.json["callId"]

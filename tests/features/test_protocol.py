"""The HTTP driver protocol: its OpenAPI document, the server that puts a Python driver
behind it, and the kit's HTTP driver against services that answer well and badly."""

from __future__ import annotations

import json
import time
import typing
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from flask import Flask, jsonify

from features.contract import Endpoints, NotSupported, Outcome
from features.protocol.client import HttpDriver, HttpSession, ProtocolError
from features.protocol.methods import METHODS
from features.protocol.openapi import document
from features.protocol.server import create_app
from siasim.cli import main

DOCS = Path(__file__).parents[2] / "docs" / "driver-openapi.json"
ENDPOINTS = Endpoints("http://127.0.0.1:1", "id", "mk-secret", "http://127.0.0.1:2", "sid",
                      "sf-secret", "user", "pw")


def test_the_openapi_document_is_valid_and_covers_every_method():
    from openapi_spec_validator import validate

    spec = document()
    validate(spec)
    for method in METHODS.values():
        operation = spec["paths"][f"/sessions/{{session}}/{method.path}"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert set(body["properties"]) == {p.name for p in method.parameters}
        assert "501" in operation["responses"]


def test_the_shipped_document_is_the_one_siasim_prints():
    result = CliRunner().invoke(main, ["driver-spec"])
    assert result.exit_code == 0
    assert json.loads(result.output) == document()
    assert json.loads(DOCS.read_text()) == document(), \
        "docs/driver-openapi.json is stale: siasim driver-spec -o docs/driver-openapi.json"


class Recorder:
    """A Python driver that remembers its calls, refuses some, and lacks others."""

    instances: typing.ClassVar[list[Recorder]] = []

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.calls: list[tuple] = []
        self.closed = False
        Recorder.instances.append(self)

    def configure(self, endpoints):
        self.calls.append(("configure", endpoints))

    def close(self):
        self.closed = True

    def people(self):
        return [{"Marketo ID": 1, "Email": "a@example.com"}]

    def send_email(self, marketo_id, subject, body="", campaign=None):
        self.calls.append(("send_email", marketo_id, subject, body, campaign))
        return Outcome(True, None, {"emailId": 7})

    def create_person(self, fields):
        return Outcome.refused("people are read-only here")

    def sync_tasks(self):
        raise NotSupported("no tasks in this one")

    def sync_all(self):
        raise RuntimeError("boom")


@pytest.fixture
def reference_style(serve):
    Recorder.instances.clear()
    return serve(create_app(Recorder)).url


def test_a_python_driver_behind_http_answers_like_in_process(reference_style):
    driver = HttpDriver(reference_style)
    driver.configure(ENDPOINTS)
    assert driver.people() == [{"Marketo ID": 1, "Email": "a@example.com"}]
    outcome = driver.send_email(5, "Hello")
    assert outcome == Outcome(True, None, {"emailId": 7})
    assert driver.create_person({"Email": "x"}) == Outcome(False, "people are read-only here")
    with pytest.raises(NotSupported, match="no tasks in this one"):
        driver.sync_tasks()
    with pytest.raises(NotSupported, match="has no 'tasks'"):
        driver.tasks()
    with pytest.raises(ProtocolError, match="500: sync_all raised RuntimeError: boom"):
        driver.sync_all()
    (recorder,) = Recorder.instances
    assert recorder.calls[0] == ("configure", ENDPOINTS)  # endpoints arrive whole
    assert recorder.calls[1] == ("send_email", 5, "Hello", "", None)  # defaults filled in
    driver.close()
    assert recorder.closed and not recorder.workdir.exists()
    assert driver.exchanges[2]["request"] == {"marketo_id": 5, "subject": "Hello", "body": "",
                                              "campaign": None}


def test_sessions_are_apart(reference_style):
    one, two = HttpDriver(reference_style), HttpDriver(reference_style)
    one.configure(ENDPOINTS)
    two.configure(ENDPOINTS)
    assert one.session != two.session
    assert len(Recorder.instances) == 2
    assert Recorder.instances[0].workdir != Recorder.instances[1].workdir


@pytest.mark.parametrize(("path", "body", "status", "said"), [
    ("/sessions/nope/people", {}, 404, "no open session"),
    ("/sessions/{s}/no-such-method", {}, 404, "no method"),
    ("/sessions/{s}/send-email", {"marketo_id": 1}, 400, "needs subject"),
    ("/sessions/{s}/send-email", {"marketo_id": 1, "subject": "x", "cc": 2}, 400, "takes no cc"),
    ("/sessions/{s}/send-email", [1, 2], 400, "JSON object"),
    ("/sessions/{s}/configure", {"endpoints": {"marketo_url": "x"}}, 400, "endpoints"),
])
def test_the_server_refuses_what_the_protocol_does_not_allow(reference_style, path, body,
                                                             status, said):
    session = requests.post(f"{reference_style}/sessions", json={}).json()["session"]
    response = requests.post(reference_style + path.format(s=session), json=body)
    assert response.status_code == status
    assert said in response.json()["message"]
    assert "Traceback" not in response.text


def _service(serve, routes) -> str:
    app = Flask("vendor")
    app.add_url_rule("/", "hello", lambda: jsonify({"protocol": "siasim-driver", "version": 1}))
    for rule, view in routes.items():
        app.add_url_rule(rule, rule, view, methods=["POST"])
    return serve(app).url


def test_a_busy_service_is_asked_again(serve):
    tries = []

    def sessions():
        tries.append(1)
        return (jsonify({"error": "busy", "message": "one at a time"}), 409) if len(tries) < 3 \
            else (jsonify({"session": "s1"}), 201)

    url = _service(serve, {"/sessions": sessions,
                           "/sessions/s1/people": lambda: jsonify({"result": []})})
    assert HttpDriver(url).people() == []
    assert len(tries) == 3


def test_a_call_that_takes_too_long_is_an_error_that_says_so(serve):
    def slow():
        time.sleep(2)
        return jsonify({"result": []})

    url = _service(serve, {"/sessions": lambda: (jsonify({"session": "s"}), 201),
                           "/sessions/s/people": slow})
    with pytest.raises(ProtocolError, match=r"did not answer within 0\.5 s"):
        HttpDriver(url, timeout=0.5).people()


@pytest.mark.parametrize(("method", "answer", "said"), [
    ("people", {"result": {"not": "a list"}}, "must be a JSON array"),
    ("initiate-sync", {"result": True}, "must be an Outcome"),
    ("is-unsubscribed", {"value": True}, 'not {"result": ...}'),
    ("initiate-sync", {"result": {"ok": True, "detail": []}}, "detail must be an object"),
])
def test_an_answer_off_the_protocol_is_an_error_that_says_why(serve, method, answer, said):
    url = _service(serve, {"/sessions": lambda: (jsonify({"session": "s"}), 201),
                           f"/sessions/s/{method}": lambda: jsonify(answer)})
    driver = HttpDriver(url)
    with pytest.raises(ProtocolError, match=said):
        getattr(driver, method.replace("-", "_"))(*([1] if method == "is-unsubscribed" else []))


def test_hello_says_what_is_wrong_with_the_url(serve):
    with pytest.raises(ProtocolError, match=r"no driver answers at .*Connection refused"):
        HttpSession("http://127.0.0.1:9").hello()
    app = Flask("other")
    app.add_url_rule("/", "x", lambda: "hello")
    with pytest.raises(ProtocolError, match="does not speak the siasim driver protocol"):
        HttpSession(serve(app).url).hello()


def test_the_kit_refuses_a_url_with_no_driver_before_any_scenario(run_kit_raw):
    result = run_kit_raw("http://127.0.0.1:9")
    assert result.ret == 2
    assert "no driver answers at http://127.0.0.1:9" in result.stdout.str() + result.stderr.str()


def test_serve_driver_serves_the_reference_until_ctrl_c(siasim):
    process = siasim("serve", "driver", "--port", "0")
    process.wait_for("Ctrl-C stops it.")
    url = process.value("driver protocol")
    hello = requests.get(url + "/", timeout=10).json()
    assert hello["protocol"] == "siasim-driver" and hello["name"] == "siasim reference engine"
    assert requests.get(url + "/openapi.json", timeout=10).json() == document()
    driver = HttpDriver(url)
    driver.configure(ENDPOINTS)
    assert driver.sync_fields()[0] == "First Name"
    assert driver.settings()["task_sync"] is False
    driver.close()
    assert process.stop() == 0
    assert "Traceback" not in process.output

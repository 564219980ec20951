"""Bodies no client library would send, against a real server: refused with the service's
own error, fast, before more than the limit is read, and nothing written."""

from __future__ import annotations

import json

import pytest
import requests

from mocks.core import intake
from mocks.core.app import create_mock_app
from mocks.core.config import MockConfig
from mocks.core.serving import start_server
from tests.fuzz.rawhttp import exchange, request_bytes
from tests.mocks.core.conftest import EchoService, _api

LIMIT = 8192


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    config = MockConfig(db=str(tmp_path_factory.mktemp("intake") / "echo.db"), world=None,
                        max_body_bytes=LIMIT)
    app = create_mock_app("echo", config, EchoService)
    app.register_blueprint(_api())
    with start_server(app) as handle:
        yield handle
    app.extensions["siasim"].store.close()


@pytest.fixture
def server(served):
    requests.post(served.url + "/__admin__/reset", json={}, timeout=5)
    return served


def send(server, data: bytes, timeout: float = 5.0):
    return exchange("127.0.0.1", server.port, data, timeout=timeout)


def items(server) -> list:
    return requests.get(server.url + "/api/items", timeout=5).json()


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("length", ["-1", "+5", "١٢", "5x", " ", "0x10"])
def test_a_content_length_that_is_no_number_is_refused_at_once(server, length):
    answer = send(server, request_bytes("POST", "/api/items", JSON, b'{"names": ["a"]}',
                                        content_length=length))
    assert answer.status == 400 and answer.seconds < 2  # -1 used to hang for 30 s
    if length in ("-1", "+5"):  # numbers to Python's int(): the app decides
        assert answer.body == b"bare failure"  # the service's own answer
    else:  # refused by the HTTP server itself, as a real front end would
        assert b"Content-Length" in answer.body
    assert items(server) == []


def test_a_huge_content_length_is_refused_before_reading_the_body(server):
    answer = send(server, request_bytes("POST", "/api/items", JSON, b'{"names": ["a"]}',
                                        content_length="99999999999"))
    assert answer.status == 413 and answer.seconds < 2  # used to be a MemoryError, 500
    answer = send(server, request_bytes("POST", "/api/items", JSON, b"{}",
                                        content_length="9" * 5000))
    assert answer.status in (400, 413)  # the HTTP server's int() refuses 5,000 digits
    assert items(server) == []


def test_a_body_over_the_limit_is_refused_whole_however_it_comes(server):
    big = json.dumps({"names": ["x" * LIMIT]}).encode()
    assert send(server, request_bytes("POST", "/api/items", JSON, big)).status == 413
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(big), big)
    answer = send(server, request_bytes("POST", "/api/items",
                                        {**JSON, "Transfer-Encoding": "chunked"}, chunked,
                                        content_length=None))
    assert answer.status == 413
    assert items(server) == []


@pytest.mark.parametrize("chunks", [b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{}\r\n0\r\n\r\n",
                                    b"2\r\n{}XX0\r\n\r\n", b"-1\r\n{}\r\n0\r\n\r\n"])
def test_a_malformed_chunked_body_is_refused(server, chunks):
    answer = send(server, request_bytes("POST", "/api/items",
                                        {**JSON, "Transfer-Encoding": "chunked"}, chunks,
                                        content_length=None), timeout=10)
    assert answer.status == 400, answer
    assert items(server) == []
    journal = requests.get(server.url + "/__admin__/journal", timeout=5).json()["entries"]
    assert journal[-2]["status"] == 400  # journaled, no traceback (the last is the GET)


def test_a_good_chunked_body_is_served(server):
    body = b'{"names": ["chunky"]}'
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:7], body[7:])) + b"0\r\n\r\n"
    answer = send(server, request_bytes("POST", "/api/items",
                                        {**JSON, "Transfer-Encoding": "chunked"}, chunks,
                                        content_length=None))
    assert answer.status == 200 and answer.json() == {"added": 1}
    assert items(server) == ["chunky"]


@pytest.mark.parametrize("body", [b"[" * 1000 + b"]" * 1000,
                                  b'{"names": ' + b"[" * 200 + b'"a"' + b"]" * 200 + b"}",
                                  b'{"names": ["\\ud800"]}', b'{"names": ["\xed\xa0\x80"]}',
                                  b'{"names": [NaN]}', b'{"names": [1e999]}',
                                  b'{"names": [' + b"1" * 4400 + b"]}"])
def test_json_no_store_or_answer_could_hold_is_a_bad_request(server, body):
    answer = send(server, request_bytes("POST", "/api/items", JSON, body))
    assert answer.status == 400, answer  # RecursionError, UnicodeEncodeError: 500s before
    assert items(server) == []


def test_parse_json_takes_what_json_allows_and_refuses_the_rest():
    assert intake.parse_json(b'{"a": [1, 2.5, "\\u00e9", null, 1180591620717411303424]}') == {
        "a": [1, 2.5, "é", None, 2**70]}
    assert intake.parse_json("[" * 99 + "]" * 99)
    for bad in ("[" * 101 + "]" * 101, '{"a": "\\udc00"}', '["\\ud83d"]', "NaN", "-Infinity",
                "1e400", "{", "", "\xff"):
        with pytest.raises(intake.BadJson):
            intake.parse_json(bad)
    assert intake.parse_json('["\\ud83d\\ude00"]') == ["😀"]  # a pair is one character
    with pytest.raises(intake.BadJson) as info:
        intake.parse_json('{"a": }')
    assert (info.value.line, info.value.column) == (1, 7)


def test_an_echoed_lone_surrogate_is_escaped_so_the_answer_encodes(app):
    with app.app_context():
        text = app.json.dumps({"message": "bad value '\ud800'"})
    assert text.encode("utf-8") and json.loads(text) == {"message": "bad value '\ud800'"}
    assert intake.dumps(["\udfff", "é"], ensure_ascii=False) == '["\\udfff", "é"]'


def test_a_chunk_that_claims_petabytes_is_refused_without_reading_it(server):
    # cheroot reads a chunk whole: this one used to be a MemoryError, then a traceback
    answer = send(server, request_bytes("POST", "/api/items",
                                        {**JSON, "Transfer-Encoding": "chunked"},
                                        b"ffffffffffffff\r\n{}\r\n", content_length=None))
    assert answer.status == 413 and answer.seconds < 2
    assert items(server) == []


def test_a_number_in_a_path_beyond_64_bits_is_no_route(app):
    from flask import Blueprint, jsonify

    bp = Blueprint("numbers", __name__)

    @bp.get("/api/things/<int:thing>")
    def thing(thing: int):
        with app.extensions["siasim"].store.transaction() as db:  # SQLite would overflow
            db.execute("SELECT ?", (thing,))
        return jsonify({"thing": thing})

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get(f"/api/things/{2**63 - 1}").json == {"thing": 2**63 - 1}
    assert client.get(f"/api/things/{2**70}").status_code == 404  # was OverflowError, 500
    assert client.delete(f"/__admin__/faults/{2**70}", json={}).status_code == 404


@pytest.mark.parametrize("where", ["request line", "header"])
def test_a_head_beyond_any_real_request_is_refused_without_reading_it_all(server, where):
    # cheroot read a request line or a header line whole: 100 MB of one cost 400 MB
    from mocks.core.serving import MAX_HEAD_BYTES

    huge = "a" * (MAX_HEAD_BYTES + 1)
    if where == "request line":
        data = request_bytes("POST", f"/api/items?pad={huge}", JSON, b'{"names": ["a"]}')
    else:
        data = request_bytes("POST", "/api/items", {**JSON, "X-Pad": huge}, b'{"names": ["a"]}')
    answer = send(server, data)
    assert answer.status == (414 if where == "request line" else 413)
    assert answer.seconds < 5
    assert items(server) == []  # and the server still serves

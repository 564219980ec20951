"""The forward proxy on its own: a tunnel per CONNECT, its TLS ended with a certificate for
the host asked for, every request passed on whole, anything unrouted refused."""

from __future__ import annotations

import pytest
import requests
from flask import Flask, jsonify, request

from mocks.core.proxy import FORWARDED_BASE_HEADER, ForwardProxy, Upstream, forwarded_base
from mocks.core.tls import LocalCA


@pytest.fixture
def echo(serve):
    app = Flask("echo")

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "HEAD"])
    def everything(path):
        return jsonify({"method": request.method, "path": "/" + path,
                        "query": request.query_string.decode(), "host": request.host,
                        "body": request.get_data(as_text=True),
                        "base": request.headers.get(FORWARDED_BASE_HEADER)})

    return serve(app)


@pytest.fixture
def proxied(echo, tmp_path):
    ca = LocalCA.create(tmp_path)
    routes = {"api.example.test": Upstream(echo.url, "https://api.example.test")}
    proxy = ForwardProxy(lambda host, port: routes.get(host) if port == 443 else None, ca,
                         describe_routes="api.example.test").serve_in_thread()
    session = requests.Session()
    session.trust_env = False
    session.proxies = {"https": proxy.url, "http": proxy.url}
    session.verify = str(ca.ca_file)
    yield session
    proxy.stop()


def test_requests_pass_whole_through_one_tunnel(proxied):
    first = proxied.post("https://api.example.test/a/b?x=1&y=2", data="hello",
                         headers={FORWARDED_BASE_HEADER: "https://evil.example"}).json()
    assert first == {"method": "POST", "path": "/a/b", "query": "x=1&y=2",
                     "host": "api.example.test", "body": "hello",
                     "base": "https://api.example.test"}  # the client's own value replaced

    def chunks():
        yield b"chunked "
        yield b"body"

    second = proxied.put("https://api.example.test/c", data=chunks()).json()
    assert second["body"] == "chunked body"
    assert proxied.head("https://api.example.test/d").status_code == 200
    big = "x" * 300_000
    assert proxied.post("https://api.example.test/e", data=big).json()["body"] == big


def test_what_no_route_claims_is_refused(proxied):
    for url in ("https://elsewhere.example/", "https://api.example.test:8443/"):
        with pytest.raises(requests.exceptions.ProxyError, match="403"):
            proxied.get(url)
    plain = proxied.get("http://api.example.test/x")
    assert plain.status_code == 403 and "HTTPS only" in plain.text
    assert "siasim proxy" in proxied.get("http://elsewhere.example/").text


def test_the_certificate_names_the_host_asked_for(proxied, tmp_path):
    other = LocalCA.create(tmp_path / "other")
    proxied.verify = str(other.ca_file)  # a CA that signed nothing here
    with pytest.raises(requests.exceptions.SSLError):
        proxied.get("https://api.example.test/x")


@pytest.mark.parametrize("value,expected", [
    ("https://siasim.my.salesforce.com", "https://siasim.my.salesforce.com"),
    ("https://h.example:8443", "https://h.example:8443"),
    ("http://plain.example", None), ("https://h.example/path", None),
    ("javascript:alert(1)", None), ("", None)])
def test_only_a_bare_https_origin_is_taken_as_a_base(value, expected):
    assert forwarded_base({FORWARDED_BASE_HEADER: value}) == expected


def test_a_ca_mints_one_context_per_host(tmp_path):
    ca = LocalCA.create(tmp_path)
    assert ca.context_for("A.example") is ca.context_for("a.example")
    kept = LocalCA.create(tmp_path / "kept")
    kept.remove()
    assert kept.ca_file.exists()  # a folder it was given stays
    temporary = LocalCA.create()
    temporary.remove()
    assert not temporary.folder.exists()  # its own goes, keys and all

"""SIA trusts the CA it is given for Salesforce, whatever REQUESTS_CA_BUNDLE says."""

from __future__ import annotations

from flask import Flask, jsonify

from engine.clients.retry import NO_RETRY
from engine.clients.salesforce import SalesforceClient, SalesforceCredentials
from mocks.core.tls import make_certificate


def test_the_configured_ca_wins_over_the_environment(serve, tmp_path, monkeypatch):
    tls = make_certificate(tmp_path)
    app = Flask("login")

    @app.post("/services/oauth2/token")
    def token():
        return jsonify({"access_token": "t0k", "instance_url": "https://127.0.0.1"})

    server = serve(app, tls=tls)
    # as on many machines and CI runners: the system bundle, which knows no local CA
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "some-other-bundle.pem"))
    (tmp_path / "some-other-bundle.pem").write_text("")
    client = SalesforceClient(SalesforceCredentials(server.url, "id", "secret"),
                              retry=NO_RETRY, verify=str(tls.ca))
    client.login()
    assert client._token == "t0k"

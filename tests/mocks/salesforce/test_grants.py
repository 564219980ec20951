"""The token endpoint's other grants: refresh token, authorization code (and PKCE), the
user-agent flow, the JWT bearer flow; and revoking what they issued."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from mocks.salesforce.config import DEFAULT_REFRESH_TOKEN
from tests.mocks.salesforce.jwt_signing import b64, sign

TOKEN = "/services/oauth2/token"
AUTHORIZE = "/services/oauth2/authorize"
CALLBACK = "http://localhost:1717/callback"
JWT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def refresh_form(sf, token: str = DEFAULT_REFRESH_TOKEN, **changes) -> dict:
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": sf.CLIENT_ID,
            "client_secret": sf.CLIENT_SECRET, **changes}
    return {k: v for k, v in form.items() if v is not None}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def works(client, sf, token: str) -> bool:
    return client.get(f"{sf.V}/limits/", headers=bearer(token)).status_code == 200


# --- refresh token -------------------------------------------------------------------------

def test_the_configured_refresh_token_logs_in(app, sf):
    client = app.test_client()
    response = client.post(TOKEN, data=refresh_form(sf), base_url="http://127.0.0.1:5555")
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"access_token", "signature", "scope", "instance_url", "id",
                         "token_type", "issued_at"}  # no new refresh token: none rotates
    assert body["instance_url"] == "http://127.0.0.1:5555"
    assert works(client, sf, body["access_token"])


@pytest.mark.parametrize("changes,error,description", [
    ({"refresh_token": "5Aep861nope"}, "invalid_grant", "expired access/refresh token"),
    ({"refresh_token": None}, "invalid_grant", "expired access/refresh token"),
    ({"client_id": "other"}, "invalid_client_id", "client identifier invalid"),
    ({"client_secret": "wrong"}, "invalid_client", "invalid client credentials"),
    ({"client_secret": None}, "invalid_client", "invalid client credentials"),
])
def test_refresh_refusals(app, sf, changes, error, description):
    response = app.test_client().post(TOKEN, data=refresh_form(sf, **changes))
    assert response.status_code == 400
    assert response.json == {"error": error, "error_description": description}


def test_a_refresh_token_of_its_own(sf):
    app = sf.make_app(refresh_token="5Aep861MyOwnToken")
    client = app.test_client()
    assert client.post(TOKEN, data=refresh_form(sf, "5Aep861MyOwnToken")).status_code == 200
    assert client.post(TOKEN, data=refresh_form(sf)).status_code == 400


def test_revoking_the_refresh_token_ends_its_sessions(app, sf):
    client = app.test_client()
    access = client.post(TOKEN, data=refresh_form(sf)).json["access_token"]
    other = sf.Api(app).token  # a password session: not the refresh token's
    assert client.post("/services/oauth2/revoke", data={"token": DEFAULT_REFRESH_TOKEN}) \
        .status_code == 200
    assert not works(client, sf, access) and works(client, sf, other)
    response = client.post(TOKEN, data=refresh_form(sf))
    assert response.json["error_description"] == "expired access/refresh token"


def test_expired_sessions_come_back_through_the_refresh_token(app, sf):
    client = app.test_client()
    access = client.post(TOKEN, data=refresh_form(sf)).json["access_token"]
    assert client.post("/__admin__/tokens/expire", json={}).status_code == 200
    assert not works(client, sf, access)
    again = client.post(TOKEN, data=refresh_form(sf)).json["access_token"]
    assert works(client, sf, again)


# --- authorization code, PKCE, user-agent flow ------------------------------------------

def authorize(client, sf, **params):
    query = {"response_type": "code", "client_id": sf.CLIENT_ID, "redirect_uri": CALLBACK,
             "state": "xyz", **params}
    return client.get(AUTHORIZE, query_string={k: v for k, v in query.items() if v is not None})


def code_of(response) -> str:
    assert response.status_code == 302, response.data
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    values = parse_qs(location.query)
    assert values["state"] == ["xyz"]
    return values["code"][0]


def exchange(client, sf, code: str, **changes):
    form = {"grant_type": "authorization_code", "code": code, "client_id": sf.CLIENT_ID,
            "client_secret": sf.CLIENT_SECRET, "redirect_uri": CALLBACK, **changes}
    return client.post(TOKEN, data={k: v for k, v in form.items() if v is not None})


def test_web_server_flow_gives_a_refresh_token(app, sf):
    client = app.test_client()
    code = code_of(authorize(client, sf))
    assert authorize(client, sf).data == b""  # nothing of the tokens goes into a body
    response = exchange(client, sf, code)
    assert response.status_code == 200
    body = response.json
    assert body["refresh_token"].startswith("5Aep861") and "refresh_token" in body["scope"]
    assert works(client, sf, body["access_token"])
    # the code is good once
    assert exchange(client, sf, code).json == {"error": "invalid_grant",
                                               "error_description": "invalid authorization code"}
    # the refresh token it gave logs in, until revoked
    refreshed = client.post(TOKEN, data=refresh_form(sf, body["refresh_token"])).json
    assert works(client, sf, refreshed["access_token"])
    assert client.post("/services/oauth2/revoke", data={"token": body["refresh_token"]}) \
        .status_code == 200
    assert not works(client, sf, refreshed["access_token"])
    assert not works(client, sf, body["access_token"])
    assert client.post(TOKEN, data=refresh_form(sf, body["refresh_token"])).status_code == 400


def test_code_refusals(app, sf):
    client = app.test_client()
    response = exchange(client, sf, code_of(authorize(client, sf)),
                        redirect_uri="http://elsewhere.example/cb")
    assert response.json == {"error": "redirect_uri_mismatch",
                             "error_description": "redirect_uri must match configuration"}
    response = exchange(client, sf, code_of(authorize(client, sf)), client_secret="wrong")
    assert response.json["error"] == "invalid_client"
    response = exchange(client, sf, code_of(authorize(client, sf)), client_secret=None)
    assert response.json["error"] == "invalid_client"
    assert exchange(client, sf, "nope").json["error"] == "invalid_grant"
    code = code_of(authorize(client, sf))
    client.post("/__admin__/clock", json={"advance": 16 * 60})
    assert exchange(client, sf, code).json["error"] == "invalid_grant"  # 15 minutes only


def test_pkce(app, sf):
    client = app.test_client()
    verifier = "a-verifier-of-some-length-0123456789-abcdefghijklmnop"
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    code = code_of(authorize(client, sf, code_challenge=challenge))
    assert exchange(client, sf, code, client_secret=None, code_verifier="wrong").json == {
        "error": "invalid_grant", "error_description": "invalid code verifier"}
    code = code_of(authorize(client, sf, code_challenge=challenge))
    response = exchange(client, sf, code, client_secret=None, code_verifier=verifier)
    assert response.status_code == 200 and response.json["refresh_token"]


def test_user_agent_flow_puts_the_tokens_in_the_fragment(app, sf):
    client = app.test_client()
    response = authorize(client, sf, response_type="token")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.query == ""
    values = {k: v[0] for k, v in parse_qs(location.fragment).items()}
    assert values["state"] == "xyz" and values["token_type"] == "Bearer"
    assert values["refresh_token"].startswith("5Aep861")
    assert works(client, sf, values["access_token"])


def test_authorize_refusals(app, sf):
    client = app.test_client()
    response = authorize(client, sf, client_id="other")
    assert response.status_code == 400 and response.json["error"] == "invalid_client_id"
    response = authorize(client, sf, redirect_uri=None)
    assert response.status_code == 400 and response.json["error"] == "redirect_uri_mismatch"
    response = authorize(client, sf, response_type="bogus")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query)["error"] == [
        "unsupported_response_type"]


# --- JWT bearer ---------------------------------------------------------------------------

def claims(sf, **changes) -> dict:
    return {"iss": sf.CLIENT_ID, "sub": sf.USERNAME, "aud": "https://login.salesforce.com",
            "exp": int(time.time()) + 180, **changes}


@pytest.fixture
def jwt_app(sf, jwt_keys):
    return sf.make_app(jwt_certificate=jwt_keys.certificate)


def jwt_login(app, assertion: str):
    return app.test_client().post(TOKEN, data={"grant_type": JWT, "assertion": assertion})


def test_jwt_bearer_flow(jwt_app, sf, jwt_keys):
    response = jwt_login(jwt_app, sign(claims(sf), jwt_keys.private_pem))
    assert response.status_code == 200
    body = response.json
    assert "refresh_token" not in body and body["token_type"] == "Bearer"
    assert works(jwt_app.test_client(), sf, body["access_token"])
    # aud may name a My Domain, test.salesforce.com or the mock itself; exp may be a string
    for aud in ("https://test.salesforce.com", "https://acme.my.salesforce.com",
                "http://localhost"):
        assertion = sign(claims(sf, aud=aud, exp=str(int(time.time()) + 60)),
                         jwt_keys.private_pem)
        assert jwt_login(jwt_app, assertion).status_code == 200, aud


@pytest.mark.parametrize("make,error,description", [
    (lambda sf, k: sign(claims(sf), k.other_pem), "invalid_grant", "invalid assertion"),
    (lambda sf, k: sign(claims(sf, iss="other"), k.private_pem), "invalid_client_id",
     "client identifier invalid"),
    (lambda sf, k: sign(claims(sf, aud="https://evil.example"), k.private_pem),
     "invalid_grant", "audience is invalid"),
    (lambda sf, k: sign(claims(sf, exp=int(time.time()) - 10), k.private_pem),
     "invalid_grant", "invalid assertion"),
    (lambda sf, k: sign(claims(sf, exp="soon"), k.private_pem), "invalid_grant",
     "invalid assertion"),
    (lambda sf, k: sign(claims(sf, sub="someone@else.example"), k.private_pem),
     "invalid_grant", "user hasn't approved this consumer"),
    (lambda sf, k: sign(claims(sf), k.private_pem, {"alg": "HS256"}), "invalid_grant",
     "invalid assertion"),
    (lambda sf, k: b64(b'{"alg":"none"}') + "." + b64(json.dumps(claims(sf)).encode()) + ".",
     "invalid_grant", "invalid assertion"),
    (lambda sf, k: "not.a.jwt", "invalid_grant", "invalid assertion"),
    (lambda sf, k: "", "invalid_grant", "invalid assertion"),
])
def test_jwt_refusals(jwt_app, sf, jwt_keys, make, error, description):
    response = jwt_login(jwt_app, make(sf, jwt_keys))
    assert response.status_code == 400
    assert response.json == {"error": error, "error_description": description}


def test_jwt_needs_a_configured_certificate(app, sf, jwt_keys):
    response = jwt_login(app, sign(claims(sf), jwt_keys.private_pem))
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"
    assert "--jwt-key" in response.json["error_description"]


def test_secrets_of_the_new_flows_stay_out_of_the_journal(jwt_app, sf, jwt_keys):
    client = jwt_app.test_client()
    assertion = sign(claims(sf), jwt_keys.private_pem)
    access = jwt_login(jwt_app, assertion).json["access_token"]
    client.post(TOKEN, data=refresh_form(sf))
    client.post("/services/oauth2/revoke", data={"token": access})
    journal = json.dumps(client.get("/__admin__/journal").json)
    for secret in (assertion, access, DEFAULT_REFRESH_TOKEN, sf.CLIENT_SECRET):
        assert secret not in journal

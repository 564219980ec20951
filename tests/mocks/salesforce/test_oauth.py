"""Logging in (OAuth password and client credentials, SOAP) and sessions that expire."""

from __future__ import annotations

import base64
import hashlib
import hmac
from xml.dom import minidom

import pytest

TOKEN = "/services/oauth2/token"
CLIENT_ID = "siasim-salesforce-client"
CLIENT_SECRET = "siasim-salesforce-secret"
USERNAME = "admin@siasim.example"
PASSWORD = "siasim-password"
V = "/services/data/v59.0"


def password_form(**changes) -> dict:
    form = {"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "username": USERNAME, "password": PASSWORD}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def soap_body(username: str = USERNAME, password: str = PASSWORD, org_id: str | None = None):
    scope = (f"<urn:LoginScopeHeader><urn:organizationId>{org_id}</urn:organizationId>"
             "</urn:LoginScopeHeader>") if org_id else ""
    return ('<?xml version="1.0" encoding="utf-8" ?><soapenv:Envelope '
            'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header>' + scope +
            "</soapenv:Header><soapenv:Body><urn:login>"
            f"<urn:username>{username}</urn:username><urn:password>{password}</urn:password>"
            "</urn:login></soapenv:Body></soapenv:Envelope>")


def test_password_grant(app):
    client = app.test_client()
    response = client.post(TOKEN, data=password_form(), base_url="http://127.0.0.1:5555")
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"access_token", "instance_url", "id", "token_type", "issued_at",
                         "signature"}
    assert body["instance_url"] == "http://127.0.0.1:5555"  # no trailing slash
    assert body["token_type"] == "Bearer" and body["issued_at"].isdigit()
    org_id, user_id = body["id"].rsplit("/", 2)[-2:]
    assert body["id"].startswith("http://127.0.0.1:5555/id/00D")
    assert user_id.startswith("005")
    expected = base64.b64encode(hmac.new(CLIENT_SECRET.encode(),
                                         (body["id"] + body["issued_at"]).encode(),
                                         hashlib.sha256).digest()).decode()
    assert body["signature"] == expected
    assert body["access_token"].startswith(org_id[:15] + "!")
    assert "Sforce-Limit-Info" in response.headers


def test_the_login_user_is_a_user_of_the_org(app):
    client = app.test_client()
    body = client.post(TOKEN, data=password_form()).json
    user_id = body["id"].rsplit("/", 1)[1]
    me = client.get(f"{V}/sobjects/User/{user_id}",
                    headers={"Authorization": "Bearer " + body["access_token"]}).json
    assert me["Username"] == USERNAME and me["IsActive"] is True


@pytest.mark.parametrize("changes,error,description", [
    ({"client_id": "other"}, "invalid_client_id", "client identifier invalid"),
    ({"client_id": None}, "invalid_client_id", "client identifier invalid"),
    ({"client_secret": "wrong"}, "invalid_client", "invalid client credentials"),
    ({"password": "wrong"}, "invalid_grant", "authentication failure"),
    ({"username": "someone@else.example"}, "invalid_grant", "authentication failure"),
    ({"password": None}, "invalid_grant", "authentication failure"),
    ({"grant_type": "implicit"}, "unsupported_grant_type",
     "grant type not supported"),
    ({"grant_type": None}, "unsupported_grant_type", "grant type not supported"),
])
def test_bad_logins(app, changes, error, description):
    response = app.test_client().post(TOKEN, data=password_form(**changes))
    assert response.status_code == 400
    assert response.json == {"error": error, "error_description": description}


def test_username_is_case_insensitive(app):
    response = app.test_client().post(TOKEN, data=password_form(username=USERNAME.upper()))
    assert response.status_code == 200


def test_security_token_is_appended_to_the_password(sf):
    app = sf.make_app(security_token="TOKEN123")
    client = app.test_client()
    assert client.post(TOKEN, data=password_form()).status_code == 400
    assert client.post(TOKEN, data=password_form(password=PASSWORD + "TOKEN123")).status_code \
        == 200


def test_client_credentials_grant(app):
    client = app.test_client()
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    response = client.post(TOKEN, data={"grant_type": "client_credentials"},
                           headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200 and response.json["access_token"]
    response = client.post(TOKEN, data={"grant_type": "client_credentials",
                                        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    assert response.status_code == 200
    bad = base64.b64encode(f"{CLIENT_ID}:nope".encode()).decode()
    response = client.post(TOKEN, data={"grant_type": "client_credentials"},
                           headers={"Authorization": f"Basic {bad}"})
    assert response.status_code == 400 and response.json["error"] == "invalid_client"
    response = client.post(TOKEN, data={"grant_type": "client_credentials"},
                           headers={"Authorization": "Basic !!!"})
    assert response.status_code == 400


def test_soap_login(app):
    client = app.test_client()
    response = client.post("/services/Soap/u/59.0", data=soap_body(),
                           headers={"Content-Type": "text/xml", "SOAPAction": "login"},
                           base_url="http://127.0.0.1:5555")
    assert response.status_code == 200
    dom = minidom.parseString(response.data)

    def text(tag):
        return dom.getElementsByTagName(tag)[0].firstChild.nodeValue

    assert text("serverUrl").startswith("http://127.0.0.1:5555/services/Soap/u/59.0/00D")
    session = text("sessionId")
    assert text("userName") == USERNAME
    assert client.get(f"{V}/limits/",
                      headers={"Authorization": f"Bearer {session}"}).status_code == 200


def test_soap_login_failures_are_soap_faults(app):
    client = app.test_client()
    for body in (soap_body(password="wrong"), "not xml <", soap_body(org_id="00D000000000001")):
        response = client.post("/services/Soap/u/59.0", data=body,
                               headers={"Content-Type": "text/xml"})
        assert response.status_code == 500
        dom = minidom.parseString(response.data)
        assert dom.getElementsByTagName("sf:exceptionCode")[0].firstChild.nodeValue == \
            "INVALID_LOGIN"
        assert "Invalid username, password, security token" in \
            dom.getElementsByTagName("sf:exceptionMessage")[0].firstChild.nodeValue


def test_soap_login_with_the_right_organization_id(app, api):
    org_id = api.client.post(TOKEN, data=password_form()).json["id"].rsplit("/", 2)[1]
    response = api.client.post("/services/Soap/u/59.0", data=soap_body(org_id=org_id[:15]))
    assert response.status_code == 200


def test_data_calls_need_a_session(app):
    client = app.test_client()
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer "}):
        response = client.get(f"{V}/sobjects/", headers=headers)
        assert response.status_code == 401
        assert response.json == [{"message": "Session expired or invalid",
                                  "errorCode": "INVALID_SESSION_ID"}]


def test_oauth_scheme_is_accepted_too(api):
    response = api.client.get(f"{V}/sobjects/", headers={"Authorization": f"OAuth {api.token}"})
    assert response.status_code == 200


def test_sessions_expire_after_idle_time_on_the_mock_clock(sf):
    app = sf.make_app(token_ttl=600)
    api = sf.Api(app)
    clock = app.extensions["siasim"].clock
    assert api.get("limits/").status_code == 200
    clock.advance(500)
    assert api.get("limits/").status_code == 200  # use keeps the session alive
    clock.advance(500)
    assert api.get("limits/").status_code == 200
    clock.advance(601)
    response = api.get("limits/")
    assert response.status_code == 401 and response.json[0]["errorCode"] == "INVALID_SESSION_ID"
    api.token = api.login()
    assert api.get("limits/").status_code == 200


def test_admin_expires_every_session(api):
    assert api.get("limits/").status_code == 200
    assert api.admin("post", "tokens/expire").json == {"expired": True}
    assert api.get("limits/").status_code == 401


def test_revoke(api):
    response = api.client.post("/services/oauth2/revoke", data={"token": api.token})
    assert response.status_code == 200
    assert api.get("limits/").status_code == 401
    response = api.client.post("/services/oauth2/revoke", data={"token": api.token})
    assert response.status_code == 400


def test_logins_are_free_and_data_calls_count(api):
    before = api.get("limits/").headers["Sforce-Limit-Info"]
    for _ in range(3):
        api.login()
    after = api.get("limits/").headers["Sforce-Limit-Info"]
    assert before == "api-usage=1/100000" and after == "api-usage=2/100000"


def test_identity_url(api):
    identity = api.client.post(TOKEN, data=password_form()).json["id"]
    path = "/" + identity.split("/", 3)[3]
    body = api.client.get(path, headers=api.headers).json
    assert body["username"] == USERNAME and body["active"] is True
    assert body["urls"]["query"].endswith("/services/data/v{version}/query/")
    assert api.client.get(path).status_code == 403
    assert api.client.get(path.rsplit("/", 1)[0] + "/005000000000000AAA",
                          headers=api.headers).status_code == 404


def test_userinfo(api):
    body = api.client.get("/services/oauth2/userinfo", headers=api.headers,
                          base_url="http://127.0.0.1:5555").json
    org_id, user_id = body["organization_id"], body["user_id"]
    assert body["sub"] == f"http://127.0.0.1:5555/id/{org_id}/{user_id}"
    assert body["preferred_username"] == USERNAME and body["email"] == USERNAME
    assert (body["given_name"], body["family_name"], body["name"]) == (
        "Siasim", "Admin", "Siasim Admin")
    assert body["active"] is True and body["urls"]["rest"].endswith("/services/data/v{version}/")
    assert api.client.post("/services/oauth2/userinfo", headers=api.headers,
                           base_url="http://127.0.0.1:5555").json == body
    # the token may come in the query string, as jsforce's identity() sends it
    assert api.client.get(f"/services/oauth2/userinfo?oauth_token={api.token}").json["user_id"] \
        == user_id
    for headers in ({}, {"Authorization": "Bearer nope"}):
        response = api.client.get("/services/oauth2/userinfo", headers=headers)
        assert response.status_code == 403 and response.json["error"] == "Bad_OAuth_Token"


def test_identity_url_takes_the_token_in_the_query_string(api):
    identity = api.client.post(TOKEN, data=password_form()).json["id"]
    path = "/" + identity.split("/", 3)[3]
    body = api.client.get(f"{path}?format=json&oauth_token={api.token}").json
    assert body["username"] == USERNAME


def test_revoke_by_query_string_and_get(api):
    response = api.client.get(f"/services/oauth2/revoke?token={api.token}")
    assert response.status_code == 200 and api.get("limits/").status_code == 401
    response = api.client.post("/services/oauth2/revoke")
    assert response.status_code == 400 and response.json == {
        "error": "unsupported_token_type", "error_description": "this token type is not supported"}

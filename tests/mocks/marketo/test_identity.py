"""Identity: tokens, their lifetime, and the 600/601/602 checks on every REST call."""

from __future__ import annotations

from mocks.core.limits import LimitSettings

GOOD = "grant_type=client_credentials&client_id=siasim-marketo-client&" \
       "client_secret=siasim-marketo-secret"
LEADS = "/rest/v1/leads.json?filterType=id&filterValues=1"


def test_token_by_get_and_by_post_is_the_same_until_it_expires(client):
    first = client.get(f"/identity/oauth/token?{GOOD}")
    assert first.status_code == 200
    body = first.json
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 3599
    assert body["scope"] == "siasim-api@marketo.example"
    client.post("/__admin__/clock", json={"advance": 600})
    again = client.post("/identity/oauth/token", data=dict(p.split("=") for p in GOOD.split("&")))
    assert again.json["access_token"] == body["access_token"]
    assert 2990 <= again.json["expires_in"] <= 2999
    client.post("/__admin__/clock", json={"advance": 3000})
    fresh = client.get(f"/identity/oauth/token?{GOOD}").json
    assert fresh["access_token"] != body["access_token"] and fresh["expires_in"] == 3599


def test_bad_credentials_and_grants(client):
    bad = client.get("/identity/oauth/token?grant_type=client_credentials&client_id=x&"
                     "client_secret=y")
    assert bad.status_code == 401
    assert bad.json == {"error": "invalid_client", "error_description": "Bad client credentials"}
    assert client.get("/identity/oauth/token?client_id=x").status_code == 400
    other = client.get("/identity/oauth/token?grant_type=password")
    assert other.status_code == 400 and other.json["error"] == "unsupported_grant_type"


def test_configurable_lifetime(make_app):
    client = make_app(token_ttl=120).test_client()
    assert client.get(f"/identity/oauth/token?{GOOD}").json["expires_in"] == 119


def test_every_rest_call_checks_the_token(client, api):
    assert api.error("get", LEADS, headers={"Authorization": ""})["code"] == "600"
    missing = client.get(LEADS).json
    assert missing["errors"] == [{"code": "600", "message": "Access token missing"}]
    assert client.get(LEADS, headers={"Authorization": "Bearer nope"}).json["errors"][0][
        "code"] == "601"
    assert client.get(f"{LEADS}&access_token=nope").json["errors"][0]["code"] == "601"
    # the deprecated parameter is still accepted, in the query or a form body
    assert client.get(f"{LEADS}&access_token={api.token}").json["success"] is True
    form = client.post("/rest/v1/leads.json", data={"_method": "GET", "filterType": "id",
                                                    "filterValues": "1",
                                                    "access_token": api.token})
    assert form.json["success"] is True
    for path in ("/rest/v1/activities/types.json", "/bulk/v1/leads/export.json",
                 "/rest/v1/nowhere.json"):
        assert client.get(path).json["errors"][0]["code"] == "600"


def test_an_expired_token_is_602_and_a_new_one_follows(client, api):
    client.post("/__admin__/clock", json={"advance": 3600})
    assert api.error("get", LEADS) == {"code": "602", "message": "Access token expired"}
    new = client.get(f"/identity/oauth/token?{GOOD}").json["access_token"]
    assert new != api.token
    assert client.get(LEADS, headers={"Authorization": f"Bearer {new}"}).json["success"]


def test_admin_expires_every_token_now(client, api):
    assert client.post("/__admin__/tokens/expire", json={}).json == {"expired": True}
    assert api.error("get", LEADS)["code"] == "602"
    api.token = client.get(f"/identity/oauth/token?{GOOD}").json["access_token"]
    assert api.ok("get", LEADS)


def test_identity_calls_are_free(make_app):
    app = make_app(limits=LimitSettings(rate_calls=2, rate_window=20, concurrency=10,
                                        daily=3))
    client = app.test_client()
    for _ in range(10):
        assert client.get(f"/identity/oauth/token?{GOOD}").status_code == 200
    assert client.get("/__admin__/limits").json["callsToday"] == 0


def test_a_tokenless_repeat_of_a_call_refused_as_retryable_is_601(client, api):
    """marketorestpython's retry loses its token: Marketo answers it 601, not 600."""
    client.post("/__admin__/faults", json={"path": "/rest/v1/leads.json", "error": "606",
                                           "times": 1})
    assert api.error("get", LEADS)["code"] == "606"
    assert client.get(LEADS).json["errors"][0]["code"] == "601"  # the same call, no token
    assert client.get(LEADS + "0").json["errors"][0]["code"] == "600"  # another call
    # a call refused with a code that is not retried is not remembered
    client.post("/__admin__/faults", json={"path": "/rest/v1/leads.json", "error": "610",
                                           "times": 1})
    assert api.error("get", LEADS + "00")["code"] == "610"
    assert client.get(LEADS + "00").json["errors"][0]["code"] == "600"
    # the memory fades after marketorestpython's longest retry (300 s)
    client.post("/__admin__/clock", json={"advance": 301})
    assert client.get(LEADS).json["errors"][0]["code"] == "600"

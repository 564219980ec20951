"""Custom activity types, external.json's rule (custom types only; the 8 Sales Insight
Actions types from SIA's own integration only), and string lengths as describe reports."""

from __future__ import annotations

TYPES = "/rest/v1/activities/external/type"
SEND_SALES_EMAIL = 39


def new_type(api, api_name: str = "podcastListened") -> dict:
    return api.ok("post", f"{TYPES}.json", json={
        "apiName": api_name, "name": "Listened to Podcast", "triggerName": "Listens",
        "filterName": "Listened", "primaryAttribute": {
            "apiName": "episode", "name": "Episode", "dataType": "string"}})["result"][0]


def activity(type_id: int, **extra) -> dict:
    return {"leadId": 1, "activityDate": "2030-01-01T00:00:00Z", "activityTypeId": type_id,
            "primaryAttributeValue": "Episode 1", **extra}


def test_a_type_lives_once_approved(api):
    made = new_type(api)
    assert made["status"] == "draft" and made["id"] >= 100_101
    listed = {t["id"] for t in api.ok("get", "/rest/v1/activities/types.json")["result"]}
    assert made["id"] not in listed
    skipped = api.ok("post", "/rest/v1/activities/external.json",
                     json={"input": [activity(made["id"])]})["result"][0]
    assert skipped["status"] == "skipped"
    api.ok("post", f"{TYPES}/podcastListened/attributes/create.json", json={"attributes": [
        {"apiName": "seconds", "name": "Seconds", "dataType": "integer"}]})
    approved = api.ok("post", f"{TYPES}/podcastListened/approve.json")["result"][0]
    assert approved["status"] == "approved"
    assert approved["attributes"] == [{"apiName": "seconds", "name": "Seconds",
                                       "dataType": "integer"}]
    assert made["id"] in {t["id"] for t in
                          api.ok("get", "/rest/v1/activities/types.json")["result"]}
    added = api.ok("post", "/rest/v1/activities/external.json", json={"input": [activity(
        made["id"], attributes=[{"apiName": "seconds", "value": 30}])]})["result"][0]
    assert added["status"] == "added"
    # a new draft beside the live version, then thrown away
    api.ok("post", f"{TYPES}/podcastListened.json", json={"name": "Heard a Podcast"})
    draft = api.ok("get", f"{TYPES}/podcastListened/describe.json?draft=true")["result"][0]
    assert draft["status"] == "approved with draft" and draft["name"] == "Heard a Podcast"
    live = api.ok("post", f"{TYPES}/podcastListened/discardDraft.json")["result"][0]
    assert live["name"] == "Listened to Podcast" and live["status"] == "approved"
    # in use: not deleted
    assert api.error("post", f"{TYPES}/podcastListened/delete.json")["code"] == "1003"


def test_bad_types_are_refused(api):
    new_type(api)
    assert api.error("post", f"{TYPES}.json", json={"apiName": "podcastListened", "name": "X",
                     "triggerName": "t", "filterName": "f", "primaryAttribute": {
                         "apiName": "a", "name": "A"}})["code"] == "1003"
    assert api.error("post", f"{TYPES}.json", json={"apiName": "x"})["code"] == "701"
    assert api.error("post", f"{TYPES}.json", json={"apiName": "9bad"})["code"] == "1003"
    assert api.error("get", f"{TYPES}/nothing/describe.json")["code"] == "1013"
    assert api.error("post", f"{TYPES}/podcastListened/attributes/create.json", json={
        "attributes": [{"apiName": "x", "name": "X", "dataType": "colour"}]})["code"] == "1003"
    deleted = api.ok("post", f"{TYPES}/podcastListened/delete.json")["result"][0]
    assert deleted["status"] == "deleted"
    assert api.ok("get", "/rest/v1/activities/external/types.json")["result"] == []


def test_native_types_are_refused_to_every_client_but_sias(api, make_api):
    for type_id in (1, 12, SEND_SALES_EMAIL, 100_002):
        result = api.ok("post", "/rest/v1/activities/external.json",
                        json={"input": [activity(type_id)]})["result"][0]
        assert result["status"] == "skipped", type_id
        assert result["errors"][0]["code"] == "1003"
    sia = make_api().as_sia()
    assert sia.ok("post", "/rest/v1/activities/external.json",
                  json={"input": [activity(SEND_SALES_EMAIL)]})["result"][0]["status"] == \
        "added"
    assert sia.ok("post", "/rest/v1/activities/external.json",
                  json={"input": [activity(1)]})["result"][0]["status"] == "skipped"
    token = sia.client.get("/identity/oauth/token?grant_type=client_credentials&client_id="
                           "siasim-sia-client&client_secret=siasim-sia-secret").json
    assert token["scope"] == "sales-insight-actions@marketo.example"


def test_strings_longer_than_describe_says_are_refused(api):
    lengths = {f["rest"]["name"]: f.get("length")
               for f in api.ok("get", "/rest/v1/leads/describe.json")["result"]}
    assert lengths["firstName"] == 255
    result = api.ok("post", "/rest/v1/leads.json", json={"input": [
        {"email": "long@example.com", "firstName": "x" * 1_000_000},
        {"email": "fits@example.com", "firstName": "x" * 255}]})["result"]
    assert result[0]["status"] == "skipped" and result[0]["reasons"][0]["code"] == "1001"
    assert "255" in result[0]["reasons"][0]["message"]
    assert result[1]["status"] == "created"
    assert api.ok("get", "/rest/v1/leads.json?filterType=email&filterValues=long@example.com"
                  )["result"] == []

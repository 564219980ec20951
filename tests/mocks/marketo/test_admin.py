"""Marketo's own admin routes: persons changed as a form or a flow, activities, custom
fields, and selecting persons by activity attributes (rule A-ATTRIBUTES)."""

from __future__ import annotations

import pytest

from fixtures.marketo_types import TYPES_BY_NAME
from mocks.core.config import WorldSpec
from mocks.marketo import MarketoConfig, create_app

SEND = TYPES_BY_NAME["Send Sales Email"].id
CAMPAIGN = TYPES_BY_NAME["Add to Sales Campaign"].id


def sales_email(lead_id: int, subject: str, campaign: str, when: str) -> dict:
    return {"leadId": lead_id, "activityDate": when, "activityTypeId": SEND,
            "primaryAttributeValue": subject,
            "attributes": [{"name": "Email Subject", "value": subject},
                           {"name": "Sales Campaign Name", "value": campaign},
                           {"name": "Source", "value": "Sales App"}]}


def select(client, **body) -> list[int]:
    response = client.post("/__admin__/leads/by-activity", json=body)
    assert response.status_code == 200, response.json
    return [lead["id"] for lead in response.json["leads"]]


def test_select_people_by_activity_type_and_attribute_values(api, client):
    api.as_sia()
    api.ok("post", "/rest/v1/activities/external.json", json={"input": [
        sales_email(1, "Quarterly review (SIA-00000001)", "Q1 outreach", "2030-01-01T10:00:00Z"),
        sales_email(2, "Pricing (SIA-00000002)", "Q1 outreach", "2030-01-02T10:00:00Z"),
        sales_email(3, "Pricing follow-up (SIA-00000003)", "Renewals", "2030-01-03T10:00:00Z"),
        {"leadId": 4, "activityDate": "2030-01-04T10:00:00Z", "activityTypeId": CAMPAIGN,
         "primaryAttributeValue": "Q1 outreach",
         "attributes": [{"name": "Sales Campaign ID", "value": 7}]},
    ]})
    assert select(client, activityType="Send Sales Email") == [1, 2, 3]
    assert select(client, activityType=SEND,
                  attributes={"Sales Campaign Name": "q1 OUTREACH"}) == [1, 2]
    assert select(client, activityType="Send Sales Email",
                  attributes={"Email Subject": {"contains": "pricing"}}) == [2, 3]
    assert select(client, activityType="Send Sales Email",
                  attributes={"Email Subject": {"startsWith": "Pricing"},
                              "Sales Campaign Name": ["Renewals", "Other"]}) == [3]
    assert select(client, activityType="Send Sales Email",
                  attributes={"Sales Campaign Name": {"isNot": "Q1 outreach"}}) == [3]
    assert select(client, activityType="Send Sales Email",
                  attributes={"Email Subject": {"endsWith": "(SIA-00000002)"}}) == [2]
    assert select(client, activityType="Send Sales Email", since="2030-01-02T00:00:00Z",
                  until="2030-01-03T00:00:00Z") == [2]
    # the primary attribute counts as an attribute, as in a smart list filter
    assert select(client, activityType="Add to Sales Campaign",
                  attributes={"Sales Campaign Name": "Q1 outreach"}) == [4]
    assert select(client, activityType="Add to Sales Campaign",
                  attributes={"Sales Campaign ID": 7}) == [4]
    # % and _ are plain characters, not wildcards
    assert select(client, activityType="Send Sales Email",
                  attributes={"Email Subject": {"contains": "%"}}) == []
    full = client.post("/__admin__/leads/by-activity", json={
        "activityType": "Send Sales Email", "fields": ["email", "sfdcLeadId"]}).json
    assert full["count"] == 3 and set(full["leads"][0]) <= {"id", "email", "sfdcLeadId"}


def test_selection_refuses_bad_input(client):
    for body in ({}, {"activityType": "Juggling"},
                 {"activityType": "Send Sales Email", "attributes": {"Mood": "x"}},
                 {"activityType": "Send Sales Email",
                  "attributes": {"Email Subject": {"like": "x"}}},
                 {"activityType": "Send Sales Email", "attributes": {"Email Subject": []}},
                 {"activityType": "Send Sales Email", "since": "soon"},
                 {"activityType": "Send Sales Email", "fields": ["colour"]}):
        response = client.post("/__admin__/leads/by-activity", json=body)
        assert response.status_code == 400, body
        assert response.json["message"]


def test_admin_writes_persons_with_a_source_and_may_set_system_fields(api, client):
    result = client.post("/__admin__/leads", json={
        "source": "flow", "reason": "Nurture step 3", "input": [
            {"email": "flow@example.com", "sfdcType": "Lead", "sfdcLeadOwnerId": "005X"}]}).json
    assert result == {"result": [{"id": 26, "status": "created"}]}
    client.post("/__admin__/leads", json={"source": "flow", "reason": "Nurture step 3",
                                          "lookupField": "id",
                                          "input": [{"id": 26, "title": "Lead Tester"}]})
    token = api.paging_token("2000-01-01T00:00:00Z")
    changes = api.ok("get", "/rest/v1/activities/leadchanges.json?fields=title&"
                            f"nextPageToken={token}&leadIds=26")["result"]
    assert [c["activityTypeId"] for c in changes] == [12, 13]
    assert {a["name"]: a["value"] for a in changes[0]["attributes"]}["Source Type"] == \
        "Marketo flow action"
    assert {a["name"]: a["value"] for a in changes[1]["attributes"]} == {
        "Reason": "Nurture step 3", "Source": "Marketo Flow Action"}
    # any text names a source of its own
    client.post("/__admin__/leads", json={"source": "Trade show import", "lookupField": "id",
                                          "input": [{"id": 26, "title": "Booth Visitor"}]})
    last = api.ok("get", "/rest/v1/activities/leadchanges.json?fields=title&"
                         f"nextPageToken={token}&leadIds=26")["result"][-1]
    assert {a["name"]: a["value"] for a in last["attributes"]}["Source"] == "Trade show import"


def test_admin_write_and_delete_refuse_bad_input(client):
    before = client.get("/__admin__/state").json
    for body in ({}, {"input": []}, {"input": [{"email": "a@b.c"}], "action": "merge"},
                 {"input": [{"email": "a@b.c"}], "lookupField": "firstName"},
                 {"input": [{"email": "a@b.c"}], "source": ""}):
        assert client.post("/__admin__/leads", json=body).status_code == 400, body
    assert client.post("/__admin__/leads", data="nope").status_code == 415
    assert client.delete("/__admin__/leads", json={"ids": ["x"]}).status_code == 400
    assert client.get("/__admin__/state").json == before


def test_admin_activities_of_any_type_all_or_nothing(api, client):
    added = client.post("/__admin__/activities", json={"input": [
        {"leadId": 1, "activityType": "Visit Webpage", "primaryAttributeValueId": 1001,
         "primaryAttributeValue": "www.example.com/pricing",
         "attributes": [{"name": "Webpage URL", "value": "/pricing"}]},
        {"leadId": 1, "activityTypeId": 46, "activityDate": "2030-01-01T00:00:00Z",
         "primaryAttributeValue": "Web",
         "attributes": [{"name": "Description", "value": "Visited pricing twice"}]}]})
    assert added.status_code == 200 and len(added.json["result"]) == 2
    moments = api.ok("get", "/rest/v1/activities.json?activityTypeIds=46&leadIds=1&"
                            f"nextPageToken={api.paging_token('2029-12-31T00:00:00Z')}")
    assert moments["result"][0]["attributes"] == [{"name": "Description",
                                                   "value": "Visited pricing twice"}]
    before = client.get("/__admin__/state").json
    for record in ({"leadId": 999, "activityType": "Visit Webpage"},
                   {"leadId": 1, "activityType": "Juggling"},
                   {"leadId": 1, "activityType": "Visit Webpage", "activityDate": "soon"},
                   {"leadId": 1, "activityType": "Visit Webpage",
                    "attributes": [{"name": "Mood", "value": "x"}]}):
        response = client.post("/__admin__/activities", json={"input": [
            {"leadId": 1, "activityType": "Visit Webpage"}, record]})
        assert response.status_code == 400, record
    assert client.get("/__admin__/state").json == before


def test_custom_fields(api, client):
    added = client.post("/__admin__/fields", json={"name": "leadTier", "dataType": "integer",
                                                   "displayName": "Lead Tier"})
    assert added.status_code == 201
    assert added.json["rest"] == {"name": "leadTier", "readOnly": False}
    describe = api.ok("get", "/rest/v1/leads/describe2.json")["result"][0]
    assert ["leadTier"] in describe["searchableFields"]
    result = api.ok("post", "/rest/v1/leads.json", json={"input": [
        {"email": "tier@example.com", "leadTier": "3"}]})["result"]
    found = api.ok("get", "/rest/v1/leads.json?filterType=leadTier&filterValues=3&"
                          "fields=leadTier")["result"]
    assert found == [{"id": result[0]["id"], "leadTier": 3}]
    for spec in ({"name": "leadTier"}, {"name": "email"}, {"name": "1bad"},
                 {"name": "ok", "dataType": "colour"}, {"name": "ok", "length": 0}):
        assert client.post("/__admin__/fields", json=spec).status_code == 400, spec


def test_state_survives_a_restart_on_the_same_database(tmp_path):
    db = str(tmp_path / "kept.db")
    first = create_app(MarketoConfig(db=db, world=WorldSpec(seed=1, profile="tiny")))
    client = first.test_client()
    client.post("/__admin__/fields", json={"name": "keptField"})
    client.post("/__admin__/leads", json={"input": [{"email": "kept@example.com",
                                                     "keptField": "yes"}]})
    first.extensions["siasim"].store.close()
    second = create_app(MarketoConfig(db=db, world=WorldSpec(seed=2, profile="tiny")))
    try:
        state = second.test_client().get("/__admin__/state?table=leads&limit=1000").json
        kept = [r for r in state["rows"] if r["email"] == "kept@example.com"]
        assert kept and kept[0]["keptField"] == "yes" and state["count"] == 26
    finally:
        second.extensions["siasim"].store.close()


def test_reset_and_seed_bring_the_catalogue_back(api, client):
    client.post("/__admin__/fields", json={"name": "temporary"})
    assert client.post("/__admin__/reset", json={}).json == {"reset": True}
    assert client.get("/__admin__/state").json["tables"]["leads"] == 0
    assert api.error("get", "/rest/v1/leads.json?filterType=id&filterValues=1")["code"] == \
        "602"
    api.login()
    assert api.ok("get", "/rest/v1/leads.json?filterType=id&filterValues=1")["result"] == []
    assert api.error("get", "/rest/v1/leads.json?filterType=temporary&filterValues=1"
                     )["code"] == "1006"
    client.post("/__admin__/fields", json={"name": "beforeSeed"})
    api.ok("post", "/bulk/v1/leads/export/create.json", json={
        "fields": ["id"], "filter": {"createdAt": {"startAt": "2025-01-01T00:00:00Z",
                                                   "endAt": "2025-01-31T00:00:00Z"}}})
    seeded = client.post("/__admin__/seed", json={"scenario": "owner-filter"}).json
    assert seeded["tables"]["leads"] == 6
    # a world replaces the whole state: custom fields and export jobs too
    assert api.error("get", "/rest/v1/leads.json?filterType=beforeSeed&filterValues=1"
                     )["code"] == "1006"
    assert api.ok("get", "/bulk/v1/leads/export.json")["result"] == []
    assert api.ok("post", "/rest/v1/leads.json", json={"input": [
        {"email": "x@example.com"}]})["result"] == [{"id": 7, "status": "created"}]


def test_marketo_processes_may_set_record_dates_without_a_data_change(api, client):
    token = api.paging_token("2000-01-01T00:00:00Z")
    client.post("/__admin__/leads", json={"lookupField": "id", "input": [
        {"id": 2, "createdAt": "2020-02-02T02:02:02+00:00",
         "updatedAt": "2021-03-03T03:03:03Z"}]})
    record = api.ok("get", "/rest/v1/lead/2.json?fields=createdAt,updatedAt")["result"][0]
    assert (record["createdAt"], record["updatedAt"]) == ("2020-02-02T02:02:02Z",
                                                          "2021-03-03T03:03:03Z")
    changes = api.ok("get", "/rest/v1/activities/leadchanges.json?fields=createdAt,updatedAt&"
                            f"nextPageToken={token}&leadIds=2")["result"]
    assert [c["activityTypeId"] for c in changes] == [12]  # its New Lead only


def test_the_write_path_refuses_a_bad_lookup_from_code(app):
    model = app.extensions["siasim"].service.model
    for kwargs in ({"action": "merge"}, {"lookup": "firstName"}, {"lookup": "nope"}):
        with pytest.raises(ValueError, match="bad action"):
            model.write_leads([{"email": "x@example.com"}], **kwargs)
    result = model.write_leads([{"email": "x@example.com", "sfdcType": "Lead"}],
                               source="salesforce", system=True)
    assert result == [{"id": 26, "status": "created"}]


def test_odd_admin_bodies_are_400_never_500(client):
    odd = [None, 0, 2**70, True, "", "x", [], [None], [{"leadId": 2**70}], {}, {"a": [1]},
           [{"id": "x", "email": {"a": 1}}], [{"activityType": [1]}]]
    keys = ["input", "ids", "action", "lookupField", "source", "reason", "activityType",
            "attributes", "since", "fields", "name", "dataType", "length", "displayName",
            "startDelay"]
    calls = [("post", "/leads"), ("delete", "/leads"), ("post", "/activities"),
             ("post", "/leads/by-activity"), ("post", "/fields"), ("patch", "/exports")]
    for method, path in calls:
        for key in keys:
            for value in odd:
                response = getattr(client, method)(f"/__admin__{path}", json={key: value})
                assert response.status_code < 500, (method, path, key, value, response.json)

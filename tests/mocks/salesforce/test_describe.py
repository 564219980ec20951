"""Versions, resources, describe global and per object, limits."""

from __future__ import annotations

import pytest

from mocks.salesforce import metadata


def test_versions_need_no_session(app):
    response = app.test_client().get("/services/data/")
    assert response.status_code == 200
    versions = response.json
    assert versions[0] == {"label": "Winter '21", "url": "/services/data/v50.0",
                           "version": "50.0"}
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
    assert app.test_client().get("/services/data").status_code == 200


def test_resources_of_a_version(api):
    body = api.get("/services/data/v59.0/").json
    assert body["sobjects"] == "/services/data/v59.0/sobjects"
    assert body["query"] == "/services/data/v59.0/query"
    assert "/id/00D" in body["identity"] and body["identity"].rsplit("/", 1)[1].startswith("005")


def test_describe_global(api):
    body = api.get("sobjects/").json
    assert body["encoding"] == "UTF-8" and body["maxBatchSize"] == 200
    names = {o["name"]: o for o in body["sobjects"]}
    assert set(names) == {"User", "Group", "Account", "Contact", "Lead", "Opportunity", "Task"}
    lead = names["Lead"]
    assert lead["keyPrefix"] == "00Q" and lead["labelPlural"] == "Leads"
    assert lead["urls"]["describe"] == "/services/data/v59.0/sobjects/Lead/describe"
    assert lead["createable"] and lead["queryable"]
    assert names["User"]["deletable"] is False


def test_basic_info(api):
    body = api.get("sobjects/Task").json
    assert body["objectDescribe"]["name"] == "Task" and body["recentItems"] == []
    assert api.get("sobjects/Nope").status_code == 404


def fields_of(api, name: str) -> dict:
    body = api.get(f"sobjects/{name}/describe").json
    assert body["name"] == name and body["keyPrefix"] == metadata.get(name).key_prefix
    return {f["name"]: f for f in body["fields"]}


def test_describe_lead_fields(api):
    fields = fields_of(api, "Lead")
    last = fields["LastName"]
    assert (last["type"], last["nillable"], last["createable"], last["length"]) == (
        "string", False, True, 80)
    assert fields["Company"]["nillable"] is False
    status = fields["Status"]
    assert status["type"] == "picklist" and status["defaultValue"] == "Open - Not Contacted"
    assert status["defaultedOnCreate"] is True
    assert "Closed - Converted" in [v["value"] for v in status["picklistValues"]]
    owner = fields["OwnerId"]
    assert owner["referenceTo"] == ["Group", "User"] and owner["relationshipName"] == "Owner"
    assert owner["polymorphicForeignKey"] is True and owner["namePointing"] is True
    for name in ("IsConverted", "ConvertedContactId", "ConvertedAccountId",
                 "ConvertedOpportunityId", "CreatedDate", "LastModifiedDate", "SystemModstamp",
                 "IsDeleted", "Name"):
        assert fields[name]["createable"] is False and fields[name]["updateable"] is False, name
    assert fields["HasOptedOutOfEmail"]["type"] == "boolean"
    assert fields["HasOptedOutOfEmail"]["defaultValue"] is False
    assert fields["External_Id__c"]["externalId"] is True
    assert fields["External_Id__c"]["custom"] is True
    assert fields["Id"]["type"] == "id" and fields["Email"]["type"] == "email"


def test_describe_task_fields(api):
    fields = fields_of(api, "Task")
    assert fields["WhoId"]["referenceTo"] == ["Contact", "Lead"]
    assert fields["WhatId"]["relationshipName"] == "What"
    assert fields["Status"]["restrictedPicklist"] is True
    assert fields["Priority"]["defaultValue"] == "Normal"
    subtype = fields["TaskSubtype"]
    assert subtype["createable"] is True and subtype["updateable"] is False
    assert [v["value"] for v in subtype["picklistValues"]] == [
        "Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"]
    for name in ("IsClosed", "CompletedDateTime", "IsHighPriority"):
        assert fields[name]["createable"] is False, name
    for name in ("IsReminderSet", "ReminderDateTime", "CallType", "CallDurationInSeconds",
                 "CallDisposition", "ActivityDate", "Description", "Type"):
        assert fields[name]["updateable"] is True, name
    assert fields["Description"]["filterable"] is False


@pytest.mark.parametrize("name,required", [
    ("Account", {"Name"}), ("Contact", {"LastName"}), ("Lead", {"LastName", "Company"}),
    ("Opportunity", {"Name", "StageName", "CloseDate"}), ("Task", set()),
    ("User", {"Username", "LastName", "Email", "Alias"}), ("Group", {"Name"}),
])
def test_required_fields_per_object(api, name, required):
    fields = fields_of(api, name)
    found = {n for n, f in fields.items()
             if not f["nillable"] and f["createable"] and not f["defaultedOnCreate"]}
    assert found == required


def test_child_relationships(api):
    body = api.get("sobjects/Account/describe").json
    children = {(c["childSObject"], c["field"]) for c in body["childRelationships"]}
    assert ("Contact", "AccountId") in children and ("Task", "WhatId") in children


def test_limits(api):
    body = api.get("limits/").json
    assert body["DailyApiRequests"] == {"Max": 100000, "Remaining": 99999}
    api.admin("patch", "limits", json={"daily": 500})
    assert api.get("limits").json["DailyApiRequests"] == {"Max": 500, "Remaining": 498}

"""Salesforce-only admin operations: lead conversion and changes made "in the UI"."""

from __future__ import annotations

import pytest

from fixtures.sfid import IdFactory

IDS = IdFactory("5cn")
REP, SYNC, GONE, API_USER = (IDS.make("User", n) for n in (1, 2, 3, 4))
ACME = IDS.make("Account", 1)
CARLA = IDS.make("Contact", 1)
LENA, SAM, INES, QUINN = (IDS.make("Lead", n) for n in (1, 2, 3, 4))


@pytest.fixture
def frozen(api):
    api.admin("post", "clock", json={"freeze": True})  # frozen first: then set is exact
    api.admin("post", "clock", json={"set": "2026-01-10T12:00:00Z"})


def convert(api, **options):
    return api.admin("post", "leads/convert", json=options)


def test_convert_a_lead_into_account_contact_and_opportunity(api, frozen):
    task = api.post("sobjects/Task", json={"Subject": "Intro call", "WhoId": LENA}).json["id"]
    api.patch(f"sobjects/Lead/{LENA}", json={"HasOptedOutOfEmail": True, "Title": "CTO"})
    response = convert(api, leadId=LENA)
    assert response.status_code == 200
    result = response.json
    assert result["leadId"] == LENA and result["success"] is True
    account, contact, opportunity = (result["accountId"], result["contactId"],
                                     result["opportunityId"])
    assert account.startswith("001") and contact.startswith("003")
    assert opportunity.startswith("006")
    lead = api.get(f"sobjects/Lead/{LENA}").json
    assert lead["IsConverted"] is True and lead["Status"] == "Closed - Converted"
    assert (lead["ConvertedAccountId"], lead["ConvertedContactId"],
            lead["ConvertedOpportunityId"]) == (account, contact, opportunity)
    assert lead["ConvertedDate"] == "2026-01-10"
    assert lead["LastModifiedDate"] == "2026-01-10T12:00:00.000+0000"
    person = api.get(f"sobjects/Contact/{contact}").json
    assert (person["FirstName"], person["LastName"], person["Email"], person["Title"]) == (
        "Lena", "Lead", "lena@leadco.example", "CTO")
    assert person["AccountId"] == account and person["OwnerId"] == REP
    assert person["HasOptedOutOfEmail"] is True
    assert api.get(f"sobjects/Account/{account}").json["Name"] == "Lead Co"
    deal = api.get(f"sobjects/Opportunity/{opportunity}").json
    assert deal["Name"] == "Lead Co-" and deal["StageName"] == "Prospecting"
    assert deal["CloseDate"] == "2026-03-31"
    moved = api.get(f"sobjects/Task/{task}").json
    assert moved["WhoId"] == contact and moved["WhatId"] == opportunity
    # a converted lead cannot be changed any more, nor referenced
    error = api.patch(f"sobjects/Lead/{LENA}", json={"Title": "x"}).json[0]
    assert error == {"message": "cannot reference converted lead",
                     "errorCode": "CANNOT_UPDATE_CONVERTED_LEAD", "fields": []}
    error = api.post("sobjects/Task", json={"Subject": "x", "WhoId": LENA}).json[0]
    assert error["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    # SOQL sees the conversion
    assert api.one(f"SELECT ConvertedContact.Email FROM Lead WHERE Id = '{LENA}'")[
        "ConvertedContact"]["Email"] == "lena@leadco.example"


def test_convert_into_an_existing_account_and_contact_without_opportunity(api):
    result = convert(api, leadId=SAM, accountId=ACME, contactId=CARLA,
                     doNotCreateOpportunity=True).json
    assert (result["accountId"], result["contactId"], result["opportunityId"]) == (
        ACME, CARLA, None)
    assert api.query("SELECT COUNT() FROM Contact").json["totalSize"] == 1


def test_convert_refusals(api):
    response = convert(api, leadId=QUINN)
    assert response.status_code == 400
    assert "Converted objects can only be owned by users" in response.json["message"]
    assert convert(api, leadId=QUINN, ownerId=REP).status_code == 200
    response = convert(api, leadId=QUINN, ownerId=REP)
    assert response.json["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    assert convert(api, leadId=LENA, convertedStatus="Open - Not Contacted").json[
        "errorCode"] == "INVALID_STATUS"
    assert convert(api, leadId=IDS.make("Lead", 77)).status_code == 404
    assert convert(api, leadId=LENA, colour="red").status_code == 400
    assert convert(api).status_code == 400
    assert api.admin("post", "leads/convert", data="nope").status_code == 400
    assert api.query("SELECT COUNT() FROM Account").json["totalSize"] == 2  # QUINN's only


def test_changes_in_the_ui_are_seen_by_soql_and_replication(api, frozen):
    api.admin("post", "clock", json={"advance": 60})
    response = api.admin("patch", f"sobjects/Lead/{SAM}?asUser=rita.rep@acme.example",
                         json={"OwnerId": REP, "HasOptedOutOfEmail": True})
    assert response.status_code == 200
    record = response.json
    assert record["OwnerId"] == REP and record["LastModifiedById"] == REP
    assert record["LastModifiedDate"] == "2026-01-10T12:01:00.000+0000"
    api.admin("post", "clock", json={"advance": 60})
    updated = api.get("sobjects/Lead/updated/", start="2026-01-10T12:00:00Z",
                      end="2026-01-10T13:00:00Z").json
    assert updated["ids"] == [SAM]
    assert api.one("SELECT Id FROM Lead WHERE LastModifiedDate > 2026-01-10T12:00:30Z")["Id"] \
        == SAM
    created = api.admin("post", "sobjects/Task", json={"Subject": "UI task", "WhoId": CARLA})
    assert created.status_code == 201
    task = created.json["id"]
    assert api.admin("get", f"sobjects/Task/{task}").json["CreatedById"] == API_USER
    assert api.admin("delete", f"sobjects/Task/{task}").json == {"id": task, "deleted": True}
    assert api.get(f"sobjects/Task/{task}").status_code == 404


def test_ui_changes_are_not_traffic(api):
    api.admin("delete", "journal")
    api.admin("patch", f"sobjects/Lead/{LENA}", json={"Title": "Quiet"})
    assert api.admin("get", "journal").json["entries"] == []
    assert api.get("limits").headers["Sforce-Limit-Info"] == "api-usage=1/100000"


def test_ui_refusals_say_why(api):
    response = api.admin("post", "sobjects/Lead", json={"FirstName": "No last name"})
    assert response.status_code == 400
    assert response.json["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert response.json["fields"] == ["LastName", "Company"]
    assert api.admin("patch", f"sobjects/Lead/{LENA}?asUser=nobody",
                     json={"Title": "x"}).status_code == 404
    assert api.admin("get", "sobjects/Widget/x").status_code == 404
    assert api.admin("get", f"sobjects/Lead/{IDS.make('Lead', 90)}").status_code == 404


def test_reset_keeps_an_api_user_and_seed_loads_a_world(api):
    assert api.admin("post", "reset").json == {"reset": True}
    token = api.login()
    api.token = token
    assert api.query("SELECT COUNT() FROM Lead").json["totalSize"] == 0
    users = api.records("SELECT Username FROM User")
    assert users == [{"attributes": users[0]["attributes"], "Username": "admin@siasim.example"}]
    seeded = api.admin("post", "seed", json={"profile": "tiny", "seed": 3}).json
    assert seeded["tables"]["Lead"] > 0
    api.token = api.login()
    assert api.query("SELECT COUNT() FROM Lead").json["totalSize"] == seeded["tables"]["Lead"]
    state = api.admin("get", "state").json["tables"]
    assert state["User"] == seeded["tables"]["User"] + 1  # the API user

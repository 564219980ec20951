"""The field schema's writes: Update Lead Field, Create Program Member Fields and Update
Program Member Field, and the custom program member fields they make, read and written
through the member calls and the bulk member export."""

from __future__ import annotations

import csv
import io

import pytest

from tests.mocks.marketo.test_bad_input import _fingerprint

LEAD_FIELD = "/rest/v1/leads/schema/fields/{}.json"
MEMBER_FIELDS = "/rest/v1/programs/members/schema/fields.json"
MEMBER_FIELD = "/rest/v1/programs/members/schema/fields/{}.json"
MEMBERS = "/rest/v1/programs/1002/members.json"


def _member_fields(api, *specs) -> list[dict]:
    return api.ok("post", MEMBER_FIELDS, json={"input": list(specs)})["result"]


def test_a_lead_field_update_shows_in_the_schema_and_in_describe(api):
    done = api.ok("post", LEAD_FIELD.format("firstName"), json={"input": [{
        "displayName": "Given Name", "description": "what friends call you",
        "isSensitive": True, "isHidden": True, "isHtmlEncodingInEmail": False}]})
    assert done["result"] == [{"name": "firstName", "status": "updated"}]
    field = api.ok("get", LEAD_FIELD.format("firstName"))["result"][0]
    assert field["displayName"] == "Given Name"
    assert field["description"] == "what friends call you"
    assert (field["isSensitive"], field["isHidden"], field["isHtmlEncodingInEmail"]) == (
        True, True, False)
    assert field["dataType"] == "string" and field["length"] == 255  # never changed
    described = {f["rest"]["name"]: f for f in api.ok("get", "/rest/v1/leads/describe.json"
                                                      )["result"]}
    assert described["firstName"]["displayName"] == "Given Name"
    # a second update changes only what it names
    api.ok("post", LEAD_FIELD.format("firstname"), json={"input": [{"isHidden": False}]})
    field = api.ok("get", LEAD_FIELD.format("firstName"))["result"][0]
    assert (field["displayName"], field["isHidden"]) == ("Given Name", False)


def test_a_lead_fields_other_page_shows_the_update_too(api):
    api.ok("post", LEAD_FIELD.format("email"), json={"input": [{"description": "work"}]})
    token, found = None, None
    while found is None:
        page = api.ok("get", "/rest/v1/leads/schema/fields.json?batchSize=20"
                      + (f"&nextPageToken={token}" if token else ""))
        found = next((f for f in page["result"] if f["name"] == "email"), None)
        token = page.get("nextPageToken")
        assert found or token
    assert found["description"] == "work"


def test_a_custom_lead_field_keeps_what_it_was_made_with(api):
    made = api.ok("post", "/rest/v1/leads/schema/fields.json", json={"input": [{
        "name": "shoeSize", "displayName": "Shoe Size", "dataType": "integer",
        "description": "EU sizes", "isSensitive": True}]})["result"]
    assert made == [{"name": "shoeSize", "status": "created"}]
    field = api.ok("get", LEAD_FIELD.format("shoeSize"))["result"][0]
    assert (field["description"], field["isSensitive"], field["isCustom"]) == (
        "EU sizes", True, True)
    api.ok("post", LEAD_FIELD.format("shoeSize"), json={"input": [{"displayName": "Size"}]})
    assert api.ok("get", LEAD_FIELD.format("shoeSize"))["result"][0]["displayName"] == "Size"


@pytest.mark.parametrize("body, code", [
    ({}, "701"), ({"input": []}, "701"), ({"input": [{}]}, "701"),
    ({"input": "x"}, "1003"), ({"input": [{"displayName": "A"}, {"displayName": "B"}]}, "1003"),
    ({"input": [{"dataType": "integer"}]}, "1003"), ({"input": [{"name": "other"}]}, "1003"),
    ({"input": [{"displayName": 5}]}, "1003"), ({"input": [{"isHidden": "yes"}]}, "1003"),
    ({"input": [{"displayName": "  "}]}, "1003"), ({"input": [{"displayName": "a<b>"}]}, "1003"),
    ({"input": [{"displayName": "Last Name"}]}, "1003"),  # lastName's display name
    ({"input": [{"displayName": "x" * 256}]}, "1003"),
])
def test_a_bad_lead_field_update_is_refused_and_changes_nothing(api, app, body, code):
    store = app.extensions["siasim"].store
    before = _fingerprint(store), api.ok("get", LEAD_FIELD.format("firstName"))
    assert api.error("post", LEAD_FIELD.format("firstName"), json=body)["code"] == code
    after = _fingerprint(store), api.ok("get", LEAD_FIELD.format("firstName"))
    assert after[0] == before[0]
    assert after[1]["result"] == before[1]["result"]


def test_an_update_of_a_field_that_does_not_exist_is_1006(api):
    for path in (LEAD_FIELD.format("nosuch"), MEMBER_FIELD.format("nosuch")):
        assert api.error("post", path, json={"input": [{"displayName": "X"}]})["code"] == "1006"


def test_program_member_fields_are_made_and_described(api):
    made = _member_fields(
        api, {"name": "webinarQuestion", "displayName": "Webinar Question",
              "dataType": "string", "description": "asked at sign-up"},
        {"name": "seats", "displayName": "Seats", "dataType": "integer"},
        {"name": "vip", "displayName": "VIP", "dataType": "boolean"})
    assert [(r["name"], r["status"]) for r in made] == [
        ("webinarQuestion", "created"), ("seats", "created"), ("vip", "created")]
    field = api.ok("get", MEMBER_FIELD.format("webinarQuestion"))["result"][0]
    assert field["isCustom"] and field["description"] == "asked at sign-up"
    listed = [f["name"] for f in api.ok("get", MEMBER_FIELDS)["result"]]
    assert listed[-3:] == ["webinarQuestion", "seats", "vip"] and "leadId" in listed
    described = api.ok("get", "/rest/v1/programs/members/describe.json")["result"][0]
    updateable = {f["name"]: f["updateable"] for f in described["fields"]}
    assert updateable["seats"] and updateable["vip"] and not updateable["statusName"]
    assert ["webinarQuestion"] in described["searchableFields"]
    # the same, read as a POST with _method=GET
    assert api.ok("post", f"{MEMBER_FIELDS}?_method=GET")["result"][-1]["name"] == "vip"


def test_a_program_member_field_is_refused_for_its_own_reason(api, app):
    _member_fields(api, {"name": "seats", "displayName": "Seats", "dataType": "integer"})
    store = app.extensions["siasim"].store
    before = _fingerprint(store)
    refused = _member_fields(
        api, {"name": "email", "displayName": "E", "dataType": "string"},  # a person field
        {"name": "seats", "displayName": "Seats 2", "dataType": "integer"},  # exists
        {"name": "progressionStatus", "displayName": "PS", "dataType": "string"},  # a column
        {"name": "x", "displayName": "X", "dataType": "email"},  # not a member data type
        {"name": "1st", "displayName": "First", "dataType": "string"},
        {"name": "y", "displayName": "Seats", "dataType": "string"},  # display name taken
        {"name": "z", "dataType": "string"}, "not an object")
    assert [r["status"] for r in refused] == ["skipped"] * 8
    assert [r["reasons"][0]["code"] for r in refused] == ["1003"] * 6 + ["701", "1003"]
    assert _fingerprint(store) == before
    # and a person field may not take a program member field's name either
    person = api.ok("post", "/rest/v1/leads/schema/fields.json", json={"input": [
        {"name": "seats", "displayName": "Seats P", "dataType": "integer"}]})["result"][0]
    assert person["status"] == "skipped" and person["reasons"][0]["code"] == "1003"
    assert api.error("post", MEMBER_FIELDS, json={})["code"] == "701"
    assert api.error("post", MEMBER_FIELDS, json={"input": [{}] * 301})["code"] == "1003"


def test_program_members_have_at_most_20_custom_fields(api):
    made = _member_fields(api, *({"name": f"f{n}", "displayName": f"F {n}",
                                  "dataType": "string"} for n in range(21)))
    assert [r["status"] for r in made] == ["created"] * 20 + ["skipped"]
    assert made[-1]["reasons"][0]["code"] == "1028"


def test_custom_member_fields_are_written_read_filtered_and_exported(api):
    _member_fields(api, {"name": "webinarQuestion", "displayName": "Q", "dataType": "string"},
                   {"name": "seats", "displayName": "Seats", "dataType": "integer"},
                   {"name": "vip", "displayName": "VIP", "dataType": "boolean"})
    lead = api.ok("get", f"{MEMBERS}?filterType=statusName&filterValues=Attended On-demand"
                  )["result"][0]["leadId"]
    written = api.ok("post", MEMBERS, json={"input": [
        {"leadId": lead, "webinarQuestion": "Pricing?", "seats": "3", "vip": True}]})["result"]
    assert written == [{"seq": 0, "leadId": lead, "status": "updated"}]
    record = api.ok("get", f"{MEMBERS}?filterType=leadId&filterValues={lead}"
                    "&fields=webinarQuestion,seats,vip")["result"][0]
    assert (record["webinarQuestion"], record["seats"], record["vip"]) == ("Pricing?", 3, True)
    by_custom = api.ok("get", f"{MEMBERS}?filterType=webinarQuestion&filterValues=Pricing?"
                       )["result"]
    assert [r["leadId"] for r in by_custom] == [lead]
    api.admin("patch", "/exports", json={"startDelay": 0, "minSeconds": 0})
    job = api.ok("post", "/bulk/v1/program/members/export/create.json", json={
        "fields": ["leadId", "email", "seats", "vip", "webinarQuestion"],
        "filter": {"programId": 1002}})["result"][0]["exportId"]
    api.ok("post", f"/bulk/v1/program/members/export/{job}/enqueue.json")
    rows = list(csv.DictReader(io.StringIO(api.get(
        f"/bulk/v1/program/members/export/{job}/file.json").get_data(as_text=True))))
    mine = next(r for r in rows if r["leadId"] == str(lead))
    assert (mine["seats"], mine["vip"], mine["webinarQuestion"]) == ("3", "true", "Pricing?")
    assert all(r["seats"] == "null" for r in rows if r["leadId"] != str(lead))


def test_a_bad_member_data_record_is_skipped_whole(api, app):
    _member_fields(api, {"name": "seats", "displayName": "Seats", "dataType": "integer"},
                   {"name": "note", "displayName": "Note", "dataType": "string"})
    lead = api.ok("get", f"{MEMBERS}?filterType=statusName&filterValues=Attended On-demand"
                  )["result"][0]["leadId"]
    store = app.extensions["siasim"].store
    before = _fingerprint(store)
    results = api.ok("post", MEMBERS, json={"input": [
        {"leadId": lead, "note": "kept?", "seats": "many"},  # the note is not written either
        {"leadId": lead, "note": "x" * 256},
        {"leadId": lead, "statusName": "Attended"},
        {"leadId": lead, "nosuch": 1},
        {"leadId": lead},
        {"leadId": 999999, "seats": 1}, {"leadId": "abc", "seats": 1}, 5]})["result"]
    assert [r["reasons"][0]["code"] for r in results] == [
        "1001", "1001", "1003", "1006", "1003", "1013", "1013", "1013"]
    assert all(r["status"] == "skipped" for r in results)
    assert _fingerprint(store) == before


def test_a_program_member_field_update_shows_everywhere(api):
    _member_fields(api, {"name": "seats", "displayName": "Seats", "dataType": "integer"})
    for name, display in (("seats", "Seats Booked"), ("statusName", "Progression")):
        done = api.ok("post", MEMBER_FIELD.format(name), json={"input": [
            {"displayName": display, "isHidden": True}]})["result"]
        assert done == [{"name": name, "status": "updated"}]
        field = api.ok("get", MEMBER_FIELD.format(name))["result"][0]
        assert (field["displayName"], field["isHidden"]) == (display, True)
    described = {f["name"]: f for f in api.ok(
        "get", "/rest/v1/programs/members/describe.json")["result"][0]["fields"]}
    assert described["seats"]["displayName"] == "Seats Booked"
    assert described["statusName"]["displayName"] == "Progression"
    assert api.error("post", MEMBER_FIELD.format("seats"), json={"input": [
        {"displayName": "Progression"}]})["code"] == "1003"
    assert api.error("post", MEMBER_FIELD.format("seats"), json={"input": [
        {"dataType": "string"}]})["code"] == "1003"


def test_a_new_world_takes_the_custom_member_fields_away(api):
    _member_fields(api, {"name": "seats", "displayName": "Seats", "dataType": "integer"})
    seeded = api.admin("post", "/seed", json={"seed": 1, "profile": "tiny"})
    assert seeded.status_code == 200, seeded.data
    assert api.error("get", MEMBER_FIELD.format("seats"))["code"] == "1006"
    # and the name is free again
    assert _member_fields(api, {"name": "seats", "displayName": "Seats",
                                "dataType": "integer"})[0]["status"] == "created"


def test_a_program_member_import_fills_custom_member_fields(api):
    _member_fields(api, {"name": "seats", "displayName": "Seats", "dataType": "integer"})
    text = ("email,firstName,seats\nseat.one@example.com,One,2\n"
            "seat.two@example.com,Two,many\nseat.three@example.com,Three,\n")
    batch = api.post("/bulk/v1/program/1002/members/import.json?format=csv"
                     "&programMemberStatus=Registered",
                     data={"file": (io.BytesIO(text.encode()), "rows.csv")},
                     content_type="multipart/form-data").json["result"][0]["batchId"]
    status = api.ok("get", f"/bulk/v1/program/members/import/{batch}/status.json"
                    )["result"][0]
    assert (status["numOfLeadsProcessed"], status["numOfRowsFailed"]) == (3, 1)
    failures = api.get(f"/bulk/v1/program/members/import/{batch}/failures.json"
                       ).get_data(as_text=True)
    assert "seat.two@example.com" in failures and "many" in failures
    # the failed row made no person
    assert not api.ok("get", "/rest/v1/leads.json?filterType=email"
                      "&filterValues=seat.two@example.com").get("result")
    seats = {}
    for email in ("seat.one@example.com", "seat.three@example.com"):
        lead = api.ok("get", f"/rest/v1/leads.json?filterType=email&filterValues={email}"
                      )["result"][0]["id"]
        member = api.ok("get", f"{MEMBERS}?filterType=leadId&filterValues={lead}"
                        "&fields=seats")["result"][0]
        assert member["statusName"] == "Registered"
        seats[email] = member.get("seats")
    assert seats == {"seat.one@example.com": 2, "seat.three@example.com": None}

"""Activities: types, paging tokens, pages, the change feed, deleted leads, external."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fixtures.marketo_types import SALES_TYPE_NAMES
from mocks.marketo import activitylog

ACTIVITIES = "/rest/v1/activities.json"
CHANGES = "/rest/v1/activities/leadchanges.json"
SIA_TYPES = {"Send Sales Email", "Open Sales Email", "Click Sales Email",
             "Replied to Sales Email", "Sales Email Bounced", "Sales Call Received",
             "Add to Sales Campaign", "Removed from Sales Campaign"}


def read_all(api, path: str, **params) -> tuple[list[dict], str, int]:
    """Every item from a paged activity endpoint; the last token; the number of pages."""
    items, pages = [], 0
    while True:
        body = api.ok("get", f"{path}?{urlencode(params)}")
        pages += 1
        assert isinstance(body["moreResult"], bool) and body["nextPageToken"]
        items += body.get("result", [])
        params["nextPageToken"] = body["nextPageToken"]
        if not body["moreResult"]:
            return items, body["nextPageToken"], pages


def types_by_name(api) -> dict[str, dict]:
    return {t["name"]: t for t in api.ok("get", "/rest/v1/activities/types.json")["result"]}


def test_types_standard_ids_and_the_eight_sales_types(api):
    types = types_by_name(api)
    for type_id, name in ((1, "Visit Webpage"), (2, "Fill Out Form"), (3, "Click Link"),
                          (6, "Send Email"), (7, "Email Delivered"), (8, "Email Bounced"),
                          (9, "Unsubscribe Email"), (10, "Open Email"), (11, "Click Email"),
                          (12, "New Lead"), (13, "Change Data Value"), (37, "Delete Lead"),
                          (46, "Interesting Moment"), (39, "Send Sales Email"),
                          (40, "Open Sales Email"), (41, "Click Sales Email"),
                          (45, "Receive Sales Email"), (48, "Sales Email Bounced")):
        assert types[name]["id"] == type_id
    assert set(types) >= SIA_TYPES and set(SALES_TYPE_NAMES) == SIA_TYPES
    attributes = {n: {a["name"] for a in types[n]["attributes"]} for n in SIA_TYPES}
    assert {"Sent By", "Source", "Template ID", "Sales Template Name", "Sales Template URL",
            "Email Subject", "Sales Campaign Name", "Sales Campaign URL",
            "Marketo Sales Person ID"} <= attributes["Send Sales Email"]
    assert "Link" in attributes["Click Sales Email"]
    assert {"Sales Call Made By", "Sales Call Status", "Sales Call Subject",
            "Sales Call Duration", "Sales Call Recording URL"} <= (
        attributes["Sales Call Received"] | {types["Sales Call Received"]["primaryAttribute"][
            "name"]})
    assert {"Sales Campaign Name", "Sales Campaign ID"} <= (
        attributes["Add to Sales Campaign"] | {"Sales Campaign Name"})
    assert {"Received By", "Source", "Marketo Sales Person ID"} <= attributes[
        "Replied to Sales Email"]
    assert {"Details", "Email", "Sent By", "Template ID"} <= attributes["Sales Email Bounced"]
    visit = types["Visit Webpage"]
    assert visit["primaryAttribute"] == {"name": "Webpage ID", "dataType": "integer"}


def test_paging_token(api):
    token = api.paging_token("2024-05-01T10:00:00%2B02:00")
    assert isinstance(token, str) and token
    assert api.error("get", "/rest/v1/activities/pagingtoken.json")["code"] == "701"
    assert api.error("get", "/rest/v1/activities/pagingtoken.json?sinceDatetime=soon"
                     )["code"] == "1001"


def test_activities_in_date_order_across_types_with_marketo_paging(api, client):
    items, _token, pages = read_all(api, ACTIVITIES, nextPageToken=api.paging_token(),
                                    activityTypeIds="1,6,10,12", batchSize=7)
    assert pages > 3
    keys = [(a["activityDate"], a["id"]) for a in items]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert {a["activityTypeId"] for a in items} == {1, 6, 10, 12}
    state = client.get("/__admin__/state?table=activities&limit=100000").json
    expected = [r for r in state["rows"] if r["activityTypeId"] in (1, 6, 10, 12)]
    assert len(items) == len(expected)
    for item in items:
        datetime.strptime(item["activityDate"], "%Y-%m-%dT%H:%M:%SZ")  # the client's format
        assert {"id", "marketoGUID", "leadId", "activityDate", "activityTypeId",
                "attributes"} <= set(item)
    visit = next(a for a in items if a["activityTypeId"] == 1)
    assert isinstance(visit["primaryAttributeValueId"], int)
    assert {a["name"] for a in visit["attributes"]} >= {"Webpage URL", "User Agent"}


def test_the_last_token_resumes_after_new_activities(api):
    since = "2030-01-01T00:00:00Z"
    empty = api.ok("get", f"{ACTIVITIES}?nextPageToken={api.paging_token(since)}"
                          "&activityTypeIds=12")
    assert empty["moreResult"] is False and "result" not in empty
    api.client.post("/__admin__/clock", json={"set": "2030-06-01T00:00:00Z"})
    api.ok("post", "/rest/v1/leads.json", json={"input": [{"email": "late@example.com"}]})
    items, last, _pages = read_all(api, ACTIVITIES, nextPageToken=empty["nextPageToken"],
                                   activityTypeIds="12")
    assert [a["leadId"] for a in items] == [26]
    after = api.ok("get", f"{ACTIVITIES}?nextPageToken={last}&activityTypeIds=12")
    assert "result" not in after and after["moreResult"] is False


def test_activities_of_some_leads(api):
    items, _t, _p = read_all(api, ACTIVITIES, nextPageToken=api.paging_token(),
                             activityTypeIds="1,2,6,10,11,12,46", leadIds="1,5")
    assert items and {a["leadId"] for a in items} == {1, 5}
    keys = [(a["activityDate"], a["id"]) for a in items]
    assert keys == sorted(keys)


def test_activity_query_errors(api):
    token = api.paging_token()

    def code(**params) -> str:
        return api.error("get", f"{ACTIVITIES}?{urlencode(params)}")["code"]

    assert code(activityTypeIds="1") == "701"
    assert code(nextPageToken=token) == "701"
    assert code(nextPageToken="x!", activityTypeIds="1") == "1003"
    assert code(nextPageToken=token, activityTypeIds="1,2,3,6,7,8,9,10,11,12,13") == "1003"
    assert code(nextPageToken=token, activityTypeIds="424242") == "1003"
    assert code(nextPageToken=token, activityTypeIds="1",
                leadIds=",".join(map(str, range(1, 32)))) == "1003"
    assert code(nextPageToken=token, activityTypeIds="1", listId="7") == "1003"


def test_lead_changes_record_every_change_with_old_and_new_values(api, client):
    token = api.paging_token("2029-01-01T00:00:00Z")
    client.post("/__admin__/clock", json={"set": "2030-01-01T00:00:00Z"})
    email = api.ok("get", "/rest/v1/lead/2.json")["result"][0]["email"]
    owner = api.ok("get", "/rest/v1/lead/4.json?fields=sfdcLeadOwnerId")["result"][0][
        "sfdcLeadOwnerId"]
    api.ok("post", "/rest/v1/leads.json", json={"input": [
        {"email": email, "title": "Head of Tests", "unsubscribed": True},
        {"email": "fresh@example.com", "firstName": "Fresh"}]})
    # a form fill and Marketo's Salesforce sync change persons through the same path
    client.post("/__admin__/leads", json={"source": "form", "lookupField": "id",
                                          "input": [{"id": 3, "title": "From a form"}]})
    client.post("/__admin__/leads", json={"source": "salesforce", "lookupField": "id",
                                          "input": [{"id": 4,
                                                     "sfdcLeadOwnerId": "005000000000042"}]})
    items, _t, _p = read_all(api, CHANGES, nextPageToken=token,
                             fields="title,unsubscribed,sfdcLeadOwnerId,firstName")
    changes = [(i["leadId"], i["activityTypeId"], [(f["name"], f["oldValue"], f["newValue"])
                                                    for f in i["fields"]],
                {a["name"]: a["value"] for a in i["attributes"]}.get("Source"))
               for i in items]
    old_title = next(i for i in items if i["leadId"] == 2)["fields"][0]["oldValue"]
    assert changes == [
        (2, 13, [("title", old_title, "Head of Tests")], "Web service API"),
        (2, 13, [("unsubscribed", "false", "true")], "Web service API"),
        (26, 12, [], None),
        (3, 13, [("title", changes[3][2][0][1], "From a form")], "Web form fillout"),
        (4, 13, [("sfdcLeadOwnerId", owner, "005000000000042")], "Salesforce.com"),
    ]
    new_lead = items[2]
    assert {a["name"]: a["value"] for a in new_lead["attributes"]}["Source Type"] == \
        "Web service API"
    assert all("New Value" not in {a["name"] for a in i["attributes"]} for i in items)
    cdv = items[0]
    assert isinstance(cdv["fields"][0]["id"], int)
    assert {a["name"] for a in cdv["attributes"]} == {"Reason", "Source"}
    # the same change as an activity carries its values in attributes
    (activity, *_rest) = read_all(api, ACTIVITIES, nextPageToken=token,
                                  activityTypeIds="13")[0]
    assert {a["name"]: a["value"] for a in activity["attributes"]}["New Value"] == \
        "Head of Tests"
    assert activity["primaryAttributeValue"] == "Job Title"
    # fields narrows the Change Data Values; New Lead activities always come
    only_names, _t, _p = read_all(api, CHANGES, nextPageToken=token, fields="firstName")
    assert [(i["leadId"], i["activityTypeId"]) for i in only_names] == [(26, 12)]
    assert api.error("get", f"{CHANGES}?nextPageToken={token}")["code"] == "701"
    assert api.error("get", f"{CHANGES}?nextPageToken={token}&fields=colour")["code"] == \
        "1006"


def test_unchanged_values_write_no_change(api, client):
    token = api.paging_token("2029-01-01T00:00:00Z")
    client.post("/__admin__/clock", json={"set": "2030-01-01T00:00:00Z"})
    record = api.ok("get", "/rest/v1/lead/2.json?fields=email,firstName")["result"][0]
    result = api.ok("post", "/rest/v1/leads.json", json={"input": [
        {"email": record["email"], "firstName": record["firstName"]}]})
    assert result["result"] == [{"id": 2, "status": "updated"}]
    assert read_all(api, CHANGES, nextPageToken=token, fields="firstName")[0] == []


def test_deleted_leads(api, client):
    token = api.paging_token("2029-01-01T00:00:00Z")
    client.post("/__admin__/clock", json={"set": "2030-01-01T00:00:00Z"})
    api.ok("delete", "/rest/v1/leads.json", json={"input": [{"id": 7}, {"id": 8}]})
    items, _t, _p = read_all(api, "/rest/v1/activities/deletedleads.json", nextPageToken=token)
    assert [(i["leadId"], i["activityTypeId"]) for i in items] == [(7, 37), (8, 37)]
    assert items[0]["primaryAttributeValueId"] == 7 and items[0]["primaryAttributeValue"]
    # a deleted person's other activities are gone with it
    gone, _t, _p = read_all(api, ACTIVITIES, nextPageToken=api.paging_token(),
                            activityTypeIds="1,6,10,11,12", leadIds="7")
    assert gone == []


def test_external_activities_are_stored_and_served_as_native(api, client):
    api.as_sia()
    types = types_by_name(api)
    send, call = types["Send Sales Email"]["id"], types["Sales Call Received"]["id"]
    result = api.ok("post", "/rest/v1/activities/external.json", json={"input": [
        {"leadId": 1, "activityDate": "2030-01-02T10:00:00Z", "activityTypeId": send,
         "primaryAttributeValue": "Quarterly review (SIA-12345678)",
         "attributes": [{"name": "Sent By", "value": "rita.rep@acme.example"},
                        {"name": "Source", "value": "Sales App"},
                        {"name": "Template ID", "value": "42"},
                        {"name": "Email Subject", "value": "Quarterly review (SIA-12345678)"},
                        {"name": "Sales Campaign Name", "value": "Q1 outreach"}]},
        {"leadId": 5, "activityDate": "2030-01-02T11:00:00+01:00", "activityTypeId": call,
         "primaryAttributeValue": "Intro call",
         "attributes": [{"name": "Sales Call Status", "value": "completed"},
                        {"name": "Sales Call Duration", "value": 95}]},
        {"leadId": 999, "activityDate": "2030-01-02T10:00:00Z", "activityTypeId": send,
         "primaryAttributeValue": "x"},
        {"leadId": 1, "activityDate": "2030-01-02T10:00:00Z", "activityTypeId": 1,
         "primaryAttributeValue": "x"},
        {"leadId": 1, "activityDate": "2030-01-02T10:00:00Z", "activityTypeId": send,
         "primaryAttributeValue": "x", "attributes": [{"name": "Mood", "value": "good"}]},
        {"leadId": 1, "activityTypeId": send, "primaryAttributeValue": "x"},
        {"leadId": 1, "activityDate": "2030-01-02T10:00:00Z", "activityTypeId": call,
         "primaryAttributeValue": "x",
         "attributes": [{"name": "Sales Call Duration", "value": "long"}]},
    ]})["result"]
    assert [r["status"] for r in result] == ["added", "added"] + ["skipped"] * 5
    assert [r["errors"][0]["code"] for r in result[2:]] == ["1004", "1003", "1003", "1003",
                                                           "1003"]
    items, _t, _p = read_all(api, ACTIVITIES, nextPageToken=api.paging_token("2030-01-01"),
                             activityTypeIds=f"{send},{call}")
    assert [(i["id"], i["leadId"], i["activityTypeId"]) for i in items] == [
        (result[0]["id"], 1, send), (result[1]["id"], 5, call)]
    sent = {a["name"]: a["value"] for a in items[0]["attributes"]}
    assert sent["Template ID"] == 42 and sent["Source"] == "Sales App"
    assert items[0]["primaryAttributeValue"] == "Quarterly review (SIA-12345678)"
    assert items[1]["activityDate"] == "2030-01-02T10:00:00Z"
    assert api.error("post", "/rest/v1/activities/external.json",
                     json={"input": []})["code"] == "701"


def test_pages_walk_indexes_not_the_whole_log(app):
    """Cost proportional to the page, not to the log: every read seeks an index."""
    conn = app.extensions["siasim"].store.db.conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        activitylog.read_page(conn, ("2000-01-01T00:00:00Z", 0), (12, 13), 300,
                              only_values={13: [22, 29]}, shape=activitylog.CHANGE_JSON)
        activitylog.read_page(conn, ("2000-01-01T00:00:00Z", 0), (1, 6), 300,
                              lead_ids=[1, 2, 3])
    finally:
        conn.set_trace_callback(None)
    assert statements
    for sql in statements:
        plan = " ".join(str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "SCAN activities" not in plan, (sql, plan)
        assert "USING" in plan


def test_activities_whose_write_breaks_the_mock_are_not_kept_behind_its_611(api, monkeypatch):
    # an answer of failure must never hide a committed write: the activities were
    # appended, then the mock broke before its transaction ended; none of them remain
    api.as_sia()
    call = types_by_name(api)["Sales Call Received"]["id"]
    real = activitylog.append

    def append_then_break(db, items):
        real(db, items)
        raise RuntimeError("the mock broke after writing")

    monkeypatch.setattr(activitylog, "append", append_then_break)
    body = api.error("post", "/rest/v1/activities/external.json", json={"input": [
        {"leadId": 1, "activityDate": "2030-03-04T10:00:00Z", "activityTypeId": call,
         "primaryAttributeValue": "Never kept"}]})
    assert body["code"] == "611"
    monkeypatch.undo()
    items, _t, _p = read_all(api, ACTIVITIES, nextPageToken=api.paging_token("2030-03-01"),
                             activityTypeIds=str(call))
    assert [i for i in items if i["primaryAttributeValue"] == "Never kept"] == []

"""Static lists, smart campaigns, programs and members, partitions, and the person actions
(merge, associate, push, submit form), on the tiny world's marketing data."""

from __future__ import annotations

import csv
import io

import pytest


def state(api, table: str, **where) -> list[dict]:
    query = "&".join(f"where.{k}={v}" for k, v in where.items())
    return api.admin("get", f"/state?table={table}&limit=10000&{query}").json["rows"]


def test_lists_and_their_members_page_like_marketo(api):
    lists = api.ok("get", "/rest/v1/lists.json")["result"]
    assert [item["name"] for item in lists] == ["Newsletter Subscribers", "Trade Show Leads",
                                                "Summit Invitees"]
    assert lists[2]["programName"] == "2025 Customer Summit"
    first = api.ok("get", "/rest/v1/lists.json?batchSize=2")
    assert first["moreResult"] is True and len(first["result"]) == 2
    rest = api.ok("get", f"/rest/v1/lists.json?batchSize=2&nextPageToken={first['nextPageToken']}")
    assert [i["id"] for i in rest["result"]] == [3] and "nextPageToken" not in rest
    assert api.ok("get", "/rest/v1/lists.json?name=Trade Show Leads")["result"][0]["id"] == 2
    members = sorted(r["leadId"] for r in state(api, "list_members", listId=1))
    seen, token = [], None
    while True:
        page = api.ok("get", "/rest/v1/lists/1/leads.json?batchSize=2&fields=email"
                      + (f"&nextPageToken={token}" if token else ""))
        seen += [p["id"] for p in page["result"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert seen == members and members
    assert api.error("get", "/rest/v1/lists/99.json")["code"] == "1013"


def test_add_check_and_remove_members(api):
    outsider = next(i for i in range(1, 26)
                    if i not in {r["leadId"] for r in state(api, "list_members", listId=2)})
    added = api.ok("post", "/rest/v1/lists/2/leads.json", json={
        "input": [{"id": outsider}, {"id": 999}]})["result"]
    assert added[0] == {"id": outsider, "status": "added"}
    assert added[1]["status"] == "skipped" and added[1]["reasons"][0]["code"] == "1004"
    check = api.ok("get", f"/rest/v1/lists/2/leads/ismember.json?id={outsider}")["result"]
    assert check == [{"id": outsider, "status": "memberof"}]
    assert {"listId": 2} in [{"listId": m["listId"]} for m in api.ok(
        "get", f"/rest/v1/leads/{outsider}/listMembership.json")["result"]]
    removed = api.ok("delete", f"/rest/v1/lists/2/leads.json?id={outsider}")["result"]
    assert removed == [{"id": outsider, "status": "removed"}]
    again = api.ok("delete", f"/rest/v1/lists/2/leads.json?id={outsider}")["result"]
    assert again[0]["reasons"][0]["code"] == "1015"
    logged = [a["activityTypeId"] for a in state(api, "activities", leadId=outsider)]
    assert 24 in logged and 25 in logged


def test_campaigns_trigger_and_schedule(api):
    triggerable = api.ok("get", "/rest/v1/campaigns.json?isTriggerable=true")["result"]
    assert {c["id"] for c in triggerable} == {2003, 2004}
    assert api.ok("post", "/rest/v1/campaigns/2003/trigger.json", json={
        "input": {"leads": [{"id": 1}, {"id": 2}],
                  "tokens": [{"name": "{{my.Message}}", "value": "Hi"}]}})["result"] == \
        [{"id": 2003}]
    assert api.error("post", "/rest/v1/campaigns/2001/trigger.json",
                     json={"input": {"leads": [{"id": 1}]}})["code"] == "1003"
    assert api.error("post", "/rest/v1/campaigns/2003/trigger.json",
                     json={"input": {"leads": [{"id": 999}]}})["code"] == "1004"
    assert api.error("post", "/rest/v1/campaigns/2003/trigger.json", json={"input": {
        "leads": [{"id": i} for i in range(1, 102)]}})["code"] == "1003"
    member = api.ok("get", "/rest/v1/leads/1/smartCampaignMembership.json")["result"]
    assert [m["smartCampaignId"] for m in member] == [2003]
    api.ok("post", "/rest/v1/campaigns/2001/schedule.json", json={
        "input": {"runAt": "2030-01-01T00:00:00.000+00:00",
                  "cloneToProgramName": "Summit 2026"}})
    runs = state(api, "campaign_runs")
    assert [r["kind"] for r in runs] == ["trigger", "schedule"]
    assert runs[1]["runAt"] == "2030-01-01T00:00:00Z"
    clone = api.get("/rest/asset/v1/program/byName.json?name=Summit 2026").json
    assert clone["result"][0]["channel"] == "Live Event"
    assert api.error("post", "/rest/v1/campaigns/2003/schedule.json", json={})["code"] == "1003"


@pytest.mark.parametrize("earliest", ["2025-01-01T00:00:00Z", "2025-01-01T00:00:00.123456+00:00",
                                      "2025-01-01T01:00:00+0100", "2025-01-01"])
def test_asset_programs_accept_the_datetime_forms_clients_send(api, earliest):
    body = api.get("/rest/asset/v1/programs.json", query_string={
        "earliestUpdatedAt": earliest, "latestUpdatedAt": "2026-01-05T09:00:00.000000+00:00",
        "maxReturn": 200}).json
    assert body["success"] is True
    assert [p["id"] for p in body["result"]] == [1001, 1002, 1003, 1004]
    assert body["result"][0]["updatedAt"].endswith("Z+0000")


def test_asset_programs_page_by_offset_until_no_assets(api):
    first = api.get("/rest/asset/v1/programs.json?maxReturn=3&offset=0").json
    assert len(first["result"]) == 3
    second = api.get("/rest/asset/v1/programs.json?maxReturn=3&offset=3").json
    assert [p["id"] for p in second["result"]] == [1004]
    done = api.get("/rest/asset/v1/programs.json?maxReturn=3&offset=6").json
    assert done["warnings"] == ["No assets found for the given search criteria."]
    assert "result" not in done
    bad = api.get("/rest/asset/v1/programs.json?earliestUpdatedAt=yesterday"
                  "&latestUpdatedAt=2026-01-01").json
    assert bad["success"] is False and bad["errors"][0]["code"] == "1001"


def test_program_members_status_and_delete(api):
    members = api.ok("get", "/rest/v1/programs/1002/members.json?filterType=leadId"
                     "&filterValues=" + ",".join(str(i) for i in range(1, 26)))["result"]
    stored = state(api, "program_members", programId=1002)
    assert [m["leadId"] for m in members] == sorted(r["leadId"] for r in stored)
    assert [m["seq"] for m in members] == list(range(len(members)))
    outsider = next(i for i in range(1, 26) if i not in {r["leadId"] for r in stored})
    result = api.ok("post", "/rest/v1/programs/1002/members/status.json", json={
        "statusName": "Registered", "input": [{"leadId": outsider}]})["result"]
    assert result == [{"seq": 0, "leadId": outsider, "status": "updated"}]
    assert api.error("post", "/rest/v1/programs/1002/members/status.json", json={
        "statusName": "Engaged", "input": [{"leadId": outsider}]})["code"] == "1003"
    mine = api.ok("get", f"/rest/v1/leads/{outsider}/programMembership.json")["result"]
    assert mine[0]["id"] == 1002 and mine[0]["progressionStatus"] == "Registered"
    change = [a for a in state(api, "activities", leadId=outsider)
              if a["activityTypeId"] == 104]
    assert change and change[0]["primaryAttributeValue"] == "Q4 Product Webinar"
    by_program = api.ok("get", "/rest/v1/leads/programs/1002.json?fields=email")["result"]
    assert outsider in [p["id"] for p in by_program]
    deleted = api.ok("post", "/rest/v1/programs/1002/members/delete.json",
                     json={"input": [{"leadId": outsider}]})["result"]
    assert deleted[0]["status"] == "deleted"
    assert api.error("get", "/rest/v1/programs/9/members.json?filterType=leadId"
                     "&filterValues=1")["code"] == "1013"


def test_program_member_export(api):
    api.admin("patch", "/exports", json={"startDelay": 0, "minSeconds": 0})
    job = api.ok("post", "/bulk/v1/program/members/export/create.json", json={
        "fields": ["leadId", "statusName", "reachedSuccess", "email"],
        "filter": {"programIds": [1001, 1002]}})["result"][0]
    api.ok("post", f"/bulk/v1/program/members/export/{job['exportId']}/enqueue.json")
    rows = list(csv.DictReader(io.StringIO(api.get(
        f"/bulk/v1/program/members/export/{job['exportId']}/file.json").data.decode())))
    stored = [r for r in state(api, "program_members") if r["programId"] in (1001, 1002)]
    assert len(rows) == len(stored) and rows
    assert {r["reachedSuccess"] for r in rows} <= {"true", "false"}
    assert api.error("post", "/bulk/v1/program/members/export/create.json",
                     json={"fields": ["leadId"], "filter": {}})["code"] == "701"


def test_partitions(api):
    assert api.ok("get", "/rest/v1/leads/partitions.json")["result"] == [
        {"id": 1, "name": "Default", "description": "Initial system lead partition"}]
    api.admin("post", "/partitions", json={"name": "EMEA"})
    moved = api.ok("post", "/rest/v1/leads/partitions.json", json={
        "input": [{"id": 1, "partitionName": "EMEA"}, {"id": 2, "partitionName": "Mars"}]})
    assert [r["status"] for r in moved["result"]] == ["updated", "skipped"]
    lead = api.ok("get", "/rest/v1/lead/1.json?fields=leadPartitionId")["result"][0]
    assert lead["leadPartitionId"] == 2
    created = api.ok("post", "/rest/v1/leads.json", json={
        "partitionName": "EMEA", "input": [{"email": "emea@example.com"}]})["result"][0]
    person = api.ok("get", f"/rest/v1/lead/{created['id']}.json?fields=leadPartitionId")
    assert person["result"][0]["leadPartitionId"] == 2
    assert api.error("post", "/rest/v1/leads.json", json={
        "partitionName": "Mars", "input": [{"email": "m@example.com"}]})["code"] == "1003"


def test_merge_keeps_the_winner_and_moves_the_rest(api):
    api.ok("post", "/rest/v1/leads.json", json={"input": [
        {"email": "w@example.com", "firstName": "Win"},
        {"email": "l@example.com", "firstName": "Lose", "title": "CTO"}]})
    winner, loser = (api.ok("get", f"/rest/v1/leads.json?filterType=email&filterValues={e}"
                            )["result"][0]["id"] for e in ("w@example.com", "l@example.com"))
    api.ok("post", f"/rest/v1/lists/1/leads.json?id={loser}")
    api.ok("post", f"/rest/v1/leads/{winner}/merge.json?leadId={loser}")
    merged = api.ok("get", f"/rest/v1/lead/{winner}.json?fields=firstName,title")["result"][0]
    assert merged["firstName"] == "Win" and merged["title"] == "CTO"
    assert api.ok("get", f"/rest/v1/lead/{loser}.json")["result"] == []
    assert api.ok("get", f"/rest/v1/lists/1/leads/ismember.json?id={winner}")["result"][0][
        "status"] == "memberof"
    types = [a["activityTypeId"] for a in state(api, "activities", leadId=winner)]
    assert 32 in types and 24 in types  # the loser's Add to List moved over
    deleted = api.ok("get", "/rest/v1/activities/deletedleads.json?nextPageToken="
                     + api.paging_token())["result"]
    assert loser in [d["leadId"] for d in deleted]
    assert api.error("post", f"/rest/v1/leads/{winner}/merge.json?leadId=999")["code"] == "1004"
    assert api.error("post", f"/rest/v1/leads/{winner}/merge.json")["code"] == "701"


def test_associate_push_and_form(api):
    api.ok("post", "/rest/v1/leads/1/associate.json?cookie=id:123-ABC-456%26token:_mch-a")
    assert api.ok("get", "/rest/v1/lead/1.json?fields=cookies")["result"][0]["cookies"] == \
        "id:123-ABC-456&token:_mch-a"
    assert api.error("post", "/rest/v1/leads/1/associate.json?cookie=nonsense")["code"] == \
        "1003"
    pushed = api.ok("post", "/rest/v1/leads/push.json", json={
        "programName": "Onboarding Nurture", "source": "Partner",
        "input": [{"email": "pushed@example.com", "firstName": "P"}]})["result"][0]
    assert pushed["status"] == "created"
    assert [m["leadId"] for m in state(api, "program_members", programId=1003)
            if m["leadId"] == pushed["id"]]
    assert 145 in [a["activityTypeId"] for a in state(api, "activities", leadId=pushed["id"])]
    assert api.error("post", "/rest/v1/leads/push.json", json={
        "programName": "Nope", "input": [{"email": "x@example.com"}]})["code"] == "1013"
    form = api.ok("post", "/rest/v1/leads/submitForm.json", json={
        "formId": 7, "programId": 1004, "input": [{
            "leadFormFields": {"email": "form@example.com", "firstName": "Form"},
            "visitorData": {"pageURL": "https://example.com/lp"}}]})["result"][0]
    assert form["status"] == "created"
    fills = [a for a in state(api, "activities", leadId=form["id"]) if a["activityTypeId"] == 2]
    assert fills and fills[0]["primaryAttributeValueId"] == 7


def test_lead_export_by_static_list(api):
    api.admin("patch", "/exports", json={"startDelay": 0, "minSeconds": 0})
    job = api.ok("post", "/bulk/v1/leads/export/create.json", json={
        "fields": ["id", "email"], "filter": {"staticListName": "Newsletter Subscribers"}}
                 )["result"][0]
    api.ok("post", f"/bulk/v1/leads/export/{job['exportId']}/enqueue.json")
    rows = list(csv.DictReader(io.StringIO(api.get(
        f"/bulk/v1/leads/export/{job['exportId']}/file.json").data.decode())))
    assert sorted(int(r["id"]) for r in rows) == sorted(
        m["leadId"] for m in state(api, "list_members", listId=1))
    assert api.error("post", "/bulk/v1/leads/export/create.json", json={
        "fields": ["id"], "filter": {"staticListId": 99}})["code"] == "1003"

"""The real marketorestpython client, unchanged but for its host, against a real server.

Its own pace applies (5 calls a second, backoff on retryable codes), so these tests take a
few seconds each.
"""

from __future__ import annotations

import csv
import io
import time

import pytest
from marketorestpython.client import MarketoClient

from mocks.core.limits import LimitSettings


@pytest.fixture
def mock(make_app, serve):
    """A Marketo mock on a free port with Marketo's own limits, and a client pointed at it."""

    def start(**config):
        config.setdefault("limits", LimitSettings(rate_calls=100, rate_window=20,
                                                  concurrency=10, daily=50_000))
        app = make_app(**config)
        server = serve(app)
        client = MarketoClient("123-ABC-456", "siasim-marketo-client", "siasim-marketo-secret")
        assert client.host == "https://123-ABC-456.mktorest.com"
        client.host = server.url  # the only change: everything else is the client's own
        return app.test_client(), client

    return start


def test_leads(mock):
    _admin, mc = mock()
    lead = mc.execute(method="get_lead_by_id", id=1, fields=["email", "sfdcLeadOwnerId"])
    assert lead[0]["id"] == 1 and "email" in lead[0]
    owner = lead[0]["sfdcLeadOwnerId"]
    owned = mc.execute(method="get_multiple_leads_by_filter_type", filterType="sfdcLeadOwnerId",
                       filterValues=[owner], fields=["email", "sfdcLeadOwnerId"], batchSize=1)
    assert len(owned) >= 1 and all(p["sfdcLeadOwnerId"] == owner for p in owned)
    every = mc.execute(method="get_multiple_leads_by_filter_type", filterType="id",
                       filterValues=[str(i) for i in range(1, 26)], fields="email,title",
                       batchSize=10)  # three pages
    assert [p["id"] for p in every] == list(range(1, 26))
    by_email = mc.execute(method="get_multiple_leads_by_filter_type", filterType="email",
                          filterValues=lead[0]["email"])
    assert 1 in [p["id"] for p in by_email]
    created = mc.execute(method="create_update_leads", leads=[
        {"email": "client@example.com", "firstName": "Client", "title": "Tester"}],
        action="createOrUpdate", lookupField="email")
    assert created == [{"id": 26, "status": "created"}]
    updated = mc.execute(method="create_update_leads", leads=[{"id": 26, "title": "Lead"}],
                         action="updateOnly", lookupField="id")
    assert updated == [{"id": 26, "status": "updated"}]
    skipped = mc.execute(method="create_update_leads", leads=[{"email": "client@example.com"}],
                         action="createOnly")
    assert skipped[0]["status"] == "skipped" and skipped[0]["reasons"][0]["code"] == "1005"
    described = mc.execute(method="describe")
    assert "sfdcLeadOwnerId" in {f["rest"]["name"] for f in described}
    described2 = mc.execute(method="describe2")
    assert ["email"] in described2[0]["searchableFields"]
    assert mc.execute(method="delete_lead", id=[26]) == [{"id": 26, "status": "deleted"}]
    deleted = mc.execute(method="get_deleted_leads", sinceDatetime="2020-01-01T00:00:00Z")
    assert [d["leadId"] for d in deleted] == [26]
    with pytest.raises(Exception, match="1006"):
        mc.execute(method="get_multiple_leads_by_filter_type", filterType="colour",
                   filterValues=["red"])


def test_activities_changes_and_custom_activities(mock):
    admin, mc = mock()
    types = mc.execute(method="get_activity_types")
    by_name = {t["name"]: t["id"] for t in types}
    assert by_name["New Lead"] == 12 and "Sales Call Received" in by_name
    token = mc.execute(method="get_paging_token", sinceDatetime="2020-01-01T00:00:00Z")
    activities = mc.execute(method="get_lead_activities", activityTypeIds=["1", "12"],
                            nextPageToken=token, leadIds=[1, 2, 3], batchSize=2)
    assert activities and {a["leadId"] for a in activities} <= {1, 2, 3}
    assert {a["activityTypeId"] for a in activities} <= {1, 12}
    pages = list(mc.execute(method="get_lead_activities_yield", activityTypeIds=["12"],
                            sinceDatetime="2020-01-01T00:00:00Z", batchSize=10))
    assert sum(len(p) for p in pages) == 25  # one New Lead a person
    until = mc.execute(method="get_lead_activities", activityTypeIds=["12"],
                       sinceDatetime="2020-01-01T00:00:00Z", untilDatetime="2025-01-01")
    assert all(a["activityDate"] < "2025-01-01" for a in until)

    since = admin.get("/__admin__/clock").json["now"][:19] + "Z"
    email = mc.execute(method="get_lead_by_id", id=2)[0]["email"]
    mc.execute(method="create_update_leads", leads=[{"email": email, "title": "New Title"}])
    admin.post("/__admin__/leads", json={"source": "salesforce", "lookupField": "id",
                                         "input": [{"id": 3, "sfdcLeadOwnerId": "005NEW"}]})
    changes = mc.execute(method="get_lead_changes", fields=["title", "sfdcLeadOwnerId"],
                         sinceDatetime=since)
    assert [(c["leadId"], c["fields"][0]["name"], c["fields"][0]["newValue"])
            for c in changes] == [(2, "title", "New Title"), (3, "sfdcLeadOwnerId", "005NEW")]
    pages = list(mc.execute(method="get_lead_changes_yield", fields="title",
                            sinceDatetime=since, leadIds=[2]))
    assert [c["leadId"] for page in pages for c in page] == [2]

    # a native type is refused, as Marketo refuses it: external.json takes custom types
    refused = mc.execute(method="add_custom_activities", input=[{
        "leadId": 1, "activityDate": "2030-01-01T12:00:00Z",
        "activityTypeId": by_name["Send Sales Email"], "primaryAttributeValue": "Hello"}])
    assert refused[0]["status"] == "skipped" and refused[0]["errors"][0]["code"] == "1003"
    made = mc.execute(method="create_custom_activity_type", apiName="webinarWatched",
                      name="Watched Webinar", triggerName="Watches Webinar",
                      filterName="Watched Webinar", primaryAttributeApiName="webinarName",
                      primaryAttributeName="Webinar Name")
    assert made[0]["status"] == "draft" and made[0]["id"] > 100_000
    mc.execute(method="create_custom_activity_type_attribute", apiName="webinarWatched",
               attributes=[{"apiName": "minutes", "name": "Minutes", "dataType": "integer"}])
    approved = mc.execute(method="approve_custom_activity_type", apiName="webinarWatched")
    assert approved[0]["status"] == "approved"
    assert [t["apiName"] for t in mc.execute(method="get_custom_activity_types")] == \
        ["webinarWatched"]
    added = mc.execute(method="add_custom_activities", input=[{
        "leadId": 1, "activityDate": "2030-01-01T12:00:00Z", "activityTypeId": made[0]["id"],
        "primaryAttributeValue": "Q1 launch",
        "attributes": [{"apiName": "minutes", "value": "42"}]}])
    assert added[0]["status"] == "added"
    grid = mc.execute(method="get_lead_activities", activityTypeIds=[str(made[0]["id"])],
                      sinceDatetime="2029-12-31T00:00:00Z", leadIds=[1])
    assert [(a["primaryAttributeValue"], a["attributes"]) for a in grid] == [
        ("Q1 launch", [{"name": "Minutes", "value": 42}])]


def test_bulk_export(mock):
    _admin, mc = mock()
    fields = ["id", "email", "firstName", "sfdcLeadOwnerId"]
    window = {"createdAt": {"startAt": "2024-01-01T00:00:00Z", "endAt": "2024-02-01T00:00:00Z"}}
    job = mc.execute(method="create_leads_export_job", fields=fields, filters=window)[0]
    assert job["status"] == "Created"
    export_id = job["exportId"]
    assert mc.execute(method="enqueue_leads_export_job", job_id=export_id)[0]["status"] == \
        "Queued"
    deadline = time.monotonic() + 20
    while True:
        status = mc.execute(method="get_leads_export_job_status", job_id=export_id)[0]
        if status["status"] == "Completed" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert status["status"] == "Completed"
    content = mc.execute(method="get_leads_export_job_file", job_id=export_id)
    records = list(csv.DictReader(io.StringIO(content.decode())))
    assert len(records) == status["numberOfRecords"] and list(records[0] if records
                                                              else fields) == fields
    other = mc.execute(method="create_leads_export_job", fields=fields, filters=window)[0]
    cancelled = mc.execute(method="cancel_leads_export_job", job_id=other["exportId"])
    assert cancelled[0]["status"] == "Cancelled"
    jobs = mc.execute(method="get_leads_export_jobs_list")
    assert {j["exportId"] for j in jobs} == {export_id, other["exportId"]}


def test_token_refresh(mock):
    """With under 60 s left the client asks before every call, and gets a new token once
    the old one has expired on the mock's clock."""
    admin, mc = mock(token_ttl=60)
    mc.execute(method="get_lead_by_id", id=1)
    first = mc.token
    mc.execute(method="get_lead_by_id", id=2)
    assert mc.token == first  # asked again, same token: it has not expired
    admin.post("/__admin__/clock", json={"advance": 61})
    assert mc.execute(method="get_lead_by_id", id=3)[0]["id"] == 3
    assert mc.token != first
    tokens = admin.get("/__admin__/journal?path=/identity/oauth/token").json["entries"]
    assert len(tokens) == 3


def test_recovery_from_606_and_the_601_of_its_token_less_retry(mock):
    admin, mc = mock()
    mc.execute(method="get_lead_by_id", id=1)
    admin.post("/__admin__/faults", json={"path": "/rest/v1/leads.json", "error": "606",
                                          "times": 1})
    found = mc.execute(method="get_multiple_leads_by_filter_type", filterType="id",
                       filterValues=["1", "2"])
    assert [p["id"] for p in found] == [1, 2]
    calls = admin.get("/__admin__/journal?path=/rest/v1/leads.json").json["entries"]
    codes = []
    for entry in calls:
        body = entry["responseBody"]
        codes.append("ok" if '"success":true' in body else body.split('"code":"')[1][:3])
    assert codes == ["606", "601", "ok"]
    assert "Authorization" not in calls[1]["requestHeaders"]  # the client's retry bug


def test_recovery_from_a_real_rate_limit(mock):
    """Marketo's own 100 calls in 20 s: the client backs off, and gets through."""
    admin, mc = mock(limits=LimitSettings(rate_calls=3, rate_window=1, concurrency=10,
                                          daily=50_000))
    results = [mc.execute(method="get_lead_by_id", id=i)[0]["id"] for i in range(1, 8)]
    assert results == list(range(1, 8))
    bodies = [e["responseBody"] for e in admin.get("/__admin__/journal").json["entries"]]
    assert any('"code":"606"' in b for b in bodies)


def test_a_fault_for_get_fires_for_the_clients_post_with_method_get(mock):
    """marketorestpython reads leads with POST and ``_method=GET``: a fault rule matches the
    method the call is read as, so the README's own example fires for it."""
    admin, mc = mock()
    admin.post("/__admin__/faults", json={"path": "/rest/v1/leads.json", "method": "POST",
                                          "error": "610"})  # a write rule: not for reads
    admin.post("/__admin__/faults", json={"path": "/rest/v1/leads.json", "method": "GET",
                                          "error": "606", "times": 1})
    found = mc.execute(method="get_multiple_leads_by_filter_type", filterType="id",
                       filterValues=["1", "2"])
    assert [p["id"] for p in found] == [1, 2]
    calls = admin.get("/__admin__/journal?path=/rest/v1/leads.json").json["entries"]
    assert calls[0]["method"] == "POST" and calls[0]["methodOverride"] == "GET"
    assert calls[0]["fault"] and '"code":"606"' in calls[0]["responseBody"]
    assert not any('"code":"610"' in c["responseBody"] for c in calls)
    writes = admin.get("/__admin__/faults").json["faults"]
    assert [f["method"] for f in writes] == ["POST"]  # the GET rule was used up


def test_lists_campaigns_programs_merge_and_partitions(mock):
    admin, mc = mock()
    lists = mc.execute(method="get_multiple_lists")
    assert [item["name"] for item in lists][:2] == ["Newsletter Subscribers", "Trade Show Leads"]
    assert mc.execute(method="get_list_by_id", id=3)[0]["name"] == "Summit Invitees"
    members = {r["leadId"] for r in admin.get("/__admin__/state?table=list_members&limit=1000"
                                              "&where.listId=2").json["rows"]}
    outsider = next(i for i in range(1, 26) if i not in members)
    added = mc.execute(method="add_leads_to_list", listId=2, id=[outsider])
    assert added == [{"id": outsider, "status": "added"}]
    assert mc.execute(method="member_of_list", listId=2, id=[outsider])[0]["status"] == \
        "memberof"
    listed = mc.execute(method="get_multiple_leads_by_list_id", listId=2, fields=["email"],
                        batchSize=2)
    assert sorted(p["id"] for p in listed) == sorted(members | {outsider})
    assert mc.execute(method="remove_leads_from_list", listId=2, id=[outsider])[0][
        "status"] == "removed"

    campaigns = mc.execute(method="get_multiple_campaigns", programName="Q4 Product Webinar")
    assert [c["id"] for c in campaigns] == [2003]
    assert mc.execute(method="request_campaign", id=2003, leads=[1, 2]) is True
    assert mc.execute(method="schedule_campaign", id=2001,
                      runAt="2030-01-01T00:00:00+0000") is True
    runs = admin.get("/__admin__/state?table=campaign_runs").json["rows"]
    assert [(r["campaignId"], r["leadIds"], r["runAt"]) for r in runs] == [
        (2003, "[1, 2]", runs[0]["requestedAt"]), (2001, "[]", "2030-01-01T00:00:00Z")]
    assert mc.execute(method="get_campaign_by_id", id=2003)[0]["type"] == "trigger"

    programs = mc.execute(method="browse_programs", maxReturn=2,
                          earliestUpdatedAt="2024-01-01T00:00:00.000000+00:00",
                          latestUpdatedAt="2027-01-01T00:00:00Z")
    assert [p["id"] for p in programs] == [1001, 1002, 1003, 1004]
    assert mc.execute(method="get_program_by_name", name="Onboarding Nurture")[0]["id"] == 1003

    partitions = mc.execute(method="get_lead_partitions")
    assert partitions[0]["name"] == "Default"
    moved = mc.execute(method="update_leads_partition",
                       input=[{"id": 1, "partitionName": "Default"}])
    assert moved == [{"id": 1, "status": "updated"}]

    made = mc.execute(method="create_update_leads", leads=[
        {"email": "winner@example.com"}, {"email": "loser@example.com", "title": "CFO"}])
    winner, loser = made[0]["id"], made[1]["id"]
    assert mc.execute(method="merge_lead", id=winner, leadIds=[loser]) is True
    assert mc.execute(method="get_lead_by_id", id=winner, fields=["title"])[0]["title"] == "CFO"
    assert mc.execute(method="get_lead_by_id", id=loser) == []
    usage = mc.execute(method="get_daily_usage")
    assert usage[0]["total"] > 10


def test_bulk_lead_import(mock, tmp_path):
    _admin, mc = mock()
    upload = tmp_path / "persons.csv"
    upload.write_text("email,firstName,numberOfEmployees\n"
                      "imported@example.com,Ida,12\n"
                      "bad@example.com,Bob,lots\n"
                      ",,\n")
    batch = mc.execute(method="import_lead", format="csv", file=str(upload), listId=1)[0]
    status = mc.execute(method="get_import_lead_status", id=batch["batchId"])[0]
    assert status["status"] == "Complete"
    assert (status["numOfLeadsProcessed"], status["numOfRowsFailed"],
            status["numOfRowsWithWarning"]) == (2, 1, 1)
    failures = mc.execute(method="get_import_failure_file", id=batch["batchId"])
    assert "bad@example.com" in failures and "Import Failure Reason" in failures
    warnings = mc.execute(method="get_import_warning_file", id=batch["batchId"])
    assert "Empty row" in warnings
    person = mc.execute(method="get_multiple_leads_by_filter_type", filterType="email",
                        filterValues=["imported@example.com"], fields=["numberOfEmployees"])
    assert person[0]["numberOfEmployees"] == 12
    assert mc.execute(method="member_of_list", listId=1, id=[person[0]["id"]])[0][
        "status"] == "memberof"
    upload.write_text("email,colour\nx@example.com,red\n")
    with pytest.raises(Exception, match="1006"):
        mc.execute(method="import_lead", format="csv", file=str(upload))

"""Bulk activity export: the job, the fields clients send in every form, the filters, the
file (attributes as one JSON object), and paths with dot segments."""

from __future__ import annotations

import csv
import io
import json

import pytest

JOBS = "/bulk/v1/activities/export"
#: the tiny world's activities lie in the year before its anchor (2026-01-05)
WINDOW = {"startAt": "2025-12-05T00:00:00Z", "endAt": "2026-01-05T00:00:00Z"}


@pytest.fixture
def api(make_api):
    api = make_api()
    api.admin("patch", "/exports", json={"startDelay": 0, "minSeconds": 0})
    return api


def export(api, body: dict, prefix: str = JOBS) -> tuple[dict, list[dict]]:
    job = api.ok("post", f"{prefix}/create.json", json=body)["result"][0]
    assert job["status"] == "Created"
    api.ok("post", f"{prefix}/{job['exportId']}/enqueue.json")
    done = api.ok("get", f"{prefix}/{job['exportId']}/status.json")["result"][0]
    assert done["status"] == "Completed", done
    response = api.get(f"{prefix}/{job['exportId']}/file.json")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert done["numberOfRecords"] == len(rows)
    assert done["fileSize"] == len(response.data)
    return done, rows


def stored(api, **where) -> list[dict]:
    query = "&".join(f"where.{k}={v}" for k, v in where.items())
    return api.admin("get", f"/state?table=activities&limit=100000&{query}").json["rows"]


@pytest.mark.parametrize("fields", ["absent", None, []])
def test_fields_absent_null_or_empty_export_every_column(api, fields):
    body = {"format": "CSV", "filter": {"createdAt": WINDOW}}
    if fields != "absent":
        body["fields"] = fields
    _job, rows = export(api, body)
    assert rows, "the window holds activities"
    assert list(rows[0]) == ["marketoGUID", "leadId", "activityDate", "activityTypeId",
                             "campaignId", "primaryAttributeValueId", "primaryAttributeValue",
                             "attributes"]


def test_rows_are_the_activities_of_the_window(api):
    _job, rows = export(api, {"fields": ["marketoGUID", "leadId", "activityDate",
                                         "activityTypeId", "attributes"],
                              "filter": {"createdAt": WINDOW, "activityTypeIds": [1, 12]}})
    expected = {str(a["id"]): a for a in stored(api)
                if a["activityTypeId"] in (1, 12)
                and WINDOW["startAt"] <= a["activityDate"] < WINDOW["endAt"]}
    assert {r["marketoGUID"] for r in rows} == set(expected)
    for row in rows:
        activity = expected[row["marketoGUID"]]
        assert row["leadId"] == str(activity["leadId"])
        assert row["activityDate"] == activity["activityDate"]
        attributes = json.loads(row["attributes"])
        assert attributes == {a["name"]: a["value"] for a in json.loads(activity["attributes"])}
    assert list(rows[0]) == ["marketoGUID", "leadId", "activityDate", "activityTypeId",
                             "attributes"]


def test_primary_attribute_filters_and_headers(api):
    visits = [a for a in stored(api, activityTypeId=1)
              if WINDOW["startAt"] <= a["activityDate"] < WINDOW["endAt"]]
    page = visits[0]["primaryAttributeValue"]
    _job, rows = export(api, {"fields": ["leadId", "primaryAttributeValue"],
                              "columnHeaderNames": {"leadId": "Person"},
                              "filter": {"createdAt": WINDOW, "activityTypeIds": [1],
                                         "primaryAttributeValues": [page]}})
    assert rows and {r["primaryAttributeValue"] for r in rows} == {page}
    assert list(rows[0]) == ["Person", "primaryAttributeValue"]
    assert len(rows) == sum(1 for a in visits if a["primaryAttributeValue"] == page)


@pytest.mark.parametrize(("body", "code"), [
    ({"fields": ["leadId"]}, "701"),
    ({"filter": {"activityTypeIds": [1]}}, "1003"),
    ({"filter": {"createdAt": {"startAt": "2025-01-01T00:00:00Z",
                               "endAt": "2025-03-01T00:00:00Z"}}}, "1003"),
    ({"filter": {"createdAt": WINDOW, "activityTypeIds": [424242]}}, "1003"),
    ({"filter": {"createdAt": WINDOW, "primaryAttributeValueIds": [1]}}, "1003"),
    ({"filter": {"createdAt": WINDOW}, "fields": ["colour"]}, "1003"),
    ({"filter": {"createdAt": WINDOW, "smartListId": 3}}, "1035"),
    ({"filter": {"createdAt": WINDOW}, "format": "XML"}, "1003"),
])
def test_bad_jobs_are_refused_and_create_nothing(api, body, code):
    assert api.error("post", f"{JOBS}/create.json", json=body)["code"] == code
    assert api.ok("get", f"{JOBS}.json").get("result") == []


def test_activity_and_lead_jobs_are_apart(api):
    job = api.ok("post", f"{JOBS}/create.json", json={"filter": {"createdAt": WINDOW}}
                 )["result"][0]
    assert [j["exportId"] for j in api.ok("get", f"{JOBS}.json")["result"]] == [job["exportId"]]
    assert api.ok("get", "/bulk/v1/leads/export.json")["result"] == []
    assert api.error("get", f"/bulk/v1/leads/export/{job['exportId']}/status.json"
                     )["code"] == "1003"


def test_tsv_and_range_requests(api):
    job = api.ok("post", f"{JOBS}/create.json", json={
        "format": "TSV", "fields": ["leadId", "activityTypeId"],
        "filter": {"createdAt": WINDOW}})["result"][0]
    api.ok("post", f"{JOBS}/{job['exportId']}/enqueue.json")
    whole = api.get(f"{JOBS}/{job['exportId']}/file.json").data
    assert whole.startswith(b"leadId\tactivityTypeId\n")
    part = api.get(f"{JOBS}/{job['exportId']}/file.json", headers={"Range": "bytes=0-5"})
    assert part.status_code == 206 and part.data == whole[:6]


def test_paths_with_dot_segments_are_resolved(api):
    # node-marketo-rest: its endpoint is ".../rest", its bulk calls ".../rest/../bulk/..."
    body = {"filter": {"createdAt": WINDOW}}
    _job, rows = export(api, body, prefix="/rest/../bulk/v1/activities/export")
    assert rows
    assert api.ok("get", "/rest/./v1/../v1/stats/usage.json")["result"][0]["total"] > 0
    assert api.error("get", "/rest/../../rest/v1/nothing.json")["code"] == "610"

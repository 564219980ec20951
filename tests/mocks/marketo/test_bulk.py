"""Bulk lead export: the job's life on the mock's clock, the file, the limits, the list."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest

from mocks.marketo.config import ExportSettings

JOBS = "/bulk/v1/leads/export"
#: slower than the defaults, so a test sees each state for a while
TIMING = {"start_delay": 1.0, "min_seconds": 2.0, "rows_per_second": 1000}
ALL_TIME = {"createdAt": {"startAt": "2023-12-01T00:00:00Z", "endAt": "2023-12-31T00:00:00Z"}}


@pytest.fixture
def api(make_api):
    return make_api(exports=ExportSettings(**TIMING))


@pytest.fixture
def client(api):
    return api.client


def window(start: str, days: int = 31) -> dict:
    begin = datetime.fromisoformat(start.replace("Z", "+00:00"))
    end = begin + timedelta(days=days)
    return {"startAt": begin.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endAt": end.strftime("%Y-%m-%dT%H:%M:%SZ")}


def create(api, fields=("id", "email"), filter=None, **extra) -> dict:
    body = {"fields": list(fields), "format": "CSV",
            "filter": filter or {"createdAt": window("2025-01-01T00:00:00Z")}, **extra}
    return api.ok("post", f"{JOBS}/create.json", json=body)["result"][0]


def status(api, export_id: str) -> dict:
    return api.ok("get", f"{JOBS}/{export_id}/status.json")["result"][0]


def enqueue(api, export_id: str):
    # as marketorestpython sends it: no body, a JSON content type
    return api.post(f"{JOBS}/{export_id}/enqueue.json",
                    headers={"Content-Type": "application/json"})


def advance(client, seconds: float) -> None:
    client.post("/__admin__/clock", json={"advance": seconds})


def rows(csv_bytes: bytes, delimiter: str = ",") -> list[dict]:
    return list(csv.DictReader(io.StringIO(csv_bytes.decode()), delimiter=delimiter))


def test_a_job_moves_on_its_own_to_a_file(api, client):
    client.post("/__admin__/clock", json={"freeze": True})
    fields = ["id", "email", "firstName", "title", "unsubscribed", "sfdcLeadOwnerId",
              "createdAt"]
    created = create(api, fields, {"createdAt": window("2025-09-01T00:00:00Z", 31)})
    export_id = created["exportId"]
    assert created["status"] == "Created" and created["format"] == "CSV"
    assert api.error("get", f"{JOBS}/{export_id}/file.json")["code"] == "1003"
    queued = enqueue(api, export_id).json["result"][0]
    assert queued["status"] == "Queued" and "queuedAt" in queued
    assert api.error("post", f"{JOBS}/{export_id}/enqueue.json", json={})["code"] == "1029"
    advance(client, 1)
    processing = status(api, export_id)
    assert processing["status"] == "Processing" and "startedAt" in processing
    assert "numberOfRecords" not in processing
    advance(client, 5)
    done = status(api, export_id)
    assert done["status"] == "Completed" and done["finishedAt"] >= done["startedAt"]
    response = api.get(f"{JOBS}/{export_id}/file.json")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    content = response.data
    assert done["fileSize"] == len(content)
    assert done["fileChecksum"] == "sha256:" + hashlib.sha256(content).hexdigest()
    records = rows(content)
    assert done["numberOfRecords"] == len(records) > 0
    assert list(records[0]) == fields
    state = client.get("/__admin__/state?table=leads&limit=1000").json["rows"]
    expected = sorted(r["id"] for r in state
                      if "2025-09-01T00:00:00Z" <= r["createdAt"] < "2025-10-02T00:00:00Z")
    assert [int(r["id"]) for r in records] == expected
    assert {r["unsubscribed"] for r in records} <= {"true", "false"}
    assert all(r["title"] for r in records)  # empty values are written "null"
    ranged = api.get(f"{JOBS}/{export_id}/file.json", headers={"Range": "bytes=0-9"})
    assert ranged.status_code == 206 and ranged.data == content[:10]


def test_header_names_formats_and_the_updated_at_filter(api, client):
    job = create(api, ["id", "email"], {"updatedAt": window("2025-06-01T00:00:00Z", 31)},
                 columnHeaderNames={"email": "Email Address"}, format="TSV")
    assert job["format"] == "TSV"
    enqueue(api, job["exportId"])
    advance(client, 10)
    content = api.get(f"{JOBS}/{job['exportId']}/file.json").data
    assert content.decode().splitlines()[0] == "id\tEmail Address"


def test_create_refuses_bad_jobs(api):
    def code(**body) -> str:
        return api.error("post", f"{JOBS}/create.json", json=body)["code"]

    good = {"createdAt": window("2025-01-01T00:00:00Z")}
    assert code(filter=good) == "701"
    assert code(fields=["id"]) == "701"
    assert code(fields=["id", "colour"], filter=good) == "1006"
    assert code(fields=["id"], filter=good, format="XLSX") == "1003"
    assert code(fields=["id"], filter={"createdAt": window("2025-01-01T00:00:00Z", 32)}) == \
        "1003"
    assert code(fields=["id"], filter={"createdAt": {"startAt": "2025-02-01T00:00:00Z",
                                                     "endAt": "2025-01-01T00:00:00Z"}}) == \
        "1003"
    assert code(fields=["id"], filter={"createdAt": {"startAt": "2025-02-01T00:00:00Z"}}) == \
        "701"
    assert code(fields=["id"], filter={"createdAt": {"startAt": "soon", "endAt": "later"}}) \
        == "1003"
    assert code(fields=["id"], filter={**good, "updatedAt": good["createdAt"]}) == "1003"
    assert code(fields=["id"], filter={"staticListId": 1001}) == "1003"
    assert code(fields=["id"], filter={"colour": "red"}) == "1035"
    assert code(fields=["id"], filter=good, columnHeaderNames={"title": "Title"}) == "1003"
    assert api.error("get", f"{JOBS}/nope/status.json")["code"] == "1003"
    assert api.error("post", f"{JOBS}/create.json", data="x",
                     headers={"Content-Type": "application/json"})["code"] == "609"


def test_two_processing_and_ten_queued_at_most(api, client):
    client.post("/__admin__/clock", json={"freeze": True})
    jobs = [create(api)["exportId"] for _ in range(13)]
    for export_id in jobs[:10]:
        assert enqueue(api, export_id).json["success"] is True
    refused = enqueue(api, jobs[10]).json["errors"][0]
    assert refused == {"code": "1029", "message": "Too many jobs (10) in queue"}
    advance(client, 1)
    states = [status(api, j)["status"] for j in jobs]
    assert states[:2] == ["Processing"] * 2 and states[2:10] == ["Queued"] * 8
    assert enqueue(api, jobs[10]).json["success"] and enqueue(api, jobs[11]).json["success"]
    assert enqueue(api, jobs[12]).json["errors"][0]["code"] == "1029"
    advance(client, 600)
    assert {status(api, j)["status"] for j in jobs[:12]} == {"Completed"}
    started = [status(api, j)["startedAt"] for j in jobs[:12]]
    assert started == sorted(started)  # served in queue order


def test_cancel(api, client):
    client.post("/__admin__/clock", json={"freeze": True})
    job = create(api)["exportId"]
    enqueue(api, job)
    cancelled = api.ok("post", f"{JOBS}/{job}/cancel.json")["result"][0]
    assert cancelled["status"] == "Cancelled"
    assert api.error("post", f"{JOBS}/{job}/cancel.json")["code"] == "1003"
    assert api.error("get", f"{JOBS}/{job}/file.json")["code"] == "1003"
    assert api.error("post", f"{JOBS}/{job}/enqueue.json")["code"] == "1003"


def test_daily_export_quota(make_api):
    api = make_api(exports=ExportSettings(daily_quota_bytes=1, **TIMING))
    api.client.post("/__admin__/clock", json={"freeze": True})
    first, second = create(api)["exportId"], create(api)["exportId"]
    enqueue(api, first)
    advance(api.client, 30)
    assert enqueue(api, second).json["errors"] == [
        {"code": "1029", "message": "Export daily quota 0MB exceeded"}]


def test_list_of_jobs_with_paging(api):
    ids = [create(api)["exportId"] for _ in range(5)]
    enqueue(api, ids[0])
    listed = api.ok("get", f"{JOBS}.json")
    assert [j["exportId"] for j in listed["result"]] == ids and "nextPageToken" not in listed
    page = api.ok("get", f"{JOBS}.json?batchSize=2")
    assert len(page["result"]) == 2 and page["nextPageToken"]
    rest = api.ok("get", f"{JOBS}.json?batchSize=10&nextPageToken={page['nextPageToken']}")
    assert [j["exportId"] for j in rest["result"]] == ids[2:]
    queued = api.ok("get", f"{JOBS}.json?status=Queued")["result"]
    assert [j["exportId"] for j in queued] == ids[:1]
    assert api.error("get", f"{JOBS}.json?status=Sleeping")["code"] == "1003"


def test_a_whole_database_in_31_day_windows_back_from_now(api, client):
    """How a client exports everything: windows of 31 days back from now, laid end to end."""
    client.post("/__admin__/clock", json={"freeze": True})
    now = datetime.fromisoformat(client.get("/__admin__/clock").json["now"].replace("Z",
                                                                                    "+00:00"))
    end, seen = now.replace(microsecond=0), []
    oldest = datetime(2023, 1, 1, tzinfo=UTC)
    while end > oldest:
        start = end - timedelta(days=31)
        job = create(api, ["id"], {"createdAt": {"startAt": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                 "endAt": end.strftime("%Y-%m-%dT%H:%M:%SZ")}})
        enqueue(api, job["exportId"])
        advance(client, 10)
        assert status(api, job["exportId"])["status"] == "Completed"
        seen += [int(r["id"]) for r in rows(api.get(f"{JOBS}/{job['exportId']}/file.json").data)]
        end = start
    assert sorted(seen) == list(range(1, 26))  # every person once, none twice


def test_export_timing_is_tunable_through_the_admin_api(api, client):
    assert client.get("/__admin__/exports").json["maxProcessing"] == 2
    tuned = client.patch("/__admin__/exports", json={"startDelay": 0, "minSeconds": 0,
                                                     "rowsPerSecond": 10**9}).json
    assert tuned["startDelay"] == 0 and tuned["maxQueued"] == 10
    client.post("/__admin__/clock", json={"freeze": True})
    job = create(api)["exportId"]
    assert enqueue(api, job).json["result"][0]["status"] == "Completed"
    for body in ({"colour": 1}, {"startDelay": -1}, {"maxProcessing": 0},
                 {"minSeconds": "fast"}):
        assert client.patch("/__admin__/exports", json=body).status_code == 400, body

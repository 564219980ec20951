"""Marketo mock: a bulk activity export of 1,000,000 activities against its floor, and
pages per second of the static list and program member routes.

    python benchmarks/marketo_bulk.py                      # 1,000,000 activities
    python benchmarks/marketo_bulk.py --activities 200000 --seconds 3

The export is timed end to end as a client sees it (create, enqueue, status until
Completed, and the file streamed over HTTP to nowhere), against the floor measured in the
same run: one process reading the same rows from the same SQLite file and writing them
as CSV. The target is at most 2x the floor. Memory: the peak resident size of the process
(the mock runs in it, in a server thread) grows by far less than the file's size: the file
is written to disk as rows come and streamed back from there.

Pages per second: a static list's members and a program's members (300 a page, by paging
token) beside ``leads.json`` pages of the same persons, in the same run, one client.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

START, END = "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z"
ATTRIBUTES = [
    '[{"name": "Webpage URL", "value": "/pricing"}, {"name": "Client IP Address", '
    '"value": "203.0.113.7"}, {"name": "Query Parameters", "value": ""}, '
    '{"name": "Referrer URL", "value": "https://www.google.com/"}, {"name": "User Agent", '
    '"value": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"}]',
    '[{"name": "Campaign Run ID", "value": 412}, {"name": "Choice Number", "value": 0}, '
    '{"name": "Step ID", "value": 3}]',
]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(db: str, activities: int, persons: int) -> None:
    conn = sqlite3.connect(db)
    conn.execute("BEGIN")
    conn.executemany('INSERT INTO "leads" (id, email, firstName, lastName, createdAt, '
                     'updatedAt) VALUES (?, ?, ?, ?, ?, ?)',
                     ((i, f"p{i}@example.com", "Pat", f"N{i}", START, START)
                      for i in range(1, persons + 1)))
    span = 31 * 86400 - 1
    base = 1764547200  # 2025-12-01T00:00:00Z

    def rows():
        for i in range(1, activities + 1):
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + i * span // activities))
            kind = 1 if i % 3 else 6
            yield (i, str(i), 1 + i % persons, when, kind, 1000 + i % 50, "www.example.com/x",
                   ATTRIBUTES[0 if kind == 1 else 1], None)

    conn.executemany('INSERT INTO "activities" (id, marketoGUID, leadId, activityDate, '
                     'activityTypeId, primaryAttributeValueId, primaryAttributeValue, '
                     'attributes, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', rows())
    conn.executemany('INSERT INTO "list_members" ("listId", "leadId", "createdAt") '
                     "VALUES (1, ?, ?)", ((i, START) for i in range(1, persons + 1)))
    conn.executemany('INSERT INTO "program_members" ("programId", "leadId", '
                     '"progressionStatus", "reachedSuccess", "acquiredBy", "isExhausted", '
                     '"membershipDate", "createdAt", "updatedAt") '
                     "VALUES (1001, ?, 'Invited', 0, 0, 0, ?, ?, ?)",
                     ((i, START, START, START) for i in range(1, persons + 1)))
    conn.execute("INSERT INTO lists (id, name, createdAt, updatedAt) VALUES (1, 'All', ?, ?)",
                 [START, START])
    conn.execute("INSERT INTO programs (id, name, type, channel, createdAt, updatedAt) VALUES "
                 "(1001, 'Summit', 'event', 'Live Event', ?, ?)", [START, START])
    conn.execute("COMMIT")
    conn.close()


def floor(db: str, out: str) -> tuple[float, int]:
    """One process: the same rows from SQLite, written as CSV."""
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    cursor = conn.execute(
        "SELECT marketoGUID, leadId, activityDate, activityTypeId, NULL, "
        "primaryAttributeValueId, primaryAttributeValue, attributes FROM activities "
        "WHERE activityDate >= ? AND activityDate < ? ORDER BY id", [START, END])
    count = 0
    with open(out, "w", newline="", buffering=1 << 20) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["marketoGUID", "leadId", "activityDate", "activityTypeId",
                         "campaignId", "primaryAttributeValueId", "primaryAttributeValue",
                         "attributes"])
        while rows := cursor.fetchmany(10_000):
            writer.writerows(rows)
            count += len(rows)
    conn.close()
    return time.perf_counter() - started, count


def export(http: requests.Session, url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    job = http.post(f"{url}/bulk/v1/activities/export/create.json", json={
        "format": "CSV", "filter": {"createdAt": {"startAt": START, "endAt": END}}}).json()
    export_id = job["result"][0]["exportId"]
    http.post(f"{url}/bulk/v1/activities/export/{export_id}/enqueue.json")
    while True:
        status = http.get(f"{url}/bulk/v1/activities/export/{export_id}/status.json").json()
        if status["result"][0]["status"] == "Completed":
            break
        time.sleep(0.05)
    size = 0
    with http.get(f"{url}/bulk/v1/activities/export/{export_id}/file.json",
                  stream=True) as response:
        for chunk in response.iter_content(1 << 20):
            size += len(chunk)
    return time.perf_counter() - started, status["result"][0]["numberOfRecords"], size


def pages(http: requests.Session, url: str, path: str, seconds: float) -> float:
    count, token, started = 0, None, time.perf_counter()
    while time.perf_counter() - started < seconds:
        params = {"batchSize": 300, "fields": "email,firstName"}
        if "members.json" in path:
            params = {"batchSize": 300, "filterType": "statusName", "filterValues": "Invited"}
        if path.rsplit("/", 1)[-1] == "leads.json" and "lists" not in path:
            params = {"batchSize": 300, "filterType": "id",
                      "filterValues": ",".join(str(i) for i in range(1, 301))}
        if token:
            params["nextPageToken"] = token
        body = http.get(f"{url}{path}", params=params).json()
        assert body["success"], body
        count += 1
        token = body.get("nextPageToken")
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=30_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    from mocks.core.serving import start_server
    from mocks.marketo import MarketoConfig, create_app

    folder = tempfile.mkdtemp(prefix="siasim-bench-")
    db = os.path.join(folder, "marketo.db")
    config = MarketoConfig(db=db, world=None)
    config.limits.rate_calls = config.limits.concurrency = config.limits.daily = None
    app = create_app(config)
    fill(db, args.activities, args.persons)
    app.test_client().patch("/__admin__/exports", json={
        "startDelay": 0, "minSeconds": 0, "rowsPerSecond": 10**9})
    server = start_server(app, "127.0.0.1", 0)
    try:
        http = requests.Session()
        token = http.get(f"{server.url}/identity/oauth/token", params={
            "grant_type": "client_credentials", "client_id": config.client_id,
            "client_secret": config.client_secret}).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        floor_seconds, floor_rows = floor(db, os.path.join(folder, "floor.csv"))
        before = peak_mb()
        mock_seconds, rows, size = export(http, server.url)
        grown = peak_mb() - before
        floor_again, _rows = floor(db, os.path.join(folder, "floor.csv"))
        best_floor = min(floor_seconds, floor_again)
        assert rows == floor_rows == args.activities, (rows, floor_rows)
        print(f"bulk activity export of {rows:,} activities ({size / 1e6:.0f} MB of CSV)")
        print(f"  floor (SQLite to CSV, one process)  {best_floor:6.2f} s")
        print(f"  the mock, end to end over HTTP      {mock_seconds:6.2f} s")
        print(f"  ratio                               {mock_seconds / best_floor:6.2f}x "
              "(target: at most 2x)")
        print(f"  peak memory grew by                 {grown:6.0f} MB "
              f"(the file is {size / 1e6:.0f} MB)")
        print(f"pages of 300 per second, one client, {args.persons:,} members")
        for label, path in (("leads.json by id (floor route)", "/rest/v1/leads.json"),
                            ("static list members", "/rest/v1/lists/1/leads.json"),
                            ("program members", "/rest/v1/programs/1001/members.json"),
                            ("persons by program", "/rest/v1/leads/programs/1001.json")):
            print(f"  {label:34} {pages(http, server.url, path, args.seconds):8.0f}")
        print(json.dumps({"export_ratio": round(mock_seconds / best_floor, 2)}))
    finally:
        server.stop()
        app.extensions["siasim"].store.close()


if __name__ == "__main__":
    main()

"""The Bulk API 2.0 of the Salesforce mock against what the same work costs by hand.

    python benchmarks/salesforce_bulk.py                        # 1,000,000 and 100,000 rows
    python benchmarks/salesforce_bulk.py --query-rows 200000 --ingest-rows 20000  # quicker

Measured in one run, each figure beside its floor:

1. **Query.** A Bulk 2.0 query job selecting ``--query-rows`` Leads (7 fields), from its
   creation to the last byte of its CSV downloaded over HTTP (one result set, streamed),
   against the floor: the same rows read out of the same SQLite file and written as CSV
   (every value quoted) in one process. Target: at most 2x.
2. **Ingest.** A Bulk 2.0 insert job of ``--ingest-rows`` Leads (CSV upload, the job
   closed, polled until ``JobComplete``: every record through the mock's ordinary
   validation), against the floor: an ``executemany`` of the same rows, complete as the
   mock stores them, into the mock's own Lead table (same columns, indexes and rows), in
   one transaction (rolled back after). Target: at most 3x.
3. **Memory.** The process's resident set before and after each phase and its peak growth
   (the query's CSV is several times bigger than the growth when results are streamed).

The server runs in this process (cheroot in a thread, as ``siasim serve`` runs it), so
the peak memory covers server and client alike.
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.salesforce import login
from fixtures.sfid import IdFactory
from mocks.core.serving import start_server
from mocks.salesforce import SalesforceConfig, create_app
from mocks.salesforce.metadata import objects

POD = "5g0"
IDS = IdFactory(POD)
STAMP = "2026-01-05T09:00:00.000+0000"
QUERY = ("SELECT Id, FirstName, LastName, Company, Email, Status, CreatedDate FROM Lead")
QUERY_COLUMNS = ("Id", "FirstName", "LastName", "Company", "Email", "Status", "CreatedDate")


def memory() -> tuple[int, int]:
    """(resident, peak resident) of this process, in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) // 1024
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def build(store_path: Path, leads: int) -> None:
    """``leads`` Leads written straight into the mock's table (indexes rebuilt after)."""
    app = create_app(SalesforceConfig(db=str(store_path), world=None))
    store = app.extensions["siasim"].store
    owner = app.extensions["siasim"].service.org.api_user_id()
    conn = sqlite3.connect(store_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                           "tbl_name = 'Lead' AND sql IS NOT NULL").fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("BEGIN")
    conn.executemany(
        'INSERT INTO "Lead" (Id, FirstName, LastName, Name, Company, Email, OwnerId, Status, '
        "HasOptedOutOfEmail, IsConverted, CreatedDate, CreatedById, LastModifiedDate, "
        "LastModifiedById, SystemModstamp, IsDeleted) VALUES (?, ?, ?, ?, 'Bench Co', ?, ?, "
        "'Open - Not Contacted', 0, 0, ?, ?, ?, ?, ?, 0)",
        ((IDS.make("Lead", n), f"Ann{n % 997}", f"Person{n}", f"Ann{n % 997} Person{n}",
          f"person{n}@bench.example", owner, STAMP, owner, STAMP, owner, STAMP)
         for n in range(1, leads + 1)))
    conn.execute("COMMIT")
    for _name, sql in indexes:
        conn.execute(sql)
    conn.close()
    store.close()


def wait_for(session: requests.Session, url: str, headers: dict) -> dict:
    while True:
        job = session.get(url, headers=headers, timeout=600).json()
        if job["state"] in ("JobComplete", "Failed", "Aborted"):
            return job
        time.sleep(0.02)


# --- 1. query -------------------------------------------------------------------------------

def query_floor(store_path: Path) -> tuple[float, int]:
    """Read the rows and write them as CSV, in one process: (seconds, bytes)."""
    started = time.perf_counter()
    conn = sqlite3.connect(store_path)
    columns = ", ".join(f'"{c}"' for c in QUERY_COLUMNS)
    cursor = conn.execute(f'SELECT {columns} FROM "Lead" WHERE IsDeleted = 0')
    size = 0
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(QUERY_COLUMNS)
    while True:
        rows = cursor.fetchmany(50_000)
        if not rows:
            break
        writer.writerows(rows)
        size += len(out.getvalue().encode())
        out.seek(0)
        out.truncate()
    conn.close()
    return time.perf_counter() - started, size


def query_mock(base: str, headers: dict) -> tuple[float, float, int, int]:
    """(seconds in all, seconds of the download, bytes, records)."""
    session = requests.Session()
    started = time.perf_counter()
    job = session.post(base + "/services/data/v59.0/jobs/query", headers=headers,
                       json={"operation": "query", "query": QUERY}, timeout=60).json()
    url = f"{base}/services/data/v59.0/jobs/query/{job['id']}"
    wait_for(session, url, headers)
    downloading = time.perf_counter()
    size = lines = 0
    with session.get(url + "/results", headers=headers, stream=True, timeout=600) as answer:
        records = int(answer.headers["Sforce-NumberOfRecords"])
        for chunk in answer.iter_content(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
    ended = time.perf_counter()
    assert lines - 1 == records, (lines, records)
    return ended - started, ended - downloading, size, records


# --- 2. ingest ------------------------------------------------------------------------------

def ingest_rows(count: int) -> list[tuple[str, str, str, str]]:
    return [(f"Bea{n % 991}", f"Loaded{n}", "Load Co", f"loaded{n}@bulk.example")
            for n in range(count)]


def ingest_floor(store_path: Path, owner: str, rows: list[tuple]) -> float:
    """executemany of the same rows, complete as the mock stores them, into the mock's own
    Lead table (same columns, indexes and rows), rolled back after: (seconds)."""
    lead = objects()["Lead"]
    columns = lead.field_names
    records = []
    for n, (first, last, company, email) in enumerate(rows, start=1):
        values = dict.fromkeys(columns)
        values.update({
            "Id": IDS.make("Lead", 10_000_000 + n), "FirstName": first, "LastName": last,
            "Name": f"{first} {last}", "Company": company, "Email": email, "OwnerId": owner,
            "Status": "Open - Not Contacted", "HasOptedOutOfEmail": 0, "IsConverted": 0,
            "IsDeleted": 0, "CreatedDate": STAMP, "CreatedById": owner,
            "LastModifiedDate": STAMP, "LastModifiedById": owner, "SystemModstamp": STAMP})
        records.append(tuple(values[c] for c in columns))
    conn = sqlite3.connect(store_path, isolation_level=None)
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "Lead" ({names}) VALUES ({", ".join("?" * len(columns))})'
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(sql, records)
    elapsed = time.perf_counter() - started
    conn.execute("ROLLBACK")
    conn.close()
    return elapsed


def ingest_mock(base: str, headers: dict, rows: list[tuple]) -> tuple[float, dict]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["FirstName", "LastName", "Company", "Email"])
    writer.writerows(rows)
    data = out.getvalue().encode()
    session = requests.Session()
    started = time.perf_counter()
    job = session.post(base + "/services/data/v59.0/jobs/ingest", headers=headers,
                       json={"object": "Lead", "operation": "insert"}, timeout=60).json()
    url = f"{base}/services/data/v59.0/jobs/ingest/{job['id']}"
    session.put(url + "/batches", headers={**headers, "Content-Type": "text/csv"}, data=data,
                timeout=600).raise_for_status()
    session.patch(url, headers=headers, json={"state": "UploadComplete"},
                  timeout=60).raise_for_status()
    info = wait_for(session, url, headers)
    return time.perf_counter() - started, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query-rows", type=int, default=1_000_000)
    parser.add_argument("--ingest-rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="siasim-bulk-bench-") as folder:
        tmp = Path(folder)
        store_path = tmp / "sf.db"
        print(f"building {args.query_rows:,} Leads ...", flush=True)
        build(store_path, args.query_rows)
        app = create_app(SalesforceConfig(db=str(store_path), world=None))
        ctx = app.extensions["siasim"]
        ctx.limits.update({"daily": None, "concurrency": None})
        # no simulated processing time (by default a batch stays InProgress a second per
        # 20,000 records of the mock's clock): what is measured is the mock's own work
        bulk = ctx.service.org.bulk.settings
        bulk.start_delay = bulk.min_seconds = 0
        bulk.rows_per_second = 10**12
        server = start_server(app, "127.0.0.1", 0)
        try:
            headers = login(server.url)
            floor_s, floor_bytes = query_floor(store_path)
            rss0, peak0 = memory()
            mock_s, download_s, mock_bytes, records = query_mock(server.url, headers)
            rss1, peak1 = memory()
            print(f"\nBulk 2.0 query of {records:,} Leads ({mock_bytes / 1e6:,.0f} MB of CSV)")
            print(f"  floor, SQLite to CSV in one process  {floor_s:7.2f} s "
                  f"({floor_bytes / 1e6:,.0f} MB)")
            print(f"  the mock, job to last byte           {mock_s:7.2f} s   ratio "
                  f"{mock_s / floor_s:4.2f}x (target <= 2x)")
            print(f"    of which the download              {download_s:7.2f} s   "
                  f"({records / download_s:,.0f} records/s)")
            print(f"  memory: {rss0} MB before, {rss1} MB after, peak grew "
                  f"{peak1 - peak0} MB (the CSV is {mock_bytes // 1_000_000} MB)")

            rows = ingest_rows(args.ingest_rows)
            floor_i = ingest_floor(store_path, ctx.service.org.api_user_id(), rows)
            rss2, peak2 = memory()
            mock_i, info = ingest_mock(server.url, headers, rows)
            rss3, peak3 = memory()
            assert info["state"] == "JobComplete" and info["numberRecordsFailed"] == 0, info
            print(f"\nBulk 2.0 ingest of {info['numberRecordsProcessed']:,} Leads")
            print(f"  floor, executemany of the rows       {floor_i:7.2f} s")
            print(f"  the mock, upload to JobComplete      {mock_i:7.2f} s   ratio "
                  f"{mock_i / floor_i:4.2f}x (target <= 3x)")
            print(f"  memory: {rss2} MB before, {rss3} MB after, peak grew {peak3 - peak2} MB")
        finally:
            server.stop()
            ctx.store.close()


if __name__ == "__main__":
    main()

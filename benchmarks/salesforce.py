"""The Salesforce mock's speed: SOQL over HTTP against a bare Flask endpoint, side by side.

    python benchmarks/salesforce.py                    # 1,000,000 rows for the index figure
    python benchmarks/salesforce.py --rows 200000      # a quicker run

Measured in one run, on real servers (cheroot, as ``siasim serve`` runs them):

1. a SOQL query returning 2,000 Tasks through the whole mock (session check, limits,
   faults, journal, SOQL compile, count, rows, records with ``attributes``) against a bare
   Flask endpoint reading the same 2,000 rows from the same SQLite file and answering
   them with ``jsonify``; requests alternate between the two, the ratio of medians is
   printed (the target is at most 1.5);
2. selective filters on indexed fields (``WhoId``, ``OwnerId``, ``Email``) over a table of
   ``--rows`` rows (1,000,000 by default), written directly into the mock's store;
3. queries per second and rows per second, for the 2,000-row query and a 1-row lookup.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from flask import Flask, jsonify

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.sfid import IdFactory
from mocks.core.serving import start_server
from mocks.salesforce import SalesforceConfig, create_app

POD = "5g0"
IDS = IdFactory(POD)
PER_OWNER = 2000  # the 2,000-row query selects one owner's tasks
TASK_COLUMNS = ("Id", "Subject", "Status", "Priority", "ActivityDate", "WhoId", "OwnerId",
                "IsClosed", "LastModifiedDate")
SOQL_2000 = ("SELECT Id, Subject, Status, Priority, ActivityDate, WhoId, OwnerId, IsClosed, "
             "LastModifiedDate FROM Task WHERE OwnerId = '{owner}'")


def build(store_path: Path, tasks: int, leads: int, owners: int) -> None:
    """Write users, leads and tasks straight into the mock's tables (indexes dropped first
    and rebuilt by the mock when it opens the store)."""
    app = create_app(SalesforceConfig(db=str(store_path), world=None))
    store = app.extensions["siasim"].store
    conn = sqlite3.connect(store_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    indexes = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_sf_%'")]
    for name in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    stamp = "2026-01-05T09:00:00.000+0000"
    conn.execute("BEGIN")
    conn.execute('DELETE FROM "User"')  # the API user comes back, numbered after these
    conn.executemany(
        'INSERT INTO "User" (Id, Username, LastName, Name, Email, Alias, IsActive, UserType, '
        "CreatedDate, LastModifiedDate, SystemModstamp, IsDeleted) "
        "VALUES (?, ?, ?, ?, ?, ?, 1, 'Standard', ?, ?, ?, 0)",
        [(IDS.make("User", n), f"rep{n}@bench.example", f"Rep{n}", f"Rep{n}",
          f"rep{n}@bench.example", f"rep{n}"[:8], stamp, stamp, stamp)
         for n in range(1, owners + 1)])
    conn.executemany(
        'INSERT INTO "Lead" (Id, LastName, Name, Company, Email, OwnerId, Status, '
        "HasOptedOutOfEmail, IsConverted, CreatedDate, LastModifiedDate, SystemModstamp, "
        "IsDeleted) VALUES (?, ?, ?, 'Bench Co', ?, ?, 'Open - Not Contacted', 0, 0, ?, ?, ?, 0)",
        ((IDS.make("Lead", n), f"Person{n}", f"Person{n}", f"person{n}@bench.example",
          IDS.make("User", n % owners + 1), stamp, stamp, stamp) for n in range(1, leads + 1)))
    conn.executemany(
        'INSERT INTO "Task" (Id, Subject, Status, Priority, ActivityDate, WhoId, OwnerId, '
        "IsClosed, IsHighPriority, IsReminderSet, CreatedDate, LastModifiedDate, "
        "SystemModstamp, IsDeleted) VALUES (?, ?, 'Not Started', 'Normal', '2026-01-20', ?, ?, "
        "0, 0, 0, ?, ?, ?, 0)",
        ((IDS.make("Task", n), f"Call {n}", IDS.make("Lead", n % leads + 1),
          IDS.make("User", n % owners + 1), stamp, stamp, stamp)
         for n in range(1, tasks + 1)))
    conn.execute("COMMIT")
    conn.close()
    store.close()


def bare_app(store_path: Path) -> Flask:
    """The floor: Flask reading the same rows from the same file, and nothing else."""
    app = Flask("bare")
    columns = ", ".join(f'"{c}"' for c in TASK_COLUMNS)
    local = {}

    @app.get("/tasks/<owner>")
    def tasks(owner: str):
        import threading

        key = threading.get_ident()
        conn = local.get(key)
        if conn is None:
            conn = local[key] = sqlite3.connect(store_path, check_same_thread=False)
        rows = conn.execute(f'SELECT {columns} FROM "Task" WHERE OwnerId = ? AND IsDeleted = 0',
                            [owner]).fetchall()
        return jsonify([dict(zip(TASK_COLUMNS, r, strict=True)) for r in rows])

    return app


def login(base: str) -> dict:
    token = requests.post(base + "/services/oauth2/token", data={
        "grant_type": "password", "client_id": "siasim-salesforce-client",
        "client_secret": "siasim-salesforce-secret", "username": "admin@siasim.example",
        "password": "siasim-password"}, timeout=30).json()
    return {"Authorization": "Bearer " + token["access_token"]}


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="rows in the Task and Lead tables (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=60,
                        help="requests per side for the side-by-side figure")
    args = parser.parse_args()
    owners = max(1, args.rows // PER_OWNER)
    tasks = owners * PER_OWNER  # every owner has exactly 2,000 tasks

    with tempfile.TemporaryDirectory(prefix="siasim-bench-") as folder:
        path = Path(folder) / "salesforce.db"
        started = time.perf_counter()
        build(path, tasks, args.rows, owners)
        config = SalesforceConfig(db=str(path), world=None)
        config.limits.daily = config.limits.concurrency = None
        app = create_app(config)  # opens the store and builds the indexes
        print(f"store: {tasks:,} tasks, {args.rows:,} leads, {owners} users, built and indexed "
              f"in {time.perf_counter() - started:.1f} s")
        mock = start_server(app)
        bare = start_server(bare_app(path))
        try:
            run(mock.url, bare.url, args, owners, tasks)
        finally:
            mock.stop()
            bare.stop()
            app.extensions["siasim"].store.close()


def run(mock_url: str, bare_url: str, args, owners: int, tasks: int) -> None:
    headers = login(mock_url)
    session, plain = requests.Session(), requests.Session()
    session.headers.update(headers)
    owner = IDS.make("User", min(7, owners))
    query = SOQL_2000.format(owner=owner)
    batch = {"Sforce-Query-Options": "batchSize=2000"}

    def soql_page():
        response = session.get(mock_url + "/services/data/v59.0/query/", params={"q": query},
                               headers=batch)
        body = response.json()
        assert response.status_code == 200 and len(body["records"]) == 2000, body

    def bare_page():
        response = plain.get(f"{bare_url}/tasks/{owner}")
        assert response.status_code == 200 and len(response.json()) >= 2000

    for _ in range(5):  # warm both, caches included
        soql_page(), bare_page()
    mock_times, bare_times = [], []
    for _ in range(args.rounds):
        mock_times.append(timed(soql_page))
        bare_times.append(timed(bare_page))
    m, b = statistics.median(mock_times), statistics.median(bare_times)
    print("\n1. A query returning 2,000 Tasks, side by side (median of "
          f"{args.rounds} each):")
    print(f"   bare Flask + SQLite + jsonify : {b * 1000:7.1f} ms")
    print(f"   mock: SOQL over REST          : {m * 1000:7.1f} ms")
    print(f"   ratio mock / bare             : {m / b:7.2f}   (target <= 1.5)")

    print(f"\n2. Selective filters on indexed fields, {tasks:,} Tasks and "
          f"{args.rows:,} Leads (median of 20, over HTTP):")
    lookups = {
        "Task WHERE WhoId = one lead": "SELECT Id, Subject, Status FROM Task WHERE WhoId = "
                                       f"'{IDS.make('Lead', 12345 % args.rows + 1)}'",
        "Task WHERE OwnerId = one user LIMIT 200":
            f"SELECT Id FROM Task WHERE OwnerId = '{IDS.make('User', min(42, owners))}' "
            "LIMIT 200",
        "Lead WHERE Email = (any case)": "SELECT Id, Name FROM Lead WHERE Email = "
                                         f"'PERSON{args.rows // 2}@BENCH.EXAMPLE'",
        "COUNT() Task WHERE OwnerId = one user": "SELECT COUNT() FROM Task WHERE OwnerId = "
                                                 f"'{IDS.make('User', min(99, owners))}'",
    }
    for label, soql in lookups.items():
        def one(soql=soql):
            response = session.get(mock_url + "/services/data/v59.0/query/", params={"q": soql})
            assert response.status_code == 200, response.text
            return response.json()
        one()
        times = [timed(one) for _ in range(20)]
        body = one()
        print(f"   {label:42s}: {statistics.median(times) * 1000:6.1f} ms "
              f"(totalSize {body['totalSize']})")

    print("\n3. Throughput, one client, keep-alive (5 s each):")
    for label, call, rows in (("2,000-row query", soql_page, 2000),
                              ("1-row lookup by WhoId", lambda: session.get(
                                  mock_url + "/services/data/v59.0/query/",
                                  params={"q": lookups["Task WHERE WhoId = one lead"]}), 1)):
        count, deadline = 0, time.perf_counter() + 5
        started = time.perf_counter()
        while time.perf_counter() < deadline:
            call()
            count += 1
        elapsed = time.perf_counter() - started
        print(f"   {label:24s}: {count / elapsed:8.1f} queries/s  "
              f"{count * rows / elapsed:10,.0f} rows/s")


if __name__ == "__main__":
    main()

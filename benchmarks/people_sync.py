"""The people sync end to end over HTTP: rates, peak memory, and incremental scaling.

    python benchmarks/people_sync.py                     # all three parts
    python benchmarks/people_sync.py --part initial      # 100,000 persons, limits off
    python benchmarks/people_sync.py --part limits       # Marketo's real limits on
    python benchmarks/people_sync.py --part incremental  # 1,000 changes, 1,000 vs 1,000,000

Targets (issue 16): the initial sync of a 100,000-person world (limits off, exports
instant) at least as fast as the ceiling of a bare REST copy measured in the same run
(ratio 1.0 or more), the engine's peak memory flat whatever the count; with Marketo's real
limits (100 calls per 20 s, 300 a page) at least 2.5x the 1,500 people/s ceiling of REST
paging; 1,000 changes on 1,000,000 people costing about what they cost on 1,000.

The Marketo mock runs in its own process (`siasim serve`), the engine in another, so
neither shares a core's GIL with the other and each one's peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from machine import cpu_seconds, load_average

ENGINE = """
import json, sys, time
from engine.config import Endpoints
from engine.sia import SIA
url, db, action, rate = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sia = SIA(db, Endpoints(url, "siasim-sia-client", "siasim-sia-secret",
                        marketo_calls_per_window=rate or None))
started, cpu_started = time.perf_counter(), time.process_time()
result = sia.initiate_sync() if action == "initial" else sia.sync_changes()
elapsed = time.perf_counter() - started
# VmHWM is this process image's own peak (ru_maxrss keeps the parent's across exec)
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
cpu = time.process_time() - cpu_started
count = sia.db.query("SELECT COUNT(*) AS n FROM people WHERE status = 'active'")[0]["n"]
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "cpu": cpu, **result.to_dict(),
                  "people": count}))
"""


# The ceiling: what a bare REST copy costs here. A two-worker gunicorn serves pages of 300
# persons as orjson straight from the world's marketo.db; a client parses them with orjson
# and upserts them with sqlite3.executemany into a table of SIA's 13 columns (WAL, as SIA's
# database), fetching the next page while it writes the last. No envelope, no auth, no
# limits, no qualification: the floor of the work, not a faithful API.
CEILING_SERVER = """
import orjson, sqlite3, sys
from urllib.parse import parse_qs
from gunicorn.app.base import BaseApplication
db, fields = sys.argv[1], sys.argv[2].split(",")
select = f'SELECT {", ".join(fields)} FROM leads WHERE id > ? ORDER BY id LIMIT 300'
at_id = fields.index("id")
conn = None

def app(environ, start_response):
    global conn
    if conn is None:  # one per worker, opened after the fork
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    after = int(parse_qs(environ.get("QUERY_STRING", "")).get("after", ["0"])[0])
    rows = conn.execute(select, (after,)).fetchall()
    body = orjson.dumps({"result": [dict(zip(fields, r)) for r in rows],
                         "next": rows[-1][at_id] if len(rows) == 300 else None})
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]

class Ceiling(BaseApplication):
    def load_config(self):
        for key, value in {"bind": "127.0.0.1:0", "workers": 2, "worker_class": "sync",
                           "keepalive": 30, "accesslog": None, "loglevel": "info"}.items():
            self.cfg.set(key, value)
    def load(self):
        return app

Ceiling().run()
"""

CEILING_CLIENT = """
import json, orjson, requests, sqlite3, sys, time
from concurrent.futures import ThreadPoolExecutor
url, db, fields, columns = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4].split(",")
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("PRAGMA synchronous=NORMAL")
conn.execute(f"CREATE TABLE people (marketo_id INTEGER PRIMARY KEY, "
             f"{', '.join(c + ' TEXT' for c in columns if c != 'marketo_id')})")
upsert = (f"INSERT INTO people ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
          f"ON CONFLICT(marketo_id) DO UPDATE SET "
          + ", ".join(f"{c} = excluded.{c}" for c in columns if c != "marketo_id"))
session = requests.Session()
def fetch(after):
    return orjson.loads(session.get(url, params={"after": after}, timeout=60).content)
started, cpu_started = time.perf_counter(), time.process_time()
copied = 0
with ThreadPoolExecutor(1) as pool:
    page = fetch(0)
    while True:
        ahead = pool.submit(fetch, page["next"]) if page["next"] is not None else None
        rows = [tuple(p.get(f) or None for f in fields) for p in page["result"]]
        conn.execute("BEGIN")
        conn.executemany(upsert, rows)
        conn.execute("COMMIT")
        copied += len(rows)
        if ahead is None:
            break
        page = ahead.result()
elapsed = time.perf_counter() - started
cpu = time.process_time() - cpu_started
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
print(json.dumps({"seconds": elapsed, "people": copied, "peak_mb": peak, "cpu": cpu}))
"""


def ceiling(world_db: Path, folder: Path) -> dict:
    """The bare REST copy of every person of ``world_db`` (see CEILING_SERVER)."""
    from engine.fields import SYNCED_FIELDS

    fields = ",".join(f.marketo for f in SYNCED_FIELDS)
    columns = ",".join(f.column for f in SYNCED_FIELDS)
    server = subprocess.Popen([sys.executable, "-c", CEILING_SERVER, str(world_db), fields],
                              stderr=subprocess.PIPE, text=True)
    try:
        url = None
        while url is None:
            line = server.stderr.readline()
            if not line:
                raise RuntimeError("the ceiling's gunicorn did not start")
            if "Listening at:" in line:
                url = line.split("Listening at:", 1)[1].split()[0]
        booted = 0
        while booted < 2:  # its CPU is counted from here: both workers up
            line = server.stderr.readline()
            if not line:
                raise RuntimeError("the ceiling's gunicorn workers did not start")
            booted += "Booting worker" in line
        db = folder / "ceiling.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        served = cpu_seconds(server.pid)
        out = subprocess.run([sys.executable, "-c", CEILING_CLIENT, url, str(db), fields,
                              columns], check=True, capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        result["server_cpu"] = cpu_seconds(server.pid) - served
        return result
    finally:
        server.terminate()
        server.wait(timeout=60)


class Marketo:
    """`siasim serve marketo` on a world seeded with `siasim seed`, in a child process."""

    def __init__(self, folder: Path, people: int, limits: bool, queue: bool = True) -> None:
        db = folder / f"marketo-{people}-{int(limits)}.db"
        shutil.copyfile(world_db(folder, people), db)
        args = [sys.executable, "-m", "siasim", "serve", "marketo", "--port", "0",
                "--db", str(db)]
        if not limits:
            args.append("--no-limits")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        self.url = line.split(": ", 1)[1].strip()
        while "Ctrl-C" not in self.proc.stdout.readline():
            pass
        if not queue:  # export jobs finish as soon as their rows are read
            self.admin("PATCH", "/exports", json={"startDelay": 0, "minSeconds": 0})

    def admin(self, method: str, path: str, **kwargs):
        return requests.request(method, f"{self.url}/__admin__{path}", timeout=600,
                                **kwargs).json()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def engine(url: str, db: Path, action: str, rate: int = 0) -> dict:
    if action == "initial":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    out = subprocess.run([sys.executable, "-c", ENGINE, url, str(db), action, str(rate)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def world_db(folder: Path, people: int) -> Path:
    world = folder / f"world-{people}"
    if not (world / "marketo.db").exists():
        subprocess.run([sys.executable, "-m", "siasim", "seed", "--profile", "large",
                        "--people", str(people), "--out", str(world)], check=True,
                       capture_output=True)
    return world / "marketo.db"


def initial(folder: Path, sizes: list[int], rounds: int) -> None:
    print("initial sync, Marketo's limits off, export jobs instant (the engine and HTTP "
          "alone), against the ceiling of a bare REST copy (gunicorn + orjson + executemany):")
    for people in sizes:
        ceilings, engines = [], []
        for n in range(rounds):
            ceilings.append(ceiling(world_db(folder, people), folder))
            marketo = Marketo(folder, people, limits=False, queue=False)
            try:
                served = cpu_seconds(marketo.proc.pid)
                engines.append(engine(marketo.url, folder / f"sia-initial-{people}.db",
                                      "initial"))
                engines[-1]["server_cpu"] = cpu_seconds(marketo.proc.pid) - served
            finally:
                marketo.stop()
            print(f"  round {n + 1}, {people:,} persons: ceiling {ceilings[-1]['seconds']:.2f} s, "
                  f"engine {engines[-1]['seconds']:.2f} s", flush=True)
        top = statistics.median(c["seconds"] for c in ceilings)
        ours = statistics.median(e["seconds"] for e in engines)
        qualified = engines[0]["people"]
        print(f"  {people:>9,} persons: ceiling {top:.2f} s ({people / top:,.0f} persons/s, "
              f"every person); engine {ours:.2f} s ({qualified:,} qualified, "
              f"{people / ours:,.0f} persons read/s): {top / ours:.2f}x the ceiling (target: "
              f"1.0 or more); engine peak {max(e['peak_mb'] for e in engines):.0f} MB, "
              f"ceiling client peak {max(c['peak_mb'] for c in ceilings):.0f} MB")
        print(f"  {'':>9}  CPU in both processes (medians; moves less with the load than "
              f"wall time): ceiling {_cpu(ceilings)}; engine {_cpu(engines, 'mock')}")


def _cpu(runs: list[dict], server: str = "server") -> str:
    client = statistics.median(r["cpu"] for r in runs)
    served = statistics.median(r["server_cpu"] for r in runs)
    return f"{client + served:.2f} s ({client:.2f} s client, {served:.2f} s {server})"


def queued(folder: Path, people: int) -> None:
    print("initial sync, Marketo's limits off, export jobs wait in the mock's simulated queue "
          "(0.5 s + 1 s per 100,000 rows, two at a time):")
    marketo = Marketo(folder, people, limits=False, queue=True)
    try:
        result = engine(marketo.url, folder / f"sia-queued-{people}.db", "initial")
    finally:
        marketo.stop()
    print(f"  {people:>9,} persons, {result['people']:,} qualified: {result['seconds']:.2f} s, "
          f"engine peak {result['peak_mb']:.0f} MB")


def with_limits(folder: Path, people: int) -> None:
    print("initial sync, Marketo's real limits on (100 calls per 20 s; SIA paces itself):")
    marketo = Marketo(folder, people, limits=True)
    try:
        result = engine(marketo.url, folder / "sia-limits.db", "initial", rate=100)
        calls = len(marketo.admin("GET", "/journal", params={"path": "/rest/"})["entries"])
        calls += len(marketo.admin("GET", "/journal", params={"path": "/bulk/"})["entries"])
    finally:
        marketo.stop()
    rate = result["people"] / result["seconds"]
    print(f"  {people:,} persons, {result['people']:,} qualified: {result['seconds']:.1f} s, "
          f"{rate:,.0f} people/s = {rate / 1500:.2f}x the 1,500/s ceiling of REST paging "
          f"({calls} calls)")


def incremental(folder: Path, small: int, big: int, changes: int) -> None:
    print(f"incremental sync of {changes:,} changes:")
    timings = {}
    for people in (small, big):
        marketo = Marketo(folder, people, limits=False)
        db = folder / f"sia-incremental-{people}.db"
        try:
            engine(marketo.url, db, "initial")
            # the same work on both sizes: one change to each of the first persons
            ids = [p["id"] for p in marketo.admin("GET", "/state", params={
                "table": "leads", "limit": changes})["rows"]]
            for start in range(0, len(ids), 300):
                marketo.admin("POST", "/leads", json={
                    "action": "updateOnly", "lookupField": "id", "source": "flow",
                    "input": [{"id": i, "title": f"Benchmark title {i}"}
                              for i in ids[start:start + 300]]})
            result = engine(marketo.url, db, "changes")
        finally:
            marketo.stop()
        timings[people] = result["seconds"]
        print(f"  on {people:>9,} persons: {result['seconds'] * 1000:7.1f} ms "
              f"({result['updated']:,} updated, {result['pages']} pages)")
    print(f"  ratio {timings[big] / timings[small]:.2f} (target: at most 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("initial", "limits", "incremental"),
                        action="append")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000,
                        help="database size for the incremental comparison")
    parser.add_argument("--keep", type=Path, help="keep the worlds in this folder")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of ceiling + engine for the initial sync (medians)")
    args = parser.parse_args()
    parts = args.part or ["initial", "limits", "incremental"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        print(f"load average at the start: {load_average()}")
        if "initial" in parts:
            initial(folder, sorted({10_000, args.people}), args.rounds)
            queued(folder, args.people)
        if "limits" in parts:
            with_limits(folder, args.people)
        if "incremental" in parts:
            incremental(folder, 1_000, args.big, 1_000)
        print(f"({time.perf_counter() - started:.0f} s in all; load average at the end: "
              f"{load_average()})")


if __name__ == "__main__":
    main()

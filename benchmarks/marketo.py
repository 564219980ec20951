"""Marketo mock: pages per second of leads and activities, against a bare Flask endpoint.

    python benchmarks/marketo.py                  # a world of 20,000 persons, 8 s a round
    python benchmarks/marketo.py --people 100000 --seconds 10

The target: a page of 300 leads from the mock costs at most 1.5 times what a bare Flask
endpoint costs to read the same 300 rows from SQLite and return them as JSON. Both apps
run side by side in one run, each in its own process on the same server (cheroot, 16
threads) and the same database file; the load comes from another process over keep-alive
connections, and rounds alternate so that noise hits both alike. The cost of a page is
the inverse of pages per second at saturation. On two cores the load generator competes
with the server, so the script also times each app's WSGI call in process (no network, no
client): the server's own cost of a page.

"With the rate limits" runs the mock with Marketo's own thresholds (100 calls per 20 s,
10 at once, 50,000 a day): a client gets its 100 calls of a window at full speed and the
101st is refused (606); the figure is the speed of those 100. Without them, the mock runs
with ``--no-limits``.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
#: the 13 fields SIA syncs, as Marketo REST names (P-FIELDS)
FIELDS = ("id,firstName,lastName,sfdcContactId,sfdcLeadId,sfdcAccountId,sfdcOpptyId,company,"
          "title,email,phone,linkedInProfileURL,leadSource")



def build_app(kind: str, db: str):
    """The mock (limits off), or the bare Flask endpoint it is measured against."""
    if kind == "mock":
        from mocks.marketo import MarketoConfig, create_app

        config = MarketoConfig(db=db, world=None)
        config.limits.rate_calls = config.limits.concurrency = config.limits.daily = None
        return create_app(config)
    import sqlite3

    from flask import Flask, jsonify, request

    app = Flask("bare")
    local = threading.local()

    @app.get("/bare/leads")
    def leads():
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(db, check_same_thread=False)
        cols = request.args["fields"].split(",")
        ids = [int(v) for v in request.args["ids"].split(",")]
        names = ", ".join(f'"{c}"' for c in cols)
        sql = f"SELECT {names} FROM leads WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id"
        return jsonify([dict(zip(cols, row, strict=True)) for row in conn.execute(sql, ids)])

    return app


def serve(kind: str, db: str) -> None:
    """The server process: serve until stdin closes."""
    from mocks.core.serving import start_server

    handle = start_server(build_app(kind, db), "127.0.0.1", 0)
    print(handle.url, flush=True)
    sys.stdin.read()
    handle.stop()


def wsgi_cost(app, path: str, headers: dict, calls: int) -> float:
    """Milliseconds a call costs inside the app: no network, no client."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=path, headers=headers).get_environ()

    def start_response(*_args):
        return None

    started = time.perf_counter()
    for _ in range(calls):
        env = dict(environ, **{"wsgi.input": io.BytesIO(b"")})
        b"".join(app(env, start_response))
    return (time.perf_counter() - started) / calls * 1000


class Server:
    def __init__(self, kind: str, db: str) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, db], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname, parts.port

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        data = json.loads(conn.getresponse().read())
        conn.close()
        return data

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def hammer(server: Server, paths: list[str], seconds: float, threads: int,
           headers: dict | None = None, max_calls: int | None = None) -> tuple[float, int]:
    """Pages per second over ``seconds`` (or ``max_calls``) from ``threads`` connections."""
    done = [0] * threads
    bad = [0] * threads
    stop = time.perf_counter() + seconds
    budget = [max_calls]
    lock = threading.Lock()

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
        i = n
        while time.perf_counter() < stop:
            if max_calls is not None:
                with lock:
                    if budget[0] <= 0:
                        break
                    budget[0] -= 1
            conn.request("GET", paths[i % len(paths)], headers=headers or {})
            body = conn.getresponse().read()
            if b'"success":false' in body[:200]:
                bad[n] += 1
            else:
                done[n] += 1
            i += threads
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    return sum(done) / elapsed, sum(bad)


def build_world(db: str, people: int) -> None:
    code = ("import sys\nfrom mocks.marketo import MarketoConfig, create_app\n"
            "from mocks.core.config import WorldSpec\n"
            "app = create_app(MarketoConfig(db=sys.argv[1], world=WorldSpec(seed=1, "
            "profile='large', people=int(sys.argv[2]))))\n"
            "app.extensions['siasim'].store.close()\n")
    subprocess.run([sys.executable, "-c", code, db, str(people)], cwd=ROOT, check=True)


def in_process(db: str, mock_paths: list[str], bare_paths: list[str],
               rounds: int) -> tuple[float, float]:
    """Median milliseconds a page costs inside each app, alternating, over ``rounds``."""
    mock, bare = build_app("mock", db), build_app("bare", db)
    token = mock.test_client().get("/identity/oauth/token?grant_type=client_credentials&"
                                   "client_id=siasim-marketo-client&"
                                   "client_secret=siasim-marketo-secret").json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    mock_ms, bare_ms = [], []
    for n in range(rounds * 5):
        mock_ms.append(wsgi_cost(mock, mock_paths[n % len(mock_paths)], auth, 100))
        bare_ms.append(wsgi_cost(bare, bare_paths[n % len(bare_paths)], {}, 100))
    mock.extensions["siasim"].store.close()
    return statistics.median(mock_ms), statistics.median(bare_ms)


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="client connections")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="siasim-bench-")
    db = os.path.join(folder, "marketo.db")
    started = time.perf_counter()
    build_world(db, args.people)
    print(f"world of {args.people:,} persons built in {time.perf_counter() - started:.1f} s")
    mock, bare = Server("mock", db), Server("bare", db)
    try:
        token = mock.call("GET", "/identity/oauth/token?grant_type=client_credentials&"
                                 "client_id=siasim-marketo-client&"
                                 "client_secret=siasim-marketo-secret")["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        # pages of 300 consecutive ids, spread over the world
        pages = [list(range(start, start + 300))
                 for start in range(1, args.people - 300, max(args.people // 50, 300))]
        mock_paths = ["/rest/v1/leads.json?" + urlencode(
            {"filterType": "id", "filterValues": ",".join(map(str, ids)), "fields": FIELDS})
            for ids in pages]
        bare_paths = ["/bare/leads?" + urlencode(
            {"ids": ",".join(map(str, ids)), "fields": FIELDS}) for ids in pages]
        since = mock.call("GET", "/rest/v1/activities/pagingtoken.json?"
                                 "sinceDatetime=2020-01-01T00:00:00Z&access_token=" + token)
        activity_paths = []
        position = since["nextPageToken"]
        for _ in range(40):
            activity_paths.append("/rest/v1/activities.json?" + urlencode(
                {"nextPageToken": position, "activityTypeIds": "1,2,6,10,11,12",
                 "batchSize": 300}))
            page = mock.call("GET", activity_paths[-1] + "&access_token=" + token)
            position = page["nextPageToken"]
        check = mock.call("GET", mock_paths[0] + "&access_token=" + token)
        assert len(check["result"]) == 300, check
        for paths, server, headers in ((mock_paths, mock, auth), (bare_paths, bare, None)):
            hammer(server, paths, 1.0, args.threads, headers)  # warm up

        leads_mock, leads_bare, acts = [], [], []
        for n in range(args.rounds):
            leads_mock.append(hammer(mock, mock_paths, args.seconds, args.threads, auth)[0])
            leads_bare.append(hammer(bare, bare_paths, args.seconds, args.threads)[0])
            acts.append(hammer(mock, activity_paths, args.seconds / 2, args.threads, auth)[0])
            print(f"round {n + 1}: leads mock {leads_mock[-1]:.0f}/s, bare Flask "
                  f"{leads_bare[-1]:.0f}/s; activities {acts[-1]:.0f}/s")

        mock.call("PATCH", "/__admin__/limits", {"rate_calls": 100, "rate_window": 20,
                                                 "concurrency": 10, "daily": 50_000})
        limited_leads, _ = hammer(mock, mock_paths, 30.0, args.threads, auth, max_calls=100)
        mock.call("POST", "/__admin__/clock", {"advance": 21})
        limited_acts, _ = hammer(mock, activity_paths, 30.0, args.threads, auth,
                                 max_calls=100)
        _, refused = hammer(mock, mock_paths, 5.0, 1, auth, max_calls=1)
    finally:
        mock.stop()
        bare.stop()
    try:
        mock_ms, bare_ms = in_process(db, mock_paths, bare_paths, args.rounds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    lm, lb, la = (statistics.median(v) for v in (leads_mock, leads_bare, acts))
    print()
    print(f"leads, 300 a page, 13 fields:   mock {lm:7.0f} pages/s   bare Flask {lb:7.0f} "
          f"pages/s")
    print(f"activities, 300 a page:          mock {la:7.0f} pages/s")
    print(f"cost of a page of leads, mock / bare Flask: {lb / lm:.2f} over HTTP (target <= "
          f"1.5); in process, no network: {mock_ms:.2f} ms / {bare_ms:.2f} ms = "
          f"{mock_ms / bare_ms:.2f}")
    print(f"with Marketo's limits (100 calls / 20 s, 10 at once): leads {limited_leads:.0f} "
          f"pages/s, activities {limited_acts:.0f} pages/s for the 100 calls of a window; "
          f"the 101st refused with 606: {'yes' if refused == 1 else 'no'}")


if __name__ == "__main__":
    main()

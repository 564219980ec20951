"""Killed at any point of a sync and started again, SIA ends with exactly the right people.

The engine runs as a real process (`siasim sync ...`) and is killed with SIGKILL at
random moments (seeded, so a failure repeats), then run again until it finishes.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time

CLI = [sys.executable, "-m", "siasim", "sync"]


def engine_args(marketo, db) -> list[str]:
    c = marketo.config
    return ["--db", str(db), "--marketo-url", marketo.url, "--marketo-client-id", c.sia_client_id,
            "--marketo-client-secret", c.sia_client_secret, "--marketo-rate", "0", "--json"]


def first_call(mock, proc, after: int, timeout: float = 60) -> None:
    """Wait until the process has made its first call to the mock (its journal grew): on a
    loaded machine the interpreter's start alone can outlast the whole kill window."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if mock.admin("GET", "/journal", params={"limit": 1})["lastId"] > after:
            return
        time.sleep(0.02)


def run_with_kills(args: list[str], kills: int, rng: random.Random, window: tuple,
                   observe=lambda: None, mock=None) -> list:
    """Start, kill at a random moment, ``kills`` times; then run to the end. Returns what
    ``observe`` saw after each kill. With ``mock``, the moment is counted from the
    process's first call to it rather than from its start."""
    seen = []
    for _ in range(kills):
        after = mock.admin("GET", "/journal", params={"limit": 1})["lastId"] if mock else 0
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if mock:
            first_call(mock, proc, after)
        time.sleep(rng.uniform(*window))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
            seen.append(observe())
        else:
            proc.communicate(timeout=60)
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def people(db) -> dict[int, tuple]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT marketo_id, first_name, last_name, email, title, phone "
                            "FROM people WHERE status = 'active'").fetchall()
    finally:
        conn.close()
    return {row[0]: row[1:] for row in rows}


def test_initial_sync_killed_at_random_ends_exact(stack, tmp_path, qualified_ids):
    marketo, _ = stack(people=3000)
    # slow exports down, so that kills land inside the export windows
    marketo.admin("PATCH", "/exports", json={"rowsPerSecond": 2000, "minSeconds": 0.1})
    marketo.admin("POST", "/faults", json={"path": "/bulk/*/file.json", "latencyMs": 150})
    db = tmp_path / "sia.db"
    expected = qualified_ids(marketo)
    seen = run_with_kills([*CLI, "initial", *engine_args(marketo, db)], kills=4,
                          rng=random.Random(7), window=(0.3, 1.5), mock=marketo,
                          observe=lambda: len(people(db)) if db.exists() else 0)
    # the test proves nothing unless some kill landed in the middle of the copy
    assert any(0 < count < len(expected) for count in seen), seen
    assert sorted(people(db)) == expected


def test_incremental_sync_killed_at_random_ends_exact(stack, tmp_path):
    marketo, _ = stack(people=2000)
    db = tmp_path / "sia.db"
    args = engine_args(marketo, db)
    subprocess.run([*CLI, "initial", *args], check=True, capture_output=True, timeout=300)
    before = people(db)
    rng = random.Random(11)
    changes = [{"id": marketo_id, "title": f"Title {n}", "phone": f"+1 555 {n:04d}"}
               for n, marketo_id in enumerate(rng.sample(sorted(before), 1500))]
    for start in range(0, len(changes), 300):
        marketo.admin("POST", "/leads", json={"input": changes[start:start + 300],
                                              "action": "updateOnly", "lookupField": "id",
                                              "source": "flow"})
    marketo.admin("POST", "/faults", json={"path": "/rest/v1/activities/leadchanges.json",
                                           "latencyMs": 200})
    targets = {c["id"]: c["title"] for c in changes}

    def applied() -> int:
        return sum(1 for mid, row in people(db).items() if row[3] == targets.get(mid))

    seen = run_with_kills([*CLI, "changes", *args], kills=4, rng=rng, window=(0.3, 1.0),
                          observe=applied, mock=marketo)
    after = people(db)
    current = {p["id"]: p for p in marketo.rows("leads")}
    assert sorted(after) == sorted(before)
    for marketo_id, (first, last, email, title, phone) in after.items():
        person = current[marketo_id]
        assert (first, last, email, title, phone) == (
            person.get("firstName"), person.get("lastName"), person.get("email"),
            person.get("title"), person.get("phone"))
    assert seen, "no run was killed before it finished"

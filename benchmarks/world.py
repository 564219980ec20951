"""World generation against the floor of writing SQLite at all, measured side by side.

    python benchmarks/world.py                          # 100,000 persons, 3 rounds
    python benchmarks/world.py --people 1000000         # and 1,000,000 (1 round)
    python benchmarks/world.py --workers 1 --rounds 5   # one process, five rounds

The floor is what plain ``sqlite3.executemany`` takes to write 200,000 rows of 13 fields
in one transaction (rows made beforehand, not timed). Each round measures the floor and
then the 100,000-person world (``siasim seed --profile large --people 100000``: both
databases, every row), each in a fresh child process; the figures are the medians of
the rounds, so a busy neighbour on a shared machine moves both alike.

Targets (issue 16): the 100,000-person world in at most 4x the floor; the 1,000,000-person
world in at most 10x the 100,000-person one, peak memory at most 500 MB (the writing
process and the workers together).

Wall time on a shared machine depends on the neighbours more than on the code, so the
script also prints the CPU time of the world (every process) and what it would take at
best on the cores it has, idle: that bound moves little with the load, and says whether
the wall-time target can be met at all. The load average is printed at the start and end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

from machine import load_average

FLOOR = """
import json, os, sqlite3, sys, tempfile, time
rows = [(i, *(f"value {i:07d} of field {c:02d}" for c in range(12))) for i in range(200_000)]
with tempfile.TemporaryDirectory() as folder:
    conn = sqlite3.connect(os.path.join(folder, "floor.db"), isolation_level=None)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, "
                 + ", ".join(f"c{c} TEXT" for c in range(12)) + ")")
    started, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (" + ", ".join("?" * 13) + ")", rows)
    conn.execute("COMMIT")
    print(json.dumps({"seconds": time.perf_counter() - started,
                      "cpu": time.process_time() - cpu}))
"""

WORLD = """
import json, resource, sys, time
from fixtures.world import generate, write_world
people, folder, workers = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) or None
started = time.perf_counter()
counts = write_world(generate(seed=1, profile="large", people=people, workers=workers), folder)
elapsed = time.perf_counter() - started
own = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest worker
rows = sum(sum(t.values()) for t in counts.values())
cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF,
          resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))
print(json.dumps({"seconds": elapsed, "own_mb": own / 1024, "worker_mb": worker / 1024,
                  "rows": rows, "cpu": cpu}))
"""


def child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def world(people: int, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        return child(WORLD, str(people), folder, str(workers))


def peak(result: dict, workers: int) -> float:
    """The writing process and its workers together (each worker at the largest's peak)."""
    used = min(workers, -(-result["people"] // 10_000)) if workers > 1 else 0
    return result["own_mb"] + used * result["worker_mb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, action="append",
                        help="also measure this size against the 100,000-person world "
                             "(repeatable)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of floor + 100,000")
    parser.add_argument("--workers", type=int, default=0,
                        help="processes making chunks (default: one per core)")
    args = parser.parse_args()
    print(f"load average at the start: {load_average()}")
    floors, floor_cpus, base = [], [], []
    for n in range(args.rounds):
        measured = child(FLOOR)
        floors.append(measured["seconds"])
        floor_cpus.append(measured["cpu"])
        result = world(100_000, args.workers)
        result["people"] = 100_000
        base.append(result)
        print(f"round {n + 1}: floor {floors[-1]:.2f} s, 100,000 persons "
              f"{result['seconds']:.2f} s ({result['seconds'] / floors[-1]:.2f}x; "
              f"{result['cpu']:.1f} s of CPU)", flush=True)
    workers = args.workers or _cores()
    floor = statistics.median(floors)
    seconds = statistics.median(r["seconds"] for r in base)
    rows = base[0]["rows"]
    print(f"floor: sqlite3.executemany of 200,000 rows x 13 fields: {floor:.2f} s (median)")
    print(f"100,000 persons, {workers} worker(s): {seconds:.2f} s (median), {rows:,} rows in "
          f"both databases, {rows / seconds:,.0f} rows/s; {seconds / floor:.2f}x the floor "
          f"(target: at most 4x); peak {max(peak(r, workers) for r in base):.0f} MB")
    cpu, floor_cpu = statistics.median(r["cpu"] for r in base), statistics.median(floor_cpus)
    print(f"  CPU: {cpu:.1f} s in all processes (median), the floor {floor_cpu:.2f} s: on "
          f"{workers} idle core(s) the world takes at least {cpu / workers:.2f} s = "
          f"{cpu / workers / floor_cpu:.2f}x the floor's CPU")
    for people in args.people or []:
        result = world(people, args.workers)
        result["people"] = people
        ratio = result["seconds"] / seconds
        print(f"{people:,} persons: {result['seconds']:.1f} s, {result['rows']:,} rows; "
              f"{ratio:.2f}x the 100,000-person world (target: at most "
              f"{people / 100_000:.0f}x); peak {peak(result, workers):.0f} MB (target: at "
              f"most 500 MB: writer {result['own_mb']:.0f} MB, each worker at most "
              f"{result['worker_mb']:.0f} MB)")
        print(f"  CPU: {result['cpu']:.1f} s in all processes = "
              f"{result['cpu'] / cpu:.2f}x the 100,000-person world's")
    print(f"load average at the end: {load_average()}")



def _cores() -> int:
    from fixtures.world.generator import default_workers

    return default_workers()


if __name__ == "__main__":
    main()

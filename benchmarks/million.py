"""A million people end to end: `siasim up` to ready, against its parts measured alone.

    python benchmarks/million.py                     # 1,000,000 persons
    python benchmarks/million.py --people 200000     # a smaller rehearsal

Three runs, one after the other, on the same world (seed 1, profile large):

1. the world alone: `siasim seed --people N` (both databases);
2. the initial sync alone: SIA's engine against `siasim serve marketo` on a copy of that
   world, as `siasim up` runs them (Marketo's real limits on, export jobs in the mock's
   simulated queue, SIA pacing itself to 100 calls per 20 s);
3. `siasim up --people N --data DIR` from nothing until it prints "siasim is up" (world
   generated, both mocks up, the initial sync done), then Ctrl-C.

Target (issue 16): 3 within 3x the sum of 1 and 2. For the incremental sync's independence
from the database size see `benchmarks/people_sync.py --part incremental`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYNC = """
import json, sys, time
from engine.config import Endpoints
from engine.sia import SIA
sia = SIA(sys.argv[2], Endpoints(sys.argv[1], "siasim-marketo-client", "siasim-marketo-secret"))
started = time.perf_counter()
result = sia.initiate_sync()
elapsed = time.perf_counter() - started
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "added": result.added}))
"""


def seed(people: int, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "siasim", "seed", "--profile", "large", "--people",
                    str(people), "--out", str(out)], check=True, capture_output=True)
    return time.perf_counter() - started


def sync_alone(world: Path, folder: Path) -> dict:
    db = folder / "marketo.db"
    shutil.copyfile(world / "marketo.db", db)
    mock = subprocess.Popen([sys.executable, "-m", "siasim", "serve", "marketo", "--port", "0",
                             "--db", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        url = mock.stdout.readline().split(": ", 1)[1].strip()
        while "Ctrl-C" not in mock.stdout.readline():
            pass
        out = subprocess.run([sys.executable, "-c", SYNC, url, str(folder / "sia.db")],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])
    finally:
        mock.send_signal(signal.SIGINT)
        mock.wait(timeout=120)


def up(people: int, data: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "siasim", "up", "--profile", "large",
                             "--people", str(people), "--data", str(data), "--sia-port", "0",
                             "--marketo-port", "0", "--salesforce-port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        summary = ""
        for line in proc.stdout:
            if line.startswith("siasim is up."):
                summary = line.strip()
                break
        else:
            raise RuntimeError("siasim up stopped before it was ready")
        return time.perf_counter() - started, summary
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        world = seed(args.people, folder / "world")
        print(f"1. world alone: {args.people:,} persons in {world:.1f} s", flush=True)
        sync = sync_alone(folder / "world", folder)
        print(f"2. initial sync alone: {sync['added']:,} people in {sync['seconds']:.1f} s "
              f"(engine peak {sync['peak_mb']:.0f} MB)", flush=True)
        shutil.rmtree(folder / "world")
        ready, summary = up(args.people, folder / "up")
        budget = world + sync["seconds"]
        print(f"3. siasim up to ready: {ready:.1f} s = {ready / budget:.2f}x the sum of 1 and "
              f"2 ({budget:.1f} s; target: at most 3x)\n   {summary}")


if __name__ == "__main__":
    main()

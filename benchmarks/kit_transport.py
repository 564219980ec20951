"""The conformance kit in process against over HTTP: the whole kit, the same reference.

    python benchmarks/kit_transport.py               # each way once, -n 2
    python benchmarks/kit_transport.py --rounds 2 --workers 0

Runs ``siasim verify`` against the reference engine twice per round: in process
(``--sut engine.driver:create_driver``) and over the HTTP driver protocol (``--sut
http://...``, the server ``siasim serve driver`` runs, started here in its own process).
The rounds alternate, so that the noise of a shared machine hits both alike. It prints
each run's wall time and the ratio HTTP / in process; the in-process run is the floor.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def verify(sut: str, workers: int, report: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "siasim", "verify", "--sut", sut, "-n",
                             str(workers), "--report", report], cwd=ROOT,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - started
    last = result.stdout.rstrip().splitlines()[-1] if result.stdout.strip() else ""
    if result.returncode != 0 or last != "conformant":
        sys.exit(f"the kit did not pass against {sut}:\n{result.stdout[-3000:]}"
                 f"{result.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", "-n", type=int, default=2)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-m", "siasim", "serve", "driver", "--port",
                               "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = None
        for line in server.stdout:
            found = re.search(r"driver protocol: (\S+)", line)
            if found:
                url = found.group(1)
                break
        if url is None:
            sys.exit("siasim serve driver did not start")
        times: dict[str, list[float]] = {"in process": [], "over HTTP": []}
        with tempfile.TemporaryDirectory() as folder:
            for round_ in range(args.rounds):
                for name, sut in (("in process", "engine.driver:create_driver"),
                                  ("over HTTP", url)):
                    seconds = verify(sut, args.workers, os.path.join(folder, name))
                    times[name].append(seconds)
                    print(f"round {round_ + 1}: {name:10} {seconds:6.1f} s", flush=True)
    finally:
        server.terminate()
        server.wait(30)
    floor, http = min(times["in process"]), min(times["over HTTP"])
    print(f"whole kit, -n {args.workers}: in process {floor:.1f} s (floor), over HTTP "
          f"{http:.1f} s, ratio {http / floor:.2f}")


if __name__ == "__main__":
    main()

"""World generation: persons per second and peak memory, against naive Faker calls.

    python benchmarks/world.py                 # 100,000 persons (target: <= 10 s, <= 500 MB)
    python benchmarks/world.py --people 1000000  # (target: <= 100 s, <= 1 GB)

Each size runs in a child process, so its peak resident memory is its own. The baseline
is what one Faker call per field costs, measured in the same run on a small sample.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time

CHILD = """
import json, resource, sys, time
from fixtures.world import generate, write_world
started = time.perf_counter()
counts = write_world(generate(seed=1, profile="large", people=int(sys.argv[1])), sys.argv[2])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rows = sum(sum(t.values()) for t in counts.values())
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "rows": rows}))
"""


def naive_faker_rate(sample: int = 2_000) -> float:
    """Persons per second with one Faker call per field (the design this replaces)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(1)
    started = time.perf_counter()
    for _ in range(sample):
        (fake.first_name(), fake.last_name(), fake.company(), fake.job(), fake.email(),
         fake.phone_number(), fake.domain_name(), fake.city(), fake.url(), fake.word(),
         fake.first_name(), fake.last_name(), fake.company())
    return sample / (time.perf_counter() - started)


def run(people: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, "-c", CHILD, str(people), folder],
                             check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, action="append",
                        help="world sizes to measure (repeatable; default 100000)")
    args = parser.parse_args()
    sizes = args.people or [100_000]
    naive = naive_faker_rate()
    print(f"naive Faker, one call per field: {naive:,.0f} persons/s "
          f"(100,000 persons would take {100_000 / naive:.0f} s)")
    for people in sizes:
        result = run(people)
        rate = people / result["seconds"]
        print(f"{people:>9,} persons: {result['seconds']:6.1f} s, {rate:,.0f} persons/s "
              f"({rate / naive:.0f}x naive), {result['rows']:,} rows in both databases, "
              f"peak {result['peak_mb']:.0f} MB")
    print(f"(peak memory of this parent: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()

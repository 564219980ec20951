"""What the benchmarks say about the machine they ran on: how busy it was, and how much CPU
a process tree used (figures that move less with the neighbours' load than wall time)."""

from __future__ import annotations

import os
from pathlib import Path


def load_average() -> str:
    """The 1, 5 and 15-minute load averages, with the number of cores to read them by."""
    return ", ".join(f"{value:.1f}" for value in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) of a running process and its living descendants, read
    from /proc (a gunicorn's workers, say)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [pid]
    while pids:
        pid = pids.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended meanwhile
    return total

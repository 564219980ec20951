"""A lock that holds across threads and processes: ``flock`` on a file beside SIA's database.

Deliveries mark rows "sent, answer unknown" before each remote write. Whoever finds such a
row while holding the lock knows that no live delivery owns it: the one that marked it
died, or lost the answer, and the row must be checked against the remote side before it is
sent again. The kernel releases the lock of a killed process, so a restart never waits.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._held = threading.local()  # re-entrant within one thread

    @contextmanager
    def hold(self) -> Iterator[None]:
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        # a descriptor of its own per holder: flock excludes other descriptors, even ours
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

"""A controllable clock: real time plus an offset that tests move forward.

Every time-dependent behaviour of a mock (token expiry, export status, rate-limit
windows, the daily quota, ``CreatedDate`` stamps, date literals in SOQL) reads this clock,
so a test can jump an hour ahead instead of sleeping for one.

The clock stays between :data:`EARLIEST` and :data:`LATEST`: far enough from the ends of
``datetime`` that every date the mocks compute from it (a token's expiry, a 31-day export
window, a year of history) exists, so no jump can wedge a mock.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime, timedelta

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


class ClockRangeError(ValueError):
    """A move that would take the clock outside its range; the clock did not move."""


def _check(at: datetime) -> None:
    if not EARLIEST <= at < LATEST:
        raise ClockRangeError(f"the clock stays from {EARLIEST:%Y-%m-%d} to before "
                              f"{LATEST:%Y-%m-%d}; {at.isoformat()[:30]} is outside")


class Clock:
    def __init__(self, offset_seconds: float = 0.0, frozen_at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = offset_seconds
        self._frozen_at = frozen_at

    def now(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(UTC) + timedelta(seconds=self._offset)

    def timestamp(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> datetime:
        if not math.isfinite(seconds):
            raise ClockRangeError("the clock moves by a finite number of seconds")
        with self._lock:
            current = self._frozen_at or datetime.now(UTC) + timedelta(seconds=self._offset)
            if not (EARLIEST - current).total_seconds() <= seconds < (
                    LATEST - current).total_seconds():
                raise ClockRangeError(f"moving the clock by {seconds:g} s would take it "
                                      f"outside {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}")
            if self._frozen_at is not None:
                self._frozen_at += timedelta(seconds=seconds)
            else:
                self._offset += seconds
        return self.now()

    def set(self, at: datetime) -> datetime:
        """Jump to ``at`` and keep running from there."""
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        _check(at)
        with self._lock:
            self._offset = at.timestamp() - time.time()
            if self._frozen_at is not None:
                self._frozen_at = at
        return self.now()

    def freeze(self, frozen: bool = True) -> datetime:
        with self._lock:
            if frozen and self._frozen_at is None:
                self._frozen_at = datetime.now(UTC) + timedelta(seconds=self._offset)
            elif not frozen and self._frozen_at is not None:
                self._offset = self._frozen_at.timestamp() - time.time()
                self._frozen_at = None
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
            self._frozen_at = None

    def describe(self) -> dict:
        now = self.now()
        with self._lock:
            return {
                "now": now.isoformat().replace("+00:00", "Z"),
                "offsetSeconds": round(self._offset, 3),
                "frozen": self._frozen_at is not None,
            }


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant as the APIs send it (``Z``, ``+0000`` or ``+00:00``)."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
        value = value[:-2] + ":" + value[-2:]
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)

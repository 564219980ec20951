"""API limits: calls per window, concurrent calls, and a daily quota.

On by default in both mocks, because an integration that only works without them does
not work. Windows and days are measured on the mock's :class:`~mocks.core.clock.Clock`,
so a test clears a rate-limit window by moving the clock, not by sleeping.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass

from mocks.core.clock import Clock


@dataclass
class LimitSettings:
    rate_calls: int | None = None  # calls allowed per window; None switches it off
    rate_window: float = 20.0  # seconds
    concurrency: int | None = None
    daily: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class LimitExceeded(Exception):
    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit  # "rate" | "concurrency" | "daily"


class Limits:
    def __init__(self, settings: LimitSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()
        self._active = 0
        self._day: str | None = None
        self._day_count = 0

    def acquire(self) -> None:
        """Count one call in, or raise :class:`LimitExceeded` without counting it."""
        now = self.clock.now()
        stamp = now.timestamp()
        day = now.date().isoformat()
        s = self.settings
        with self._lock:
            if self._day != day:
                self._day, self._day_count = day, 0
            if s.daily is not None and self._day_count >= s.daily:
                raise LimitExceeded("daily")
            if s.concurrency is not None and self._active >= s.concurrency:
                raise LimitExceeded("concurrency")
            if s.rate_calls is not None:
                horizon = stamp - s.rate_window
                while self._recent and self._recent[0] <= horizon:
                    self._recent.popleft()
                if len(self._recent) >= s.rate_calls:
                    raise LimitExceeded("rate")
                self._recent.append(stamp)
            self._active += 1
            self._day_count += 1

    def release(self) -> None:
        with self._lock:
            self._active = max(self._active - 1, 0)

    def usage(self) -> dict:
        now = self.clock.now()
        with self._lock:
            horizon = now.timestamp() - self.settings.rate_window
            in_window = sum(1 for t in self._recent if t > horizon)
            today = self._day_count if self._day == now.date().isoformat() else 0
            return {
                "settings": self.settings.to_dict(),
                "callsInWindow": in_window,
                "active": self._active,
                "callsToday": today,
            }

    def update(self, changes: dict) -> None:
        allowed = {"rate_calls", "rate_window", "concurrency", "daily"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown limit settings: {', '.join(sorted(unknown))}")
        for key, value in changes.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                      or value < 0):
                raise ValueError(f"'{key}' must be a non-negative number or null")
        with self._lock:
            for key, value in changes.items():
                setattr(self.settings, key, value)

    def reset(self) -> None:
        with self._lock:
            self._recent.clear()
            self._day_count = 0

"""API usage as ``/rest/v1/stats/`` reports it: calls per day and user, errors per code.

The calls counted are the ones Marketo's limits count (every REST and bulk call that got
past the rate, concurrency and daily limits; identity calls are free), so the day's total
in ``stats/usage.json`` is what the daily quota of 50,000 is measured against (tap-marketo
reads it first on every run to know how much of the quota is left). Errors are every
refusal an API call got, whatever its code, the limits' own 606, 607 and 615 included.

Days are UTC days of the mock's clock; seven are kept. Like the limits, usage lives in
memory: a restarted mock starts the day's count again.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

from mocks.core.clock import Clock

KEPT_DAYS = 7


class UsageLog:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._calls: Counter[tuple[str, str]] = Counter()  # (day, user) -> calls
        self._errors: Counter[tuple[str, str]] = Counter()  # (day, code) -> errors

    def _today(self) -> date:
        return self.clock.now().date()

    def record_call(self, user: str | None) -> None:
        """One call counted; a call with no valid token has no user ("unknown")."""
        day = self._today().isoformat()
        with self._lock:
            self._calls[(day, user or "unknown")] += 1
            self._prune()

    def record_error(self, code: str) -> None:
        day = self._today().isoformat()
        with self._lock:
            self._errors[(day, str(code))] += 1
            self._prune()

    def _prune(self) -> None:
        horizon = (self._today() - timedelta(days=KEPT_DAYS)).isoformat()
        for counter in (self._calls, self._errors):
            for key in [k for k in counter if k[0] <= horizon]:
                del counter[key]

    def _days(self, count: int) -> list[str]:
        today = self._today()
        return [(today - timedelta(days=n)).isoformat() for n in range(count)]

    def usage(self, days: int = 1) -> list[dict]:
        """``[{date, total, users: [{userId, count}]}]``, today first."""
        with self._lock:
            result = []
            for day in self._days(days):
                users = sorted((user, n) for (d, user), n in self._calls.items() if d == day)
                item = {"date": day, "total": sum(n for _u, n in users)}
                item["users"] = [{"userId": user, "count": n} for user, n in users]
                result.append(item)
            return result

    def errors(self, days: int = 1) -> list[dict]:
        """``[{date, total, errors: [{errorCode, count}]}]``, today first."""
        with self._lock:
            result = []
            for day in self._days(days):
                codes = sorted((code, n) for (d, code), n in self._errors.items() if d == day)
                item = {"date": day, "total": sum(n for _c, n in codes)}
                item["errors"] = [{"errorCode": code, "count": n} for code, n in codes]
                result.append(item)
            return result

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._errors.clear()

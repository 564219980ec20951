"""Retrying what may be retried, with exponential backoff and jitter, and pacing.

A call refused before the server did anything (a rate limit, a concurrency limit, a
temporary unavailability) is safe to send again. A read is always safe to send again. A
write that was sent and then lost (connection dropped, timeout, a 5xx) is not: it may
have landed, so it is reported as ambiguous and the caller checks before resending.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("siasim.engine.retry")


@dataclass
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 0.2  # seconds; doubled each attempt
    max_delay: float = 20.0
    jitter: float = 0.25  # +- this share of the delay
    #: how long a limit refusal (a rate or concurrency limit: Marketo's 606, 615) is waited
    #: out before giving up; None: two whole windows of the limit and a little more, since
    #: the calls that used the budget (another client's, too) leave it one window later
    patience: float | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        delay = min(self.max_delay, self.base_delay * (2 ** attempt))
        spread = delay * self.jitter
        return max(0.0, delay + (rng or random).uniform(-spread, spread))

    def backoff(self, attempt: int, service: str, code: str, message: str,
                rng: random.Random | None = None) -> int:
        """Sleep before try ``attempt + 1``; or, when the tries are spent, raise."""
        from engine.errors import RemoteError

        if attempt + 1 >= self.attempts:
            raise RemoteError(service, code, f"{message} (gave up after {attempt + 1} tries)")
        delay = self.delay(attempt, rng)
        log.info("%s %s, retrying in %.2f s", service, code, delay)
        self.sleep(delay)
        return attempt + 1

    def wait_out(self, waited: float, window: float, service: str, code: str, message: str,
                 rng: random.Random | None = None) -> float:
        """Sleep before calling again after a limit refusal; ``waited`` so far, returned
        grown. Raises once the patience is spent (never before a whole window)."""
        from engine.errors import RemoteError

        patience = self.patience if self.patience is not None else 2 * window + 5
        if waited >= patience:
            raise RemoteError(service, code, f"{message} (gave up after waiting {waited:.0f} s "
                                             f"for the limit, {window:g} s windows)")
        # a quarter window at a time: the budget comes back as the oldest calls age out
        step = max(0.01, min(window, patience) / 4)
        delay = min(step, patience - waited) * (1 + (rng or random).uniform(0, self.jitter))
        log.info("%s %s (a limit), waiting %.2f s", service, code, delay)
        self.sleep(delay)
        return waited + delay


NO_RETRY = RetryPolicy(attempts=1)


class Pacer:
    """Keeps a client under a calls-per-window limit, so the server never has to say 606.

    A sliding window on the monotonic clock: before each call, wait until fewer than
    ``calls`` were made in the last ``window`` seconds.
    """

    def __init__(self, calls: int | None, window: float,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.calls = calls
        self.window = window
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.calls:
            return
        while True:
            with self._lock:
                now = time.monotonic()
                while self._sent and self._sent[0] <= now - self.window:
                    self._sent.popleft()
                if len(self._sent) < self.calls:
                    self._sent.append(now)
                    return
                pause = self._sent[0] + self.window - now + 0.001
            self._sleep(pause)

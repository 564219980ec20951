"""SIA's worker: one piece of sync work at a time, and the continuous mode.

The engine's deliveries are exactly-once only when they do not overlap: two flushes at
once could each take the other's in-flight activities for lost ones and send them again.
So everything that writes to Marketo or Salesforce (a seller's action, a sync pass, the
initial sync) goes through one lock here. The continuous mode is a background thread
that runs ``sia.sync_all()`` every ``interval`` seconds under the same lock, and keeps
what the last pass did for the status page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from engine.errors import EngineError
from engine.sia import SIA
from engine.sync.people import INITIATED
from engine.timestamps import now_stamp as _now

log = logging.getLogger("siasim.engine.worker")
T = TypeVar("T")




class Worker:
    def __init__(self, sia: SIA, interval: float = 5.0) -> None:
        self.sia = sia
        self.interval = interval
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0
        self.last_started: str | None = None
        self.last_finished: str | None = None
        self.last_seconds: float | None = None
        self.last_result: dict | None = None
        self.last_error: dict | None = None

    def run(self, work: Callable[..., T], *args, **kwargs) -> T:
        """Do ``work`` while no other sync work runs."""
        with self._lock:
            return work(*args, **kwargs)

    def sync_pass(self) -> dict:
        """One pass of every periodic sync now; raises what the pass raised."""
        with self._lock:
            started = time.monotonic()
            self.last_started = _now()
            try:
                result = self.sia.sync_all()
            except EngineError as exc:
                self.last_error = {**exc.to_dict(), "at": _now()}
                raise
            except Exception as exc:
                self.last_error = {"error": "INTERNAL", "message": str(exc), "at": _now()}
                raise
            finally:
                self.passes += 1
                self.last_finished = _now()
                self.last_seconds = round(time.monotonic() - started, 3)
            self.last_result, self.last_error = result, None
            return result

    # --- continuous mode -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        thread = threading.Thread(target=self._loop, name="sia-continuous", daemon=True)
        thread.start()
        self._thread = thread  # only once started: stop() may come at any moment (Ctrl-C)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the pass under way, if any (a pass is never cut in the middle)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Run the next pass now rather than at the end of the interval."""
        self._wake.set()

    def _loop(self) -> None:
        reported = None  # a failure that repeats every pass is logged once
        while not self._stop.is_set():
            if self.sia.db.cursor(INITIATED):  # S-INITIATE: nothing before
                try:
                    self.sync_pass()
                    if reported:
                        log.warning("sync passes succeed again")
                    reported = None
                except Exception as exc:
                    # the loop outlives any one pass; the next one tries again
                    message = exc.message if isinstance(exc, EngineError) else repr(exc)
                    if message != reported:
                        log.warning("sync pass failed: %s", message,
                                    exc_info=not isinstance(exc, EngineError))
                    reported = message
            self._wake.wait(self.interval)
            self._wake.clear()

    def status(self) -> dict:
        return {"continuous": self.running, "interval": self.interval, "passes": self.passes,
                "lastStarted": self.last_started, "lastFinished": self.last_finished,
                "lastSeconds": self.last_seconds, "lastResult": self.last_result,
                "lastError": self.last_error}

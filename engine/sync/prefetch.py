"""Running a producer ahead of its consumer, in a thread, by a bounded number of items.

The initial sync waits on Marketo (exports to finish, files to arrive) and works on its
own database (parsing, upserting); done one after the other, each waits for the other.
With the waiting in a thread, the next file arrives while the last one is written: the
socket reads and SQLite release the GIL, and the mock does its part in its own process.

The producer gets ``put`` (blocks while ``ahead`` items wait; returns False once the
consumer has stopped) and an event set when the consumer stopped. An exception in the
producer reaches the consumer as itself, at the point where the next item would have.
Items never consumed are handed to ``discard`` (to close files, say).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
Put = Callable[[T], bool]

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class Prefetch(Generic[T]):
    def __init__(self, produce: Callable[[Put, threading.Event], None], ahead: int = 1,
                 discard: Callable[[T], None] | None = None, name: str = "prefetch") -> None:
        self._produce = produce
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, ahead))
        self._stopped = threading.Event()
        self._discard = discard or (lambda item: None)
        # a daemon: a producer stuck in a call never keeps the process alive
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> Prefetch[T]:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _put(self, item) -> bool:
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        if item is not _DONE and not isinstance(item, _Failed):
            self._discard(item)
        return False

    def _run(self) -> None:
        try:
            self._produce(self._put, self._stopped)
        except BaseException as exc:  # handed to the consumer, who raises it
            self._put(_Failed(exc))
        else:
            self._put(_DONE)

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def close(self, timeout: float = 5.0) -> None:
        """Stop the producer and throw away what it made that was not taken."""
        self._stopped.set()
        self._thread.join(timeout)
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not _DONE and not isinstance(item, _Failed):
                self._discard(item)

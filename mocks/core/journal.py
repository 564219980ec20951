"""The request journal: a bounded record of every exchange a mock had, newest last.

The conformance kit's ``Then`` steps read it ("a Smart Grid load made exactly one Marketo
call"), the dashboard shows it live, and failure reports quote it as evidence. It keeps
the request and the response (secrets masked, bodies cut at ``body_limit``), and forgets
the oldest entries past ``size``.
"""

from __future__ import annotations

import fnmatch
import itertools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from mocks.core.clock import parse_instant


@dataclass
class JournalEntry:
    id: int
    time: str
    method: str
    path: str
    query: str
    requestHeaders: dict[str, str]
    requestBody: str
    status: int
    responseBody: str
    durationMs: float
    fault: str | None = None
    methodOverride: str | None = None  # the method a POST asked to be read as (_method)
    epoch: float = field(default=0.0, repr=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["epoch"]
        return data


class Journal:
    def __init__(self, size: int = 2000, body_limit: int = 16_384,
                 redact: Callable[[str], str] = lambda text: text) -> None:
        self.size = size
        self.body_limit = body_limit
        self.redact = redact  # applied to the part of a body that is kept
        self._entries: deque[JournalEntry] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _cut(self, text: str) -> str:
        if len(text) <= self.body_limit:
            return self.redact(text)
        return (self.redact(text[: self.body_limit])
                + f"... [{len(text) - self.body_limit} more characters]")

    def record(self, *, at: datetime, method: str, path: str, query: str,
               request_headers: dict[str, str], request_body: str, status: int,
               response_body: str, duration_ms: float, fault: str | None = None,
               method_override: str | None = None) -> JournalEntry:
        with self._lock:
            entry = JournalEntry(
                id=next(self._ids),
                time=at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                method=method,
                path=path,
                query=query,
                requestHeaders=request_headers,
                requestBody=self._cut(request_body),
                status=status,
                responseBody=self._cut(response_body),
                durationMs=round(duration_ms, 3),
                fault=fault,
                methodOverride=method_override,
                epoch=at.timestamp(),
            )
            self._entries.append(entry)
            return entry

    def entries(self, *, path: str | None = None, method: str | None = None,
                since: str | None = None, after_id: int | None = None,
                limit: int | None = None) -> list[JournalEntry]:
        """Entries oldest first, filtered.

        ``path`` is a glob (``/rest/v1/leads*``) or, without wildcard characters, a
        substring; ``since`` an ISO instant compared to each entry's time.
        """
        with self._lock:
            items = list(self._entries)
        if path:
            if any(ch in path for ch in "*?["):
                items = [e for e in items if fnmatch.fnmatchcase(e.path, path)]
            else:
                items = [e for e in items if path in e.path]
        if method:
            items = [e for e in items if e.method == method.upper()]
        if since:
            cutoff = parse_instant(since).timestamp()
            items = [e for e in items if e.epoch >= cutoff]
        if after_id is not None:
            items = [e for e in items if e.id > after_id]
        if limit is not None:
            items = items[-limit:] if limit > 0 else []
        return items

    def last_id(self) -> int:
        with self._lock:
            return self._entries[-1].id if self._entries else 0

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

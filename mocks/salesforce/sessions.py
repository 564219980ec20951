"""Issued sessions: each one expires after ``ttl`` seconds without use, on the mock's clock.

Sessions live in memory, as a restarted Salesforce would not honour them either: after a
restart a client gets ``INVALID_SESSION_ID`` and logs in again.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from mocks.core.clock import Clock


@dataclass
class Session:
    token: str
    user_id: str
    issued: float
    last_used: float


class Sessions:
    def __init__(self, clock: Clock, ttl: int) -> None:
        self.clock = clock
        self.ttl = ttl
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def issue(self, org_id: str, user_id: str) -> Session:
        now = self.clock.timestamp()
        token = f"{org_id[:15]}!{secrets.token_urlsafe(72)}"
        session = Session(token, user_id, now, now)
        with self._lock:
            self._sessions[token] = session
        return session

    def check(self, token: str) -> Session | None:
        now = self.clock.timestamp()
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if now - session.last_used > self.ttl:
                del self._sessions[token]
                return None
            session.last_used = now
            return session

    def revoke(self, token: str) -> bool:
        with self._lock:
            return self._sessions.pop(token, None) is not None

    def expire_all(self) -> None:
        with self._lock:
            self._sessions.clear()

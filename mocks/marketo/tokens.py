"""Access tokens: issued by ``/identity/oauth/token``, checked on every REST call.

As in Marketo, a client asking again before its token expires gets the same token back
with the seconds it has left; a new token is made only once the old one has expired.
Lifetimes run on the mock's clock, so a test expires a token by moving the clock.
Tokens live in memory: a restarted mock answers old tokens 601, and clients log in again.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from mocks.core.clock import Clock
from mocks.core.config import MockConfig

#: expired tokens remembered, so they are answered 602 (expired) rather than 601 (unknown)
_REMEMBERED = 1000


@dataclass
class Token:
    value: str
    client_id: str
    expires_at: float  # epoch seconds on the mock's clock


class TokenRegistry:
    def __init__(self, clock: Clock, config: MockConfig) -> None:
        self.clock = clock
        self.config = config  # its token_ttl is read at each issue: tests may change it
        self._lock = threading.Lock()
        self._tokens: OrderedDict[str, Token] = OrderedDict()
        self._current: dict[str, Token] = {}  # client id -> its live token

    def issue(self, client_id: str) -> tuple[str, int]:
        """The client's live token and its remaining whole seconds (a new one if none)."""
        now = self.clock.timestamp()
        with self._lock:
            token = self._current.get(client_id)
            if token is None or token.expires_at <= now:
                # Marketo's tokens are a UUID and the pod: "cdf01657-110d-4155-99a7-...:ab"
                value = f"{_uuid_like()}:sj"
                token = Token(value, client_id, now + self.config.token_ttl)
                self._current[client_id] = token
                self._tokens[value] = token
                while len(self._tokens) > _REMEMBERED:
                    self._tokens.popitem(last=False)
            # floor, as Marketo does: a fresh token of 3,600 s says 3599
            remaining = max(math.ceil(token.expires_at - now) - 1, 0)
            return token.value, remaining

    def check(self, value: str) -> str | None:
        """``None`` when the token is good, else the error code: 601 unknown, 602 expired."""
        token = self._tokens.get(value)
        if token is None:
            return "601"
        if token.expires_at <= self.clock.timestamp():
            return "602"
        return None

    def client_of(self, value: str) -> str | None:
        """The client id a token was issued to (``None`` for an unknown token)."""
        token = self._tokens.get(value)
        return None if token is None else token.client_id

    def expire_all(self) -> None:
        now = self.clock.timestamp()
        with self._lock:
            for token in self._tokens.values():
                token.expires_at = min(token.expires_at, now)
            self._current.clear()

    def describe(self) -> list[dict]:
        now = self.clock.timestamp()
        with self._lock:
            return [{"clientId": t.client_id, "expiresIn": max(int(t.expires_at - now), 0),
                     "expired": t.expires_at <= now} for t in self._tokens.values()]


def _uuid_like() -> str:
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"

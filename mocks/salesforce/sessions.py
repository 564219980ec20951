"""Issued sessions, refresh tokens and authorization codes, on the mock's clock.

A session expires after ``ttl`` seconds without use. A refresh token (issued by the
authorization-code and user-agent flows) lasts until it is revoked, and revoking it ends
the sessions it gave, as in Salesforce. An authorization code is good once, for 15
minutes. Everything lives in memory, as a restarted Salesforce would not honour it
either: after a restart a client gets ``INVALID_SESSION_ID`` and logs in again (the
configured refresh token, which is the mock's configuration, still works).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass

from mocks.core.clock import Clock

CODE_TTL = 15 * 60  # seconds an authorization code stays good


@dataclass
class Session:
    token: str
    user_id: str
    issued: float
    last_used: float
    refresh: str | None = None  # the refresh token that gave it


@dataclass
class AuthorizationCode:
    code: str
    user_id: str
    client_id: str
    redirect_uri: str
    challenge: str | None  # PKCE: base64url(SHA-256(verifier)), no padding
    expires: float


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class Sessions:
    def __init__(self, clock: Clock, ttl: int) -> None:
        self.clock = clock
        self.ttl = ttl
        self._sessions: dict[str, Session] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> user id
        self._codes: dict[str, AuthorizationCode] = {}
        self._revoked: set[str] = set()  # configured refresh tokens revoked
        self._lock = threading.Lock()

    def issue(self, org_id: str, user_id: str, refresh: str | None = None) -> Session:
        now = self.clock.timestamp()
        token = f"{org_id[:15]}!{secrets.token_urlsafe(72)}"
        session = Session(token, user_id, now, now, refresh)
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

    # -- refresh tokens ---------------------------------------------------------------------
    def issue_refresh(self, user_id: str) -> str:
        token = "5Aep861" + secrets.token_urlsafe(60)  # the shape Salesforce's have
        with self._lock:
            self._refresh[token] = user_id
        return token

    def refresh_owner(self, token: str) -> str | None:
        with self._lock:
            return self._refresh.get(token)

    def revoked(self, token: str) -> bool:
        with self._lock:
            return token in self._revoked

    def revoke_configured(self, token: str) -> None:
        """End a refresh token the configuration gives (and the sessions it gave)."""
        with self._lock:
            self._revoked.add(token)
            self._end_sessions_of(token)

    def _end_sessions_of(self, refresh: str) -> None:
        for key in [k for k, s in self._sessions.items() if s.refresh == refresh]:
            del self._sessions[key]

    def revoke(self, token: str) -> bool:
        """End a session, or a refresh token and every session it gave."""
        with self._lock:
            if self._sessions.pop(token, None) is not None:
                return True
            if self._refresh.pop(token, None) is not None:
                self._end_sessions_of(token)
                return True
            return False

    # -- authorization codes ----------------------------------------------------------------
    def issue_code(self, user_id: str, client_id: str, redirect_uri: str,
                   challenge: str | None) -> str:
        code = "aPrx" + secrets.token_urlsafe(48)
        grant = AuthorizationCode(code, user_id, client_id, redirect_uri, challenge,
                                  self.clock.timestamp() + CODE_TTL)
        with self._lock:
            self._codes[code] = grant
        return code

    def redeem_code(self, code: str) -> AuthorizationCode | None:
        """The code's grant, once: a code redeemed or expired is gone."""
        with self._lock:
            grant = self._codes.pop(code, None)
        if grant is None or grant.expires < self.clock.timestamp():
            return None
        return grant

    def expire_all(self) -> None:
        """Every session and code ends now; refresh tokens stay, so a client that has one
        logs in again with it (a refresh token of a user no longer in the world is refused
        when used)."""
        with self._lock:
            self._sessions.clear()
            self._codes.clear()

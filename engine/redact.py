"""Keep credentials out of every text the engine lets out: logs, ``sync_runs.error``, the
messages of its errors (shown on stderr, by SIA's API and on the dashboard).

The clients never put a secret in a URL (the Marketo token request sends its credentials
in a POST body), but an error's text can still quote what a library saw (a URL, a header,
a body), so every :class:`~engine.errors.RemoteError` and every recorded failure goes
through :func:`scrub` as well.
"""

from __future__ import annotations

import re

MASK = "***"
_KEYS = r"client_secret|client_id_secret|password|access_token|refresh_token|session_?id" \
        r"|security_token|signature|sessionId"
_PAIR = re.compile(r"(?i)\b(" + _KEYS + r")(\s*[=:]\s*|%3D|\"\s*:\s*\")([^&\s\"',;)]+)")
_BEARER = re.compile(r"(?i)\b(Bearer|OAuth)\s+[\w.~+/!=-]{8,}")
# a Salesforce session id: the org id, "!", and the token proper
_SALESFORCE_SESSION = re.compile(r"\b00D\w{12,15}![\w.]{10,}")


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` with every credential it may quote masked: ``key=value`` pairs of the
    secret keys (in URLs, forms, JSON), bearer tokens, session ids, and the ``secrets``
    given (a configured client secret or password, wherever it appears)."""
    if not text:
        return text
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    text = _PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _SALESFORCE_SESSION.sub(MASK, text)

"""Keep secrets out of the journal and the logs.

The journal is served over the admin API and shown on the dashboard, so credentials,
tokens and passwords are replaced by a fixed mask before an exchange is recorded.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode

MASK = "***"
SECRET_KEYS = frozenset(
    {
        "client_secret",
        "password",
        "access_token",
        "refresh_token",
        "sessionid",
        "signature",
        "security_token",
        "authorization",
    }
)
_XML_SECRET = re.compile(r"<((?:\w+:)?(?:password|sessionId))>(.*?)</\1>", re.S | re.I)


def is_secret(key: str) -> bool:
    return key.lower() in SECRET_KEYS


def redact_mapping(data):
    if isinstance(data, dict):
        return {k: MASK if is_secret(str(k)) else redact_mapping(v) for k, v in data.items()}
    if isinstance(data, list):
        return [redact_mapping(v) for v in data]
    return data


def redact_query(query: str) -> str:
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, MASK if is_secret(k) else v) for k, v in pairs])


def redact_body(body: str, content_type: str | None) -> str:
    """Redact a request or response body of any of the formats the APIs use."""
    if not body:
        return body
    lowered = body.lower()
    if not any(key in lowered for key in SECRET_KEYS):
        return body  # the common case, and a cheap test: no parse of large pages
    kind = (content_type or "").lower()
    stripped = body.lstrip()
    if "json" in kind or stripped[:1] in ("{", "["):
        try:
            return json.dumps(redact_mapping(json.loads(body)), ensure_ascii=False)
        except ValueError:
            pass
    if "xml" in kind or stripped.startswith("<"):
        return _XML_SECRET.sub(lambda m: f"<{m.group(1)}>{MASK}</{m.group(1)}>", body)
    if "x-www-form-urlencoded" in kind:
        return redact_query(body)
    return body


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: (MASK if is_secret(k) else v) for k, v in headers.items()}

"""Keep secrets out of the journal and the logs.

The journal is served over the admin API and shown on the dashboard, so credentials,
tokens and passwords are replaced by a fixed mask before an exchange is recorded.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

MASK = "***"
SECRET_KEYS = frozenset(
    {
        "client_secret",
        "password",
        "access_token",
        "refresh_token",
        "assertion",  # the JWT bearer flow's signed assertion
        "code_verifier",
        "token",  # what /services/oauth2/revoke is handed
        "sessionid",
        "signature",
        "security_token",
        "authorization",
        "x-sfdc-session",  # Salesforce's SOAP and Bulk session header
    }
)
_XML_SECRET = re.compile(r"<((?:\w+:)?(?:password|sessionId))>(.*?)</\1>", re.S | re.I)


def is_secret(key: str) -> bool:
    return key.lower() in SECRET_KEYS


def redact_query(query: str) -> str:
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, MASK if is_secret(k) else v) for k, v in pairs])


_KEYS = "|".join(sorted(SECRET_KEYS))
# "key": "value" in JSON, the value possibly cut short by the journal's length limit
_JSON_SECRET = re.compile(r'("(?:' + _KEYS + r')"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|$)', re.I)
_FORM_SECRET = re.compile(r"(^|&)(" + _KEYS + r")=[^&]*", re.I)


def redact_body(body: str, content_type: str | None = None) -> str:
    """Mask secrets in a body of any of the formats the APIs use (JSON, form, XML).

    Patterns rather than parsing: one pass each, and they work on a body the journal has
    cut short, so only the part it keeps is ever scanned.
    """
    if not body:
        return body
    body = _JSON_SECRET.sub(lambda m: f'{m.group(1)}"{MASK}"', body)
    body = _FORM_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}={MASK}", body)
    return _XML_SECRET.sub(lambda m: f"<{m.group(1)}>{MASK}</{m.group(1)}>", body)


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: (MASK if is_secret(k) else v) for k, v in headers.items()}

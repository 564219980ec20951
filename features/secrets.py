"""Keep the mocks' credentials out of the kit's reports.

The mocks' journals mask secrets already; the driver's own calls (``configure`` carries
the client secrets and the password) and any message that quotes them are masked here,
before evidence leaves the worker: by key (``*secret*``, ``*password*``, ``*token*``) in
structured data, and by value (the credentials the mocks accept) in any text.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "***"
_SECRET_KEY = re.compile(r"secret|password|token|authorization|sessionid", re.I)


def mask_secrets(value: Any, secrets: list[str]) -> Any:
    """``value`` with every secret masked: strings, and dicts and lists all the way down."""
    if isinstance(value, str):
        for secret in sorted(secrets, key=len, reverse=True):
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {k: MASK if isinstance(k, str) and _SECRET_KEY.search(k) and v
                else mask_secrets(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_secrets(item, secrets) for item in value]
    return value

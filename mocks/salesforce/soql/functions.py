"""The SQL functions compiled queries call: case folding and LIKE beyond ASCII.

SQLite's ``NOCASE`` and ``LIKE`` fold ASCII letters only; Salesforce compares all text
without case, so text outside ASCII goes through these (deterministic, cheap to register:
done on a connection before each run).
"""

from __future__ import annotations

import functools
import re
import sqlite3


def fold(text):
    return text.casefold() if isinstance(text, str) else text


@functools.lru_cache(maxsize=256)
def _like_regex(pattern: str) -> re.Pattern:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def like(value, pattern):
    if value is None or pattern is None:
        return None
    return 1 if _like_regex(pattern).fullmatch(value) else 0


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions compiled queries may call."""
    conn.create_function("sf_fold", 1, fold, deterministic=True)
    conn.create_function("sf_like", 2, like, deterministic=True)

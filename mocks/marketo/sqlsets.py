"""Matching a column against a request's list of values, however long the list is.

SQLite binds at most 250,000 parameters in one statement (far fewer in older builds),
and a request of a megabyte can name more values than that, so ``IN (?, ?, ...)`` would
fail with "too many SQL variables". The values go in as one JSON array instead, which
SQLite reads back with ``json_each``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable


def one_of(column: str, values: Iterable) -> tuple[str, list]:
    """``column IN (...values)`` as SQL and its one parameter; ``column`` is an SQL
    expression (``'"id"'``, ``'m."programId"'``)."""
    return f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(list(values))]

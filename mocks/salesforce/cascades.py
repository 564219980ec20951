"""Deleting, as Salesforce does: to the recycle bin, with what hangs off the record.

A deleted record keeps its row with ``IsDeleted`` set (``queryAll`` and ``deleted/`` see
it). Which children go with a parent is declared in ``metadata`` (``cascade_delete`` on
the child's reference field): an account takes its contacts and opportunities, and every
deleted record takes its activities.
"""

from __future__ import annotations

import sqlite3

from mocks.salesforce import metadata


def soft_delete(conn: sqlite3.Connection, sobject: str, ids: list[str], stamp: str,
                actor: str) -> None:
    if not ids:
        return
    marks = ", ".join("?" * len(ids))
    conn.execute(f'UPDATE "{sobject}" SET IsDeleted = 1, LastModifiedDate = ?, '
                 f"LastModifiedById = ?, SystemModstamp = ? WHERE Id IN ({marks}) "
                 "AND IsDeleted = 0", [stamp, actor, stamp, *ids])
    for child, f in metadata.cascades(sobject):
        found = [r[0] for r in conn.execute(
            f'SELECT Id FROM "{child.name}" WHERE "{f.name}" IN ({marks}) AND IsDeleted = 0',
            ids)]
        soft_delete(conn, child.name, found, stamp, actor)

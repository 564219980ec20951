"""The replication calls: which records changed (``updated/``) or were deleted
(``deleted/``) in a window of the last 30 days, cut to whole minutes; deleted records
are reported while they are in the recycle bin (15 days)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from mocks.core.clock import parse_instant
from mocks.salesforce import soql
from mocks.salesforce.metadata import SObject
from mocks.salesforce.refusals import SalesforceError

UPDATED_WINDOW = timedelta(days=30)
RECYCLE_BIN = timedelta(days=15)


def _bad_instant(text: str) -> bool:
    try:
        parse_instant(text)
    except ValueError:
        return True
    return False


def window(start: str | None, end: str | None, now: datetime) -> tuple[datetime, datetime]:
    if not start or not end:
        missing = "start" if not start else "end"
        raise SalesforceError("MISSING_ARGUMENT", f"{missing} not specified")
    try:
        begin, finish = parse_instant(start), parse_instant(end)
    except ValueError:
        bad = start if _bad_instant(start) else end
        raise SalesforceError("INVALID_PARAMETER_VALUE",
                              f"Invalid date/time format: {bad}") from None
    begin = begin.replace(second=0, microsecond=0)
    finish = finish.replace(second=0, microsecond=0)
    if finish < begin:
        raise SalesforceError("INVALID_REPLICATION_DATE", "EndDate before StartDate")
    if begin < now - UPDATED_WINDOW:
        raise SalesforceError("INVALID_REPLICATION_DATE",
                              "startDate cannot be more than 30 days ago")
    return begin, min(finish, now.replace(second=0, microsecond=0))


def updated(conn: sqlite3.Connection, obj: SObject, start: str | None, end: str | None,
            now: datetime) -> dict:
    begin, finish = window(start, end, now)
    rows = conn.execute(
        f'SELECT Id FROM "{obj.name}" WHERE SystemModstamp >= ? AND SystemModstamp < ? '
        "AND IsDeleted = 0 ORDER BY SystemModstamp, Id",
        [soql.format_datetime(begin), soql.format_datetime(finish)]).fetchall()
    return {"ids": [r[0] for r in rows], "latestDateCovered": soql.format_datetime(finish)}


def deleted(conn: sqlite3.Connection, obj: SObject, start: str | None, end: str | None,
            now: datetime) -> dict:
    begin, finish = window(start, end, now)
    earliest = (now - RECYCLE_BIN).replace(second=0, microsecond=0)
    low = max(begin, earliest)
    rows = conn.execute(
        f'SELECT Id, SystemModstamp FROM "{obj.name}" WHERE IsDeleted = 1 AND '
        "SystemModstamp >= ? AND SystemModstamp < ? ORDER BY SystemModstamp, Id",
        [soql.format_datetime(low), soql.format_datetime(finish)]).fetchall()
    return {"deletedRecords": [{"id": r[0], "deletedDate": r[1]} for r in rows],
            "earliestDateAvailable": soql.format_datetime(earliest),
            "latestDateCovered": soql.format_datetime(finish)}

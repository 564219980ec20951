"""What the stored world says about the org: its pod, its ID, its anchor time, its API
user; how new IDs are numbered; and completing rows a world wrote without the audit and
computed fields the API always has.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass

from fixtures.sfid import IdFactory
from fixtures.world import META_TABLE
from mocks.core.clock import Clock, parse_instant
from mocks.salesforce import derived, metadata, soql

DEFAULT_POD = "5g0"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass
class WorldInfo:
    pod: str
    org_id: str
    anchor: str


def read_info(conn: sqlite3.Connection, clock: Clock) -> WorldInfo:
    meta: dict[str, str] = {}
    with contextlib.suppress(sqlite3.OperationalError):
        meta = dict(conn.execute(f'SELECT key, value FROM "{META_TABLE}"').fetchall())
    pod = meta.get("pod") or DEFAULT_POD
    org_id = meta.get("orgId") or IdFactory(pod).make("Organization", 1)
    anchor = meta.get("anchor")
    stamp = soql.format_datetime(parse_instant(anchor) if anchor else clock.now())
    return WorldInfo(pod, org_id, stamp)


def _decode62(text: str) -> int:
    number = 0
    for ch in text:
        number = number * 62 + _BASE62.index(ch)
    return number


def first_free_number(conn: sqlite3.Connection, pod: str, sobject: str) -> int:
    """The number of the next new ID of ``sobject``: after every existing one with the
    world's pod (so the same world always gives the same new IDs)."""
    stem = metadata.objects()[sobject].key_prefix + pod
    row = conn.execute(f'SELECT max(Id) FROM "{sobject}" WHERE Id >= ? AND Id < ?',
                       [stem, stem + "~"]).fetchone()
    return _decode62(row[0][6:15]) + 1 if row and row[0] else 1


def find_user(conn: sqlite3.Connection, username: str) -> str | None:
    row = conn.execute('SELECT Id FROM "User" WHERE Username = ? COLLATE NOCASE',
                       [username]).fetchone()
    return row[0] if row else None


def add_api_user(conn: sqlite3.Connection, info: WorldInfo, username: str) -> str:
    """Create the API user (in the open transaction); its ID."""
    user_id = IdFactory(info.pod).make("User", first_free_number(conn, info.pod, "User"))
    stamp = info.anchor
    local = username.split("@")[0]
    conn.execute(
        'INSERT INTO "User" (Id, Username, FirstName, LastName, Name, Email, Alias, '
        "IsActive, UserType, Title, CreatedDate, CreatedById, LastModifiedDate, "
        "LastModifiedById, SystemModstamp, IsDeleted) "
        "VALUES (?, ?, 'Siasim', 'Admin', 'Siasim Admin', ?, ?, 1, 'Standard', "
        "'System Administrator', ?, ?, ?, ?, ?, 0)",
        [user_id, username, username, (local.replace(".", "") + "xxxx")[:8], stamp, user_id,
         stamp, user_id, stamp])
    return user_id


def backfill(conn: sqlite3.Connection, anchor: str, user: str) -> None:
    """Fill, where a world left them null, the audit fields, defaults and computed fields
    (in the open transaction)."""
    for obj in metadata.objects().values():
        sets: dict[str, tuple[str, list]] = {
            "IsDeleted": ("0", []),
            "CreatedDate": ("?", [anchor]),
            "LastModifiedDate": ('COALESCE("CreatedDate", ?)', [anchor]),
            "SystemModstamp": ('COALESCE("LastModifiedDate", "CreatedDate", ?)', [anchor]),
            "CreatedById": ("?", [user]),
            "LastModifiedById": ("?", [user]),
        }
        for f in obj.fields:
            if f.name in sets:
                continue
            if f.type == "boolean" and f.createable:
                sets[f.name] = (str(int(bool(f.default))), [])
            elif f.defaulted and f.default is not None and f.createable:
                sets[f.name] = ("?", [f.default])
        sets.update(derived.backfill_sets(obj.derived))
        assignments, params = [], []
        for column, (expr, values) in sets.items():
            assignments.append(f'"{column}" = COALESCE("{column}", {expr})')
            params += values
        missing = " OR ".join(f'"{column}" IS NULL' for column in sets)
        conn.execute(f'UPDATE "{obj.name}" SET {", ".join(assignments)} WHERE {missing}',
                     params)

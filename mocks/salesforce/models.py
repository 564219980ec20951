"""The state and rules of the Salesforce mock: records, validation, IDs, sessions, cursors.

No Flask here: :class:`Org` is given the store, the clock and the configuration, and every
refusal is a :class:`SalesforceError` carrying Salesforce's error code, message, fields
and HTTP status. Every write runs in one store transaction, so a refused request (or a
refused record of an all-or-none batch) leaves nothing behind.

Records keep their field API names as columns. Deleted records stay, with ``IsDeleted``
set, as in Salesforce's recycle bin: ``queryAll`` and ``sobjects/X/deleted/`` see them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import math
import re
import secrets
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fixtures.sfid import IdFactory, base62, checksum, object_of
from fixtures.world import META_TABLE
from mocks.core.clock import Clock, parse_instant
from mocks.core.store import Store
from mocks.salesforce import metadata, soql
from mocks.salesforce.ids import repair_id
from mocks.salesforce.metadata import Field, SObject

DEFAULT_POD = "5g0"
DEFAULT_BATCH = 2000
MIN_BATCH = 200
MAX_COMPOSITE = 200
CURSOR_IDLE = timedelta(minutes=15)
MAX_CURSORS = 10  # open query cursors per user, as in Salesforce
UPDATED_WINDOW = timedelta(days=30)
RECYCLE_BIN = timedelta(days=15)
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SalesforceError(Exception):
    """A refusal, as Salesforce words it: ``[{"message", "errorCode", "fields"}]``."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None,
                 status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields
        self.status = status

    def to_dict(self, key: str = "errorCode") -> dict:
        item: dict = {"message": self.message, key: self.code}
        if self.fields is not None or key == "statusCode":
            item["fields"] = self.fields or []
        return item


def not_found() -> SalesforceError:
    return SalesforceError("NOT_FOUND", "The requested resource does not exist", status=404)


def _entity_deleted() -> SalesforceError:
    return SalesforceError("ENTITY_IS_DELETED", "entity is deleted", [], status=404)


def _decode62(text: str) -> int:
    number = 0
    for ch in text:
        number = number * 62 + _BASE62.index(ch)
    return number


# --- sessions ------------------------------------------------------------------------------

@dataclass
class Session:
    token: str
    user_id: str
    issued: float
    last_used: float


class Sessions:
    """Issued sessions; each expires after ``ttl`` seconds without use (the mock's clock)."""

    def __init__(self, clock: Clock, ttl: int) -> None:
        self.clock = clock
        self.ttl = ttl
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def issue(self, org_id: str, user_id: str) -> Session:
        now = self.clock.timestamp()
        token = f"{org_id[:15]}!{secrets.token_urlsafe(72)}"
        session = Session(token, user_id, now, now)
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

    def revoke(self, token: str) -> bool:
        with self._lock:
            return self._sessions.pop(token, None) is not None

    def expire_all(self) -> None:
        with self._lock:
            self._sessions.clear()


# --- query cursors -------------------------------------------------------------------------

@dataclass
class Cursor:
    locator: str
    plan: soql.Plan
    rowids: Sequence[int]  # the rows after the first page, in order: the query's snapshot
    first: int  # the position of rowids[0] in the whole result
    total: int
    batch: int
    all_rows: bool
    user_id: str
    last_used: datetime


# --- the org ---------------------------------------------------------------------------------

@dataclass
class QueryPage:
    """One page of a query's result; the records are JSON text, as SQLite built them."""

    total: int
    done: bool
    next_url: str | None
    records: list[str]

    def to_json(self) -> str:
        head = f'{{"totalSize":{self.total},"done":{"true" if self.done else "false"}'
        if self.next_url:
            head += f',"nextRecordsUrl":{json.dumps(self.next_url)}'
        return head + ',"records":[' + ",".join(self.records) + "]}"

    def to_dict(self) -> dict:
        return json.loads(self.to_json())


@dataclass
class WorldInfo:
    pod: str
    org_id: str
    anchor: str


class Org:
    def __init__(self, store: Store, clock: Clock, config) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.sessions = Sessions(clock, config.token_ttl)
        self._info: WorldInfo | None = None
        self._api_user: str | None = None
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._cursor_lock = threading.Lock()
        self._locators = itertools.count(1)

    # -- the world ---------------------------------------------------------------------------
    def forget(self) -> None:
        """Drop what was cached about the stored world (after a reset or a new seed)."""
        self._info = None
        self._api_user = None
        with self._cursor_lock:
            self._cursors.clear()

    @property
    def info(self) -> WorldInfo:
        if self._info is None:
            meta: dict[str, str] = {}
            with contextlib.suppress(sqlite3.OperationalError):
                meta = dict(self.store.db.conn.execute(
                    f'SELECT key, value FROM "{META_TABLE}"').fetchall())
            pod = meta.get("pod") or DEFAULT_POD
            org_id = meta.get("orgId") or IdFactory(pod).make("Organization", 1)
            anchor = meta.get("anchor")
            stamp = (soql.format_datetime(parse_instant(anchor)) if anchor
                     else soql.format_datetime(self.clock.now()))
            self._info = WorldInfo(pod, org_id, stamp)
        return self._info

    @property
    def org_id(self) -> str:
        return self.info.org_id

    def api_user_id(self) -> str:
        if self._api_user is None:
            row = self.store.db.conn.execute(
                'SELECT Id FROM "User" WHERE Username = ? COLLATE NOCASE',
                [self.config.username]).fetchone()
            if row is None:
                with self.store.transaction() as db:
                    self.prepare_store(db.conn)
                return self.api_user_id()
            self._api_user = row[0]
        return self._api_user

    def prepare_store(self, conn: sqlite3.Connection, backfill: bool = False) -> None:
        """Make sure the API user exists; with ``backfill``, complete rows a world wrote
        without the audit and computed fields the API always has (in the open
        transaction)."""
        row = conn.execute('SELECT Id FROM "User" WHERE Username = ? COLLATE NOCASE',
                           [self.config.username]).fetchone()
        if row is None:
            user_id = self._new_id(conn, "User")
            stamp = self.info.anchor
            local = self.config.username.split("@")[0]
            conn.execute(
                'INSERT INTO "User" (Id, Username, FirstName, LastName, Name, Email, Alias, '
                "IsActive, UserType, Title, CreatedDate, CreatedById, LastModifiedDate, "
                "LastModifiedById, SystemModstamp, IsDeleted) "
                "VALUES (?, ?, 'Siasim', 'Admin', 'Siasim Admin', ?, ?, 1, 'Standard', "
                "'System Administrator', ?, ?, ?, ?, ?, 0)",
                [user_id, self.config.username, self.config.username,
                 (local.replace(".", "") + "xxxx")[:8], stamp, user_id, stamp, user_id, stamp])
            self._api_user = user_id
        else:
            self._api_user = row[0]
        if backfill:
            self._backfill(conn)

    def _backfill(self, conn: sqlite3.Connection) -> None:
        anchor, user = self.info.anchor, self._api_user
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
            if obj.name in ("User", "Contact", "Lead"):
                sets["Name"] = ("TRIM(COALESCE(\"FirstName\", '') || ' ' || "
                                "COALESCE(\"LastName\", ''))", [])
            if obj.name == "Group":
                sets["DeveloperName"] = ("REPLACE(\"Name\", ' ', '_')", [])
            if obj.name == "User":
                sets["UserType"] = ("'Standard'", [])
            for flag, source, values in _DERIVED_FLAGS.get(obj.name, ()):
                marks = ", ".join("?" * len(values))
                sets[flag] = (f'CASE WHEN "{source}" IN ({marks}) THEN 1 ELSE 0 END',
                              list(values))
            assignments, params = [], []
            for column, (expr, values) in sets.items():
                assignments.append(f'"{column}" = COALESCE("{column}", {expr})')
                params += values
            missing = " OR ".join(f'"{column}" IS NULL' for column in sets)
            conn.execute(f'UPDATE "{obj.name}" SET {", ".join(assignments)} WHERE {missing}',
                         params)

    def _new_id(self, conn: sqlite3.Connection, sobject: str) -> str:
        """The next ID of ``sobject``: the world's pod, numbered after every existing one."""
        stem = metadata.objects()[sobject].key_prefix + self.info.pod
        row = conn.execute(f'SELECT max(Id) FROM "{sobject}" WHERE Id >= ? AND Id < ?',
                           [stem, stem + "~"]).fetchone()
        number = _decode62(row[0][6:15]) + 1 if row and row[0] else 1
        return IdFactory(self.info.pod).make(sobject, number)

    def now(self) -> datetime:
        return self.clock.now()

    def stamp(self) -> str:
        return soql.format_datetime(self.clock.now())

    # -- sessions and users --------------------------------------------------------------------
    def check_password(self, username: str | None, password: str | None) -> bool:
        """The configured user's password, followed by the security token when one is set."""
        if not username or password is None:
            return False
        expected = self.config.password + (self.config.security_token or "")
        return (username.lower() == self.config.username.lower()
                and hmac.compare_digest(password.encode(), expected.encode()))

    def login(self) -> Session:
        return self.sessions.issue(self.org_id, self.api_user_id())

    def signature(self, identity: str, issued_at: str) -> str:
        digest = hmac.new(self.config.client_secret.encode(), (identity + issued_at).encode(),
                          hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def user(self, user_id: str) -> dict | None:
        row = self.store.db.conn.execute(
            'SELECT Id, Username, Name, Email, FirstName, LastName, IsActive FROM "User" '
            "WHERE Id = ?", [user_id]).fetchone()
        if row is None:
            return None
        return dict(zip(("Id", "Username", "Name", "Email", "FirstName", "LastName",
                         "IsActive"), row, strict=True))

    # -- reading ---------------------------------------------------------------------------
    def sobject(self, name: str) -> SObject:
        obj = metadata.get(name)
        if obj is None:
            raise not_found()
        return obj

    def get(self, obj: SObject, record_id: str, fields: list[str] | None, version: str,
            conn: sqlite3.Connection | None = None) -> dict:
        normal = repair_id(record_id)
        if normal is None or object_of(normal) != obj.name:
            raise not_found()
        chosen = self._fields(obj, fields)
        conn = conn or self.store.db.conn
        row = conn.execute(
            f'SELECT {", ".join(_q(f.name) for f in chosen)}, "IsDeleted" FROM "{obj.name}" '
            "WHERE Id = ?", [normal]).fetchone()
        if row is None or row[-1]:
            raise not_found()
        return self._record(obj, chosen, row, version, normal)

    def get_many(self, obj: SObject, ids: list[str], fields: list[str] | None,
                 version: str) -> list[dict | None]:
        """Records by ID, None for each one that is missing or deleted."""
        self._fields(obj, fields)  # a bad field name refuses the whole call
        out: list[dict | None] = []
        for raw in ids:
            try:
                out.append(self.get(obj, raw, fields, version))
            except SalesforceError:
                out.append(None)
        return out

    def _fields(self, obj: SObject, names: list[str] | None) -> list[Field]:
        if not names:
            return list(obj.fields)
        chosen = []
        for name in names:
            f = obj.field(name.strip())
            if f is None:
                raise SalesforceError(
                    "INVALID_FIELD",
                    f"No such column '{name.strip()}' on entity '{obj.name}'. If you are "
                    "attempting to use a custom field, be sure to append the '__c' after the "
                    "custom field name. Please reference your WSDL or the describe call for the "
                    "appropriate names.")
            if f not in chosen:
                chosen.append(f)
        return chosen

    @staticmethod
    def _record(obj: SObject, fields: list[Field], row, version: str, record_id: str) -> dict:
        record: dict = {"attributes": {
            "type": obj.name, "url": f"/services/data/v{version}/sobjects/{obj.name}/{record_id}"}}
        for f, value in zip(fields, row, strict=False):
            record[f.name] = _out(f, value)
        return record

    def external_id_field(self, obj: SObject, field_name: str) -> Field:
        """The field a by-external-ID call names: an External ID field, or Id."""
        f = obj.field(field_name)
        if f is None or not (f.external_id or f.type == "id"):
            raise not_found()
        return f

    def find_by(self, obj: SObject, field_name: str, value: str,
                conn: sqlite3.Connection | None = None) -> list[str]:
        """IDs of live records whose external ID (or Id) field is ``value``."""
        f = self.external_id_field(obj, field_name)
        conn = conn or self.store.db.conn
        if f.type == "id":
            normal = repair_id(value)
            if normal is None or object_of(normal) != obj.name:
                return []
            found = conn.execute(f'SELECT Id FROM "{obj.name}" WHERE Id = ? AND IsDeleted = 0',
                                 [normal]).fetchall()
        else:
            found = conn.execute(f'SELECT Id FROM "{obj.name}" WHERE "{f.name}" = ? COLLATE '
                                 "NOCASE AND IsDeleted = 0", [value]).fetchall()
        return [r[0] for r in found]

    # -- queries ---------------------------------------------------------------------------
    def query(self, text: str, all_rows: bool, batch: int | None, version: str,
              user_id: str) -> QueryPage:
        plan = soql.compile(text, self.now(), include_deleted=all_rows, version=version)
        size = _batch_size(batch)
        conn = self.store.db.conn
        soql.register_functions(conn)
        started = not conn.in_transaction
        if started:
            conn.execute("BEGIN")  # one snapshot for every statement of the query
        try:
            return self._run(plan, conn, size, all_rows, version, user_id)
        except sqlite3.OperationalError as exc:  # SQLite's own limits: too many terms
            raise SalesforceError("QUERY_TOO_COMPLICATED",
                                  "Query is either selecting too many fields or the filter "
                                  "conditions are too complicated.") from exc
        finally:
            if started:
                conn.execute("COMMIT")

    def _run(self, plan: soql.Plan, conn, size: int, all_rows: bool, version: str,
             user_id: str) -> QueryPage:
        if plan.kind == "count":
            return QueryPage(plan.count(conn), True, None, [])
        if plan.kind == "aggregate":
            return QueryPage(1, True, None, [json.dumps(r) for r in plan.aggregate(conn)])
        rows = plan.rows(conn, size + 1)
        rest: Sequence[int] = ()
        if len(rows) > size:  # more than a page: the rest of the rows, for a cursor
            rows = rows[:size]
            rest = plan.rowids(conn, size)
        total = len(rows) + len(rest)
        next_url = None
        if rest:
            cursor = self._open_cursor(plan, rest, len(rows), total, size, all_rows, user_id)
            endpoint = "queryAll" if all_rows else "query"
            next_url = f"/services/data/v{version}/{endpoint}/{cursor.locator}-{len(rows)}"
        return QueryPage(total, not rest, next_url, plan.texts(rows))

    def query_more(self, locator: str, version: str, batch: int | None,
                   user_id: str) -> QueryPage:
        key, _, position = locator.rpartition("-")
        now = self.now()
        with self._cursor_lock:
            cursor = self._cursors.get(key)
            if cursor is not None and (now - cursor.last_used > CURSOR_IDLE
                                       or cursor.user_id != user_id):
                cursor = None
            if cursor is not None:
                cursor.last_used = now
                self._cursors.move_to_end(key)
        if cursor is None or not position.isdigit() or not (
                cursor.first <= int(position) < cursor.total):
            raise SalesforceError("INVALID_QUERY_LOCATOR", "invalid query locator")
        start = int(position)
        size = _batch_size(batch) if batch else cursor.batch
        index = start - cursor.first
        chunk = cursor.rowids[index:index + size]
        conn = self.store.db.conn
        soql.register_functions(conn)
        rows = cursor.plan.rows_by_rowid(conn, chunk)
        after = start + len(chunk)
        next_url = None
        if after < cursor.total:
            endpoint = "queryAll" if cursor.all_rows else "query"
            next_url = f"/services/data/v{version}/{endpoint}/{key}-{after}"
        return QueryPage(cursor.total, after >= cursor.total, next_url,
                         cursor.plan.texts(rows))

    def _open_cursor(self, plan, rowids, first, total, batch, all_rows, user_id) -> Cursor:
        with self._cursor_lock:
            number = next(self._locators)
            id15 = "01g" + self.info.pod + base62(number, 9)
            locator = id15 + checksum(id15)
            cursor = Cursor(locator, plan, rowids, first, total, batch, all_rows, user_id,
                            self.now())
            self._cursors[locator] = cursor
            mine = [k for k, c in self._cursors.items() if c.user_id == user_id]
            for key in mine[:-MAX_CURSORS]:
                del self._cursors[key]
        return cursor

    # -- replication -------------------------------------------------------------------------
    def _window(self, start: str | None, end: str | None) -> tuple[datetime, datetime]:
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
        now = self.now()
        if finish < begin:
            raise SalesforceError("INVALID_REPLICATION_DATE", "EndDate before StartDate")
        if begin < now - UPDATED_WINDOW:
            raise SalesforceError("INVALID_REPLICATION_DATE",
                                  "startDate cannot be more than 30 days ago")
        return begin, min(finish, now.replace(second=0, microsecond=0))

    def updated(self, obj: SObject, start: str | None, end: str | None) -> dict:
        begin, finish = self._window(start, end)
        rows = self.store.db.conn.execute(
            f'SELECT Id FROM "{obj.name}" WHERE SystemModstamp >= ? AND SystemModstamp < ? '
            "AND IsDeleted = 0 ORDER BY SystemModstamp, Id",
            [soql.format_datetime(begin), soql.format_datetime(finish)]).fetchall()
        return {"ids": [r[0] for r in rows], "latestDateCovered": soql.format_datetime(finish)}

    def deleted(self, obj: SObject, start: str | None, end: str | None) -> dict:
        begin, finish = self._window(start, end)
        earliest = (self.now() - RECYCLE_BIN).replace(second=0, microsecond=0)
        low = max(begin, earliest)
        rows = self.store.db.conn.execute(
            f'SELECT Id, SystemModstamp FROM "{obj.name}" WHERE IsDeleted = 1 AND '
            "SystemModstamp >= ? AND SystemModstamp < ? ORDER BY SystemModstamp, Id",
            [soql.format_datetime(low), soql.format_datetime(finish)]).fetchall()
        return {"deletedRecords": [{"id": r[0], "deletedDate": r[1]} for r in rows],
                "earliestDateAvailable": soql.format_datetime(earliest),
                "latestDateCovered": soql.format_datetime(finish)}

    # -- writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One atomic write (see :meth:`Store.transaction`)."""
        with self.store.transaction() as db:
            yield db.conn

    def create(self, conn: sqlite3.Connection, obj: SObject, body, actor: str) -> str:
        if not obj.createable:
            raise SalesforceError("INVALID_TYPE_FOR_OPERATION",
                                  f"entity type {obj.name} does not support insert")
        values = self._coerce(obj, body, creating=True)
        if "Id" in values:
            raise SalesforceError("INVALID_FIELD_FOR_INSERT_UPDATE",
                                  "cannot specify Id in an insert call", ["Id"])
        stamp = self.stamp()
        record: dict = {}
        for f in obj.fields:
            if f.type == "boolean":
                record[f.name] = int(bool(f.default))
            elif f.defaulted and f.default is not None:
                record[f.name] = f.default
        if obj.field("OwnerId") is not None:
            record["OwnerId"] = actor
        record.update(values)
        missing = [f.name for f in obj.fields if f.required_on_create
                   and record.get(f.name) in (None, "")]
        if missing:
            raise SalesforceError("REQUIRED_FIELD_MISSING",
                                  f"Required fields are missing: [{', '.join(missing)}]", missing)
        self._check(conn, obj, record, values, None)
        self._derive(obj, record, None, stamp)
        record_id = self._new_id(conn, obj.name)
        record.update({"Id": record_id, "IsDeleted": 0, "CreatedDate": stamp,
                       "CreatedById": actor, "LastModifiedDate": stamp,
                       "LastModifiedById": actor, "SystemModstamp": stamp})
        columns = list(record)
        conn.execute(f'INSERT INTO "{obj.name}" ({", ".join(_q(c) for c in columns)}) '
                     f'VALUES ({", ".join("?" * len(columns))})', [record[c] for c in columns])
        return record_id

    def update(self, conn: sqlite3.Connection, obj: SObject, record_id: str, body,
               actor: str) -> str:
        if not obj.updateable:
            raise SalesforceError("INVALID_TYPE_FOR_OPERATION",
                                  f"entity type {obj.name} does not support update")
        existing = self._existing(conn, obj, record_id)
        values = self._coerce(obj, body, creating=False)
        if "Id" in values and values.pop("Id") != existing["Id"]:
            raise SalesforceError("INVALID_ID_FIELD",
                                  "The Id field should not be specified in the sobject data.")
        if obj.name == "Lead" and existing.get("IsConverted"):
            raise SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD",
                                  "cannot reference converted lead", [])
        record = dict(existing)
        record.update(values)
        cleared = [f.name for f in obj.fields if f.name in values and not f.nillable
                   and f.type != "boolean" and not f.restricted and values[f.name] in (None, "")]
        if cleared:
            raise SalesforceError("REQUIRED_FIELD_MISSING",
                                  f"Required fields are missing: [{', '.join(cleared)}]", cleared)
        self._check(conn, obj, record, values, existing)
        stamp = self.stamp()
        self._derive(obj, record, existing, stamp)
        record.update({"LastModifiedDate": stamp, "LastModifiedById": actor,
                       "SystemModstamp": stamp})
        changed = [c for c in record if record[c] != existing.get(c)]
        if changed:
            conn.execute(f'UPDATE "{obj.name}" SET {", ".join(f"{_q(c)} = ?" for c in changed)} '
                         "WHERE Id = ?", [record[c] for c in changed] + [existing["Id"]])
        return existing["Id"]

    def delete(self, conn: sqlite3.Connection, obj: SObject, record_id: str, actor: str) -> str:
        if not obj.deletable:
            raise SalesforceError("INVALID_TYPE_FOR_OPERATION",
                                  f"entity type {obj.name} does not support delete")
        existing = self._existing(conn, obj, record_id)
        stamp = self.stamp()
        self._soft_delete(conn, obj.name, [existing["Id"]], stamp, actor)
        return existing["Id"]

    def _soft_delete(self, conn, table: str, ids: list[str], stamp: str, actor: str) -> None:
        """Delete records and, as Salesforce does, what hangs off them: an account's contacts
        and opportunities, and the activities of every deleted record."""
        if not ids:
            return
        marks = ", ".join("?" * len(ids))
        conn.execute(f'UPDATE "{table}" SET IsDeleted = 1, LastModifiedDate = ?, '
                     f"LastModifiedById = ?, SystemModstamp = ? WHERE Id IN ({marks}) "
                     "AND IsDeleted = 0", [stamp, actor, stamp, *ids])
        children: list[tuple[str, str]] = []
        if table == "Account":
            children = [("Contact", "AccountId"), ("Opportunity", "AccountId"),
                        ("Task", "WhatId")]
        elif table in ("Lead", "Contact"):
            children = [("Task", "WhoId")]
        elif table == "Opportunity":
            children = [("Task", "WhatId")]
        for child, column in children:
            found = [r[0] for r in conn.execute(
                f'SELECT Id FROM "{child}" WHERE "{column}" IN ({marks}) AND IsDeleted = 0',
                ids)]
            self._soft_delete(conn, child, found, stamp, actor)

    def _existing(self, conn: sqlite3.Connection, obj: SObject, record_id: str) -> dict:
        normal = repair_id(record_id)
        if normal is None:
            raise SalesforceError("MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: "
                                                  f"{record_id}", ["Id"])
        if object_of(normal) != obj.name:
            raise not_found()
        cursor = conn.execute(f'SELECT * FROM "{obj.name}" WHERE Id = ?', [normal])
        row = cursor.fetchone()
        if row is None:
            raise not_found()
        record = dict(zip([d[0] for d in cursor.description], row, strict=True))
        if record.get("IsDeleted"):
            raise _entity_deleted()
        return record

    def upsert(self, conn, obj: SObject, field_name: str, value: str, body, actor: str,
               update_only: bool = False) -> tuple[str, bool]:
        """(id, created)."""
        f = self.external_id_field(obj, field_name)
        matches = self.find_by(obj, f.name, value, conn)
        if len(matches) > 1:
            raise SalesforceError("MULTIPLE_CHOICES", "More than one record found",
                                  status=300)
        if isinstance(body, dict):
            given = next((k for k in body if k.lower() == f.name.lower()), None)
            if given is not None and f.type != "id":
                if str(body[given]).lower() != value.lower():
                    raise SalesforceError(
                        "INVALID_FIELD", f"The value of the external ID field {f.name} in the "
                        "request body does not match the value in the URL", [f.name])
                body = {k: v for k, v in body.items() if k != given}
        if matches:
            return self.update(conn, obj, matches[0], body, actor), False
        if update_only or f.type == "id":
            raise not_found()
        values = dict(body) if isinstance(body, dict) else body
        if isinstance(values, dict):
            values[f.name] = value
        return self.create(conn, obj, values, actor), True

    # -- validation ----------------------------------------------------------------------------
    def _coerce(self, obj: SObject, body, creating: bool) -> dict:
        if not isinstance(body, dict):
            raise SalesforceError("JSON_PARSER_ERROR",
                                  "Cannot deserialize instance of " + obj.name + " from "
                                  + _json_kind(body) + " value or request may be missing a "
                                  "required field")
        values: dict = {}
        unknown = [k for k in body if k != "attributes" and obj.field(k) is None]
        if unknown:
            raise SalesforceError("INVALID_FIELD",
                                  f"No such column '{unknown[0]}' on sobject of type {obj.name}")
        locked = []
        for key, value in body.items():
            if key == "attributes":
                continue
            f = obj.field(key)
            assert f is not None
            if f.name == "Id":
                if creating:
                    locked.append(f.name)
                else:
                    values["Id"] = repair_id(value) if isinstance(value, str) else value
                continue
            if (creating and not f.createable) or (not creating and not f.updateable):
                locked.append(f.name)
                continue
            values[f.name] = self._coerce_value(f, value)
        if locked:
            raise SalesforceError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(locked)}. Please check the security "
                "settings of this field and verify that it is read/write for your profile or "
                "permission set.", locked)
        return values

    @staticmethod
    def _coerce_value(f: Field, value):
        if value is None:
            if f.type == "boolean":
                return 0
            if f.restricted:
                raise SalesforceError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                      f"{f.label}: bad value for restricted picklist field: "
                                      "null", [f.name])
            return None
        kind = f.type

        def refuse(shown=value):
            return SalesforceError("JSON_PARSER_ERROR",
                                   f"Cannot deserialize instance of {_java_type(f)} from "
                                   f"{_json_kind(value)} value {shown} or request may be "
                                   "missing a required field")

        if kind == "boolean":
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return int(value.lower() == "true")
            raise refuse()
        if kind in ("int", "double", "currency", "percent"):
            if isinstance(value, bool | dict | list):
                raise refuse(shown="" if isinstance(value, dict | list) else value)
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise refuse() from None
            limit = 10 ** (9 if kind == "int" else max(f.precision - f.scale, 1))
            if not math.isfinite(number) or abs(number) >= limit:
                raise SalesforceError("NUMBER_OUTSIDE_VALID_RANGE",
                                      f"{f.label}: value outside of valid range on numeric "
                                      f"field: {value}", [f.name])
            if kind != "int":
                return number
            if number != int(number):
                raise refuse()
            return int(number)
        if isinstance(value, dict | list):
            raise refuse(shown="")
        if isinstance(value, bool):
            value = "true" if value else "false"
        text = str(value) if not isinstance(value, str) else value
        if kind == "date":
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                pass
            try:
                return parse_instant(text).date().isoformat()
            except ValueError:
                raise refuse() from None
        if kind == "datetime":
            try:
                return soql.format_datetime(parse_instant(text))
            except ValueError:
                raise refuse() from None
        if kind in ("id", "reference"):
            normal = repair_id(text)
            if normal is None:
                if text == "":
                    return None
                raise SalesforceError("MALFORMED_ID", f"{f.label}: id value of incorrect type: "
                                                      f"{text}", [f.name])
            return normal
        if f.length and len(text) > f.length:
            raise SalesforceError("STRING_TOO_LONG", f"{f.label}: data value too large: {text} "
                                                     f"(max length={f.length})", [f.name])
        if kind == "email" and text and not _EMAIL.match(text):
            raise SalesforceError("INVALID_EMAIL_ADDRESS",
                                  f"{f.label}: invalid email address: {text}", [f.name])
        if f.restricted and text not in f.picklist:
            raise SalesforceError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                  f"{f.label}: bad value for restricted picklist field: {text}",
                                  [f.name])
        return text if text != "" else None

    def _check(self, conn, obj: SObject, record: dict, values: dict,
               existing: dict | None) -> None:
        """Rules that look at other records: references, owners, uniqueness."""
        for name, value in values.items():
            f = obj.field(name)
            if f is None or f.type != "reference" or value is None:
                continue
            target = object_of(value)
            if target not in f.reference_to:
                raise SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                                      f"{f.label}: id value of incorrect type: {value}", [f.name])
            cursor = conn.execute(f'SELECT * FROM "{target}" WHERE Id = ?', [value])
            row = cursor.fetchone()
            parent = dict(zip([d[0] for d in cursor.description], row, strict=True)) if row \
                else None
            if parent is None or parent.get("IsDeleted"):
                raise SalesforceError("INVALID_CROSS_REFERENCE_KEY",
                                      "invalid cross reference id", [f.name])
            if f.name == "OwnerId":
                if target == "Group" and parent.get("Type") != "Queue":
                    raise SalesforceError("INVALID_CROSS_REFERENCE_KEY",
                                          "invalid cross reference id", [f.name])
                if target == "User" and not parent.get("IsActive"):
                    raise SalesforceError(
                        "INACTIVE_OWNER_OR_USER",
                        f"operation performed with inactive user [{value}] as owner of "
                        f"{obj.name.lower()}", [f.name])
            if target == "Lead" and parent.get("IsConverted"):
                raise SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD",
                                      "cannot reference converted lead", [f.name])
        if obj.name == "Task" and record.get("WhatId") and str(record.get("WhoId") or "")\
                .startswith(metadata.objects()["Lead"].key_prefix):
            raise SalesforceError(
                "FIELD_INTEGRITY_EXCEPTION",
                "Related To ID: A task related to a lead cannot also be related to another "
                "record", ["WhatId"])
        for f in obj.fields:
            if not f.unique or f.name not in values or values[f.name] is None:
                continue
            other = conn.execute(
                f'SELECT Id FROM "{obj.name}" WHERE "{f.name}" = ? COLLATE NOCASE AND Id != ? '
                "AND IsDeleted = 0", [values[f.name], record.get("Id") or ""]).fetchone()
            if other is None:
                continue
            if obj.name == "User" and f.name == "Username":
                raise SalesforceError(
                    "DUPLICATE_USERNAME",
                    "Duplicate Username.<br>The username already exists in this or another "
                    "Salesforce organization. Usernames must be unique across all Salesforce "
                    "organizations. To resolve, use a different username (it doesn't need to "
                    "match the user's email address).", ["Username"])
            raise SalesforceError("DUPLICATE_VALUE",
                                  f"duplicate value found: {f.name} duplicates value on record "
                                  f"with id: {other[0]}", [f.name])

    def _derive(self, obj: SObject, record: dict, existing: dict | None, stamp: str) -> None:
        """Computed fields, kept right on every write."""
        if obj.name in ("User", "Contact", "Lead"):
            record["Name"] = " ".join(p for p in (record.get("FirstName"),
                                                 record.get("LastName")) if p)
        if obj.name == "Group" and not record.get("DeveloperName"):
            record["DeveloperName"] = re.sub(r"\W+", "_", record.get("Name") or "").strip("_")
        if obj.name == "User" and not record.get("UserType"):
            record["UserType"] = "Standard"
        if obj.name == "Task":
            closed = record.get("Status") in metadata.CLOSED_TASK_STATUSES
            record["IsClosed"] = int(closed)
            record["IsHighPriority"] = int(record.get("Priority") in metadata.HIGH_PRIORITIES)
            was_closed = bool(existing and existing.get("IsClosed"))
            if closed and not was_closed:
                record["CompletedDateTime"] = stamp
            elif not closed:
                record["CompletedDateTime"] = None
        if obj.name == "Opportunity":
            probability, closed, won = metadata.STAGE_INFO.get(record.get("StageName") or "",
                                                               (None, False, False))
            record["IsClosed"], record["IsWon"] = int(closed), int(won)
            stage_changed = existing is None or existing.get("StageName") != \
                record.get("StageName")
            if stage_changed and probability is not None and (
                    (existing is None and record.get("Probability") is None)
                    or (existing is not None and record.get("Probability")
                    == existing.get("Probability"))):
                record["Probability"] = float(probability)

    # -- lead conversion -----------------------------------------------------------------------
    def convert_lead(self, conn, options: dict, actor: str) -> dict:
        """Convert a lead as Salesforce's LeadConvert does (there is no REST call for it)."""
        lead_obj = metadata.objects()["Lead"]
        lead = self._existing(conn, lead_obj, str(options.get("leadId") or ""))
        if lead.get("IsConverted"):
            raise SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD",
                                  "This lead was already converted to the contact "
                                  f"{lead.get('ConvertedContactId')}.", [])
        status = options.get("convertedStatus") or metadata.CONVERTED_STATUSES[0]
        if status not in metadata.CONVERTED_STATUSES:
            raise SalesforceError("INVALID_STATUS", f"invalid convertedStatus: {status}",
                                  ["convertedStatus"])
        owner = options.get("ownerId")
        if owner is not None:
            owner = repair_id(str(owner))
            if owner is None or object_of(owner) != "User":
                raise SalesforceError("INVALID_CROSS_REFERENCE_KEY",
                                      "invalid cross reference id", ["ownerId"])
        elif object_of(lead["OwnerId"]) == "User":
            owner = lead["OwnerId"]
        else:
            raise SalesforceError(
                "INVALID_CROSS_REFERENCE_KEY",
                "Converted objects can only be owned by users.  If the lead is not owned by a "
                "user, you must specify a user for the Owner field.", ["OwnerId"])
        objects = metadata.objects()
        account_id = options.get("accountId")
        if account_id:
            account_id = self._existing(conn, objects["Account"], str(account_id))["Id"]
        else:
            account_id = self.create(conn, objects["Account"], {
                "Name": lead["Company"], "OwnerId": owner, "Industry": lead.get("Industry"),
                "Phone": lead.get("Phone"), "BillingCity": lead.get("City"),
                "BillingCountry": lead.get("Country")}, actor)
        contact_id = options.get("contactId")
        if contact_id:
            contact = self._existing(conn, objects["Contact"], str(contact_id))
            if contact.get("AccountId") != account_id:
                raise SalesforceError("INVALID_CROSS_REFERENCE_KEY",
                                      "The contact is not related to the account",
                                      ["contactId"])
            contact_id = contact["Id"]
        else:
            contact_id = self.create(conn, objects["Contact"], {
                "FirstName": lead.get("FirstName"), "LastName": lead["LastName"],
                "Email": lead.get("Email"), "Title": lead.get("Title"),
                "Phone": lead.get("Phone"), "AccountId": account_id, "OwnerId": owner,
                "LeadSource": lead.get("LeadSource"),
                "HasOptedOutOfEmail": bool(lead.get("HasOptedOutOfEmail")),
                "MailingCity": lead.get("City"), "MailingCountry": lead.get("Country"),
                "Description": lead.get("Description")}, actor)
        opportunity_id = None
        if not options.get("doNotCreateOpportunity"):
            today = self.now().date()
            quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
            quarter_end = soql.add_months(quarter, 3) - timedelta(days=1)
            opportunity_id = self.create(conn, objects["Opportunity"], {
                "Name": options.get("opportunityName") or f"{lead['Company']}-",
                "AccountId": account_id, "OwnerId": owner, "StageName": "Prospecting",
                "CloseDate": quarter_end.isoformat(), "LeadSource": lead.get("LeadSource")},
                actor)
        stamp = self.stamp()
        conn.execute(
            'UPDATE "Lead" SET IsConverted = 1, ConvertedDate = ?, ConvertedAccountId = ?, '
            "ConvertedContactId = ?, ConvertedOpportunityId = ?, Status = ?, "
            "LastModifiedDate = ?, LastModifiedById = ?, SystemModstamp = ? WHERE Id = ?",
            [self.now().date().isoformat(), account_id, contact_id, opportunity_id, status,
             stamp, actor, stamp, lead["Id"]])
        # the lead's activities move to the new contact (and account)
        conn.execute(
            'UPDATE "Task" SET WhoId = ?, WhatId = COALESCE(WhatId, ?), LastModifiedDate = ?, '
            "LastModifiedById = ?, SystemModstamp = ? WHERE WhoId = ? AND IsDeleted = 0",
            [contact_id, opportunity_id or account_id, stamp, actor, stamp, lead["Id"]])
        return {"leadId": lead["Id"], "accountId": account_id, "contactId": contact_id,
                "opportunityId": opportunity_id, "success": True}


_DERIVED_FLAGS = {
    "Task": (("IsClosed", "Status", tuple(metadata.CLOSED_TASK_STATUSES)),
             ("IsHighPriority", "Priority", tuple(metadata.HIGH_PRIORITIES))),
    "Opportunity": (("IsClosed", "StageName", tuple(s for s, i in metadata.STAGE_INFO.items()
                                                    if i[1])),
                    ("IsWon", "StageName", tuple(s for s, i in metadata.STAGE_INFO.items()
                                                 if i[2]))),
}


def _q(name: str) -> str:
    return f'"{name}"'


def _out(f: Field, value):
    if value is None:
        return None
    if f.type == "boolean":
        return bool(value)
    if f.type == "int":
        return int(value)
    if f.type in ("double", "currency", "percent"):
        return float(value)
    return value


def _batch_size(batch: int | None) -> int:
    if not batch:
        return DEFAULT_BATCH
    return max(MIN_BATCH, min(DEFAULT_BATCH, batch))


def _bad_instant(text: str) -> bool:
    try:
        parse_instant(text)
    except ValueError:
        return True
    return False


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, str):
        return "VALUE_STRING"
    if isinstance(value, int):
        return "VALUE_NUMBER_INT"
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, dict):
        return "START_OBJECT"
    return "VALUE_NULL"


def _java_type(f: Field) -> str:
    return {"boolean": "boolean", "int": "int", "double": "double", "currency": "double",
            "percent": "double", "date": "date", "datetime": "dateTime"}.get(f.type, "String")


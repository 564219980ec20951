"""The Salesforce backend: its state and rules, with no HTTP in it.

:class:`Org` is a small facade the blueprints and the admin routes go through, over
modules with one concept each:

- :mod:`worldinfo`: the org a stored world describes (pod, org ID, API user, new IDs);
- :mod:`sessions`: issued sessions and their expiry;
- :mod:`records`: reading records, by ID or external ID;
- :mod:`crud`: the one write path (create, update, delete, upsert), built from
  :mod:`coercion` (values), :mod:`validation` (rules across records), :mod:`derived`
  (computed fields) and :mod:`cascades` (what a deletion takes with it);
- :mod:`cursors`: SOQL queries and their pages; :mod:`replication`: ``updated/``,
  ``deleted/``; :mod:`conversion`: lead conversion;
- :mod:`bulk`: the Bulk APIs' jobs, batches and results.

Every refusal is a :class:`SalesforceError` carrying Salesforce's error code, message,
fields and HTTP status. Every write runs in one store transaction (:meth:`Org.writing`),
so a refused request (or a refused record of an all-or-none batch) leaves nothing behind.
Deleted records stay, with ``IsDeleted`` set, as in Salesforce's recycle bin.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import sqlite3
from collections.abc import Iterator
from datetime import datetime

from mocks.core.clock import Clock
from mocks.core.store import Store
from mocks.salesforce import (
    conversion,
    crud,
    metadata,
    records,
    replication,
    soql,
    sosl,
    worldinfo,
)
from mocks.salesforce.bulk.jobs import BulkJobs
from mocks.salesforce.crud import Writer
from mocks.salesforce.cursors import Cursors, QueryPage
from mocks.salesforce.metadata import Field, SObject
from mocks.salesforce.refusals import SalesforceError, not_found
from mocks.salesforce.sessions import Session, Sessions
from mocks.salesforce.worldinfo import WorldInfo

MAX_COMPOSITE = 200


class Org:
    def __init__(self, store: Store, clock: Clock, config) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.sessions = Sessions(clock, config.token_ttl)
        self.cursors = Cursors(self.now, lambda: self.info.pod)
        self.bulk = BulkJobs(store, clock, config.bulk, self)
        self._info: WorldInfo | None = None
        self._api_user: str | None = None

    # -- the world ---------------------------------------------------------------------------
    def forget(self) -> None:
        """Drop what was cached about the stored world (after a reset or a new seed)."""
        self._info = None
        self._api_user = None
        self.cursors.clear()
        self.bulk.forget()

    @property
    def info(self) -> WorldInfo:
        if self._info is None:
            self._info = worldinfo.read_info(self.store.db.conn, self.clock)
        return self._info

    @property
    def org_id(self) -> str:
        return self.info.org_id

    def api_user_id(self) -> str:
        if self._api_user is None:
            found = worldinfo.find_user(self.store.db.conn, self.config.username)
            if found is None:
                with self.store.transaction() as db:
                    self.prepare_store(db.conn)
                return self.api_user_id()
            self._api_user = found
        return self._api_user

    def prepare_store(self, conn: sqlite3.Connection, backfill: bool = False) -> None:
        """Make sure the API user exists; with ``backfill``, complete rows a world wrote
        without the audit and computed fields the API always has (in the open
        transaction)."""
        found = worldinfo.find_user(conn, self.config.username)
        self._api_user = found or worldinfo.add_api_user(conn, self.info, self.config.username)
        if backfill:
            worldinfo.backfill(conn, self.info.anchor, self._api_user)

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
        return records.get(conn or self.store.db.conn, obj, record_id, fields, version)

    def get_many(self, obj: SObject, ids: list[str], fields: list[str] | None,
                 version: str) -> list[dict | None]:
        return records.get_many(self.store.db.conn, obj, ids, fields, version)

    def external_id_field(self, obj: SObject, field_name: str) -> Field:
        return records.external_id_field(obj, field_name)

    def find_by(self, obj: SObject, field_name: str, value: str,
                conn: sqlite3.Connection | None = None) -> list[str]:
        return records.find_by(conn or self.store.db.conn, obj, field_name, value)

    # -- queries ---------------------------------------------------------------------------
    def query(self, text: str, all_rows: bool, batch: int | None, version: str,
              user_id: str) -> QueryPage:
        return self.cursors.query(self.store.db.conn, text, all_rows, batch, version, user_id)

    def query_more(self, locator: str, version: str, batch: int | None,
                   user_id: str) -> QueryPage:
        return self.cursors.more(self.store.db.conn, locator, version, batch, user_id)

    # -- searches ----------------------------------------------------------------------------
    def search(self, text: str, version: str) -> str:
        """A SOSL statement's ``{"searchRecords": [...]}``, as JSON text."""
        return sosl.run(self.store.db.conn, sosl.parse(text), self.now(), version)

    def parameterized_search(self, spec, get: bool, version: str) -> str:
        return sosl.run(self.store.db.conn, sosl.parameterized(spec, get), self.now(),
                        version)

    # -- replication -------------------------------------------------------------------------
    def updated(self, obj: SObject, start: str | None, end: str | None) -> dict:
        return replication.updated(self.store.db.conn, obj, start, end, self.now())

    def deleted(self, obj: SObject, start: str | None, end: str | None) -> dict:
        return replication.deleted(self.store.db.conn, obj, start, end, self.now())

    # -- writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One atomic write (see :meth:`Store.transaction`)."""
        with self.store.transaction() as db:
            yield db.conn

    def writer(self, conn: sqlite3.Connection, actor: str) -> Writer:
        """The context of writes by ``actor`` now, in the open transaction ``conn``."""
        return Writer(conn, actor, self.stamp(), self.info.pod)

    def create(self, conn: sqlite3.Connection, obj: SObject, body, actor: str) -> str:
        return crud.create(self.writer(conn, actor), obj, body)

    def update(self, conn: sqlite3.Connection, obj: SObject, record_id: str, body,
               actor: str) -> str:
        return crud.update(self.writer(conn, actor), obj, record_id, body)

    def delete(self, conn: sqlite3.Connection, obj: SObject, record_id: str, actor: str) -> str:
        return crud.delete(self.writer(conn, actor), obj, record_id)

    def upsert(self, conn, obj: SObject, field_name: str, value: str, body, actor: str,
               update_only: bool = False) -> tuple[str, bool]:
        """(id, created)."""
        return crud.upsert(self.writer(conn, actor), obj, field_name, value, body, update_only)

    def convert_lead(self, conn, options: dict, actor: str) -> dict:
        """Convert a lead as Salesforce's LeadConvert does (see :mod:`conversion`)."""
        return conversion.convert_lead(self.writer(conn, actor), options, self.now())


__all__ = ["MAX_COMPOSITE", "Org", "QueryPage", "SalesforceError", "Session", "not_found"]

"""SOQL queries over REST and their cursors: the first page, and the pages after it.

A query answers up to 2,000 records a page (``Sforce-Query-Options: batchSize=200..2000``
asks for fewer). When more remain, the rest of the rows is kept as a cursor (the rowids
in order: the query's snapshot) under a locator, ``01g...``, that ``nextRecordsUrl``
names; a cursor idle for 15 minutes is gone, and a user keeps at most 10, as in Salesforce.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fixtures.sfid import base62, checksum
from mocks.salesforce import soql
from mocks.salesforce.refusals import SalesforceError

DEFAULT_BATCH = 2000
MIN_BATCH = 200
CURSOR_IDLE = timedelta(minutes=15)
MAX_CURSORS = 10  # open query cursors per user, as in Salesforce
MAX_AGGREGATE_ROWS = 2000  # an aggregate query's whole result is one page


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
class Cursor:
    locator: str
    plan: soql.RecordPlan
    rowids: Sequence[int]  # the rows after the first page, in order: the query's snapshot
    first: int  # the position of rowids[0] in the whole result
    total: int
    batch: int
    all_rows: bool
    user_id: str
    last_used: datetime


def batch_size(batch: int | None) -> int:
    if not batch:
        return DEFAULT_BATCH
    return max(MIN_BATCH, min(DEFAULT_BATCH, batch))


def too_complicated() -> SalesforceError:
    """SQLite's own limits (too many terms), as Salesforce words a query too big."""
    return SalesforceError("QUERY_TOO_COMPLICATED",
                           "Query is either selecting too many fields or the filter "
                           "conditions are too complicated.")


class Cursors:
    def __init__(self, now: Callable[[], datetime], pod: Callable[[], str]) -> None:
        self._now = now
        self._pod = pod
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._lock = threading.Lock()
        self._locators = itertools.count(1)

    def clear(self) -> None:
        with self._lock:
            self._cursors.clear()

    def query(self, conn: sqlite3.Connection, text: str, all_rows: bool, batch: int | None,
              version: str, user_id: str) -> QueryPage:
        plan = soql.compile(text, self._now(), include_deleted=all_rows, version=version)
        size = batch_size(batch)
        soql.register_functions(conn)
        started = not conn.in_transaction
        if started:
            conn.execute("BEGIN")  # one snapshot for every statement of the query
        try:
            return self._first_page(plan, conn, size, all_rows, version, user_id)
        except sqlite3.OperationalError as exc:
            raise too_complicated() from exc
        finally:
            if started:
                conn.execute("COMMIT")

    def _first_page(self, plan: soql.Plan, conn, size: int, all_rows: bool, version: str,
                    user_id: str) -> QueryPage:
        if plan.kind == "count":
            return QueryPage(plan.count(conn), True, None, [])
        if plan.kind == "aggregate":
            rows = plan.rows(conn, MAX_AGGREGATE_ROWS + 1)
            if len(rows) > MAX_AGGREGATE_ROWS:  # aggregate results have no cursor
                raise SalesforceError("EXCEEDED_ID_LIMIT", "Aggregate query does not support "
                                      "queryMore(), use LIMIT to restrict the results to a "
                                      "single batch")
            return QueryPage(len(rows), True, None, plan.texts(rows))
        rows = plan.rows(conn, size + 1)
        rest: Sequence[int] = ()
        if len(rows) > size:  # more than a page: the rest of the rows, for a cursor
            rows = rows[:size]
            rest = plan.rowids(conn, size)
        total = len(rows) + len(rest)
        next_url = None
        if rest:
            cursor = self._open(plan, rest, len(rows), total, size, all_rows, user_id)
            endpoint = "queryAll" if all_rows else "query"
            next_url = f"/services/data/v{version}/{endpoint}/{cursor.locator}-{len(rows)}"
        return QueryPage(total, not rest, next_url, plan.texts(rows))

    def more(self, conn: sqlite3.Connection, locator: str, version: str, batch: int | None,
             user_id: str) -> QueryPage:
        key, _, position = locator.rpartition("-")
        now = self._now()
        with self._lock:
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
        size = batch_size(batch) if batch else cursor.batch
        index = start - cursor.first
        chunk = cursor.rowids[index:index + size]
        soql.register_functions(conn)
        rows = cursor.plan.rows_by_rowid(conn, chunk)
        after = start + len(chunk)
        next_url = None
        if after < cursor.total:
            endpoint = "queryAll" if cursor.all_rows else "query"
            next_url = f"/services/data/v{version}/{endpoint}/{key}-{after}"
        return QueryPage(cursor.total, after >= cursor.total, next_url,
                         cursor.plan.texts(rows))

    def _open(self, plan, rowids, first, total, batch, all_rows, user_id) -> Cursor:
        with self._lock:
            number = next(self._locators)
            id15 = "01g" + self._pod() + base62(number, 9)
            locator = id15 + checksum(id15)
            cursor = Cursor(locator, plan, rowids, first, total, batch, all_rows, user_id,
                            self._now())
            self._cursors[locator] = cursor
            mine = [k for k, c in self._cursors.items() if c.user_id == user_id]
            for key in mine[:-MAX_CURSORS]:
                del self._cursors[key]
        return cursor

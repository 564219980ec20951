"""SOQL queries over REST and their cursors: the first page, and the pages after it.

A query answers up to 2,000 records a page (``Sforce-Query-Options: batchSize=200..2000``
asks for fewer). When more remain, the rest of the rows is kept as a cursor (the rowids
in order: the query's snapshot) under a locator, ``01g...``, that ``nextRecordsUrl``
names; a cursor idle for 15 minutes is gone, and a user keeps at most 10, as in Salesforce.

A parent's child list longer than a page (:data:`~mocks.salesforce.soql.children.CHILD_PAGE`)
gets a locator of its own in the same form: its pages are that parent's children, from
where the list stopped, read when asked (the parent's rows are a snapshot; its children,
like Salesforce's, are the data as it is then, in the subquery's order). Child locators
are kept apart from the 10 (a page of 2,000 parents may open 2,000 of them), up to
:data:`MAX_CHILD_CURSORS` a user, the oldest dropped first.
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
from mocks.salesforce.soql.children import CHILD_PAGE, PLACEHOLDER

DEFAULT_BATCH = 2000
MIN_BATCH = 200
CURSOR_IDLE = timedelta(minutes=15)
MAX_CURSORS = 10  # open query cursors per user, as in Salesforce
MAX_AGGREGATE_ROWS = 2000  # an aggregate query's whole result is one page
MAX_CHILD_CURSORS = 10_000  # child-list locators a user keeps


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
    # the rows after the first page, in order: the query's snapshot; None for a child list,
    # whose pages are read from the plan by position when asked
    rowids: Sequence[int] | None
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
        self._children: OrderedDict[str, Cursor] = OrderedDict()  # child lists' locators
        self._lock = threading.Lock()
        self._locators = itertools.count(1)

    def clear(self) -> None:
        with self._lock:
            self._cursors.clear()
            self._children.clear()

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
            next_url = self._url(version, all_rows, cursor.locator, len(rows))
        return QueryPage(total, not rest, next_url,
                         self._texts(plan, rows, version, size, all_rows, user_id))

    def more(self, conn: sqlite3.Connection, locator: str, version: str, batch: int | None,
             user_id: str) -> QueryPage:
        key, _, position = locator.rpartition("-")
        now = self._now()
        with self._lock:
            kept = self._cursors if key in self._cursors else self._children
            cursor = kept.get(key)
            if cursor is not None and (now - cursor.last_used > CURSOR_IDLE
                                       or cursor.user_id != user_id):
                cursor = None
            if cursor is not None:
                cursor.last_used = now
                kept.move_to_end(key)
        if cursor is None or not position.isdigit() or not (
                cursor.first <= int(position) < cursor.total):
            raise SalesforceError("INVALID_QUERY_LOCATOR", "invalid query locator")
        start = int(position)
        size = batch_size(batch) if batch else cursor.batch
        soql.register_functions(conn)
        if cursor.rowids is None:  # a child list: its children from ``start`` on
            rows = cursor.plan.rows(conn, min(size, cursor.total - start), skip=start)
            after = start + len(rows) if rows else cursor.total  # gone since: none left
        else:
            index = start - cursor.first
            chunk = cursor.rowids[index:index + size]
            rows = cursor.plan.rows_by_rowid(conn, chunk)
            after = start + len(chunk)
        next_url = None
        if after < cursor.total:
            next_url = self._url(version, cursor.all_rows, key, after)
        return QueryPage(cursor.total, after >= cursor.total, next_url,
                         self._texts(cursor.plan, rows, version, size, cursor.all_rows,
                                     user_id))

    @staticmethod
    def _url(version: str, all_rows: bool, locator: str, position: int) -> str:
        endpoint = "queryAll" if all_rows else "query"
        return f"/services/data/v{version}/{endpoint}/{locator}-{position}"

    def _texts(self, plan: soql.RecordPlan, rows: list[tuple], version: str, batch: int,
               all_rows: bool, user_id: str) -> list[str]:
        """The rows' JSON, each long child list's placeholder swapped for its locator."""
        texts = plan.texts(rows)
        if not plan.children:
            return texts

        def locate(match) -> str:
            child, parent_id, total = int(match[1]), match[2], int(match[3])
            cursor = self._open_child(plan.children[child].for_parent(parent_id), total,
                                      batch, all_rows, user_id)
            return json.dumps(self._url(version, all_rows, cursor.locator, CHILD_PAGE))

        return [PLACEHOLDER.sub(locate, t) if "siasim-child:" in t else t for t in texts]

    def _open(self, plan, rowids, first, total, batch, all_rows, user_id) -> Cursor:
        return self._keep(self._cursors, MAX_CURSORS, plan, rowids, first, total, batch,
                          all_rows, user_id)

    def _open_child(self, plan, total, batch, all_rows, user_id) -> Cursor:
        return self._keep(self._children, MAX_CHILD_CURSORS, plan, None, CHILD_PAGE, total,
                          batch, all_rows, user_id)

    def _keep(self, kept: OrderedDict[str, Cursor], most: int, plan, rowids, first, total,
              batch, all_rows, user_id) -> Cursor:
        with self._lock:
            number = next(self._locators)
            id15 = "01g" + self._pod() + base62(number, 9)
            locator = id15 + checksum(id15)
            cursor = Cursor(locator, plan, rowids, first, total, batch, all_rows, user_id,
                            self._now())
            kept[locator] = cursor
            if len(kept) > most:
                mine = [k for k, c in kept.items() if c.user_id == user_id]
                for key in mine[:-most]:
                    del kept[key]
        return cursor

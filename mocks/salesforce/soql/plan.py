"""Compiled queries: the SQL to run, each result row's JSON built by SQLite.

A :class:`RecordPlan` selects records (or counts them, for ``COUNT()``): WHERE, ORDER BY,
LIMIT and OFFSET all run in SQLite, so a selective filter on an indexed field is an index
lookup whatever the table's size, and a cursor can keep just the rowids of the rest. An
:class:`AggregatePlan` gives AggregateResult rows, one per group. Parameters are named,
so one dict serves every statement a plan runs.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mocks.salesforce.metadata import Field, SObject


@dataclass
class Plan:
    sobject: SObject
    kind: str  # records | count | aggregate
    params: dict

    def count(self, conn: sqlite3.Connection) -> int:
        raise NotImplementedError

    def rows(self, conn: sqlite3.Connection, count: int, skip: int = 0) -> list[tuple]:
        """Up to ``count`` (rowid, result JSON) rows from the ``skip``-th on."""
        raise NotImplementedError

    @staticmethod
    def texts(rows: list[tuple]) -> list[str]:
        """Each row's result as JSON text, ``attributes`` first, keys in SELECT order."""
        return [r[1] for r in rows]

    @staticmethod
    def records(rows: list[tuple]) -> list[dict]:
        return [json.loads(r[1]) for r in rows]


def _window(params: dict, limit: int | None, offset: int | None) -> str:
    if limit is None and not offset:
        return ""
    params["_limit"] = -1 if limit is None else limit
    sql = " LIMIT :_limit"
    if offset:
        params["_offset"] = offset
        sql += " OFFSET :_offset"
    return sql


@dataclass
class RecordPlan(Plan):
    select_sql: str  # "SELECT t.rowid, <record JSON>"
    from_sql: str  # FROM and the joins the select needs
    count_from_sql: str  # FROM and only the joins WHERE needs
    where_sql: str
    order_sql: str
    limit: int | None
    offset: int | None
    alias: str = "t"
    flat: list[tuple[str, str, Field]] | None = None  # see records.RecordSelect.flat
    # each child subquery's plan for one parent, by number: what a child list's
    # placeholder names (see children.PLACEHOLDER); shared by every level of the query
    children: dict[int, RecordPlan] = dataclasses.field(default_factory=dict)

    def for_parent(self, parent_id: str) -> RecordPlan:
        """This child subquery's plan for the children of one parent."""
        return dataclasses.replace(self, params={**self.params, "_parent": parent_id})

    def _tail(self, limit: int | None, offset: int | None) -> tuple[str, dict]:
        sql = f" WHERE {self.where_sql}" if self.where_sql else ""
        if self.order_sql:
            sql += f" ORDER BY {self.order_sql}"
        params = dict(self.params)
        return sql + _window(params, limit, offset), params

    def count(self, conn: sqlite3.Connection) -> int:
        """totalSize: the rows the query selects, LIMIT and OFFSET applied."""
        where = f" WHERE {self.where_sql}" if self.where_sql else ""
        params = dict(self.params)
        if self.limit is None and not self.offset:
            sql = f"SELECT COUNT(*) {self.count_from_sql}{where}"
        else:
            window = _window(params, self.limit, self.offset)
            sql = f"SELECT COUNT(*) FROM (SELECT 1 {self.count_from_sql}{where}{window})"
        return conn.execute(sql, params).fetchone()[0]

    def rows(self, conn: sqlite3.Connection, count: int, skip: int = 0) -> list[tuple]:
        offset = (self.offset or 0) + skip
        limit = count if self.limit is None else max(0, min(count, self.limit - skip))
        tail, params = self._tail(limit, offset)
        return conn.execute(f"{self.select_sql} {self.from_sql}{tail}", params).fetchall()

    def rowids(self, conn: sqlite3.Connection, skip: int) -> array:
        """The rowids of every row from the ``skip``-th on, in order (a cursor's snapshot:
        8 bytes a row, so a cursor over a million rows holds 8 MB)."""
        offset = (self.offset or 0) + skip
        limit = None if self.limit is None else max(0, self.limit - skip)
        tail, params = self._tail(limit, offset)
        joins = self.from_sql if self.order_sql else self.count_from_sql
        return array("q", (r[0] for r in conn.execute(
            f"SELECT {self.alias}.rowid {joins}{tail}", params)))

    def flat_rows(self, conn: sqlite3.Connection,
                  value_sql: Callable[[str, Field], str] | None = None,
                  extra_where: str = "", extra_params: dict | None = None) -> sqlite3.Cursor:
        """Every row as the values of :attr:`flat` (``value_sql`` rewrites each column's
        SQL; ``extra_where``, with named ``extra_params``, narrows the rows further), in
        order: a cursor, so that a large result is read as it is written out."""
        assert self.flat is not None
        plan = self
        if extra_where:
            where = f"({extra_where}) AND ({self.where_sql})" if self.where_sql \
                else extra_where
            plan = dataclasses.replace(self, where_sql=where,
                                       params={**self.params, **(extra_params or {})})
        tail, params = plan._tail(plan.limit, plan.offset)
        columns = ", ".join(value_sql(sql, f) if value_sql else sql
                            for _, sql, f in self.flat)
        return conn.execute(f"SELECT {columns} {plan.from_sql}{tail}", params)

    def rows_by_rowid(self, conn: sqlite3.Connection, rowids: Sequence[int]) -> list[tuple]:
        if not rowids:
            return []
        params = dict(self.params)
        params["_rowids"] = json.dumps(list(rowids))
        found = {r[0]: r for r in conn.execute(
            f"{self.select_sql} {self.from_sql} WHERE {self.alias}.rowid IN "
            "(SELECT value FROM json_each(:_rowids))", params)}
        return [found[r] for r in rowids if r in found]


@dataclass
class AggregatePlan(Plan):
    """``sql`` gives (NULL, AggregateResult JSON) rows, ordered, before LIMIT and OFFSET."""

    sql: str
    limit: int | None
    offset: int | None
    flat = None  # an AggregateResult is no plain row of fields (the Bulk APIs refuse it)

    def rows(self, conn: sqlite3.Connection, count: int, skip: int = 0) -> list[tuple]:
        offset = (self.offset or 0) + skip
        limit = count if self.limit is None else max(0, min(count, self.limit - skip))
        params = dict(self.params)
        return conn.execute(self.sql + _window(params, limit, offset), params).fetchall()

    def count(self, conn: sqlite3.Connection) -> int:
        params = dict(self.params)
        window = _window(params, self.limit, self.offset)
        return conn.execute(f"SELECT COUNT(*) FROM ({self.sql}{window})", params).fetchone()[0]

    def aggregate(self, conn: sqlite3.Connection) -> list[dict]:
        """Every AggregateResult record (for callers that want them all at once)."""
        return self.records(self.rows(conn, 1 << 62))

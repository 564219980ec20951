"""Bulk queries: the SOQL a bulk job may run, and its result cut into stored CSV chunks.

The query is the same SOQL the REST API runs (:mod:`soql`), with the Bulk APIs' limits:
records only, their fields and parents' fields as plain columns (no ``COUNT()``, no
aggregates, no ``TYPEOF``, no parent-to-child subqueries). The result is the data as it
is when the batch starts, read once, straight from SQLite into CSV, and kept for its
downloads.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from mocks.salesforce import soql
from mocks.salesforce.bulk import csvio, results
from mocks.salesforce.refusals import SalesforceError


def compile_query(text: str, now: datetime, all_rows: bool, version: str) -> soql.Plan:
    """The plan of a bulk query, or the refusal Salesforce gives it."""
    if not isinstance(text, str) or not text.strip():
        raise SalesforceError("MALFORMED_QUERY", "A query string has to be specified")
    try:
        plan = soql.compile(text, now, include_deleted=all_rows, version=version)
    except soql.SoqlError as exc:
        raise SalesforceError(exc.code, exc.message) from None
    if plan.kind != "records":
        raise SalesforceError("INVALID_TYPE_FOR_OPERATION",
                              "Aggregate queries are not supported by the Bulk API")
    if plan.flat is None:
        raise SalesforceError("INVALID_TYPE_FOR_OPERATION",
                              "Nested queries and TYPEOF are not supported by the Bulk API")
    return plan


def header(plan: soql.Plan) -> list[str]:
    assert plan.flat is not None
    return [key for key, _, _ in plan.flat]


def run(conn: sqlite3.Connection, batch_id: str, plan: soql.Plan, delimiter: str,
        line_ending: str, chunk: tuple[str, str] | None = None) -> tuple[int, int]:
    """Run ``plan`` (within the Id range ``chunk`` of PK chunking) into the results of
    ``batch_id``; (records, bytes)."""
    soql.register_functions(conn)
    where, params = "", {}
    if chunk is not None:
        alias = getattr(plan, "alias", "t")
        where = f'{alias}."Id" >= :_chunk_low AND {alias}."Id" < :_chunk_high'
        params = {"_chunk_low": chunk[0], "_chunk_high": chunk[1]}
    try:
        cursor = plan.flat_rows(conn, csvio.value_sql, where, params)
    except sqlite3.OperationalError as exc:
        raise SalesforceError("QUERY_TOO_COMPLICATED",
                              "Query is either selecting too many fields or the filter "
                              "conditions are too complicated.") from exc
    return results.write_rows(conn, batch_id, cursor, delimiter, line_ending)


def pk_chunks(conn: sqlite3.Connection, plan: soql.Plan, size: int,
              all_rows: bool) -> list[tuple[str, str]]:
    """Id ranges of ``size`` records of the queried object each, as PK chunking cuts
    them (over every record of the object, whatever the query's filter)."""
    table = plan.sobject.name
    deleted = "" if all_rows else " WHERE IsDeleted = 0"
    bounds = [r[0] for r in conn.execute(
        f'SELECT Id FROM (SELECT Id, row_number() OVER (ORDER BY Id) AS n FROM "{table}"'
        f"{deleted}) WHERE (n - 1) % ? = 0 ORDER BY Id", [size])]
    if not bounds:
        return [("", "~")]
    ends = [*bounds[1:], "~"]
    return [("" if n == 0 else low, high) for n, (low, high) in enumerate(zip(bounds, ends,
                                                                              strict=True))]

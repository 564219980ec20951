"""Running a search: candidates from SQLite, words matched in Python, records as SOQL's.

Each object of RETURNING is compiled as the SOQL query it stands for (its fields,
WHERE, ORDER BY, LIMIT, OFFSET: the same checks, the same record JSON). SQLite narrows
the object's live records to those whose searched fields contain every literal piece of
the search (``LIKE``, so a million rows stay one scan); the words of those candidates are
then matched exactly (:func:`terms.matches`). Records come object by object, in
RETURNING's order, in the order of ORDER BY or else as stored (the mock's relevance),
up to each object's LIMIT and the statement's.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from mocks.salesforce import metadata
from mocks.salesforce.metadata import SObject
from mocks.salesforce.soql import records
from mocks.salesforce.soql.errors import QueryText, SoqlError
from mocks.salesforce.soql.functions import register_functions
from mocks.salesforce.soql.scope import Scope, Settings, Shared
from mocks.salesforce.soql.syntax import FieldRef, Query
from mocks.salesforce.sosl import terms
from mocks.salesforce.sosl.statement import Returning, Search, malformed

#: What a search without RETURNING looks in, in this order.
SEARCHABLE = ("Account", "Contact", "Lead", "Opportunity", "Task", "User")
#: Each object's name fields (NAME FIELDS): its name and what Salesforce searches with it.
NAME_FIELDS = {
    "Account": ("Name",), "Contact": ("Name", "FirstName", "LastName"),
    "Lead": ("Name", "FirstName", "LastName", "Company"), "Opportunity": ("Name",),
    "Task": ("Subject",), "User": ("Name", "FirstName", "LastName", "Username"),
}
_TEXT = ("string", "email", "phone", "url", "textarea", "combobox")


def searched_fields(obj: SObject, group: str) -> list[metadata.Field]:
    names = NAME_FIELDS.get(obj.name, ())
    out = []
    for f in obj.fields:
        in_name = f.name in names
        if group == "NAME":
            wanted = in_name
        elif group == "EMAIL":
            wanted = f.type == "email"
        elif group == "PHONE":
            wanted = f.type == "phone"
        elif group == "SIDEBAR":
            wanted = in_name or f.type in ("email", "phone")
        else:
            wanted = f.type in _TEXT
        if wanted:
            out.append(f)
    return out


def _like(chunk: str) -> str:
    return "%" + chunk.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _object_hits(conn, scope: Scope, plan, tree, group: str) -> list[int]:
    fields = searched_fields(scope.obj, group)
    if not fields:
        return []
    columns = [scope.column(f.name) for f in fields]
    conditions = [plan.where_sql] if plan.where_sql else []
    options = terms.prefilter(tree, phones=any(f.type == "phone" for f in fields))
    params = dict(plan.params)
    if options:
        blob = " || ' ' || ".join(f"COALESCE({c}, '')" for c in columns)
        alternatives = []
        for n, chunks in enumerate(options):
            parts = []
            for k, chunk in enumerate(chunks):
                params[f"_s{n}_{k}"] = _like(chunk)
                parts.append(f"({blob}) LIKE :_s{n}_{k} ESCAPE '\\'")
            alternatives.append("(" + " AND ".join(parts) + ")")
        conditions.append("(" + " OR ".join(alternatives) + ")")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    hits = []
    phone = [f.type == "phone" for f in fields]
    sql = f"SELECT {scope.alias}.rowid, {', '.join(columns)} {plan.count_from_sql}{where}"
    for row in conn.execute(sql, params):
        words = [terms.words_of(v, p) for v, p in zip(row[1:], phone, strict=True)
                 if isinstance(v, str)]
        if terms.matches(tree, words):
            hits.append(row[0])
    return hits


def _records(conn, scope: Scope, plan, hits: list[int], room: int) -> list[str]:
    query = scope.query
    params = dict(plan.params)
    params["_hits"] = json.dumps(hits)
    limit = room if query.limit is None else min(room, query.limit)
    params["_limit"] = limit
    params["_offset"] = query.offset or 0
    order = plan.order_sql or f"{scope.alias}.rowid"
    sql = (f"{plan.select_sql} {plan.from_sql} WHERE {scope.alias}.rowid IN "
           f"(SELECT value FROM json_each(:_hits)) ORDER BY {order} "
           "LIMIT :_limit OFFSET :_offset")
    return [r[1] for r in conn.execute(sql, params)]


def run(conn: sqlite3.Connection, search: Search, now: datetime, version: str) -> str:
    """``{"searchRecords": [...]}`` as JSON text."""
    ctx = QueryText(search.text)
    settings = Settings(now.astimezone(UTC).date(), version, include_deleted=False)
    returning = search.returning or [
        Returning(Query([FieldRef(["Id"], 0)], name, 0, None, None, [], None, None))
        for name in SEARCHABLE]
    compiled = []
    for item in returning:
        try:
            scope = Scope.of(item.query, ctx, settings, Shared())
            if scope.obj.name not in SEARCHABLE:
                raise ctx.error("INVALID_TYPE", item.query.sobject_pos,
                                f"entity type {scope.obj.name} does not support search")
            if item.query.is_aggregate or item.query.is_count:
                raise ctx.malformed(item.query.pos, "Aggregate functions are not supported "
                                                    "in a search's RETURNING")
            compiled.append((scope, records.plan(scope)))
        except SoqlError as exc:
            raise malformed(exc) from None
    register_functions(conn)
    out: list[str] = []
    try:
        for scope, plan in compiled:
            room = search.limit - len(out)
            if room <= 0:
                break
            hits = _object_hits(conn, scope, plan, search.terms, search.group)
            if hits:
                out += _records(conn, scope, plan, hits, room)
    except sqlite3.OperationalError:  # SQLite's own limits: as Salesforce words it
        raise SoqlError("QUERY_TOO_COMPLICATED", "Query is either selecting too many fields "
                                                 "or the filter conditions are too "
                                                 "complicated.") from None
    return '{"searchRecords":[' + ",".join(out) + "]}"

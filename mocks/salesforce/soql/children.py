"""Parent-to-child subqueries: ``SELECT Name, (SELECT LastName FROM Contacts) FROM Account``.

The subquery names a child relationship of the queried object (``Contacts``,
``Opportunities``, ``Tasks``: describe's ``childRelationships``), and each record gets its
children as a nested query result, ``{"totalSize", "done": true, "records": [...]}``, or
null when it has none, as in Salesforce. The subquery takes WHERE, ORDER BY, LIMIT and
parent lookups of its own; from API version 58.0 it may hold subqueries in turn, five
levels deep in all. Aggregates are refused there, as Salesforce refuses them ("only root
queries support aggregate expressions").

A parent's child list holds at most :data:`CHILD_PAGE` records; past that it is
``"done": false`` with its own ``nextRecordsUrl``, the rest of that parent's children,
as Salesforce pages a long child list. SQLite cannot open a cursor from inside a query,
so the SQL writes a placeholder there, ``siasim-child:<subquery>:<parent Id>:<total>``,
and whoever serves the page (:mod:`mocks.salesforce.cursors`) swaps in a locator; each
subquery's own plan, for one parent (the ``_parent`` parameter), is in
:attr:`Shared.child_plans` under its number.
"""

from __future__ import annotations

import re

from mocks.salesforce import metadata
from mocks.salesforce.soql import records
from mocks.salesforce.soql.plan import RecordPlan
from mocks.salesforce.soql.scope import Scope
from mocks.salesforce.soql.syntax import Call, SubqueryItem

MAX_LEVELS = 5  # parent-to-child levels, the top-level query included
NESTING_VERSION = 58  # the first API version with more than one level
#: the records of one child list in a page. Salesforce promises no number ("child objects
#: count toward the batch size"); lists cut at 200 are what clients meet most
CHILD_PAGE = 200
PLACEHOLDER = re.compile(r'"siasim-child:(\d+):(\w+):(\d+)"')


def child_relationship(parent: str, name: str) -> dict | None:
    """The child relationship ``name`` (any case) of object ``parent``, as describe lists
    it, or None."""
    for rel in metadata.child_relationships(parent):
        if rel["relationshipName"] and rel["relationshipName"].lower() == name.lower():
            return rel
    return None


def child_json(scope: Scope, item: SubqueryItem) -> tuple[str, str]:
    """(the relationship's name, the SQL of its nested query result) for one record."""
    query = item.query
    ctx = scope.ctx
    rel = child_relationship(scope.obj.name, query.sobject)
    if rel is None:
        raise ctx.error("INVALID_TYPE", query.sobject_pos,
                        f"Didn't understand relationship '{query.sobject}' in FROM part of "
                        "query call. If you are attempting to use a custom relationship, be "
                        "sure to append the '__r' after the custom relationship name. Please "
                        "reference your WSDL or the describe call for the appropriate names.")
    major = int(scope.settings.version.split(".")[0])
    if scope.depth >= 1 and major < NESTING_VERSION:
        raise ctx.malformed(item.pos, "Nesting of child relationship subqueries needs API "
                                      f"version {NESTING_VERSION}.0 or later")
    if scope.depth + 1 >= MAX_LEVELS:
        raise ctx.malformed(item.pos, f"Relationship queries can be nested at most "
                                      f"{MAX_LEVELS} levels deep")
    if query.is_aggregate or query.is_count or any(
            isinstance(i, Call) and i.is_aggregate for i in query.items):
        raise ctx.malformed(item.pos, "only root queries support aggregate expressions")
    child = Scope(query, metadata.objects()[rel["childSObject"]], ctx, scope.settings,
                  scope.shared, scope.shared.alias("c"), scope.depth + 1)
    record = records.RecordSelect(child).json()
    link = child.column(rel["field"])
    where = records.where_sql(child, [f"{link} = {scope.column('Id')}"])
    # the rowid last: one order for the first page (here) and the pages after it (the plan)
    order = ", ".join(p for p in (records.order_sql(child), f"{child.alias}.rowid") if p)
    number = len(scope.shared.child_plans)
    scope.shared.child_plans[number] = RecordPlan(
        child.obj, "records", scope.shared.params, f"SELECT {child.alias}.rowid, {record}",
        child.from_sql(), child.from_sql(), records.where_sql(child, [f"{link} = :_parent"]),
        order, query.limit, query.offset, child.alias, children=scope.shared.child_plans)
    source = f"{child.from_sql()} WHERE {where}"
    first = CHILD_PAGE if query.limit is None else min(CHILD_PAGE, int(query.limit))
    rows = f"SELECT {record} AS rec {source} ORDER BY {order}{window(first, query.offset)}"
    total = f"SELECT COUNT(*) FROM (SELECT 1 {source}{window(query.limit, query.offset)})"
    more = (f"'siasim-child:{number}:' || {scope.column('Id')} || ':' || n")
    result = ("CASE WHEN n = 0 THEN NULL "
              f"WHEN n <= {CHILD_PAGE} THEN json_object('totalSize', n, 'done', json('true'), "
              f"'records', ({page(rows)})) "
              f"ELSE json_object('totalSize', n, 'done', json('false'), 'nextRecordsUrl', "
              f"{more}, 'records', ({page(rows)})) END")
    return rel["relationshipName"], f"json((SELECT {result} FROM (SELECT ({total}) AS n)))"


def window(limit: int | None, offset: int | None) -> str:
    if limit is None and not offset:
        return ""
    sql = f" LIMIT {-1 if limit is None else int(limit)}"
    return sql + (f" OFFSET {int(offset)}" if offset else "")


def page(rows: str) -> str:
    return f"SELECT json_group_array(json(r.rec)) FROM ({rows}) r"

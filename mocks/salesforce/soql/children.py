"""Parent-to-child subqueries: ``SELECT Name, (SELECT LastName FROM Contacts) FROM Account``.

The subquery names a child relationship of the queried object (``Contacts``,
``Opportunities``, ``Tasks``: describe's ``childRelationships``), and each record gets its
children as a nested query result, ``{"totalSize", "done": true, "records": [...]}``, or
null when it has none, as in Salesforce. The subquery takes WHERE, ORDER BY, LIMIT and
parent lookups of its own; from API version 58.0 it may hold subqueries in turn, five
levels deep in all. Aggregates are refused there, as Salesforce refuses them ("only root
queries support aggregate expressions"). A parent's children all come in its record (the
mock never pages them with a nested ``nextRecordsUrl``).
"""

from __future__ import annotations

from mocks.salesforce import metadata
from mocks.salesforce.soql import records
from mocks.salesforce.soql.scope import Scope
from mocks.salesforce.soql.syntax import Call, SubqueryItem

MAX_LEVELS = 5  # parent-to-child levels, the top-level query included
NESTING_VERSION = 58  # the first API version with more than one level


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
    link = f'{child.column(rel["field"])} = {scope.column("Id")}'
    where = records.where_sql(child, [link])
    order = records.order_sql(child)
    tail = f" ORDER BY {order}" if order else ""
    if query.limit is not None:
        tail += f" LIMIT {int(query.limit)}"
    if query.offset:
        tail += f"{'' if query.limit is not None else ' LIMIT -1'} OFFSET {int(query.offset)}"
    rows = f"SELECT {record} AS rec {child.from_sql()} WHERE {where}{tail}"
    result = ("CASE WHEN COUNT(*) = 0 THEN NULL ELSE json_object('totalSize', COUNT(*), "
              "'done', json('true'), 'records', json_group_array(json(r.rec))) END")
    return rel["relationshipName"], f"json((SELECT {result} FROM ({rows}) r))"

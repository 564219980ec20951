"""The activity log: every activity of every person, read in date order by paging token.

Reads never scan the log. Without ``leadIds``, each requested type is read on its own
along the ``(activityTypeId, activityDate, id)`` index from the token's position, at most
one page per type, and the pages are merged; with ``leadIds``, those persons' activities
are read along ``(leadId, activityDate, id)``. Either way a page costs the same on a world
of a thousand persons or of a million, and an incremental reader pays for what changed.

Writes happen inside the caller's store transaction, so an activity lands with the change
it records or not at all.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fixtures.marketo_types import CHANGE_DATA_VALUE, NEW_LEAD, TYPES_BY_ID
from mocks.marketo.sqlsets import one_of

DELETE_LEAD = 37
Position = tuple[str, int]  # (activityDate, id): a page starts after it

_COLUMNS = ("id", "marketoGUID", "leadId", "activityDate", "activityTypeId",
            "primaryAttributeValueId", "primaryAttributeValue", "attributes", "fields")
_SELECT = ", ".join(f'"{c}"' for c in _COLUMNS)


@dataclass
class NewActivity:
    leadId: int
    activityDate: str
    activityTypeId: int
    primaryAttributeValueId: int | None = None
    primaryAttributeValue: str | None = None
    attributes: list[dict] = field(default_factory=list)
    fields: list[dict] | None = None


def append(db, items: Sequence[NewActivity]) -> list[int]:
    """Add activities with the next ids (the caller holds the store's write transaction)."""
    if not items:
        return []
    conn = db.conn
    first = conn.execute('SELECT coalesce(max(id), 0) + 1 FROM "activities"').fetchone()[0]
    rows = []
    for offset, item in enumerate(items):
        ident = first + offset
        rows.append((ident, str(ident), item.leadId, item.activityDate, item.activityTypeId,
                     item.primaryAttributeValueId, item.primaryAttributeValue,
                     json.dumps(item.attributes, ensure_ascii=False),
                     None if item.fields is None else json.dumps(item.fields,
                                                                 ensure_ascii=False)))
    conn.executemany(f'INSERT INTO "activities" ({_SELECT}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                     rows)
    return [row[0] for row in rows]


# How items look, written by SQLite as JSON (several times faster than building dicts
# and encoding them in Python); json_patch onto {} drops the members that are null.
ACTIVITY_JSON = (
    "json_patch('{}', json_object('id', id, 'marketoGUID', marketoGUID, 'leadId', leadId, "
    "'activityDate', activityDate, 'activityTypeId', activityTypeId, "
    "'primaryAttributeValueId', primaryAttributeValueId, "
    "'primaryAttributeValue', primaryAttributeValue, "
    "'attributes', json(coalesce(attributes, '[]'))))")
#: an item of the change feed: the changed fields apart, with their old and new values
CHANGE_JSON = (
    "json_patch('{}', json_object('id', id, 'marketoGUID', marketoGUID, 'leadId', leadId, "
    "'activityDate', activityDate, 'activityTypeId', activityTypeId, "
    "'fields', json(coalesce(fields, '[]')), "
    f"'attributes', json(CASE WHEN activityTypeId = {CHANGE_DATA_VALUE} THEN "
    "(SELECT json_group_array(json(j.value)) FROM json_each(attributes) j "
    "WHERE json_extract(j.value, '$.name') NOT IN ('New Value', 'Old Value')) "
    "ELSE coalesce(attributes, '[]') END)))")


@dataclass
class Page:
    items: list[str]  # JSON text of each item
    more: bool
    position: Position


def read_page(conn, position: Position, type_ids: Iterable[int], batch: int, *,
              lead_ids: Sequence[int] | None = None,
              only_values: dict[int, Sequence[int]] | None = None,
              shape: str = ACTIVITY_JSON) -> Page:
    """The next ``batch`` activities after ``position`` of these types, in date order.

    ``only_values`` narrows a type to some primary attribute value ids (the fields of
    Change Data Value, the assets of ``assetIds``); ``shape`` is how an item looks.
    """
    types = sorted(set(type_ids))
    only_values = only_values or {}
    date, ident = position
    if lead_ids is not None:
        keys = _lead_keys(conn, date, ident, types, lead_ids, batch + 1, only_values)
    else:
        streams = [_type_keys(conn, date, ident, t, batch + 1, only_values.get(t))
                   for t in types]
        keys = list(heapq.merge(*streams))[: batch + 1]
    more = len(keys) > batch
    keys = keys[:batch]
    if not keys:
        return Page([], more, position)
    ids = [k[1] for k in keys]
    marks = ",".join("?" * len(ids))
    by_id = dict(conn.execute(f'SELECT id, {shape} FROM "activities" WHERE id IN ({marks})',
                              ids).fetchall())
    return Page([by_id[i] for i in ids if i in by_id], more, keys[-1])


def _value_clause(values: Sequence[int] | None) -> tuple[str, list]:
    if values is None:
        return "", []
    clause, params = one_of('"primaryAttributeValueId"', values)
    return f" AND {clause}", params


def _type_keys(conn, date: str, ident: int, type_id: int, limit: int,
               values: Sequence[int] | None) -> list[Position]:
    extra, params = _value_clause(values)
    return conn.execute(
        'SELECT "activityDate", "id" FROM "activities" WHERE "activityTypeId" = ? '
        f'AND ("activityDate", "id") > (?, ?){extra} ORDER BY "activityDate", "id" LIMIT ?',
        [type_id, date, ident, *params, limit]).fetchall()


def _lead_keys(conn, date: str, ident: int, types: list[int], lead_ids: Sequence[int],
               limit: int, only_values: dict[int, Sequence[int]]) -> list[Position]:
    # "+" keeps the planner on the lead index: a few persons' activities, not a type's
    type_marks = ",".join("?" * len(types))
    lead_marks = ",".join("?" * len(lead_ids))
    narrowed = [t for t in types if t in only_values]
    extra, params = "", []
    for t in narrowed:
        clause, values = _value_clause(only_values[t])
        extra += f' AND ("activityTypeId" != ? OR (1{clause}))'
        params += [t, *values]
    rows = conn.execute(
        f'SELECT "activityDate", "id" FROM "activities" WHERE "leadId" IN ({lead_marks}) '
        f'AND +"activityTypeId" IN ({type_marks}) AND ("activityDate", "id") > (?, ?){extra} '
        'ORDER BY "activityDate", "id" LIMIT ?',
        [*lead_ids, *types, date, ident, *params, limit]).fetchall()
    return rows


# --- selecting persons by their activities (rule A-ATTRIBUTES) --------------------------

OPERATORS = ("is", "isNot", "contains", "startsWith", "endsWith")


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _match_sql(expr: str, operator: str, values: list[str]) -> tuple[str, list]:
    """A smart list constraint on ``expr``; case-insensitive, as Marketo's are."""
    if operator in ("is", "isNot"):
        marks = ",".join("?" * len(values))
        clause = f"lower(CAST({expr} AS TEXT)) IN ({marks})"
        params = [v.lower() for v in values]
        return (clause if operator == "is" else f"NOT coalesce({clause}, 0)"), params
    pattern = {"contains": "%{}%", "startsWith": "{}%", "endsWith": "%{}"}[operator]
    clause = " OR ".join(f"CAST({expr} AS TEXT) LIKE ? ESCAPE '\\'" for _ in values)
    return f"({clause})", [pattern.format(_like(v)) for v in values]


def select_leads(conn, type_id: int, constraints: list[tuple[str, str, list[str]]],
                 since: str | None = None, until: str | None = None) -> list[int]:
    """Ids of the persons with an activity of ``type_id`` meeting every constraint.

    A constraint is ``(attribute name, operator, values)``; the type's primary attribute
    (the email subject of a sales email, the campaign of a sales campaign) counts as an
    attribute too, as it does in a smart list filter.
    """
    activity_type = TYPES_BY_ID[type_id]
    primary = activity_type.primary[0] if activity_type.primary else None
    where = ['a."activityTypeId" = ?']
    params: list = [type_id]
    if since:
        where.append('a."activityDate" >= ?')
        params.append(since)
    if until:
        where.append('a."activityDate" < ?')
        params.append(until)
    for name, operator, values in constraints:
        value_sql, value_params = _match_sql("json_extract(j.value, '$.value')", operator,
                                             values)
        clause = ("EXISTS (SELECT 1 FROM json_each(a.attributes) j "
                  f"WHERE json_extract(j.value, '$.name') = ? AND {value_sql})")
        clause_params = [name, *value_params]
        if name == primary:
            primary_sql, primary_params = _match_sql('a."primaryAttributeValue"', operator,
                                                     values)
            clause = f"({clause} OR {primary_sql})"
            clause_params += primary_params
        where.append(clause)
        params += clause_params
    sql = (f'SELECT DISTINCT a."leadId" FROM "activities" a WHERE {" AND ".join(where)} '
           'ORDER BY a."leadId"')
    return [row[0] for row in conn.execute(sql, params)]


__all__ = ["ACTIVITY_JSON", "CHANGE_JSON", "DELETE_LEAD", "NEW_LEAD", "NewActivity", "Page",
           "append", "read_page", "select_leads"]

"""``parameterizedSearch``: a search given as parameters instead of a SOSL statement.

GET: ``q`` (the search string, no braces), ``in`` (ALL, NAME, EMAIL, PHONE, SIDEBAR),
``sobject`` (repeated), ``fields`` (for every object), ``{Object}.fields``,
``{Object}.limit``, ``overallLimit``, ``defaultLimit``. POST: the same as JSON,
``{"q", "in", "fields", "sobjects": [{"name", "fields", "where", "orderBy", "limit"}],
"overallLimit", "defaultLimit"}``; an object's ``where`` and ``orderBy`` are SOQL's.
"""

from __future__ import annotations

from collections.abc import Mapping

from mocks.salesforce.soql.errors import SoqlError
from mocks.salesforce.soql.parser import Parser
from mocks.salesforce.soql.syntax import FieldRef, Query
from mocks.salesforce.sosl.run import SEARCHABLE
from mocks.salesforce.sosl.statement import GROUPS, MAX_LIMIT, Returning, Search, search_terms


def _refused(message: str) -> SoqlError:
    return SoqlError("INVALID_SEARCH", message)


def _number(value, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not str(value).isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise _refused(f"{name} must be a whole number between 1 and {MAX_LIMIT}")
    return int(value)


def _names(value, name: str) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise _refused(f"{name} must be a list of field names")
    return [i.strip() for i in items]


def _query(obj: str, fields: list[str], where: str | None, order: str | None,
           limit: int | None) -> Query:
    refs = [FieldRef(f.split("."), 0) for f in (fields or ["Id"])]
    query = Query(refs, obj, 0, None, None, [], limit, None)
    try:
        if where:
            p = Parser(where)
            query.where = p.condition()
            if p.tok.kind != "eof":
                raise p.ctx.unexpected(p.tok)
        if order:
            p = Parser(order)
            query.order.append(p.order_item())
            while p.tok.kind == ",":
                p.take()
                query.order.append(p.order_item())
            if p.tok.kind != "eof":
                raise p.ctx.unexpected(p.tok)
    except SoqlError as exc:
        code = "MALFORMED_SEARCH" if exc.code == "MALFORMED_QUERY" else exc.code
        raise SoqlError(code, exc.message) from None
    return query


def build(spec: Mapping, get: bool) -> Search:
    """The search a GET's parameters or a POST's JSON ask for."""
    text = spec.get("q")
    if not isinstance(text, str) or not text.strip():
        raise SoqlError("MISSING_ARGUMENT", "Missing argument: q")
    group = str(spec.get("in") or "ALL").upper()
    if group not in GROUPS:
        raise _refused(f"in must be one of {', '.join(GROUPS)}")
    common = _names(spec.get("fields"), "fields")
    default_limit = _number(spec.get("defaultLimit"), "defaultLimit")
    search = Search(text, search_terms(text), group,
                    limit=_number(spec.get("overallLimit"), "overallLimit") or MAX_LIMIT)
    if get:
        objects = spec.getlist("sobject") if hasattr(spec, "getlist") else []
        entries = [{"name": name, "fields": spec.get(f"{name}.fields"),
                    "limit": spec.get(f"{name}.limit")} for name in objects]
    else:
        entries = spec.get("sobjects") or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) and
                                                    isinstance(e.get("name"), str)
                                                    for e in entries):
            raise _refused("sobjects must be a list of objects with a name")
    for entry in entries:
        fields = _names(entry.get("fields"), f"{entry['name']}.fields") or common
        where, order = entry.get("where"), entry.get("orderBy")
        if not isinstance(where, str | None) or not isinstance(order, str | None):
            raise _refused("where and orderBy must be SOQL text")
        limit = _number(entry.get("limit"), f"{entry['name']}.limit") or default_limit
        search.returning.append(Returning(_query(entry["name"], fields, where, order, limit)))
    if not entries and (common or default_limit):
        for name in SEARCHABLE:
            search.returning.append(Returning(_query(name, common, None, None, default_limit)))
    return search

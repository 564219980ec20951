"""Record queries: each record's JSON, its parent records, TYPEOF, and ORDER BY.

A record is ``{"attributes": {"type", "url"}, field: value, ...}`` with keys in SELECT
order; a parent lookup is a nested record with its own attributes, or null; a
polymorphic one (``Who``, ``Owner``) is of type ``Name`` unless TYPEOF picks the fields of
each type; a parent-to-child subquery is a nested query result (:mod:`children`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mocks.salesforce import metadata
from mocks.salesforce.metadata import TEXT_TYPES, Field
from mocks.salesforce.soql import children
from mocks.salesforce.soql.filters import Conditions
from mocks.salesforce.soql.plan import RecordPlan
from mocks.salesforce.soql.scope import Scope, name_field
from mocks.salesforce.soql.sqljson import json_object, json_value, lit, pair
from mocks.salesforce.soql.syntax import (
    Call,
    FieldRef,
    FieldsItem,
    SubqueryItem,
    TypeOfItem,
)

FIELDS_LIMIT = 200


@dataclass
class _Parent:
    """A relationship named in SELECT: its fields (or TYPEOF branches), in order."""

    rel: Field
    pairs: list[str] = field(default_factory=list)  # "'Key', expr" for json_object
    typeof: dict[str, list[str]] | None = None  # object -> pairs
    otherwise: list[str] | None = None


class RecordSelect:
    """The SELECT list of one scope, as the SQL of its record's JSON."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.ctx = scope.ctx
        self.entries: list[tuple[str, object]] = []  # ("pair", sql) or ("parent", _Parent)
        self.parents: dict[str, _Parent] = {}
        self.seen: set[str] = set()
        # each selected field as a plain column (header, SQL, field): how the Bulk APIs
        # write a result as CSV; None once the SELECT has a shape CSV cannot hold
        self.flat: list[tuple[str, str, Field]] | None = []

    def json(self) -> str:
        scope = self.scope
        for item in scope.query.items:
            if isinstance(item, FieldsItem):
                self.add_fields(item)
            elif isinstance(item, TypeOfItem):
                self.add_typeof(item)
            elif isinstance(item, SubqueryItem):
                self.add_children(item)
            elif isinstance(item, Call):
                self.add_call(item)
            else:
                if item.alias:
                    raise self.ctx.malformed(item.alias_pos, f"unexpected token: '{item.alias}'")
                self.add_field(item)
        obj = scope.obj
        pairs = [f"'attributes', json_object('type', {lit(obj.name)}, 'url', "
                 f"{lit(scope.settings.base + obj.name + '/')} || {scope.column('Id')})"]
        for kind, entry in self.entries:
            pairs.append(entry if kind == "pair" else self.parent_json(entry))
        return json_object(pairs)

    def _claim(self, key: str, pos: int) -> None:
        if key.lower() in self.seen:
            raise self.ctx.error("INVALID_FIELD", pos, f"duplicate field selected: {key}")
        self.seen.add(key.lower())

    def add_fields(self, item: FieldsItem) -> None:
        limit = self.scope.query.limit
        if item.which != "STANDARD" and (limit is None or limit > FIELDS_LIMIT):
            raise self.ctx.malformed(item.pos, f"The SOQL FIELDS function must have a LIMIT "
                                               f"of at most {FIELDS_LIMIT}")
        for f in self.scope.obj.fields:
            if item.which == "ALL" or (item.which == "CUSTOM") == f.custom:
                self.add_field(FieldRef([f.name], item.pos))

    def add_call(self, call: Call) -> None:
        if call.name == "TOLABEL" and len(call.args) == 1 and \
                isinstance(call.args[0], FieldRef):
            self.add_field(call.args[0])  # a picklist's labels are its values here
            return
        if call.name in ("FORMAT", "CONVERTCURRENCY"):
            raise self.ctx.unsupported(call.pos, f"{call.text.split('(')[0]}()")
        raise self.ctx.malformed(call.pos, f"Unknown function: {call.text.split('(')[0]}")

    def add_field(self, ref: FieldRef) -> None:
        resolved = self.scope.resolve(ref)
        f, rel = resolved.field, resolved.rel
        key = (rel.relationship + "." if rel else "") + f.name
        self._claim(key, ref.pos)
        if self.flat is not None:
            self.flat.append((key, resolved.sql, f))
        entry = pair(f.name, json_value(resolved.sql, f))
        if rel is None:
            self.entries.append(("pair", entry))
            return
        parent = self.parents.get(rel.relationship)
        if parent is None:
            parent = self.parents[rel.relationship] = _Parent(rel)
            self.entries.append(("parent", parent))
        parent.pairs.append(entry)

    def add_children(self, item: SubqueryItem) -> None:
        key, sql = children.child_json(self.scope, item)
        self._claim(key, item.pos)
        self.flat = None
        self.entries.append(("pair", pair(key, sql)))

    def parent_json(self, parent: _Parent) -> str:
        scope = self.scope
        base = scope.settings.base
        rel = parent.rel
        join = scope.join(rel)
        parent_id = scope.parent_id(join)
        if rel.polymorphic:
            kinds = " ".join(f"WHEN {a}.\"Id\" IS NOT NULL THEN {lit(target)}"
                             for target, a in join.aliases.items())
            url = f"{lit(base)} || (CASE {kinds} END) || '/' || {parent_id}"
        else:
            url = f"{lit(base + rel.reference_to[0] + '/')} || {parent_id}"

        def record(kind_sql: str, url_sql: str, pairs: list[str]) -> str:
            return json_object([f"'attributes', json_object('type', {kind_sql}, 'url', "
                                f"{url_sql})", *pairs])

        if parent.typeof is None:
            kind = "'Name'" if rel.polymorphic else lit(rel.reference_to[0])
            body = record(kind, url, parent.pairs)
            return f"{lit(rel.relationship)}, json(CASE WHEN {parent_id} IS NULL THEN NULL " \
                   f"ELSE {body} END)"
        branches = []
        for target, pairs in parent.typeof.items():
            alias = join.aliases[target]
            branch_url = f"{lit(base + target + '/')} || {alias}.\"Id\""
            branches.append(f"WHEN {alias}.\"Id\" IS NOT NULL THEN "
                            f"{record(lit(target), branch_url, pairs)}")
        otherwise = record("'Name'", url, parent.otherwise or [])
        return (f"{lit(rel.relationship)}, json(CASE WHEN {parent_id} IS NULL THEN NULL "
                f"{' '.join(branches)} ELSE {otherwise} END)")

    def add_typeof(self, item: TypeOfItem) -> None:
        scope = self.scope
        obj = scope.obj
        rel = obj.relationship(item.relationship)
        if rel is None or not rel.polymorphic:
            raise self.ctx.error("INVALID_FIELD", item.pos,
                                 f"TYPEOF can only be used on a polymorphic relationship; "
                                 f"'{item.relationship}' is not one on entity '{obj.name}'")
        if rel.relationship in self.parents:
            raise self.ctx.error("INVALID_FIELD", item.pos,
                                 f"duplicate field selected: {rel.relationship}")
        self._claim(rel.relationship, item.pos)
        parent = self.parents[rel.relationship] = _Parent(rel, typeof={}, otherwise=[])
        self.flat = None
        self.entries.append(("parent", parent))
        join = scope.join(rel)
        for obj_name, refs, pos in item.branches:
            target = metadata.get(obj_name)
            if target is None or target.name not in rel.reference_to:
                raise self.ctx.error("INVALID_FIELD", pos,
                                     f"'{obj_name}' is not a valid type for '{rel.relationship}'"
                                     f" on entity '{obj.name}'")
            pairs = []
            for ref in refs:
                if len(ref.path) != 1:
                    raise self.ctx.error("INVALID_FIELD", ref.pos,
                                         "the siasim Salesforce mock follows one level of "
                                         "parent relationship")
                f = target.field(ref.path[0])
                if f is None:
                    raise scope.no_column(ref.pos, ref.path[0], target.name)
                sql = f'{join.aliases[target.name]}."{f.name}"'
                pairs.append(pair(f.name, json_value(sql, f)))
            parent.typeof[target.name] = pairs
        for ref in item.otherwise:
            spec = name_field(ref.path[-1]) if len(ref.path) == 1 else None
            if spec is None:
                raise scope.no_column(ref.pos, ".".join(ref.path), "Name")
            name, _, owners = spec
            sql = scope.name_expression(join, name, owners)
            parent.otherwise.append(pair(name, json_value(sql, metadata.NAME_OBJECT.field(name))))


def order_sql(scope: Scope) -> str:
    parts = []
    for item in scope.query.order:
        resolved = scope.resolve_expr(item.expr)
        f = resolved.field
        if not f.sortable:
            raise scope.ctx.error("INVALID_FIELD", item.expr.pos,
                                  f"field '{f.name}' can not be sorted in a query call")
        collate = " COLLATE NOCASE" if f.type in TEXT_TYPES else ""
        nulls_last = item.nulls_last if item.nulls_last is not None else item.descending
        parts.append(f"{resolved.sql}{collate} {'DESC' if item.descending else 'ASC'} "
                     f"NULLS {'LAST' if nulls_last else 'FIRST'}")
    return ", ".join(parts)


def where_sql(scope: Scope, extra: list[str] | None = None) -> str:
    """The scope's filters: not deleted (unless queryAll), ``extra``, then WHERE."""
    filters = [f for f in (scope.live_filter(),) if f] + list(extra or [])
    if scope.query.where is not None:
        filters.append(Conditions(scope).sql(scope.query.where))
    return " AND ".join(filters)


def plan(scope: Scope, count_only: bool = False) -> RecordPlan:
    """The plan of a top-level record query (or of ``COUNT()``)."""
    select = None if count_only else RecordSelect(scope)
    record = "NULL" if select is None else select.json()
    where = where_sql(scope)
    order = "" if count_only else order_sql(scope)
    query = scope.query
    return RecordPlan(scope.obj, "count" if count_only else "records", scope.shared.params,
                      f"SELECT {scope.alias}.rowid, {record}", scope.from_sql(),
                      scope.from_sql(scope.joins_in(where)), where, order, query.limit,
                      query.offset, scope.alias, None if select is None else select.flat,
                      scope.shared.child_plans)

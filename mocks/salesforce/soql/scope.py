"""Names against the metadata: one query's object, its parent joins, and what it shares.

A :class:`Scope` is one SELECT: the top-level query, a parent-to-child subquery or a
semi-join's inner select. Each has its own table alias (``t``, ``c1``, ``s2`` ...) and its
own LEFT JOINs for the parent relationships it names; all of a query's scopes share one
:class:`Shared`: named SQL parameters (so the order pieces of SQL are assembled in never
matters) and the numbering of aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from mocks.salesforce import metadata
from mocks.salesforce.metadata import Field, SObject
from mocks.salesforce.soql import dates
from mocks.salesforce.soql.errors import QueryText, SoqlError
from mocks.salesforce.soql.plan import RecordPlan
from mocks.salesforce.soql.syntax import Call, FieldRef, Query

_CUSTOM_HINT = ("If you are attempting to use a custom field, be sure to append the '__c' "
                "after the custom field name. Please reference your WSDL or the describe "
                "call for the appropriate names.")


@dataclass(frozen=True)
class Settings:
    today: date  # anchors the date literals
    version: str  # goes into each record's attributes.url
    include_deleted: bool  # queryAll

    @property
    def base(self) -> str:
        return f"/services/data/v{self.version}/sobjects/"


class Shared:
    def __init__(self) -> None:
        self.params: dict[str, object] = {}
        self._aliases = 0
        # each parent-to-child subquery's own plan, by number (see children.PLACEHOLDER)
        self.child_plans: dict[int, RecordPlan] = {}

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return ":" + name

    def alias(self, stem: str) -> str:
        self._aliases += 1
        return f"{stem}{self._aliases}"


@dataclass
class Join:
    relationship: Field  # the reference field on the scope's object
    aliases: dict[str, str]  # target object -> SQL alias


@dataclass
class Resolved:
    """A field reference or date function, resolved: its SQL, the field (a stand-in for a
    function's value), the relationship it goes through, and a key to compare by."""

    sql: str
    field: Field
    rel: Field | None
    key: str
    shown: str  # as Salesforce names it in messages: "Owner.Name", "CreatedDate"


@dataclass
class Scope:
    query: Query
    obj: SObject
    ctx: QueryText
    settings: Settings
    shared: Shared
    alias: str = "t"
    depth: int = 0  # 0: the top-level query
    joins: dict[str, Join] = field(default_factory=dict)

    @classmethod
    def of(cls, query: Query, ctx: QueryText, settings: Settings, shared: Shared,
           alias: str = "t", depth: int = 0) -> Scope:
        obj = metadata.get(query.sobject)
        if obj is None:
            raise ctx.error("INVALID_TYPE", query.sobject_pos,
                            f"sObject type '{query.sobject}' is not supported. If you are "
                            "attempting to use a custom object, be sure to append the '__c' "
                            "after the entity name. Please reference your WSDL or the "
                            "describe call for the appropriate names.")
        return cls(query, obj, ctx, settings, shared, alias, depth)

    def param(self, value) -> str:
        return self.shared.param(value)

    def column(self, name: str) -> str:
        return f'{self.alias}."{name}"'

    def live_filter(self) -> str:
        """The filter that leaves deleted records out (none for queryAll)."""
        return "" if self.settings.include_deleted else f'{self.column("IsDeleted")} = 0'

    # -- names ------------------------------------------------------------------------------
    def _strip_prefix(self, ref: FieldRef) -> list[str]:
        path = list(ref.path)
        if len(path) > 1:
            head = path[0].lower()
            alias = (self.query.alias or "").lower()
            # "Lead.Email" or "l.Email" names the queried object's own field; but a
            # relationship of the same name wins ("Account.Name" on Contact)
            if (head in (alias, self.obj.name.lower())) and not (
                    len(path) == 2 and self.obj.relationship(path[0]) and head != alias):
                path = path[1:]
        return path

    def no_column(self, pos: int, name: str, entity: str) -> SoqlError:
        return self.ctx.error("INVALID_FIELD", pos,
                              f"No such column '{name}' on entity '{entity}'. {_CUSTOM_HINT}")

    def resolve(self, ref: FieldRef) -> Resolved:
        path = self._strip_prefix(ref)
        if len(path) == 1:
            f = self.obj.field(path[0])
            if f is None:
                raise self.no_column(ref.pos, path[0], self.obj.name)
            return Resolved(self.column(f.name), f, None, f.name.lower(), f.name)
        if len(path) > 2:
            raise self.ctx.error("INVALID_FIELD", ref.pos,
                                 f"'{'.'.join(ref.path)}': the siasim Salesforce mock follows "
                                 "one level of parent relationship")
        rel = self.obj.relationship(path[0])
        if rel is None:
            raise self.ctx.error("INVALID_FIELD", ref.pos,
                                 f"Didn't understand relationship '{path[0]}' in field path. If "
                                 "you are attempting to use a custom relationship, be sure to "
                                 "append the '__r' after the custom relationship name. Please "
                                 "reference your WSDL or the describe call for the appropriate "
                                 "names.")
        join = self.join(rel)
        if rel.polymorphic:
            spec = name_field(path[1])
            if spec is None:
                raise self.no_column(ref.pos, path[1], "Name")
            name, _, owners = spec
            parent_field = metadata.NAME_OBJECT.field(name)
            sql = self.name_expression(join, name, owners)
        else:
            target = metadata.objects()[rel.reference_to[0]]
            parent_field = target.field(path[1])
            if parent_field is None:
                raise self.no_column(ref.pos, path[1], target.name)
            sql = f'{join.aliases[target.name]}."{parent_field.name}"'
        shown = f"{rel.relationship}.{parent_field.name}"
        return Resolved(sql, parent_field, rel, shown.lower(), shown)

    def resolve_expr(self, expr: FieldRef | Call) -> Resolved:
        """A field reference, or a date function of one (``CALENDAR_YEAR(CreatedDate)``,
        ``HOUR_IN_DAY(convertTimezone(CreatedDate))``), or ``toLabel(Status)``."""
        if isinstance(expr, FieldRef):
            return self.resolve(expr)
        if expr.name == "TOLABEL" and len(expr.args) == 1 and \
                isinstance(expr.args[0], FieldRef):
            return self.resolve(expr.args[0])  # a picklist's labels are its values
        if expr.is_date_function and len(expr.args) == 1:
            arg = expr.args[0]
            if isinstance(arg, Call) and arg.name == "CONVERTTIMEZONE" and \
                    len(arg.args) == 1 and isinstance(arg.args[0], FieldRef):
                arg = arg.args[0]  # every user of the mock is in UTC
            if isinstance(arg, FieldRef):
                inner = self.resolve(arg)
                f = inner.field
                if f.type not in ("date", "datetime") or (
                        f.type == "date" and dates.datetime_only(expr.name)):
                    raise self.ctx.malformed(
                        expr.pos, f"{expr.name} cannot be used with field '{inner.shown}' of "
                                  f"type {f.type}")
                sql, kind = dates.date_function_sql(expr.name, inner.sql)
                stand_in = Field(f.name, kind, f.label)
                return Resolved(sql, stand_in, inner.rel, f"{expr.name}({inner.key})",
                                f"{expr.name}({inner.shown})")
        if expr.is_aggregate:
            raise self.ctx.malformed(expr.pos, f"{expr.text}: aggregate functions can only be "
                                               "used in SELECT, HAVING and ORDER BY of an "
                                               "aggregate query")
        if expr.name in ("FORMAT", "CONVERTCURRENCY", "DISTANCE", "GEOLOCATION",
                         "CONVERTTIMEZONE", "GROUPING", "TOLABEL") or expr.is_date_function:
            raise self.ctx.malformed(expr.pos, f"invalid use of {expr.text}")
        raise self.ctx.malformed(expr.pos, f"Unknown function: {expr.text.split('(')[0]}")

    def join(self, rel: Field) -> Join:
        join = self.joins.get(rel.name)
        if join is None:
            n = len(self.joins)
            join = Join(rel, {target: f"{self.alias}p{n}{target.lower()}"
                              for target in rel.reference_to})
            self.joins[rel.name] = join
        return join

    def name_expression(self, join: Join, name: str, owners: tuple[str, ...]) -> str:
        """A field of the ``Name`` object, across the targets of a polymorphic lookup."""
        parts = []
        for target, alias in join.aliases.items():
            if name == "Type":
                value = f'{alias}."Type"' if target == "Group" else f"'{target}'"
                parts.append(f'WHEN {alias}."Id" IS NOT NULL THEN {value}')
            elif "*" in owners or target in owners:
                parts.append(f'WHEN {alias}."Id" IS NOT NULL THEN {alias}."{name}"')
        if not parts:
            return "NULL"
        return "(CASE " + " ".join(parts) + " END)"

    def parent_id(self, join: Join) -> str:
        ids = " ".join(f'WHEN {a}."Id" IS NOT NULL THEN {a}."Id"' for a in join.aliases.values())
        return f"(CASE {ids} END)"

    def join_sql(self, only: set[str] | None = None) -> str:
        out = []
        for rel_name, join in self.joins.items():
            if only is not None and rel_name not in only:
                continue
            for target, alias in join.aliases.items():
                out.append(f'LEFT JOIN "{target}" {alias} ON {alias}."Id" = '
                           f'{self.column(join.relationship.name)}')
        return " ".join(out)

    def joins_in(self, sql: str) -> set[str]:
        """The relationships whose join aliases ``sql`` mentions."""
        return {name for name, join in self.joins.items()
                if any(f"{alias}." in sql for alias in join.aliases.values())}

    def from_sql(self, only: set[str] | None = None) -> str:
        return f'FROM "{self.obj.name}" {self.alias} {self.join_sql(only)}'.rstrip()


def name_field(name: str) -> tuple[str, str, tuple[str, ...]] | None:
    """A field of the ``Name`` object: (canonical name, type, the objects that fill it)."""
    for canonical, (kind, owners) in metadata.NAME_FIELDS.items():
        if canonical.lower() == name.lower():
            return canonical, kind, owners
    return None

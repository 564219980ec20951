"""Aggregate queries: GROUP BY (ROLLUP, CUBE), HAVING, and the aggregate functions.

``SELECT LeadSource, COUNT(Id) n, MAX(CreatedDate) FROM Lead GROUP BY LeadSource`` gives
AggregateResult records, ``{"attributes": {"type": "AggregateResult"}, "LeadSource": ...,
"n": ..., "expr0": ...}``: a grouped field under its own name (a parent's field under the
field's name: ``Owner.Name`` gives ``Name``), everything else under its alias or
``exprN``, N counting the items without an alias. COUNT, COUNT_DISTINCT, MIN, MAX, SUM
and AVG; date functions (``CALENDAR_YEAR(CreatedDate)``) in SELECT, GROUP BY, HAVING and
ORDER BY; ``GROUPING(field)`` with ROLLUP and CUBE, whose subtotal rows carry null in the
fields rolled up and come after the rows they total.

Refused as Salesforce refuses them: a selected or ordered field neither grouped nor
aggregated, GROUP BY on a field that cannot be grouped (datetimes, decimals, long text),
an aggregate a field does not support (SUM of text, COUNT of a checkbox), ``COUNT()``
with GROUP BY. Groups of text compare without case.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from mocks.salesforce.metadata import NUMBER_TYPES, TEXT_TYPES, Field
from mocks.salesforce.soql import records
from mocks.salesforce.soql.filters import Conditions
from mocks.salesforce.soql.plan import AggregatePlan
from mocks.salesforce.soql.scope import Resolved, Scope
from mocks.salesforce.soql.sqljson import json_object, lit, typed
from mocks.salesforce.soql.syntax import Call, FieldRef, FieldsItem, SubqueryItem, TypeOfItem


@dataclass
class _Output:
    """One key of an AggregateResult: how to compute it in a branch of grouping sets."""

    key: str
    kind: str  # grouped | aggregate | grouping
    sql: str  # the value's SQL (grouped: the group expression)
    value_type: str  # the JSON type of the value
    index: int = -1  # grouped and grouping: which GROUP BY item

    def value(self, active: frozenset[int]) -> str:
        if self.kind == "grouping":
            return "0" if self.index in active else "1"
        if self.kind == "grouped" and self.index not in active:
            return "NULL"
        return typed(self.sql, self.value_type)


def _is_text(f: Field) -> bool:
    return f.type in TEXT_TYPES


class Aggregation:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.ctx = scope.ctx
        query = scope.query
        self.group = query.group
        self.groups: list[Resolved] = []
        if self.group is not None:
            for expr in self.group.items:
                resolved = scope.resolve_expr(expr)
                if not resolved.field.groupable:
                    raise self.ctx.malformed(expr.pos, f"field '{resolved.field.name}' can not "
                                                       "be grouped in a query call")
                self.groups.append(resolved)
        self.active = frozenset(range(len(self.groups)))  # the branch being compiled
        self.outputs = self._outputs()

    # -- what a name in SELECT, HAVING or ORDER BY stands for --------------------------------
    def _group_index(self, resolved: Resolved) -> int | None:
        for i, group in enumerate(self.groups):
            if group.key == resolved.key:
                return i
        return None

    def aggregate(self, call: Call) -> tuple[str, str]:
        """(SQL, JSON type) of an aggregate function call."""
        if len(call.args) != 1 or not isinstance(call.args[0], FieldRef):
            if call.name == "COUNT" and not call.args:
                raise self.ctx.malformed(call.pos, "COUNT() must be the only element in the "
                                                   "SELECT list")
            raise self.ctx.malformed(call.pos, f"invalid use of {call.text}")
        resolved = self.scope.resolve(call.args[0])
        f = resolved.field
        supported = f.aggregatable and (call.name not in ("SUM", "AVG")
                                        or f.type in NUMBER_TYPES)
        if not supported:
            raise self.ctx.malformed(call.args[0].pos, f"field {f.name} does not support "
                                                       f"aggregate operator {call.name}")
        sql = resolved.sql
        collate = " COLLATE NOCASE" if _is_text(f) else ""
        if call.name == "COUNT":
            return f"COUNT({sql})", "int"
        if call.name == "COUNT_DISTINCT":
            return f"COUNT(DISTINCT {sql}{collate})", "int"
        if call.name in ("MIN", "MAX"):
            return f"{call.name}({sql}{collate})", f.type
        if call.name == "SUM":
            return f"SUM({sql})", "int" if f.type == "int" else "double"
        return f"AVG({sql})", "double"

    def grouped(self, expr, what: str) -> tuple[Resolved, int]:
        """A field or date function that must be grouped (``what`` words the refusal)."""
        if isinstance(expr, Call) and expr.name == "TOLABEL" and len(expr.args) == 1:
            expr = expr.args[0]
        resolved = self.scope.resolve_expr(expr)
        index = self._group_index(resolved)
        if index is None:
            shown = ".".join(expr.path) if isinstance(expr, FieldRef) else expr.text
            raise self.ctx.malformed(expr.pos, f"{what} must be grouped or aggregated: {shown}")
        return resolved, index

    def _grouping(self, call: Call) -> int:
        if self.group is None or self.group.kind == "PLAIN":
            raise self.ctx.malformed(call.pos, "GROUPING() can only be used with GROUP BY "
                                               "ROLLUP or CUBE")
        if len(call.args) != 1:
            raise self.ctx.malformed(call.pos, f"invalid use of {call.text}")
        return self.grouped(call.args[0], "Field")[1]

    def _outputs(self) -> list[_Output]:
        outputs: list[_Output] = []
        unnamed = 0
        for item in self.scope.query.items:
            if isinstance(item, FieldsItem | TypeOfItem):
                raise self.ctx.malformed(item.pos, "Field must be grouped or aggregated: "
                                                   + ("FIELDS" if isinstance(item, FieldsItem)
                                                      else item.relationship))
            if isinstance(item, SubqueryItem):
                raise self.ctx.malformed(item.pos, "only root queries support aggregate "
                                                   "expressions, and an aggregate query cannot "
                                                   "hold a parent-to-child subquery")
            if isinstance(item, Call) and item.name == "COUNT" and not item.args:
                message = ("COUNT() must be the only element in the SELECT list"
                           if len(self.scope.query.items) > 1 else
                           "COUNT() cannot be used with GROUP BY: use COUNT(fieldName)")
                raise self.ctx.malformed(item.pos, message)
            named = item.alias
            if isinstance(item, Call) and item.name != "TOLABEL" and not named:
                named = f"expr{unnamed}"
                unnamed += 1
            if isinstance(item, Call) and item.is_aggregate:
                sql, kind = self.aggregate(item)
                output = _Output(named, "aggregate", sql, kind)
            elif isinstance(item, Call) and item.name == "GROUPING":
                output = _Output(named, "grouping", "", "int", self._grouping(item))
            else:
                resolved, index = self.grouped(item, "Field")
                output = _Output(named or resolved.field.name, "grouped", resolved.sql,
                                 resolved.field.type, index)
            if any(o.key.lower() == output.key.lower() for o in outputs):
                raise self.ctx.malformed(item.pos, f"duplicate alias: {output.key}")
            outputs.append(output)
        return outputs

    def having_resolve(self, expr) -> Resolved:
        """HAVING compares aggregates, or grouped fields (null where rolled up)."""
        if isinstance(expr, Call) and expr.is_aggregate:
            sql, kind = self.aggregate(expr)
            return Resolved(sql, Field(expr.text, kind, expr.text), None, expr.text, expr.text)
        if isinstance(expr, Call) and expr.name == "GROUPING":
            index = self._grouping(expr)
            sql = "0" if index in self.active else "1"
            return Resolved(sql, Field(expr.text, "int", expr.text), None, expr.text, expr.text)
        resolved, index = self.grouped(expr, "Field")
        if index not in self.active:
            resolved = Resolved("NULL", resolved.field, resolved.rel, resolved.key,
                                resolved.shown)
        return resolved

    # -- SQL -------------------------------------------------------------------------------
    def grouping_sets(self) -> list[frozenset[int]]:
        n = len(self.groups)
        everything = frozenset(range(n))
        if self.group is None or self.group.kind == "PLAIN":
            return [everything]
        if self.group.kind == "ROLLUP":
            return [frozenset(range(k)) for k in range(n, -1, -1)]
        return [frozenset(c) for k in range(n, -1, -1)
                for c in itertools.combinations(range(n), k)]

    def _order_columns(self, active: frozenset[int]) -> list[tuple[str, bool, bool, bool]]:
        """(SQL, text, descending, nulls last) of each ORDER BY item in one branch."""
        columns = []
        for item in self.scope.query.order:
            expr = item.expr
            if isinstance(expr, Call) and expr.is_aggregate:
                sql, kind = self.aggregate(expr)
                text = kind in TEXT_TYPES
            else:
                resolved, index = self.grouped(expr, "Ordered field")
                sql = resolved.sql if index in active else "NULL"
                text = _is_text(resolved.field)
            nulls_last = item.nulls_last if item.nulls_last is not None else item.descending
            columns.append((sql, text, item.descending, nulls_last))
        return columns

    def branch(self, active: frozenset[int], where: str) -> tuple[str, list]:
        self.active = active
        scope = self.scope
        pairs = ["'attributes', json_object('type', 'AggregateResult')"]
        pairs += [f"{lit(o.key)}, {o.value(active)}" for o in self.outputs]
        order = self._order_columns(active)
        keys = []
        for i, group in enumerate(self.groups):
            keys.append(("0" if i in active else "1",
                         group.sql if i in active else "NULL", _is_text(group.field)))
        columns = [f"{sql} AS o{n}" for n, (sql, *_rest) in enumerate(order)]
        columns += [f"{flag} AS g{i}, {value} AS v{i}"
                    for i, (flag, value, _text) in enumerate(keys)]
        sql = f"SELECT NULL AS rid, {json_object(pairs)} AS rec"
        if columns:
            sql += ", " + ", ".join(columns)
        sql += f" {scope.from_sql()}"
        if where:
            sql += f" WHERE {where}"
        if active:
            by = [self.groups[i].sql + (" COLLATE NOCASE" if _is_text(self.groups[i].field)
                                        else "") for i in sorted(active)]
            sql += " GROUP BY " + ", ".join(by)
        having = self.scope.query.having
        if having is not None:
            sql += " HAVING " + Conditions(scope, self.having_resolve, "HAVING").sql(having)
        return sql, [(text, desc, last) for _sql, text, desc, last in order] + \
            [(text,) for _flag, _value, text in keys]

    def sql(self) -> str:
        where = records.where_sql(self.scope)
        branches = []
        shapes: list = []
        for active in self.grouping_sets():
            sql, shapes = self.branch(active, where)
            branches.append(sql)
        n_order = len(self.scope.query.order)
        order = []
        for n, (text, desc, last) in enumerate(shapes[:n_order]):
            order.append(f"o{n}{' COLLATE NOCASE' if text else ''} "
                         f"{'DESC' if desc else 'ASC'} NULLS {'LAST' if last else 'FIRST'}")
        for i, (text,) in enumerate(shapes[n_order:]):
            order.append(f"g{i}")  # a subtotal after the rows it totals
            order.append(f"v{i}{' COLLATE NOCASE' if text else ''} ASC NULLS FIRST")
        union = " UNION ALL ".join(branches)
        sql = f"SELECT rid, rec FROM ({union})"
        if order:
            sql += " ORDER BY " + ", ".join(order)
        return sql


def plan(scope: Scope) -> AggregatePlan:
    sql = Aggregation(scope).sql()
    query = scope.query
    return AggregatePlan(scope.obj, "aggregate", scope.shared.params, sql, query.limit,
                         query.offset)

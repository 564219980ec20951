"""Conditions: WHERE and HAVING to SQL, with Salesforce's typing rules and refusals.

Text compares without case (``COLLATE NOCASE``, or ``sf_fold`` beyond ASCII); a null field
is "not equal" to any value, as in Salesforce; date literals become day ranges; IDs compare
in 15 or 18 characters. ``IN (SELECT ...)`` is a semi-join and ``NOT IN (SELECT ...)`` an
anti-join, with Salesforce's restrictions: on an ID or reference field, at most two, only
joined by AND at the top level of WHERE, never nested, never on an inner select of Task.
"""

from __future__ import annotations

from collections.abc import Callable

from mocks.salesforce.ids import repair_id
from mocks.salesforce.metadata import ID_TYPES, NUMBER_TYPES, TEXT_TYPES, Field
from mocks.salesforce.soql.dates import date_range, day_start, format_datetime
from mocks.salesforce.soql.functions import fold
from mocks.salesforce.soql.scope import Resolved, Scope
from mocks.salesforce.soql.syntax import (
    Call,
    Comparison,
    FieldRef,
    Literal,
    Logical,
    Not,
    Query,
    SubqueryItem,
)

MAX_SEMIJOINS = 2
#: Objects Salesforce refuses as a semi-join's inner select.
NO_SEMIJOIN_INNER = frozenset({"Task", "Event"})


class Conditions:
    """Compiles the conditions of one clause of one scope.

    ``resolve`` turns a comparison's left side into SQL: the scope's fields and date
    functions in WHERE; in HAVING, grouped fields and aggregates (given by the caller).
    """

    def __init__(self, scope: Scope, resolve: Callable[[FieldRef | Call], Resolved] | None =
                 None, clause: str = "WHERE", semijoins: bool = True) -> None:
        self.scope = scope
        self.ctx = scope.ctx
        self.resolve = resolve or scope.resolve_expr
        self.clause = clause
        self.semijoins = semijoins
        self.semijoin_count = 0

    def sql(self, node) -> str:
        return self._node(node, under_or=False, under_not=False)

    def _node(self, node, under_or: bool, under_not: bool) -> str:
        if isinstance(node, Logical):
            joiner = f" {node.op} "
            inner_or = under_or or node.op == "OR"
            return "(" + joiner.join(self._node(i, inner_or, under_not)
                                     for i in node.items) + ")"
        if isinstance(node, Not):
            return f"(NOT IFNULL({self._node(node.item, under_or, True)}, 0))"
        if node.is_semijoin:
            return self.semijoin(node, under_or, under_not)
        return self.comparison(node)

    # -- semi-joins and anti-joins ------------------------------------------------------------
    def semijoin(self, c: Comparison, under_or: bool, under_not: bool) -> str:
        inner: Query = c.value  # type: ignore[assignment]
        if not self.semijoins:
            raise self.ctx.malformed(inner.pos, "Nesting of semi join sub-selects is not "
                                                "supported")
        if under_or:
            raise self.ctx.malformed(c.pos, "Semi join sub-selects are not allowed with the "
                                            "'OR' operator")
        if under_not or self.clause != "WHERE":
            raise self.ctx.malformed(c.pos, "Semi join sub-selects are only allowed at the top "
                                            "level WHERE expressions")
        self.semijoin_count += 1
        if self.semijoin_count > MAX_SEMIJOINS:
            raise self.ctx.malformed(inner.pos, f"Maximum {MAX_SEMIJOINS} semi join sub-selects "
                                                "are allowed")
        left = self.resolve(c.left)
        inner_scope = Scope.of(inner, self.ctx, self.scope.settings, self.scope.shared,
                               self.scope.shared.alias("s"), self.scope.depth + 1)
        if inner_scope.obj.name in NO_SEMIJOIN_INNER:
            raise self.ctx.malformed(inner.sobject_pos, f"Entity '{inner_scope.obj.name}' is "
                                                        "not supported for semi join inner "
                                                        "selects")
        if inner_scope.obj.name == self.scope.obj.name:
            raise self.ctx.malformed(inner.sobject_pos, "The inner and outer selects should "
                                                        "not be on the same object type")
        for word, pos in (("GROUP", inner.group.pos if inner.group else 0),
                          ("ORDER", inner.order_pos), ("LIMIT", inner.limit_pos)):
            if pos:
                raise self.ctx.malformed(pos, f"unexpected token: '{word}'")
        if inner.offset is not None or inner.for_update:
            raise self.ctx.malformed(inner.pos, "OFFSET and FOR UPDATE are not allowed in a "
                                                "semi join sub-select")
        if len(inner.items) != 1 or not isinstance(inner.items[0], FieldRef):
            item = inner.items[1] if len(inner.items) > 1 else inner.items[0]
            pos = getattr(item, "pos", inner.pos)
            if isinstance(item, SubqueryItem) or len(inner.items) > 1:
                raise self.ctx.malformed(pos, "semi join sub selects can only select one field")
            raise self.ctx.malformed(pos, "semi join sub selects can only query id fields")
        selected = inner_scope.resolve(inner.items[0])
        if selected.field.type not in ID_TYPES or selected.rel is not None:
            raise self.ctx.malformed(inner.items[0].pos, "semi join sub selects can only query "
                                                         "id fields, cannot use: "
                                                         f"'{selected.shown}'")
        if left.field.type not in ID_TYPES or not isinstance(c.left, FieldRef):
            raise self.ctx.malformed(c.left.pos, "semi join sub selects can only query id "
                                                 f"fields, cannot use: '{left.shown}'")
        filters = [f for f in (inner_scope.live_filter(),) if f]
        if inner.where is not None:
            filters.append(Conditions(inner_scope, semijoins=False).sql(inner.where))
        if c.op == "NOT IN":
            filters.append(f"{selected.sql} IS NOT NULL")
        where = f" WHERE {' AND '.join(filters)}" if filters else ""
        select = f"SELECT {selected.sql} {inner_scope.from_sql()}{where}"
        if c.op == "IN":
            return f"({left.sql} IN ({select}))"
        return f"({left.sql} IS NULL OR {left.sql} NOT IN ({select}))"

    # -- comparisons ------------------------------------------------------------------------
    def comparison(self, c: Comparison) -> str:
        resolved = self.resolve(c.left)
        sql, f = resolved.sql, resolved.field
        if not f.filterable:
            raise self.ctx.error("INVALID_FIELD", c.left.pos,
                                 f"field '{f.name}' can not be filtered in a query call")
        if c.op in ("IN", "NOT IN"):
            return self._in(sql, f, c)
        value = c.value
        assert isinstance(value, Literal)
        if c.op == "LIKE":
            return self._like(sql, f, c, value)
        if value.kind == "null":
            if c.op == "=":
                return f"({sql} IS NULL)"
            if c.op == "!=":
                return f"({sql} IS NOT NULL)"
            raise self.ctx.error("INVALID_FIELD", value.pos,
                                 f"invalid operator on null value for field '{f.name}'")
        if value.kind == "dateliteral":
            return self._date_range(sql, f, c, value)
        param, collate = self._value(f, value)
        return self._compare(sql, c.op, param, collate)

    def _p(self, value) -> str:
        return self.scope.param(value)

    def _compare(self, sql: str, op: str, param, collate: str) -> str:
        if collate == " FOLD":  # non-ASCII text: fold both sides (NOCASE folds ASCII only)
            sql, collate = f"sf_fold({sql})", ""
        if op == "!=":  # as in Salesforce, null is "not equal" to a value
            return f"({sql} IS NOT {self._p(param)}{collate})"
        return f"({sql} {op} {self._p(param)}{collate})"

    def _value(self, f: Field, value: Literal) -> tuple[object, str]:
        """The SQL parameter for ``value`` compared with field ``f``, and the collation."""
        kind = value.kind
        if f.type in ID_TYPES:
            if kind != "string":
                raise self._type_error(f, value, "id", quoted=True)
            normal = repair_id(value.value)
            if normal is None:
                raise self.ctx.error("INVALID_QUERY_FILTER_OPERATOR", value.pos,
                                     f"invalid ID field: {value.value}")
            return normal, ""
        if f.type in TEXT_TYPES:
            if kind != "string":
                raise self._type_error(f, value, "string", quoted=True)
            text = value.value
            if text.isascii():
                return text, " COLLATE NOCASE"
            return fold(text), " FOLD"
        if f.type == "boolean":
            if kind != "boolean":
                raise self._type_error(f, value, "boolean")
            return int(value.value), ""
        if f.type in NUMBER_TYPES:
            if kind != "number":
                raise self._type_error(f, value, "integer" if f.type == "int" else "double")
            return value.value, ""
        if f.type == "date":
            if kind != "date":
                raise self._type_error(f, value, "date")
            return value.value.isoformat(), ""
        if f.type == "datetime":
            if kind != "datetime":
                raise self._type_error(f, value, "dateTime")
            return format_datetime(value.value), ""
        raise self._type_error(f, value, f.type)

    def _type_error(self, f: Field, value: Literal, kind: str, quoted: bool = False):
        quotes = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
        return self.ctx.error("INVALID_FIELD", value.pos,
                              f"value of filter criterion for field '{f.name}' must be of type "
                              f"{kind} and {quotes}")

    def _in(self, sql: str, f: Field, c: Comparison) -> str:
        values = c.value
        assert isinstance(values, list)
        has_null = any(v.kind == "null" for v in values)
        plain = [v for v in values if v.kind != "null"]
        if any(v.kind == "dateliteral" for v in plain):
            ranges = [self._date_range(sql, f, Comparison(c.left, "=", v, c.pos), v)
                      if v.kind == "dateliteral" else self._compare(sql, "=", *self._value(f, v))
                      for v in plain]
            test = "(" + " OR ".join(ranges) + ")"
            if has_null:
                test = f"({test} OR {sql} IS NULL)"
            return test if c.op == "IN" else f"(NOT IFNULL({test}, 0))"
        converted = [self._value(f, v) for v in plain]
        folded = any(collate == " FOLD" for _, collate in converted)
        if folded:
            params = [fold(v.value) for v in plain]
            target = f"sf_fold({sql})"
        else:
            params = [p for p, _ in converted]
            collate = converted[0][1] if converted else ""
            target = f"{sql}{collate}" if collate else sql
        parts = []
        if params:
            marks = ", ".join(self._p(p) for p in params)
            parts.append(f"{target} {'IN' if c.op == 'IN' else 'NOT IN'} ({marks})")
        if c.op == "IN":
            if has_null:
                parts.append(f"{sql} IS NULL")
            return "(" + " OR ".join(parts) + ")" if parts else "(0)"
        if has_null:
            parts.append(f"{sql} IS NOT NULL")
            return "(" + " AND ".join(parts) + ")"
        return f"({sql} IS NULL OR {parts[0]})" if parts else "(1)"

    def _like(self, sql: str, f: Field, c: Comparison, value: Literal) -> str:
        if f.type not in TEXT_TYPES:
            what = "id" if f.type in ID_TYPES else f.type
            raise self.ctx.error("INVALID_FIELD", c.pos, f"invalid operator on {what} field")
        if value.kind != "string":
            raise self._type_error(f, value, "string", quoted=True)
        pattern = value.like or ""
        if pattern.isascii():
            return f"({sql} LIKE {self._p(pattern)} ESCAPE '\\')"
        return f"(sf_like({sql}, {self._p(pattern)}))"

    def _date_range(self, sql: str, f: Field, c: Comparison, value: Literal) -> str:
        if f.type not in ("date", "datetime"):
            raise self._type_error(f, value, "string" if f.type in TEXT_TYPES else f.type,
                                   quoted=f.type in TEXT_TYPES)
        start, end = date_range(str(value.value), value.n, self.scope.settings.today)
        if f.type == "date":
            lo, hi = start.isoformat(), end.isoformat()
        else:
            lo, hi = day_start(start), day_start(end)
        op = c.op
        if op == "=":
            return f"({sql} >= {self._p(lo)} AND {sql} < {self._p(hi)})"
        if op == "!=":
            return f"({sql} IS NULL OR {sql} < {self._p(lo)} OR {sql} >= {self._p(hi)})"
        if op == "<":
            return f"({sql} < {self._p(lo)})"
        if op == "<=":
            return f"({sql} < {self._p(hi)})"
        if op == ">":
            return f"({sql} >= {self._p(hi)})"
        return f"({sql} >= {self._p(lo)})"

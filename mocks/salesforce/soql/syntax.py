"""The syntax tree of a SOQL query, as the parser builds it (names as written, unchecked)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Functions over rows: what makes a query an aggregate query.
AGGREGATE_FUNCTIONS = frozenset({"COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG"})
#: Functions over one date or datetime value (documented in SOQL's "Date Functions").
DATE_FUNCTIONS = frozenset({
    "CALENDAR_MONTH", "CALENDAR_QUARTER", "CALENDAR_YEAR", "DAY_IN_MONTH", "DAY_IN_WEEK",
    "DAY_IN_YEAR", "DAY_ONLY", "FISCAL_MONTH", "FISCAL_QUARTER", "FISCAL_YEAR", "HOUR_IN_DAY",
    "WEEK_IN_MONTH", "WEEK_IN_YEAR",
})


@dataclass
class FieldRef:
    path: list[str]
    pos: int
    alias: str | None = None
    alias_pos: int = 0


@dataclass
class Call:
    """``NAME(args)``: an aggregate, a date function, ``toLabel``, ``GROUPING``,
    ``convertTimezone`` ... ``args`` are field references or calls."""

    name: str  # upper case
    args: list
    pos: int
    alias: str | None = None
    alias_pos: int = 0
    text: str = ""  # as written, for messages

    @property
    def is_aggregate(self) -> bool:
        return self.name in AGGREGATE_FUNCTIONS

    @property
    def is_date_function(self) -> bool:
        return self.name in DATE_FUNCTIONS


@dataclass
class Literal:
    kind: str  # string number boolean null date datetime dateliteral
    value: object
    pos: int
    like: str | None = None
    n: int | None = None  # the n of LAST_N_DAYS:n


@dataclass
class Comparison:
    left: FieldRef | Call
    op: str  # = != < <= > >= IN NOT IN LIKE INCLUDES EXCLUDES
    value: Literal | list[Literal] | Query
    pos: int

    @property
    def is_semijoin(self) -> bool:
        return isinstance(self.value, Query)


@dataclass
class Logical:
    op: str  # AND OR
    items: list


@dataclass
class Not:
    item: object
    pos: int = 0


@dataclass
class FieldsItem:
    which: str  # ALL STANDARD CUSTOM
    pos: int


@dataclass
class TypeOfItem:
    relationship: str
    branches: list[tuple[str, list[FieldRef], int]]  # (object, fields, pos)
    otherwise: list[FieldRef]
    pos: int


@dataclass
class SubqueryItem:
    """A parent-to-child subquery in SELECT: ``(SELECT Id FROM Contacts)``."""

    query: Query
    pos: int


@dataclass
class OrderItem:
    expr: FieldRef | Call
    descending: bool
    nulls_last: bool | None


@dataclass
class GroupBy:
    kind: str  # PLAIN ROLLUP CUBE
    items: list  # FieldRef | Call
    pos: int


@dataclass
class Query:
    items: list
    sobject: str
    sobject_pos: int
    alias: str | None
    where: object | None
    order: list[OrderItem]
    limit: int | None
    offset: int | None
    group: GroupBy | None = None
    having: object | None = None
    pos: int = 0
    limit_pos: int = 0
    order_pos: int = 0
    for_update: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def is_aggregate(self) -> bool:
        """GROUP BY, or an aggregate or date function in SELECT (COUNT() alone is a count
        of records, not an aggregate query)."""
        if self.group is not None:
            return True
        for item in self.items:
            if isinstance(item, Call) and (item.is_date_function or item.name == "GROUPING"
                                           or (item.is_aggregate and item.args)):
                return True
        return False

    @property
    def is_count(self) -> bool:
        return any(isinstance(i, Call) and i.name == "COUNT" and not i.args for i in self.items)

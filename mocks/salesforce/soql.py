"""SOQL: a parser, a checker against the object metadata, and an evaluator on SQLite.

``compile(text, now)`` turns a query into a :class:`Plan`: the SQL that selects its rows
(WHERE, ORDER BY, LIMIT and OFFSET all pushed down to SQLite, so a selective filter on an
indexed field is an index lookup whatever the table's size), each row's record built as
JSON by SQLite itself (``attributes``, nested parent records, keys in SELECT order: no
per-row Python on the way out). Nothing here knows about HTTP: errors are
:class:`SoqlError` with Salesforce's error code and message.

The dialect is Salesforce's, as far as it goes:

- ``SELECT`` fields, one level of parent lookups (``Owner.Email``, ``Account.Name``; on a
  polymorphic relationship, the fields of the ``Name`` object), ``TYPEOF``, ``FIELDS()``,
  ``COUNT()`` and ``COUNT(field)``;
- ``WHERE`` with AND, OR (never mixed without parentheses), a leading NOT, parentheses,
  ``= != <> < <= > >=``, ``IN``, ``NOT IN``, ``LIKE`` (case-insensitive), null, booleans,
  numbers, strings, date and datetime literals and the relative date literals;
- ``ORDER BY`` with ASC, DESC, NULLS FIRST|LAST; ``LIMIT``; ``OFFSET`` (at most 2,000).

Text comparisons are case-insensitive, as in Salesforce; field, object and keyword names
too. Dates and times are UTC (the mock's users all have the UTC time zone, and weeks
start on Sunday, as in the en_US locale).
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import json
import re
import sqlite3
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from mocks.salesforce import metadata
from mocks.salesforce.ids import repair_id
from mocks.salesforce.metadata import ID_TYPES, NUMBER_TYPES, TEXT_TYPES, Field, SObject

MAX_OFFSET = 2000
FIELDS_LIMIT = 200
MAX_LENGTH = 100_000  # characters in a SOQL statement
MAX_DEPTH = 100  # nested parentheses in WHERE


class SoqlError(Exception):
    """A query Salesforce would refuse: ``code`` is the errorCode, ``message`` its text."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- tokens ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, number, date, datetime, op, ( ) , . : eof
    text: str
    pos: int
    value: object = None  # decoded value: str, int/float, date, datetime
    like: str | None = None  # a string's LIKE pattern (escaped wildcards kept escaped)

    @property
    def upper(self) -> str:
        return self.text.upper()


_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?"
                       r"(Z|[+-]\d{2}:?\d{2})")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\dT])")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'",
            "\\": "\\"}


class _Context:
    """The query text, for error messages that point at the offending spot."""

    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, code: str, pos: int, message: str) -> SoqlError:
        pos = max(0, min(pos, len(self.text)))
        line_start = self.text.rfind("\n", 0, pos) + 1
        line_end = self.text.find("\n", pos)
        line = self.text[line_start:line_end if line_end >= 0 else len(self.text)]
        row = self.text.count("\n", 0, pos) + 1
        column = pos - line_start
        return SoqlError(code, f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:"
                               f"{column + 1}\n{message}")

    def unexpected(self, token: Token) -> SoqlError:
        shown = "<EOF>" if token.kind == "eof" else token.text
        return self.error("MALFORMED_QUERY", token.pos, f"unexpected token: '{shown}'")


def tokenize(text: str, ctx: _Context | None = None) -> list[Token]:
    ctx = ctx or _Context(text)
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "'":
            tokens.append(_string(text, i, ctx))
            i = tokens[-1].pos + len(tokens[-1].text)
            continue
        if ch.isdigit() or (ch in "+-" and i + 1 < n and (text[i + 1].isdigit()
                                                        or text[i + 1] == ".")):
            m = _DATETIME.match(text, i)
            if m:
                tokens.append(Token("datetime", m.group(0), i, _parse_datetime(m, ctx, i)))
                i = m.end()
                continue
            m = _DATE.match(text, i)
            if m:
                try:
                    value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    raise ctx.error("MALFORMED_QUERY", i,
                                    f"line 1:{i} no viable alternative at character "
                                    f"'{m.group(0)}'") from None
                tokens.append(Token("date", m.group(0), i, value))
                i = m.end()
                continue
            m = _NUMBER.match(text, i)
            if m:
                raw = m.group(0)
                value = float(raw) if "." in raw else int(raw)
                tokens.append(Token("number", raw, i, value))
                i = m.end()
                if i < n and (text[i].isalpha() or text[i] == "_"):
                    raise ctx.unexpected(Token("ident", text[i:i + 1], i))
                continue
        m = _IDENT.match(text, i)
        if m:
            tokens.append(Token("ident", m.group(0), i))
            i = m.end()
            continue
        for op in _OPS:
            if text.startswith(op, i):
                tokens.append(Token("op", op, i))
                i += len(op)
                break
        else:
            if ch in "(),.:":
                tokens.append(Token(ch, ch, i))
                i += 1
                continue
            raise ctx.error("MALFORMED_QUERY", i, f"line 1:{i} no viable alternative at "
                                                  f"character '{ch}'")
    tokens.append(Token("eof", "", n))
    return tokens


def _string(text: str, start: int, ctx: _Context) -> Token:
    value: list[str] = []
    like: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "'":
            return Token("string", text[start:i + 1], start, "".join(value), "".join(like))
        if ch == "\\":
            if i + 1 >= len(text):
                break
            nxt = text[i + 1]
            if nxt in "%_":
                value.append(nxt)
                like.append("\\" + nxt)
            elif nxt in _ESCAPES:
                value.append(_ESCAPES[nxt])
                like.append("\\\\" if nxt == "\\" else _ESCAPES[nxt])
            elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2:i + 6] or ""):
                char = chr(int(text[i + 2:i + 6], 16))
                value.append(char)
                like.append(char)
                i += 6
                continue
            else:
                raise ctx.error("MALFORMED_QUERY", i, f"Invalid string literal '{text[start:]}'. "
                                "Illegal character sequence '\\" + nxt + "' in string literal.")
            i += 2
            continue
        value.append(ch)
        like.append(ch)
        i += 1
    raise ctx.error("MALFORMED_QUERY", start,
                    f"line 1:{len(text)} mismatched character '<EOF>' expecting \"'\"")


def _parse_datetime(m: re.Match, ctx: _Context, pos: int) -> datetime:
    zone = m.group(8)
    try:
        fraction = m.group(7) or ""
        micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
        value = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                         int(m.group(5)), int(m.group(6)), micro, tzinfo=UTC)
    except ValueError:
        raise ctx.error("MALFORMED_QUERY", pos, f"line 1:{pos} no viable alternative at "
                                                f"character '{m.group(0)}'") from None
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        value -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value


# --- the syntax tree ------------------------------------------------------------------------

@dataclass
class FieldRef:
    path: list[str]
    pos: int


@dataclass
class Literal:
    kind: str  # string number boolean null date datetime dateliteral
    value: object
    pos: int
    like: str | None = None
    n: int | None = None  # the n of LAST_N_DAYS:n


@dataclass
class Comparison:
    field: FieldRef
    op: str  # = != < <= > >= IN NOT IN LIKE
    value: Literal | list[Literal]
    pos: int


@dataclass
class Logical:
    op: str  # AND OR
    items: list


@dataclass
class Not:
    item: object


@dataclass
class CountItem:
    field: FieldRef | None
    alias: str | None
    pos: int


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
class OrderItem:
    field: FieldRef
    descending: bool
    nulls_last: bool | None


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


# --- the parser ---------------------------------------------------------------------------

_CLAUSE_WORDS = {"WHERE", "ORDER", "LIMIT", "OFFSET", "FOR", "WITH", "GROUP", "HAVING",
                 "USING", "UPDATE", "ALL"}
_DATE_LITERALS = {
    "YESTERDAY", "TODAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH",
    "THIS_MONTH", "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS", "THIS_QUARTER",
    "LAST_QUARTER", "NEXT_QUARTER", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR",
    "THIS_FISCAL_QUARTER", "LAST_FISCAL_QUARTER", "NEXT_FISCAL_QUARTER", "THIS_FISCAL_YEAR",
    "LAST_FISCAL_YEAR", "NEXT_FISCAL_YEAR",
}
_N_DATE_LITERALS = {
    "LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS", "NEXT_N_WEEKS", "N_WEEKS_AGO",
    "LAST_N_MONTHS", "NEXT_N_MONTHS", "N_MONTHS_AGO", "LAST_N_QUARTERS", "NEXT_N_QUARTERS",
    "N_QUARTERS_AGO", "LAST_N_YEARS", "NEXT_N_YEARS", "N_YEARS_AGO", "LAST_N_FISCAL_QUARTERS",
    "NEXT_N_FISCAL_QUARTERS", "N_FISCAL_QUARTERS_AGO", "LAST_N_FISCAL_YEARS",
    "NEXT_N_FISCAL_YEARS", "N_FISCAL_YEARS_AGO",
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.ctx = _Context(text)
        self.tokens = tokenize(text, self.ctx)
        self.i = 0
        self.depth = 0

    # helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != "eof":
            self.i += 1
        return token

    def is_word(self, *words: str) -> bool:
        return self.tok.kind == "ident" and self.tok.upper in words

    def expect_word(self, word: str) -> Token:
        if not self.is_word(word):
            raise self.ctx.unexpected(self.tok)
        return self.take()

    def expect(self, kind: str) -> Token:
        if self.tok.kind != kind:
            raise self.ctx.unexpected(self.tok)
        return self.take()

    def unsupported(self, pos: int, what: str) -> SoqlError:
        return self.ctx.error("MALFORMED_QUERY", pos, f"{what} is not supported by the "
                                                      "siasim Salesforce mock")

    # grammar
    def query(self) -> Query:
        self.expect_word("SELECT")
        items = self.select_list()
        self.expect_word("FROM")
        if self.tok.kind != "ident":
            raise self.ctx.unexpected(self.tok)
        name_token = self.take()
        if self.tok.kind == ".":
            raise self.ctx.unexpected(self.tok)
        alias = None
        if self.tok.kind == "ident" and self.tok.upper not in _CLAUSE_WORDS:
            alias = self.take().text
        if self.is_word("USING"):
            raise self.unsupported(self.tok.pos, "USING SCOPE")
        where = None
        if self.is_word("WHERE"):
            self.take()
            where = self.condition()
        if self.is_word("WITH"):
            raise self.unsupported(self.tok.pos, "WITH")
        if self.is_word("GROUP"):
            raise self.unsupported(self.tok.pos, "GROUP BY")
        order: list[OrderItem] = []
        if self.is_word("ORDER"):
            self.take()
            self.expect_word("BY")
            order.append(self.order_item())
            while self.tok.kind == ",":
                self.take()
                order.append(self.order_item())
        limit = offset = None
        if self.is_word("LIMIT"):
            self.take()
            limit = self.whole_number()
        if self.is_word("OFFSET"):
            self.take()
            offset_token = self.tok
            offset = self.whole_number()
            if offset > MAX_OFFSET:
                raise self.ctx.error("NUMBER_OUTSIDE_VALID_RANGE", offset_token.pos,
                                     f"Maximum SOQL offset allowed is {MAX_OFFSET}")
        if self.is_word("FOR"):
            self.take()
            if not self.is_word("VIEW", "REFERENCE", "UPDATE"):
                raise self.ctx.unexpected(self.tok)
            self.take()
        if self.tok.kind != "eof":
            raise self.ctx.unexpected(self.tok)
        return Query(items, name_token.text, name_token.pos, alias, where, order, limit, offset)

    def whole_number(self) -> int:
        token = self.tok
        if token.kind != "number" or not isinstance(token.value, int) or token.value < 0:
            raise self.ctx.unexpected(token)
        self.take()
        return token.value

    def select_list(self) -> list:
        items = [self.select_item()]
        while self.tok.kind == ",":
            self.take()
            items.append(self.select_item())
        return items

    def select_item(self):
        token = self.tok
        if token.kind == "(":
            raise self.unsupported(token.pos, "A parent-to-child subquery")
        if token.kind != "ident" or token.upper == "FROM":
            raise self.ctx.unexpected(token)
        nxt = self.peek()
        if token.upper == "COUNT" and nxt.kind == "(":
            self.take()
            self.take()
            ref = None if self.tok.kind == ")" else self.field_ref()
            self.expect(")")
            alias = None
            if self.tok.kind == "ident" and self.tok.upper != "FROM":
                alias = self.take().text
            return CountItem(ref, alias, token.pos)
        if token.upper == "FIELDS" and nxt.kind == "(":
            self.take()
            self.take()
            which = self.tok
            if which.kind != "ident" or which.upper not in ("ALL", "STANDARD", "CUSTOM"):
                raise self.ctx.unexpected(which)
            self.take()
            self.expect(")")
            return FieldsItem(which.upper, token.pos)
        if token.upper == "TYPEOF" and nxt.kind == "ident" and nxt.upper not in ("FROM",):
            return self.typeof()
        if nxt.kind == "(":
            raise self.unsupported(token.pos, f"The function {token.text}()")
        return self.field_ref()

    def typeof(self) -> TypeOfItem:
        start = self.take()
        relationship = self.expect("ident").text
        branches = []
        otherwise: list[FieldRef] = []
        if not self.is_word("WHEN"):
            raise self.ctx.unexpected(self.tok)
        while self.is_word("WHEN"):
            self.take()
            obj = self.expect("ident")
            self.expect_word("THEN")
            branches.append((obj.text, self.field_list(), obj.pos))
        if self.is_word("ELSE"):
            self.take()
            otherwise = self.field_list()
        self.expect_word("END")
        return TypeOfItem(relationship, branches, otherwise, start.pos)

    def field_list(self) -> list[FieldRef]:
        refs = [self.field_ref()]
        while self.tok.kind == "," and self.peek().kind == "ident" and \
                self.peek().upper not in ("WHEN", "ELSE", "END"):
            self.take()
            refs.append(self.field_ref())
        return refs

    def field_ref(self) -> FieldRef:
        token = self.expect("ident")
        path = [token.text]
        while self.tok.kind == ".":
            self.take()
            path.append(self.expect("ident").text)
        return FieldRef(path, token.pos)

    def order_item(self) -> OrderItem:
        ref = self.field_ref()
        descending = False
        nulls_last = None
        if self.is_word("ASC", "DESC"):
            descending = self.take().upper == "DESC"
        if self.is_word("NULLS"):
            self.take()
            if not self.is_word("FIRST", "LAST"):
                raise self.ctx.unexpected(self.tok)
            nulls_last = self.take().upper == "LAST"
        return OrderItem(ref, descending, nulls_last)

    # conditions: AND and OR never mix without parentheses, and NOT only starts one
    def condition(self):
        first = self.negatable()
        if not self.is_word("AND", "OR"):
            return first
        op = self.tok.upper
        items = [first]
        while self.is_word("AND", "OR"):
            if self.tok.upper != op:
                raise self.ctx.unexpected(self.tok)
            self.take()
            if self.is_word("NOT"):
                raise self.ctx.unexpected(self.tok)
            items.append(self.term())
        return Logical(op, items)

    def negatable(self):
        if self.is_word("NOT"):
            self.take()
            return Not(self.term())
        return self.term()

    def term(self):
        if self.tok.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.ctx.error("QUERY_TOO_COMPLICATED", self.tok.pos,
                                     "Query is either selecting too many fields or the filter "
                                     "conditions are too complicated.")
            self.take()
            inner = self.condition()
            self.expect(")")
            self.depth -= 1
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        if self.tok.kind != "ident":
            raise self.ctx.unexpected(self.tok)
        ref = self.field_ref()
        token = self.tok
        if token.kind == "op":
            self.take()
            op = "!=" if token.text == "<>" else token.text
            return Comparison(ref, op, self.value(), token.pos)
        if self.is_word("LIKE"):
            self.take()
            return Comparison(ref, "LIKE", self.value(), token.pos)
        if self.is_word("IN") or (self.is_word("NOT") and self.peek().kind == "ident"
                                  and self.peek().upper == "IN"):
            negated = self.take().upper == "NOT"
            if negated:
                self.take()
            self.expect("(")
            if self.is_word("SELECT"):
                raise self.unsupported(self.tok.pos, "A semi-join subquery")
            values = [self.value()]
            while self.tok.kind == ",":
                self.take()
                values.append(self.value())
            self.expect(")")
            return Comparison(ref, "NOT IN" if negated else "IN", values, token.pos)
        if self.is_word("INCLUDES", "EXCLUDES"):
            raise self.unsupported(token.pos, token.upper)
        raise self.ctx.unexpected(token)

    def value(self) -> Literal:
        token = self.take()
        if token.kind == "string":
            return Literal("string", token.value, token.pos, like=token.like)
        if token.kind in ("number", "date", "datetime"):
            return Literal(token.kind, token.value, token.pos)
        if token.kind == "ident":
            word = token.upper
            if word in ("TRUE", "FALSE"):
                return Literal("boolean", word == "TRUE", token.pos)
            if word == "NULL":
                return Literal("null", None, token.pos)
            if word in _DATE_LITERALS:
                return Literal("dateliteral", word, token.pos)
            if word in _N_DATE_LITERALS:
                self.expect(":")
                number = self.tok
                if number.kind != "number" or not isinstance(number.value, int) or \
                        number.value < 0 or number.text.startswith(("+", "-")):
                    raise self.ctx.unexpected(number)
                self.take()
                return Literal("dateliteral", word, token.pos, n=number.value)
        raise self.ctx.unexpected(token)


def parse(text: str) -> Query:
    """The syntax tree of a query, or :class:`SoqlError` (MALFORMED_QUERY)."""
    return _Parser(text).query()


# --- date literals ------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def date_range(name: str, n: int | None, today: date) -> tuple[date, date]:
    """The [start, end) days a date literal stands for."""
    week = today - timedelta(days=(today.weekday() + 1) % 7)  # weeks start on Sunday
    month = today.replace(day=1)
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    year = date(today.year, 1, 1)
    name = name.replace("_FISCAL", "")  # the fiscal year is the calendar year
    day = timedelta(days=1)
    fixed = {
        "YESTERDAY": (today - day, today), "TODAY": (today, today + day),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_WEEK": (week - 7 * day, week), "THIS_WEEK": (week, week + 7 * day),
        "NEXT_WEEK": (week + 7 * day, week + 14 * day),
        "LAST_MONTH": (add_months(month, -1), month),
        "THIS_MONTH": (month, add_months(month, 1)),
        "NEXT_MONTH": (add_months(month, 1), add_months(month, 2)),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "LAST_QUARTER": (add_months(quarter, -3), quarter),
        "THIS_QUARTER": (quarter, add_months(quarter, 3)),
        "NEXT_QUARTER": (add_months(quarter, 3), add_months(quarter, 6)),
        "LAST_YEAR": (add_months(year, -12), year),
        "THIS_YEAR": (year, add_months(year, 12)),
        "NEXT_YEAR": (add_months(year, 12), add_months(year, 24)),
    }
    if name in fixed:
        return fixed[name]
    assert n is not None
    if name == "LAST_N_DAYS":
        return today - n * day, today + day
    if name == "NEXT_N_DAYS":
        return today + day, today + (n + 1) * day
    if name == "N_DAYS_AGO":
        return today - n * day, today - (n - 1) * day
    if name == "LAST_N_WEEKS":
        return week - 7 * n * day, week
    if name == "NEXT_N_WEEKS":
        return week + 7 * day, week + 7 * (n + 1) * day
    if name == "N_WEEKS_AGO":
        return week - 7 * n * day, week - 7 * (n - 1) * day
    unit = {"MONTHS": (1, month), "QUARTERS": (3, quarter), "YEARS": (12, year)}
    for word, (size, start) in unit.items():
        if name == f"LAST_N_{word}":
            return add_months(start, -size * n), start
        if name == f"NEXT_N_{word}":
            return add_months(start, size), add_months(start, size * (n + 1))
        if name == f"N_{word}_AGO":
            return add_months(start, -size * n), add_months(start, -size * (n - 1))
    raise ValueError(name)


def format_datetime(value: datetime) -> str:
    """The form Salesforce returns and the store keeps: ``2024-01-15T10:30:00.000+0000``."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def _day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00.000+0000"


# --- resolution against the metadata -----------------------------------------------------

@dataclass
class _Join:
    relationship: Field  # the reference field on the queried object
    aliases: dict[str, str]  # target object -> SQL alias


@dataclass
class _Parent:
    """A relationship named in SELECT: its fields (or TYPEOF branches), in order."""

    rel: Field
    pairs: list[str] = field(default_factory=list)  # "'Key', expr" for json_object
    typeof: dict[str, list[str]] | None = None  # object -> pairs
    otherwise: list[str] | None = None


def _json_value(sql: str, f: Field) -> str:
    """``sql`` as the JSON value Salesforce gives a field of this type."""
    if f.type == "boolean":
        return (f"json(CASE WHEN {sql} IS NULL THEN 'null' WHEN {sql} THEN 'true' "
                "ELSE 'false' END)")
    if f.type == "int":
        return f"CAST({sql} AS INTEGER)"
    if f.type in ("double", "currency", "percent"):
        return f"CAST({sql} AS REAL)"
    return sql


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _to_int(v):
    return None if v is None else int(v)


class _Compiler:
    def __init__(self, query: Query, ctx: _Context, now: datetime, version: str):
        self.q = query
        self.base = f"/services/data/v{version}/sobjects/"
        self.ctx = ctx
        self.today = now.astimezone(UTC).date()
        obj = metadata.get(query.sobject)
        if obj is None:
            raise ctx.error("INVALID_TYPE", query.sobject_pos,
                            f"sObject type '{query.sobject}' is not supported. If you are "
                            "attempting to use a custom object, be sure to append the '__c' "
                            "after the entity name. Please reference your WSDL or the "
                            "describe call for the appropriate names.")
        self.obj: SObject = obj
        self.joins: dict[str, _Join] = {}
        self.columns: list[str] = ['t."Id"']  # column 0 after rowid is always the Id
        self.params: list = []
        # each selected field as a plain column (header, SQL, field): how the Bulk APIs write
        # a result as CSV; None once the SELECT has a shape CSV cannot hold (TYPEOF)
        self.flat: list[tuple[str, str, Field]] | None = []

    # -- names ----------------------------------------------------------------------------
    def _strip_prefix(self, ref: FieldRef) -> list[str]:
        path = list(ref.path)
        if len(path) > 1:
            head = path[0].lower()
            alias = (self.q.alias or "").lower()
            # "Lead.Email" or "l.Email" names the queried object's own field; but a
            # relationship of the same name wins ("Account.Name" on Contact)
            if (head in (alias, self.obj.name.lower())) and not (
                    len(path) == 2 and self.obj.relationship(path[0]) and head != alias):
                path = path[1:]
        return path

    def no_column(self, pos: int, name: str, entity: str) -> SoqlError:
        return self.ctx.error("INVALID_FIELD", pos,
                              f"No such column '{name}' on entity '{entity}'. If you are "
                              "attempting to use a custom field, be sure to append the '__c' "
                              "after the custom field name. Please reference your WSDL or the "
                              "describe call for the appropriate names.")

    def resolve(self, ref: FieldRef) -> tuple[str, Field, Field | None]:
        """(SQL expression, the field, the relationship it goes through or None)."""
        path = self._strip_prefix(ref)
        if len(path) == 1:
            f = self.obj.field(path[0])
            if f is None:
                raise self.no_column(ref.pos, path[0], self.obj.name)
            return f't."{f.name}"', f, None
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
            spec = _name_field(path[1])
            if spec is None:
                raise self.no_column(ref.pos, path[1], "Name")
            name, _, owners = spec
            parent_field = metadata.NAME_OBJECT.field(name)
            return self._name_expression(join, name, owners), parent_field, rel
        target = metadata.objects()[rel.reference_to[0]]
        f = target.field(path[1])
        if f is None:
            raise self.no_column(ref.pos, path[1], target.name)
        return f'{join.aliases[target.name]}."{f.name}"', f, rel

    def join(self, rel: Field) -> _Join:
        join = self.joins.get(rel.name)
        if join is None:
            n = len(self.joins)
            join = _Join(rel, {target: f"p{n}{target.lower()}" for target in rel.reference_to})
            self.joins[rel.name] = join
        return join

    def _name_expression(self, join: _Join, name: str, owners: tuple[str, ...]) -> str:
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

    def join_sql(self, only: set[str] | None = None) -> str:
        out = []
        for rel_name, join in self.joins.items():
            if only is not None and rel_name not in only:
                continue
            for target, alias in join.aliases.items():
                out.append(f'LEFT JOIN "{target}" {alias} ON {alias}."Id" = '
                           f't."{join.relationship.name}"')
        return " ".join(out)

    def add_column(self, sql: str) -> int:
        self.columns.append(sql)
        return len(self.columns)  # +1 for the rowid in front

    # -- SELECT -----------------------------------------------------------------------------
    def select(self) -> tuple[str, str, list[tuple[str, int]]]:
        """(kind, the record's JSON expression, the aggregate outputs)."""
        items = self.q.items
        counts = [i for i in items if isinstance(i, CountItem)]
        if counts:
            return self._select_count(items, counts)
        entries: list[tuple[str, object]] = []  # ("field", pair) or ("parent", _Parent)
        parents: dict[str, _Parent] = {}
        seen: set[str] = set()
        for item in items:
            if isinstance(item, FieldsItem):
                if item.which != "STANDARD" and (self.q.limit is None
                                                 or self.q.limit > FIELDS_LIMIT):
                    raise self.ctx.error("MALFORMED_QUERY", item.pos,
                                         f"The SOQL FIELDS function must have a LIMIT of at "
                                         f"most {FIELDS_LIMIT}")
                for f in self.obj.fields:
                    if item.which == "ALL" or (item.which == "CUSTOM") == f.custom:
                        self._add_field(FieldRef([f.name], item.pos), entries, parents, seen)
            elif isinstance(item, TypeOfItem):
                self._add_typeof(item, entries, parents, seen)
            else:
                self._add_field(item, entries, parents, seen)
        pairs = [f"'attributes', json_object('type', {_lit(self.obj.name)}, 'url', "
                 f"{_lit(self.base + self.obj.name + '/')} || t.\"Id\")"]
        for kind, entry in entries:
            pairs.append(entry if kind == "field" else self._parent_json(entry))
        return "records", _json_object(pairs), []

    def _add_field(self, ref: FieldRef, entries, parents, seen) -> None:
        sql, f, rel = self.resolve(ref)
        key = (rel.relationship + "." if rel else "") + f.name
        if key.lower() in seen:
            raise self.ctx.error("INVALID_FIELD", ref.pos, f"duplicate field selected: {key}")
        seen.add(key.lower())
        pair = f"{_lit(f.name)}, {_json_value(sql, f)}"
        if self.flat is not None:
            self.flat.append((key, sql, f))
        if rel is None:
            entries.append(("field", pair))
            return
        parent = parents.get(rel.relationship)
        if parent is None:
            parent = parents[rel.relationship] = _Parent(rel)
            entries.append(("parent", parent))
        parent.pairs.append(pair)

    def _parent_id(self, join: _Join) -> str:
        ids = " ".join(f'WHEN {a}."Id" IS NOT NULL THEN {a}."Id"' for a in join.aliases.values())
        return f"(CASE {ids} END)"

    def _parent_json(self, parent: _Parent) -> str:
        rel = parent.rel
        join = self.join(rel)
        parent_id = self._parent_id(join)
        if rel.polymorphic:
            kinds = " ".join(f"WHEN {a}.\"Id\" IS NOT NULL THEN {_lit(target)}"
                             for target, a in join.aliases.items())
            url = f"{_lit(self.base)} || (CASE {kinds} END) || '/' || {parent_id}"
        else:
            url = f"{_lit(self.base + rel.reference_to[0] + '/')} || {parent_id}"

        def record(kind_sql: str, url_sql: str, pairs: list[str]) -> str:
            return _json_object([f"'attributes', json_object('type', {kind_sql}, 'url', "
                                 f"{url_sql})", *pairs])

        if parent.typeof is None:
            kind = "'Name'" if rel.polymorphic else _lit(rel.reference_to[0])
            body = record(kind, url, parent.pairs)
            return f"{_lit(rel.relationship)}, json(CASE WHEN {parent_id} IS NULL THEN NULL " \
                   f"ELSE {body} END)"
        branches = []
        for target, pairs in parent.typeof.items():
            alias = join.aliases[target]
            branch_url = f"{_lit(self.base + target + '/')} || {alias}.\"Id\""
            branches.append(f"WHEN {alias}.\"Id\" IS NOT NULL THEN "
                            f"{record(_lit(target), branch_url, pairs)}")
        otherwise = record("'Name'", url, parent.otherwise or [])
        return (f"{_lit(rel.relationship)}, json(CASE WHEN {parent_id} IS NULL THEN NULL "
                f"{' '.join(branches)} ELSE {otherwise} END)")

    def _add_typeof(self, item: TypeOfItem, entries, parents, seen) -> None:
        rel = self.obj.relationship(item.relationship)
        if rel is None or not rel.polymorphic:
            raise self.ctx.error("INVALID_FIELD", item.pos,
                                 f"TYPEOF can only be used on a polymorphic relationship; "
                                 f"'{item.relationship}' is not one on entity '{self.obj.name}'")
        if rel.relationship.lower() in seen or rel.relationship in parents:
            raise self.ctx.error("INVALID_FIELD", item.pos,
                                 f"duplicate field selected: {rel.relationship}")
        seen.add(rel.relationship.lower())
        parent = parents[rel.relationship] = _Parent(rel, typeof={}, otherwise=[])
        self.flat = None
        entries.append(("parent", parent))
        join = self.join(rel)
        for obj_name, refs, pos in item.branches:
            target = metadata.get(obj_name)
            if target is None or target.name not in rel.reference_to:
                raise self.ctx.error("INVALID_FIELD", pos,
                                     f"'{obj_name}' is not a valid type for '{rel.relationship}'"
                                     f" on entity '{self.obj.name}'")
            pairs = []
            for ref in refs:
                if len(ref.path) != 1:
                    raise self.ctx.error("INVALID_FIELD", ref.pos,
                                         "the siasim Salesforce mock follows one level of "
                                         "parent relationship")
                f = target.field(ref.path[0])
                if f is None:
                    raise self.no_column(ref.pos, ref.path[0], target.name)
                sql = f'{join.aliases[target.name]}."{f.name}"'
                pairs.append(f"{_lit(f.name)}, {_json_value(sql, f)}")
            parent.typeof[target.name] = pairs
        for ref in item.otherwise:
            spec = _name_field(ref.path[-1]) if len(ref.path) == 1 else None
            if spec is None:
                raise self.no_column(ref.pos, ".".join(ref.path), "Name")
            name, _, owners = spec
            sql = self._name_expression(join, name, owners)
            parent.otherwise.append(
                f"{_lit(name)}, {_json_value(sql, metadata.NAME_OBJECT.field(name))}")

    def _select_count(self, items, counts) -> tuple[str, str, list[tuple[str, int]]]:
        if len(items) > 1:
            bare = next((c for c in counts if c.field is None), None)
            if bare is not None:
                raise self.ctx.error("MALFORMED_QUERY", bare.pos,
                                     "COUNT() must be the only element in the SELECT list")
            other = next((i for i in items if not isinstance(i, CountItem)), None)
            if other is not None:
                name = ".".join(other.path) if isinstance(other, FieldRef) else "FIELDS"
                raise self.ctx.error("MALFORMED_QUERY", other.pos,
                                     f"Field must be grouped or aggregated: {name}")
        outputs = []
        for n, item in enumerate(counts):
            if item.field is None:
                return "count", "NULL", []
            sql, _, _ = self.resolve(item.field)
            column = self.add_column(f"COUNT({sql})")
            outputs.append((item.alias or f"expr{n}", column))
        return "aggregate", "NULL", outputs

    # -- WHERE --------------------------------------------------------------------------------
    def where(self, node, negated: bool = False) -> str:
        if isinstance(node, Logical):
            joiner = f" {node.op} "
            return "(" + joiner.join(self.where(i) for i in node.items) + ")"
        if isinstance(node, Not):
            return f"(NOT IFNULL({self.where(node.item)}, 0))"
        return self.comparison(node)

    def comparison(self, c: Comparison) -> str:
        sql, f, _ = self.resolve(c.field)
        if not f.filterable:
            raise self.ctx.error("INVALID_FIELD", c.field.pos,
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
        self.params.append(value)
        return "?"

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
            return _fold(text), " FOLD"
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
            ranges = [self._date_range(sql, f, Comparison(c.field, "=", v, c.pos), v)
                      if v.kind == "dateliteral" else self._compare(sql, "=", *self._value(f, v))
                      for v in plain]
            test = "(" + " OR ".join(ranges) + ")"
            if has_null:
                test = f"({test} OR {sql} IS NULL)"
            return test if c.op == "IN" else f"(NOT IFNULL({test}, 0))"
        converted = [self._value(f, v) for v in plain]
        fold = any(collate == " FOLD" for _, collate in converted)
        if fold:
            params = [_fold(v.value) for v in plain]
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
        start, end = date_range(str(value.value), value.n, self.today)
        if f.type == "date":
            lo, hi = start.isoformat(), end.isoformat()
        else:
            lo, hi = _day_start(start), _day_start(end)
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

    # -- ORDER BY -----------------------------------------------------------------------------
    def order(self) -> str:
        parts = []
        for item in self.q.order:
            sql, f, _ = self.resolve(item.field)
            if not f.sortable:
                raise self.ctx.error("INVALID_FIELD", item.field.pos,
                                     f"field '{f.name}' can not be sorted in a query call")
            collate = " COLLATE NOCASE" if f.type in TEXT_TYPES else ""
            nulls_last = item.nulls_last if item.nulls_last is not None else item.descending
            parts.append(f"{sql}{collate} {'DESC' if item.descending else 'ASC'} "
                         f"NULLS {'LAST' if nulls_last else 'FIRST'}")
        return ", ".join(parts)


def _name_field(name: str) -> tuple[str, str, tuple[str, ...]] | None:
    for canonical, (kind, owners) in metadata.NAME_FIELDS.items():
        if canonical.lower() == name.lower():
            return canonical, kind, owners
    return None


def _fold(text):
    return text.casefold() if isinstance(text, str) else text


@functools.lru_cache(maxsize=256)
def _like_regex(pattern: str) -> re.Pattern:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _sf_like(value, pattern):
    if value is None or pattern is None:
        return None
    return 1 if _like_regex(pattern).fullmatch(value) else 0


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions compiled queries may call (cheap; done before each run)."""
    conn.create_function("sf_fold", 1, _fold, deterministic=True)
    conn.create_function("sf_like", 2, _sf_like, deterministic=True)


# --- the plan ------------------------------------------------------------------------------

def _json_object(pairs: list[str]) -> str:
    # SQLite functions take at most 127 arguments: long records are built in parts
    if len(pairs) <= 60:
        return f"json_object({', '.join(pairs)})"
    return f"json_patch({_json_object(pairs[:60])}, {_json_object(pairs[60:])})"


@dataclass
class Plan:
    """A compiled query: the SQL to run, each row's record built as JSON by SQLite."""

    sobject: SObject
    kind: str  # records | count | aggregate
    select_sql: str  # "SELECT t.rowid, <record JSON>" (or the aggregate's columns)
    from_sql: str  # FROM and the joins the select needs
    count_from_sql: str  # FROM and only the joins WHERE needs
    where_sql: str
    params: list
    order_sql: str
    limit: int | None
    offset: int | None
    aggregates: list[tuple[str, int]] = field(default_factory=list)
    flat: list[tuple[str, str, Field]] | None = None  # see _Compiler.flat

    def _tail(self, limit: int | None, offset: int | None) -> tuple[str, list]:
        sql = f" WHERE {self.where_sql}" if self.where_sql else ""
        if self.order_sql:
            sql += f" ORDER BY {self.order_sql}"
        params = list(self.params)
        if limit is not None or offset:
            sql += " LIMIT ?"
            params.append(-1 if limit is None else limit)
            if offset:
                sql += " OFFSET ?"
                params.append(offset)
        return sql, params

    def count(self, conn: sqlite3.Connection) -> int:
        """totalSize: the rows the query selects, LIMIT and OFFSET applied."""
        if self.kind == "aggregate":
            return 1  # one AggregateResult (there is no GROUP BY)
        where = f" WHERE {self.where_sql}" if self.where_sql else ""
        params = list(self.params)
        if self.limit is None and not self.offset:
            sql = f"SELECT COUNT(*) {self.count_from_sql}{where}"
        else:
            sql = f"SELECT COUNT(*) FROM (SELECT 1 {self.count_from_sql}{where} LIMIT ?"
            params.append(-1 if self.limit is None else self.limit)
            if self.offset:
                sql += " OFFSET ?"
                params.append(self.offset)
            sql += ")"
        return conn.execute(sql, params).fetchone()[0]

    def aggregate(self, conn: sqlite3.Connection) -> list[dict]:
        where = f" WHERE {self.where_sql}" if self.where_sql else ""
        row = conn.execute(f"{self.select_sql} {self.from_sql}{where}", self.params).fetchone()
        record: dict = {"attributes": {"type": "AggregateResult"}}
        for key, column in self.aggregates:
            record[key] = _to_int(row[column])
        return [record]

    def rows(self, conn: sqlite3.Connection, count: int, skip: int = 0) -> list[tuple]:
        """Up to ``count`` (rowid, record JSON) rows from the ``skip``-th on."""
        offset = (self.offset or 0) + skip
        limit = count if self.limit is None else max(0, min(count, self.limit - skip))
        tail, params = self._tail(limit, offset)
        return conn.execute(f"{self.select_sql} {self.from_sql}{tail}", params).fetchall()

    def rowids(self, conn: sqlite3.Connection, skip: int) -> array:
        """The rowids of every row from the ``skip``-th on, in order (a cursor's snapshot:
        8 bytes a row, so a cursor over a million rows holds 8 MB)."""
        offset = (self.offset or 0) + skip
        limit = None if self.limit is None else max(0, self.limit - skip)
        tail, params = self._tail(limit, offset)
        joins = self.from_sql if self.order_sql else self.count_from_sql
        return array("q", (r[0] for r in conn.execute(f"SELECT t.rowid {joins}{tail}", params)))

    def rows_by_rowid(self, conn: sqlite3.Connection, rowids: Sequence[int]) -> list[tuple]:
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        found = {r[0]: r for r in conn.execute(
            f"{self.select_sql} {self.from_sql} WHERE t.rowid IN ({marks})", list(rowids))}
        return [found[r] for r in rowids if r in found]

    @staticmethod
    def texts(rows: list[tuple]) -> list[str]:
        """Each row's record as JSON text, ``attributes`` first, keys in SELECT order."""
        return [r[1] for r in rows]

    def flat_rows(self, conn: sqlite3.Connection,
                  value_sql: Callable[[str, Field], str] | None = None,
                  extra_where: str = "", extra_params: Sequence = ()) -> sqlite3.Cursor:
        """Every row as the values of :attr:`flat` (``value_sql`` rewrites each column's
        SQL; ``extra_where`` narrows the rows further), in order: a cursor, so that a
        large result is read as it is written out."""
        assert self.flat is not None
        columns = ", ".join(value_sql(sql, f) if value_sql else sql
                            for _, sql, f in self.flat)
        plan = self
        if extra_where:
            where = f"({extra_where}) AND ({self.where_sql})" if self.where_sql \
                else extra_where
            plan = dataclasses.replace(self, where_sql=where,
                                       params=[*extra_params, *self.params])
        tail, params = plan._tail(plan.limit, plan.offset)
        return conn.execute(f"SELECT {columns} {plan.from_sql}{tail}", params)

    @staticmethod
    def records(rows: list[tuple]) -> list[dict]:
        return [json.loads(r[1]) for r in rows]


def compile(text: str, now: datetime, include_deleted: bool = False,
            version: str = "59.0") -> Plan:
    """Parse and check ``text`` against the metadata; :class:`SoqlError` if Salesforce would
    refuse it. ``now`` anchors the date literals (TODAY, LAST_N_DAYS:n ...); ``version``
    goes into the records' ``attributes.url``."""
    if not isinstance(text, str) or not text.strip():
        raise SoqlError("MALFORMED_QUERY", "unexpected token: '<EOF>'")
    if len(text) > MAX_LENGTH:
        raise SoqlError("MALFORMED_QUERY", f"SOQL statements cannot be longer than "
                                           f"{MAX_LENGTH:,} characters.")
    ctx = _Context(text)
    query = _Parser(text).query()
    comp = _Compiler(query, ctx, now, version)
    kind, record_json, aggregates = comp.select()
    where_sql = comp.where(query.where) if query.where is not None else ""
    if not include_deleted:
        where_sql = f't."IsDeleted" = 0 AND {where_sql}' if where_sql else 't."IsDeleted" = 0'
    order_sql = comp.order() if kind == "records" else ""
    if kind == "aggregate":
        select_sql = "SELECT t.rowid, " + ", ".join(comp.columns)
    else:
        select_sql = f"SELECT t.rowid, {record_json}"
    table = f'FROM "{comp.obj.name}" t'
    from_sql = f"{table} {comp.join_sql()}".rstrip()
    count_from = f"{table} {comp.join_sql(_joins_in(where_sql, comp))}".rstrip()
    return Plan(comp.obj, kind, select_sql, from_sql, count_from, where_sql, comp.params,
                order_sql, query.limit, query.offset, aggregates,
                comp.flat if kind == "records" else None)


def _joins_in(sql: str, comp: _Compiler) -> set[str]:
    """The relationships whose join aliases ``sql`` mentions."""
    used = set()
    for name, join in comp.joins.items():
        if any(f"{alias}." in sql for alias in join.aliases.values()):
            used.add(name)
    return used

"""The SOQL parser: tokens to a :mod:`syntax` tree, refusing what SOQL's grammar refuses.

Recursive descent over Salesforce's grammar::

    SELECT items FROM object [alias] [USING SCOPE s] [WHERE condition] [WITH ...]
      [GROUP BY fields | ROLLUP(fields) | CUBE(fields) [HAVING condition]]
      [ORDER BY expr [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
      [FOR VIEW|REFERENCE] [UPDATE TRACKING|VIEWSTAT] [FOR UPDATE]

A SELECT item is a field path (``Owner.Email``), ``FIELDS(...)``, ``TYPEOF``, a function
call (``COUNT(Id) n``, ``CALENDAR_YEAR(CreatedDate)``) or a parent-to-child subquery in
parentheses. A condition chains comparisons with AND or OR (never both without
parentheses), a leading NOT, parentheses; ``IN (SELECT ...)`` is a semi-join.
"""

from __future__ import annotations

from mocks.salesforce.soql.dates import DATE_LITERALS, N_DATE_LITERALS
from mocks.salesforce.soql.errors import QueryText, SoqlError
from mocks.salesforce.soql.syntax import (
    Call,
    Comparison,
    FieldRef,
    FieldsItem,
    GroupBy,
    Literal,
    Logical,
    Not,
    OrderItem,
    Query,
    SubqueryItem,
    TypeOfItem,
)
from mocks.salesforce.soql.tokens import Token, tokenize

MAX_OFFSET = 2000
MAX_DEPTH = 100  # nested parentheses in WHERE

_CLAUSE_WORDS = {"WHERE", "ORDER", "LIMIT", "OFFSET", "FOR", "WITH", "GROUP", "HAVING",
                 "USING", "UPDATE", "ALL"}
_WITH_NO_EFFECT = {"SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE"}  # the API user sees all


class Parser:
    def __init__(self, text: str, start: int = 0) -> None:
        self.ctx = QueryText(text)
        self.tokens = tokenize(text, self.ctx, start)
        self.i = 0
        self.depth = 0

    # -- helpers ----------------------------------------------------------------------------
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

    # -- the query --------------------------------------------------------------------------
    def statement(self) -> Query:
        query = self.query()
        if self.tok.kind != "eof":
            raise self.ctx.unexpected(self.tok)
        return query

    def query(self) -> Query:
        """One SELECT, up to the end of the text or the ``)`` that closes a subquery."""
        start = self.expect_word("SELECT")
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
            raise self.ctx.unsupported(self.tok.pos, "USING SCOPE")
        query = Query(items, name_token.text, name_token.pos, alias, None, [], None, None,
                      pos=start.pos)
        if self.is_word("WHERE"):
            self.take()
            query.where = self.condition()
        if self.is_word("WITH"):
            self.with_clause()
        if self.is_word("GROUP"):
            query.group = self.group_by()
            if self.is_word("HAVING"):
                self.take()
                query.having = self.condition()
        self.order_limit_offset(query)
        if self.is_word("FOR") and self.peek().kind == "ident" and \
                self.peek().upper in ("VIEW", "REFERENCE"):
            self.take()
            self.take()
        if self.is_word("UPDATE"):
            self.take()
            if not self.is_word("TRACKING", "VIEWSTAT"):
                raise self.ctx.unexpected(self.tok)
            self.take()
        if self.is_word("FOR"):
            self.take()
            if not self.is_word("UPDATE", "VIEW", "REFERENCE"):
                raise self.ctx.unexpected(self.tok)
            query.for_update = self.take().upper == "UPDATE"
        return query

    def order_limit_offset(self, query: Query) -> None:
        """``[ORDER BY ...] [LIMIT n] [OFFSET n]`` into ``query`` (SOSL's RETURNING too)."""
        if self.is_word("ORDER"):
            query.order_pos = self.take().pos
            self.expect_word("BY")
            query.order.append(self.order_item())
            while self.tok.kind == ",":
                self.take()
                query.order.append(self.order_item())
        if self.is_word("LIMIT"):
            query.limit_pos = self.take().pos
            query.limit = self.whole_number()
        if self.is_word("OFFSET"):
            self.take()
            offset_token = self.tok
            query.offset = self.whole_number()
            if query.offset > MAX_OFFSET:
                raise self.ctx.error("NUMBER_OUTSIDE_VALID_RANGE", offset_token.pos,
                                     f"Maximum SOQL offset allowed is {MAX_OFFSET}")

    def with_clause(self) -> None:
        token = self.take()
        if not self.is_word(*_WITH_NO_EFFECT):
            raise self.ctx.unsupported(token.pos, f"WITH {self.tok.text}".strip())
        self.take()

    def whole_number(self) -> int:
        token = self.tok
        if token.kind != "number" or not isinstance(token.value, int) or token.value < 0 \
                or token.text.startswith(("+", "-")):
            raise self.ctx.unexpected(token)
        self.take()
        return token.value

    # -- SELECT -----------------------------------------------------------------------------
    def select_list(self) -> list:
        items = [self.select_item()]
        while self.tok.kind == ",":
            self.take()
            items.append(self.select_item())
        return items

    def select_item(self):
        token = self.tok
        if token.kind == "(":
            self.take()
            if not self.is_word("SELECT"):
                raise self.ctx.unexpected(self.tok)
            inner = self.query()
            self.expect(")")
            return SubqueryItem(inner, token.pos)
        if token.kind != "ident" or token.upper == "FROM":
            raise self.ctx.unexpected(token)
        nxt = self.peek()
        if token.upper == "FIELDS" and nxt.kind == "(":
            self.take()
            self.take()
            which = self.tok
            if which.kind != "ident" or which.upper not in ("ALL", "STANDARD", "CUSTOM"):
                raise self.ctx.unexpected(which)
            self.take()
            self.expect(")")
            return FieldsItem(which.upper, token.pos)
        if token.upper == "TYPEOF" and nxt.kind == "ident" and nxt.upper != "FROM":
            return self.typeof()
        item = self.call() if nxt.kind == "(" else self.field_ref()
        if self.tok.kind == "ident" and self.tok.upper != "FROM":
            alias = self.take()
            if self.tok.kind != "," and not self.is_word("FROM"):
                raise self.ctx.unexpected(alias)  # "SELECT Id FORM Lead"
            item.alias_pos, item.alias = alias.pos, alias.text
        return item

    def call(self) -> Call:
        name = self.expect("ident")
        self.expect("(")
        args = []
        if self.tok.kind != ")":
            args.append(self.expression())
            while self.tok.kind == ",":
                self.take()
                args.append(self.expression())
        end = self.expect(")")
        text = self.ctx.text[name.pos:end.pos + 1]
        return Call(name.upper, args, name.pos, text=text)

    def expression(self) -> FieldRef | Call:
        if self.tok.kind == "ident" and self.peek().kind == "(":
            return self.call()
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

    # -- GROUP BY, ORDER BY -------------------------------------------------------------------
    def group_by(self) -> GroupBy:
        start = self.take()
        self.expect_word("BY")
        if self.is_word("ROLLUP", "CUBE") and self.peek().kind == "(":
            kind = self.take().upper
            self.take()
            items = [self.expression()]
            while self.tok.kind == ",":
                self.take()
                items.append(self.expression())
            self.expect(")")
            return GroupBy(kind, items, start.pos)
        items = [self.expression()]
        while self.tok.kind == ",":
            self.take()
            items.append(self.expression())
        return GroupBy("PLAIN", items, start.pos)

    def order_item(self) -> OrderItem:
        expr = self.expression()
        descending = False
        nulls_last = None
        if self.is_word("ASC", "DESC"):
            descending = self.take().upper == "DESC"
        if self.is_word("NULLS"):
            self.take()
            if not self.is_word("FIRST", "LAST"):
                raise self.ctx.unexpected(self.tok)
            nulls_last = self.take().upper == "LAST"
        return OrderItem(expr, descending, nulls_last)

    # -- conditions: AND and OR never mix without parentheses, and NOT only starts one -------
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
            token = self.take()
            return Not(self.term(), token.pos)
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
        left = self.expression()
        token = self.tok
        if token.kind == "op":
            self.take()
            op = "!=" if token.text == "<>" else token.text
            return Comparison(left, op, self.value(), token.pos)
        if self.is_word("LIKE"):
            self.take()
            return Comparison(left, "LIKE", self.value(), token.pos)
        if self.is_word("IN") or (self.is_word("NOT") and self.peek().kind == "ident"
                                  and self.peek().upper == "IN"):
            negated = self.take().upper == "NOT"
            if negated:
                self.take()
            op = "NOT IN" if negated else "IN"
            self.expect("(")
            if self.is_word("SELECT"):
                inner = self.query()
                self.expect(")")
                return Comparison(left, op, inner, token.pos)
            values = self.value_list()
            return Comparison(left, op, values, token.pos)
        if self.is_word("INCLUDES", "EXCLUDES"):
            raise self.ctx.unsupported(token.pos, token.upper)
        raise self.ctx.unexpected(token)

    def value_list(self) -> list[Literal]:
        values = [self.value()]
        while self.tok.kind == ",":
            self.take()
            values.append(self.value())
        self.expect(")")
        return values

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
            if word in DATE_LITERALS:
                return Literal("dateliteral", word, token.pos)
            if word in N_DATE_LITERALS:
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
    return Parser(text).statement()


__all__ = ["MAX_OFFSET", "Parser", "SoqlError", "parse"]

"""A SOSL statement, parsed: what to find, in which fields, and what to return.

    FIND {search} [IN ALL|NAME|EMAIL|PHONE|SIDEBAR FIELDS]
      [RETURNING Object [(field, ... [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n])], ...]
      [WITH SPELL_CORRECTION = true|false] [LIMIT n] [UPDATE TRACKING|VIEWSTAT]

The search string between the braces is :mod:`terms`' business; the rest is read with
SOQL's tokens and grammar (a RETURNING object's field list and clauses are SOQL's), so a
refusal points at its spot the same way, with SOSL's ``MALFORMED_SEARCH``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mocks.salesforce.soql.errors import QueryText, SoqlError
from mocks.salesforce.soql.parser import Parser
from mocks.salesforce.soql.syntax import FieldRef, Query
from mocks.salesforce.sosl.terms import TermError, parse_terms

MAX_LIMIT = 2000  # records a search answers, at most and by default
GROUPS = ("ALL", "NAME", "EMAIL", "PHONE", "SIDEBAR")


@dataclass
class Returning:
    """One object of RETURNING, as the SOQL query that reads its records."""

    query: Query


@dataclass
class Search:
    text: str  # the whole statement, for messages
    terms: object  # the search expression (terms.Term | terms.Op)
    group: str = "ALL"
    returning: list[Returning] = field(default_factory=list)  # empty: every object, Ids
    limit: int = MAX_LIMIT


def malformed(exc: SoqlError) -> SoqlError:
    """A SOQL refusal inside a search, with SOSL's code."""
    code = "MALFORMED_SEARCH" if exc.code == "MALFORMED_QUERY" else exc.code
    return SoqlError(code, exc.message)


def _closing_brace(text: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "}":
            return i
        i += 1
    return -1


def search_terms(raw: str):
    try:
        return parse_terms(raw)
    except TermError as exc:
        raise SoqlError(exc.code, exc.message) from None


def parse(text: str) -> Search:
    """The search a SOSL statement asks for, or :class:`SoqlError`."""
    ctx = QueryText(text)
    if not isinstance(text, str) or not text.strip():
        raise SoqlError("MALFORMED_SEARCH", "No search term found. The search term must be "
                                            "enclosed in braces.")
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    if stripped[:4].upper() != "FIND" or not stripped[4:].lstrip().startswith("{"):
        raise SoqlError("MALFORMED_SEARCH", "No search term found. The search term must be "
                                            "enclosed in braces.")
    open_at = text.index("{", offset)
    close_at = _closing_brace(text, open_at + 1)
    if close_at < 0:
        raise ctx.error("MALFORMED_SEARCH", len(text),
                        f"line 1:{len(text)} mismatched character '<EOF>' expecting '}}'")
    search = Search(text, search_terms(text[open_at + 1:close_at]))
    try:
        _clauses(Parser(text, start=close_at + 1), search)
    except SoqlError as exc:
        raise malformed(exc) from None
    return search


def _clauses(p: Parser, search: Search) -> None:
    if p.is_word("IN"):
        p.take()
        if not p.is_word(*GROUPS):
            raise p.ctx.unexpected(p.tok)
        search.group = p.take().upper
        p.expect_word("FIELDS")
    if p.is_word("RETURNING"):
        p.take()
        search.returning.append(_returning(p))
        while p.tok.kind == ",":
            p.take()
            search.returning.append(_returning(p))
    if p.is_word("WITH"):
        start = p.take()
        if not p.is_word("SPELL_CORRECTION"):
            raise p.ctx.unsupported(start.pos, f"WITH {p.tok.text}".strip())
        p.take()
        if p.tok.kind != "op" or p.tok.text != "=":
            raise p.ctx.unexpected(p.tok)
        p.take()
        if not p.is_word("TRUE", "FALSE"):
            raise p.ctx.unexpected(p.tok)
        p.take()  # the mock never corrects spelling: both are the same search
    if p.is_word("LIMIT"):
        p.take()
        token = p.tok
        search.limit = p.whole_number()
        if not 1 <= search.limit <= MAX_LIMIT:
            raise p.ctx.error("MALFORMED_SEARCH", token.pos,
                              f"LIMIT must be between 1 and {MAX_LIMIT}")
    if p.is_word("UPDATE"):
        p.take()
        if not p.is_word("TRACKING", "VIEWSTAT"):
            raise p.ctx.unexpected(p.tok)
        p.take()
    if p.tok.kind != "eof":
        raise p.ctx.unexpected(p.tok)


def _returning(p: Parser) -> Returning:
    name = p.expect("ident")
    query = Query([], name.text, name.pos, None, None, [], None, None, pos=name.pos)
    if p.tok.kind == "(":
        p.take()
        query.items.append(p.expression())
        while p.tok.kind == ",":
            p.take()
            query.items.append(p.expression())
        if p.is_word("WHERE"):
            p.take()
            query.where = p.condition()
        p.order_limit_offset(query)
        p.expect(")")
    else:
        query.items.append(FieldRef(["Id"], name.pos))
    return Returning(query)

"""The search expression between SOSL's braces, and how a record's text matches it.

``FIND {acme* AND ("big deal" OR renewal) AND NOT lost}``: words, quoted phrases,
``*`` (any characters) and ``?`` (one character) wildcards, ``AND``, ``OR``,
``AND NOT`` and parentheses; words side by side must all match (an implicit AND).
A backslash escapes a reserved character. As in Salesforce, text is cut into words
(letters and digits), compared without case; a term of several words (``lena@leadco.example``,
``"Acme Corp"``) matches those words in a row; every term needs two characters besides
wildcards. A phone number also matches by its digits alone (``5551234567``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mocks.salesforce.soql.functions import fold

_RESERVED = set('?&|!{}[]()^~*:\\"\'+-')
_WORD = re.compile(r"[^\W_]+")


class TermError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # each a word, or a pattern with * and ?
    patterns: tuple[re.Pattern | None, ...]  # a word's regex when it has wildcards

    def literal_chunks(self) -> list[str]:
        """Pieces every match contains, for a cheap prefilter in SQL."""
        chunks = []
        for word in self.words:
            chunks += [c for c in re.split(r"[*?]", word) if c]
        return chunks


@dataclass(frozen=True)
class Op:
    kind: str  # AND OR ANDNOT
    left: object
    right: object


def _term(raw: str) -> Term:
    words = re.findall(r"(?:[^\W_]|[*?])+", raw)
    words = [fold(w) for w in words]
    significant = sum(len(w.replace("*", "").replace("?", "")) for w in words)
    if significant < 2:
        raise TermError("INVALID_SEARCH", "search term must be longer than one character")
    patterns = tuple(re.compile(re.escape(w).replace(r"\*", ".*").replace(r"\?", "."))
                     if ("*" in w or "?" in w) else None for w in words)
    return Term(tuple(words), patterns)


def _lex(text: str) -> list[tuple[str, str]]:
    """(kind, text): word, phrase, ( ) or an operator word."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            out.append((ch, ch))
            i += 1
            continue
        if ch == '"':
            end = i + 1
            buf = []
            while end < n and text[end] != '"':
                if text[end] == "\\" and end + 1 < n:
                    end += 1
                buf.append(text[end])
                end += 1
            if end >= n:
                raise TermError("MALFORMED_SEARCH", "line 1:0 mismatched character '<EOF>' "
                                                    "expecting '\"'")
            out.append(("phrase", "".join(buf)))
            i = end + 1
            continue
        buf = []
        while i < n and not text[i].isspace() and text[i] not in '()"':
            if text[i] == "\\" and i + 1 < n:
                buf.append(" ")  # an escaped reserved character separates words
                i += 2
                continue
            if text[i] in _RESERVED - {"*", "?"}:
                buf.append(" ")
            else:
                buf.append(text[i])
            i += 1
        word = "".join(buf)
        if word.strip().upper() in ("AND", "OR", "NOT") and word.strip() == word:
            out.append(("op", word.upper()))
        elif word.strip():
            out.append(("word", word))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def expression(self):
        left = self.conjunction()
        while self.peek() == ("op", "OR"):
            self.i += 1
            left = Op("OR", left, self.conjunction())
        return left

    def conjunction(self):
        left = self.primary()
        while True:
            token = self.peek()
            if token == ("op", "AND"):
                self.i += 1
                if self.peek() == ("op", "NOT"):
                    self.i += 1
                    left = Op("ANDNOT", left, self.primary())
                else:
                    left = Op("AND", left, self.primary())
            elif token is not None and token[0] in ("word", "phrase", "("):
                left = Op("AND", left, self.primary())  # side by side: all must match
            else:
                return left

    def primary(self):
        token = self.peek()
        if token is None:
            raise TermError("MALFORMED_SEARCH", "No search term found. The search term must "
                                                "be enclosed in braces.")
        self.i += 1
        kind, text = token
        if kind == "(":
            inner = self.expression()
            if self.peek() != (")", ")"):
                raise TermError("MALFORMED_SEARCH", "unbalanced parentheses in search term")
            self.i += 1
            return inner
        if kind in ("word", "phrase"):
            return _term(text)
        raise TermError("MALFORMED_SEARCH", f"search term cannot start with '{text}'"
                        if kind == "op" else "unbalanced parentheses in search term")


def parse_terms(text: str):
    """The expression tree of a search string, or :class:`TermError`."""
    parser = _Parser(_lex(text))
    tree = parser.expression()
    if parser.peek() is not None:
        raise TermError("MALFORMED_SEARCH", "unbalanced parentheses in search term")
    return tree


def words_of(text: str, phone: bool = False) -> list[str]:
    words = [fold(w) for w in _WORD.findall(text)]
    if phone:
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits:
            words.append(digits)
    return words


def _term_matches(term: Term, fields: list[list[str]]) -> bool:
    size = len(term.words)
    for words in fields:
        for start in range(len(words) - size + 1):
            if all((p.fullmatch(words[start + k]) if p else words[start + k] == w)
                   for k, (w, p) in enumerate(zip(term.words, term.patterns, strict=True))):
                return True
    return False


def matches(tree, fields: list[list[str]]) -> bool:
    """Whether a record whose searched fields hold these words matches."""
    if isinstance(tree, Term):
        return _term_matches(tree, fields)
    if tree.kind == "AND":
        return matches(tree.left, fields) and matches(tree.right, fields)
    if tree.kind == "OR":
        return matches(tree.left, fields) or matches(tree.right, fields)
    return matches(tree.left, fields) and not matches(tree.right, fields)


def prefilter(tree, phones: bool = False) -> list[list[str]] | None:
    """A cheap necessary condition, as an OR of ANDs of chunks every match's text contains
    (None: no condition). With ``phones`` (phone fields searched), digits are left out: a
    phone matches by digits its text does not hold in a row."""
    if isinstance(tree, Term):
        chunks = [c for c in tree.literal_chunks()
                  if c.isascii() and not (phones and c.isdigit())]
        return [chunks] if chunks else None
    if tree.kind in ("AND", "ANDNOT"):
        left = prefilter(tree.left, phones)
        if tree.kind == "ANDNOT":
            return left
        right = prefilter(tree.right, phones)
        if left is None:
            return right
        if right is None:
            return left
        if len(left) * len(right) > 16:
            return left
        return [a + b for a in left for b in right]
    left, right = prefilter(tree.left, phones), prefilter(tree.right, phones)
    if left is None or right is None:
        return None
    return left + right

"""The SOQL tokenizer: text to tokens, string literals decoded, dates and datetimes parsed.

A token keeps its position, so every refusal can point at its spot in the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from mocks.salesforce.soql.errors import QueryText


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


def tokenize(text: str, ctx: QueryText | None = None, start: int = 0) -> list[Token]:
    """The tokens of ``text`` from ``start`` on (positions count from the start of
    ``text``, so a SOSL statement's RETURNING clause is read with SOQL's tokens)."""
    ctx = ctx or QueryText(text)
    tokens: list[Token] = []
    i, n = start, len(text)
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


def _string(text: str, start: int, ctx: QueryText) -> Token:
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


def _parse_datetime(m: re.Match, ctx: QueryText, pos: int) -> datetime:
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

"""Refusals: :class:`SoqlError`, and the query text that words them as Salesforce does."""

from __future__ import annotations


class SoqlError(Exception):
    """A query Salesforce would refuse: ``code`` is the errorCode, ``message`` its text."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class QueryText:
    """The text of a query, for error messages that point at the offending spot (the line,
    a caret under the column, ``ERROR at Row:R:Column:C``, then the message)."""

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

    def malformed(self, pos: int, message: str) -> SoqlError:
        return self.error("MALFORMED_QUERY", pos, message)

    def unexpected(self, token) -> SoqlError:
        shown = "<EOF>" if token.kind == "eof" else token.text
        return self.malformed(token.pos, f"unexpected token: '{shown}'")

    def unsupported(self, pos: int, what: str) -> SoqlError:
        """A form Salesforce has that the mock does not: said so, never answered wrong."""
        return self.malformed(pos, f"{what} is not supported by the siasim Salesforce mock")

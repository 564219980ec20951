"""CSV as the Bulk APIs read and write it.

Salesforce writes every value quoted (``"Id","Name"`` / ``"001...","Acme"``), a null as an
empty quoted value, booleans ``true``/``false``, datetimes ``2024-01-15T10:30:00.000Z``,
with the job's column delimiter and line ending (Bulk 2.0: ``COMMA``, ``TAB``, ``PIPE``,
``SEMICOLON``, ``CARET``, ``BACKQUOTE``; ``LF`` or ``CRLF``). It reads an upload the same
way: the first line names the fields, an empty value leaves a field alone and ``#N/A``
sets it to null.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from mocks.salesforce.metadata import Field
from mocks.salesforce.refusals import SalesforceError

DELIMITERS = {"COMMA": ",", "BACKQUOTE": "`", "CARET": "^", "PIPE": "|",
              "SEMICOLON": ";", "TAB": "\t"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
NULL = "#N/A"


class InvalidData(Exception):
    """Data the whole batch or job is refused for (``InvalidBatch : ...``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidData(f"Invalid UTF-8 at byte {exc.start}") from None


def read(text: str, delimiter: str = "COMMA") -> tuple[list[str], list[list[str]]]:
    """(header, rows) of uploaded CSV; every row must have the header's width."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[delimiter],
                        strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise InvalidData("The CSV has no header row naming the fields")
        rows = []
        for row in reader:
            if not row:
                continue  # a blank line, as at the end of a file
            if len(row) != len(header):
                raise InvalidData(f"Line {reader.line_num}: it has {len(row)} values where "
                                  f"the header names {len(header)} fields")
            rows.append(row)
    except csv.Error as exc:
        raise InvalidData(f"CSV error at line {reader.line_num}: {exc}") from None
    return [h.strip() for h in header], rows


def split(text: str, delimiter: str, size: int) -> tuple[list[str], str, list[tuple[str, int]]]:
    """(header, the header's line, then pieces of ``size`` records each, as text and a
    count): an upload cut into batches, every record checked for its width on the way."""
    position = 0

    def lines():
        nonlocal position
        for item in io.StringIO(text, newline=""):
            position += len(item)
            yield item

    reader = csv.reader(lines(), delimiter=DELIMITERS[delimiter], strict=True)
    pieces: list[tuple[str, int]] = []
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise InvalidData("The CSV has no header row naming the fields")
        head_end = start = position
        count = 0
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise InvalidData(f"Line {reader.line_num}: it has {len(row)} values where "
                                  f"the header names {len(header)} fields")
            count += 1
            if count == size:
                pieces.append((text[start:position], count))
                start, count = position, 0
        if count:
            pieces.append((text[start:position], count))
    except csv.Error as exc:
        raise InvalidData(f"CSV error at line {reader.line_num}: {exc}") from None
    head = text[:head_end]
    if not head.endswith(("\n", "\r")):
        head += "\n"
    return [h.strip() for h in header], head, pieces


class Lines:
    """A file-like list: :func:`csv.writer` writes one line per record into it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.write = self.lines.append


def writer(out, delimiter: str = "COMMA", line_ending: str = "LF"):
    return csv.writer(out, delimiter=DELIMITERS[delimiter],
                      lineterminator=LINE_ENDINGS[line_ending], quoting=csv.QUOTE_ALL)


def line(values: list, delimiter: str = "COMMA", line_ending: str = "LF") -> str:
    out = Lines()
    writer(out, delimiter, line_ending).writerow(values)
    return out.lines[0]


def value_sql(sql: str, f: Field) -> str:
    """``sql`` (a stored column) as the text the Bulk APIs write for it, done by SQLite."""
    if f.type == "boolean":
        return f"CASE WHEN {sql} IS NULL THEN NULL WHEN {sql} THEN 'true' ELSE 'false' END"
    if f.type == "datetime":
        return f"(substr({sql}, 1, 23) || 'Z')"
    if f.type == "int":
        return f"CAST({sql} AS INTEGER)"
    if f.type in ("double", "currency", "percent"):
        return f"CAST({sql} AS REAL)"
    return sql


def error_text(exc: SalesforceError) -> str:
    """A record's error as a Bulk result writes it: ``CODE:message:field,field --``."""
    return f"{exc.code}:{exc.message}:{','.join(exc.fields or [])} --"


def rows_of(lines_text: str, delimiter: str = "COMMA") -> Iterator[list[str]]:
    """The rows of CSV the mock wrote (to render it again as JSON or XML)."""
    return csv.reader(io.StringIO(lines_text, newline=""), delimiter=DELIMITERS[delimiter])

"""A batch's outcome, kept in chunks, and read back as a stream.

A query's result is CSV lines, as Salesforce writes them, cut into chunks of
:data:`CHUNK` records; each chunk keeps the byte offset where every line ends, so any
range of records (a Bulk 2.0 ``locator`` and ``maxRecords``) is a slice of one or more
chunks, read one chunk at a time: the memory a download takes is one chunk, whatever the
size of the result. An ingest batch's outcomes are one chunk of JSON.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from array import array
from collections.abc import Callable, Iterable, Iterator

from mocks.salesforce.bulk import csvio
from mocks.salesforce.bulk.ingest import Outcome
from mocks.salesforce.bulk.store import RESULTS

CHUNK = 50_000
_PIECE = 1 << 20  # bytes a streamed answer yields at a time


def write_rows(conn: sqlite3.Connection, batch_id: str, rows: Iterable[tuple],
               delimiter: str, line_ending: str) -> tuple[int, int]:
    """Store ``rows`` as CSV lines, in chunks; (records, bytes)."""
    iterator = iter(rows)
    total = size = 0
    for part in itertools.count():
        out = csvio.Lines()
        csvio.writer(out, delimiter, line_ending).writerows(
            itertools.islice(iterator, CHUNK))
        lines = out.lines
        if not lines:
            break
        text = "".join(lines)
        data = text.encode("utf-8")
        lengths = map(len, lines) if text.isascii() else (len(x.encode()) for x in lines)
        offsets = array("Q", itertools.accumulate(lengths))
        conn.execute(f'INSERT INTO "{RESULTS}" (batchId, part, records, data, offsets) '
                     "VALUES (?, ?, ?, ?, ?)", [batch_id, part, len(lines), data,
                                                offsets.tobytes()])
        total += len(lines)
        size += len(data)
        if len(lines) < CHUNK:
            break
    return total, size


def write_outcomes(conn: sqlite3.Connection, batch_id: str, outcomes: list[Outcome],
                   raw: list[list] | None) -> None:
    """An ingest batch's outcomes, with each record's input values (for Bulk 2.0's
    successful and failed results)."""
    items = [[*o.to_list(), raw[n] if raw is not None else None]
             for n, o in enumerate(outcomes)]
    conn.execute(f'INSERT OR REPLACE INTO "{RESULTS}" (batchId, part, records, data) '
                 "VALUES (?, 0, ?, ?)", [batch_id, len(items), json.dumps(items).encode()])


def read_outcomes(conn: sqlite3.Connection, batch_id: str) -> list[tuple[Outcome, list]]:
    row = conn.execute(f'SELECT data FROM "{RESULTS}" WHERE batchId = ? AND part = 0',
                       [batch_id]).fetchone()
    if row is None:
        return []
    return [(Outcome.from_list(item[:4]), item[4]) for item in json.loads(row[0])]


def stream_lines(connect: Callable[[], sqlite3.Connection], batch_id: str, start: int,
                 count: int | None) -> Iterator[bytes]:
    """The stored lines of records ``start`` to ``start + count`` (all the rest when
    ``count`` is None), read chunk by chunk on a connection of the serving thread."""
    conn = connect()
    parts = conn.execute(f'SELECT part, records FROM "{RESULTS}" WHERE batchId = ? '
                         "ORDER BY part", [batch_id]).fetchall()
    first = 0
    end = None if count is None else start + count
    for part, records in parts:
        low, high = first, first + records
        first = high
        if high <= start:
            continue
        if end is not None and low >= end:
            break
        data, offsets = conn.execute(
            f'SELECT data, offsets FROM "{RESULTS}" WHERE batchId = ? AND part = ?',
            [batch_id, part]).fetchone()
        ends = array("Q")
        ends.frombytes(offsets)
        a = max(start - low, 0)
        b = records if end is None else min(end - low, records)
        begin = 0 if a == 0 else ends[a - 1]
        view = memoryview(data)[begin:ends[b - 1]]
        for i in range(0, len(view), _PIECE):
            yield bytes(view[i:i + _PIECE])


def total_records(conn: sqlite3.Connection, batch_id: str) -> int:
    return conn.execute(f'SELECT coalesce(sum(records), 0) FROM "{RESULTS}" '
                        "WHERE batchId = ?", [batch_id]).fetchone()[0]


def drop(conn: sqlite3.Connection, batch_ids: list[str]) -> None:
    for batch_id in batch_ids:
        conn.execute(f'DELETE FROM "{RESULTS}" WHERE batchId = ?', [batch_id])


def chunk_texts(connect: Callable[[], sqlite3.Connection], batch_id: str) -> Iterator[str]:
    """The stored CSV of a query batch, one chunk of lines at a time."""
    conn = connect()
    parts = [r[0] for r in conn.execute(f'SELECT part FROM "{RESULTS}" WHERE batchId = ? '
                                        "ORDER BY part", [batch_id])]
    for part in parts:
        row = conn.execute(f'SELECT data FROM "{RESULTS}" WHERE batchId = ? AND part = ?',
                           [batch_id, part]).fetchone()
        yield bytes(row[0]).decode("utf-8")

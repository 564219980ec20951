"""The Bulk APIs' tables, and the IDs they hand out.

Jobs and batches keep their state in SQLite beside the records (so a restarted mock still
has them). A batch's input (``data``) is kept until it has been processed and for the
``request`` call; its outcome is kept in :data:`RESULTS` as chunks (:mod:`results`).
"""

from __future__ import annotations

import sqlite3

from fixtures.sfid import base62, checksum

JOBS = "_bulk_jobs"
BATCHES = "_bulk_batches"
RESULTS = "_bulk_results"

_TABLES = {
    JOBS: """
        id TEXT PRIMARY KEY, seq INTEGER NOT NULL, api INTEGER NOT NULL,
        object TEXT NOT NULL, operation TEXT NOT NULL, externalIdFieldName TEXT,
        contentType TEXT NOT NULL, columnDelimiter TEXT NOT NULL DEFAULT 'COMMA',
        lineEnding TEXT NOT NULL DEFAULT 'LF', concurrencyMode TEXT NOT NULL DEFAULT
        'Parallel', state TEXT NOT NULL, errorMessage TEXT, createdById TEXT NOT NULL,
        created REAL NOT NULL, modified REAL NOT NULL, apiVersion TEXT NOT NULL,
        query TEXT, pkChunking TEXT, assignmentRuleId TEXT, header TEXT""",
    BATCHES: """
        id TEXT PRIMARY KEY, seq INTEGER NOT NULL, jobId TEXT NOT NULL,
        state TEXT NOT NULL, stateMessage TEXT, created REAL NOT NULL, modified REAL NOT
        NULL, startAt REAL, doneAt REAL, endState TEXT, endMessage TEXT,
        records INTEGER NOT NULL DEFAULT 0, processed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0, processingMs INTEGER NOT NULL DEFAULT 0,
        format TEXT NOT NULL, data BLOB, chunkLow TEXT, chunkHigh TEXT, internal INTEGER
        NOT NULL DEFAULT 0, resultBytes INTEGER NOT NULL DEFAULT 0, header TEXT""",
    RESULTS: """
        batchId TEXT NOT NULL, part INTEGER NOT NULL, records INTEGER NOT NULL,
        data BLOB NOT NULL, offsets BLOB, PRIMARY KEY (batchId, part)""",
}
_INDEXES = (
    f'CREATE INDEX IF NOT EXISTS "idx{BATCHES}_job" ON "{BATCHES}" (jobId, seq)',
    f'CREATE INDEX IF NOT EXISTS "idx{BATCHES}_queue" ON "{BATCHES}" (state, startAt)',
    f'CREATE INDEX IF NOT EXISTS "idx{JOBS}_state" ON "{JOBS}" (api, state)',
)
PREFIXES = {"job": "750", "batch": "751", "result": "752"}


def ensure(conn: sqlite3.Connection) -> None:
    for name, columns in _TABLES.items():
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({columns})')
    for sql in _INDEXES:
        conn.execute(sql)


def make_id(kind: str, pod: str, number: int) -> str:
    id15 = PREFIXES[kind] + pod + base62(number, 9)
    return id15 + checksum(id15)


def next_seq(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f'SELECT coalesce(max(seq), 0) + 1 FROM "{table}"').fetchone()[0]


def row(conn: sqlite3.Connection, table: str, key: str) -> dict | None:
    cursor = conn.execute(f'SELECT * FROM "{table}" WHERE id = ?', [key])
    found = cursor.fetchone()
    if found is None:
        return None
    return dict(zip([d[0] for d in cursor.description], found, strict=True))


def rows(conn: sqlite3.Connection, sql: str, params: list) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

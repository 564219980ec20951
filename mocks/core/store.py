"""The SQLite store behind a mock: one file, one connection per thread, one writer at a time.

The servers are threaded, and SQLite connections must not cross threads, so each thread
gets its own ``sqlite_utils.Database`` on the same file (WAL mode: readers never block the
writer). Writes go through :meth:`Store.transaction`, which holds a process-wide lock and
wraps the work in one SQLite transaction: a request refused half-way rolls back whole, so
nothing is ever half written.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils


class StoreUnusable(Exception):
    """The file given for the store is no SQLite database (or cannot be opened)."""


class Store:
    def __init__(self, path: str | os.PathLike | None = None) -> None:
        if path is None:
            handle, name = tempfile.mkstemp(prefix="siasim-", suffix=".db")
            os.close(handle)
            self.path = Path(name)
            self.temporary = True
        else:
            self.path = Path(path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.temporary = False
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self.generation = 0  # bumped by wipe(): caches keyed on it go stale
        try:  # sqlite3 opens anything; the first statement finds out what it is
            self.db.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreUnusable(f"{self.path} is not a SQLite database this mock can use "
                                f"({exc})") from None

    @property
    def files_dir(self) -> Path:
        """A folder beside the database for what does not belong in it (export files),
        created on first use; emptied by :meth:`wipe`, removed with a temporary store."""
        folder = Path(f"{self.path}.files")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "generation", None) != self.generation:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=OFF")
            with self._connections_lock:
                self._connections.append(conn)
            db = sqlite_utils.Database(conn)
            self._local.db = db
            self._local.generation = self.generation
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic write: all of it lands, or (on any exception) none of it."""
        with self._write_lock:
            db = self.db
            with db.atomic():
                yield db

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        return list(self.db.query(sql, params))

    def wipe(self) -> None:
        """Drop every table: the store is empty, as after ``--empty``."""
        with self._write_lock:
            db = self.db
            with db.atomic():
                for table in db.table_names():
                    if not table.startswith("sqlite_"):
                        db.execute(f'DROP TABLE IF EXISTS "{table}"')
            db.execute("VACUUM")
            shutil.rmtree(f"{self.path}.files", ignore_errors=True)

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:
                    pass
            self._connections.clear()
        self.generation += 1
        if self.temporary:
            shutil.rmtree(f"{self.path}.files", ignore_errors=True)
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(f"{self.path}{suffix}")
                except FileNotFoundError:
                    pass

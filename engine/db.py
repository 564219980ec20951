"""SIA's own database (P-OWN-DB): people, activities, tasks, settings, sync cursors.

sqlite-utils on one file. Every write that follows a remote read goes in one transaction
with the cursor it advances (``Database.atomic``), so a crash loses nothing and a rerun
duplicates nothing.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from engine.errors import DatabaseUnusable
from engine.fields import COLUMNS
from engine.locks import FileLock
from engine.timestamps import now_stamp as now_iso

SCHEMA = [
    f"""CREATE TABLE IF NOT EXISTS people (
        marketo_id INTEGER PRIMARY KEY,
        {", ".join(f"{c} TEXT" for c in COLUMNS if c != "marketo_id")},
        status TEXT NOT NULL DEFAULT 'active',
        unsubscribed INTEGER NOT NULL DEFAULT 0,
        unsubscribed_at TEXT,
        unsubscribe_push TEXT,
        sf_opted_out INTEGER,
        synced_at TEXT
    )""",
    *(f"CREATE INDEX IF NOT EXISTS {name} ON people ({column})"
      for name, column in (("people_email", "email"), ("people_lead", "sfdc_lead_id"),
                           ("people_contact", "sfdc_contact_id"))),
    """CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS cursors (
        name TEXT PRIMARY KEY, value TEXT, updated_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS sync_runs (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL,
        finished_at TEXT, status TEXT NOT NULL, counts TEXT, error TEXT)""",
    # --- what sellers do (A-*): SIA's own record, each row also queued for Marketo/Salesforce
    """CREATE TABLE IF NOT EXISTS campaigns (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT, created_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS campaign_members (
        campaign_id INTEGER NOT NULL, marketo_id INTEGER NOT NULL, status TEXT NOT NULL,
        added_at TEXT, removed_at TEXT, PRIMARY KEY (campaign_id, marketo_id))""",
    """CREATE TABLE IF NOT EXISTS emails (
        id INTEGER PRIMARY KEY, marketo_id INTEGER NOT NULL, subject TEXT NOT NULL,
        marker TEXT NOT NULL UNIQUE, body TEXT, template_id INTEGER, template_name TEXT,
        campaign_id INTEGER, sent_by TEXT, sent_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS email_events (
        id INTEGER PRIMARY KEY, email_id INTEGER NOT NULL, kind TEXT NOT NULL,
        at TEXT NOT NULL, link TEXT, details TEXT)""",
    """CREATE TABLE IF NOT EXISTS calls (
        id INTEGER PRIMARY KEY, marketo_id INTEGER NOT NULL, subject TEXT NOT NULL,
        status TEXT NOT NULL, duration INTEGER, answered_by TEXT, phone TEXT,
        recording_url TEXT, campaign_id INTEGER, made_by TEXT, notes TEXT, at TEXT NOT NULL,
        marker TEXT NOT NULL UNIQUE)""",
    # the activity log, and its delivery to Marketo (A-TO-MARKETO)
    """CREATE TABLE IF NOT EXISTS activities (
        id INTEGER PRIMARY KEY, marketo_id INTEGER NOT NULL, type TEXT NOT NULL,
        primary_value TEXT, attributes TEXT NOT NULL, occurred_at TEXT NOT NULL,
        source TEXT NOT NULL, source_id INTEGER, delivery TEXT NOT NULL DEFAULT 'pending',
        marketo_activity_id INTEGER, error TEXT, attempt_until TEXT)""",
    "CREATE INDEX IF NOT EXISTS activities_delivery ON activities (delivery)",
    "CREATE INDEX IF NOT EXISTS activities_person ON activities (marketo_id)",
    # email and call Tasks for Salesforce (A-TO-SALESFORCE), one way
    """CREATE TABLE IF NOT EXISTS logged_tasks (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, source_id INTEGER NOT NULL,
        marketo_id INTEGER NOT NULL, fields TEXT NOT NULL, marker TEXT NOT NULL,
        delivery TEXT NOT NULL DEFAULT 'pending', sf_task_id TEXT, error TEXT,
        created_at TEXT NOT NULL, attempted_at TEXT, attempt_until TEXT,
        UNIQUE (kind, source_id))""",
    # reminder tasks, both ways with Salesforce when task sync is on (T-*); push_* is the
    # outbox: what Salesforce has yet to learn of the task (engine.sync.reminders.Push)
    """CREATE TABLE IF NOT EXISTS reminder_tasks (
        id INTEGER PRIMARY KEY, marketo_id INTEGER NOT NULL, name TEXT NOT NULL,
        details TEXT, due_date TEXT, priority TEXT NOT NULL DEFAULT 'Normal',
        status TEXT NOT NULL DEFAULT 'Open', deleted INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL, sf_task_id TEXT UNIQUE, error TEXT,
        push_op TEXT CHECK (push_op IN ('create', 'update', 'delete')), push_fields TEXT,
        push_attempt_at TEXT, push_attempt_until TEXT,
        push_then_delete INTEGER NOT NULL DEFAULT 0, push_who TEXT,
        push_version INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS export_windows (
        start_at TEXT PRIMARY KEY, end_at TEXT NOT NULL, export_id TEXT,
        status TEXT NOT NULL DEFAULT 'pending', rows INTEGER)""",
]


#: The indexes of ``people`` (an initial sync into an empty table builds them at its end:
#: one sort each is cheaper than keeping them up to date row by row)
PEOPLE_INDEXES = tuple(statement for statement in SCHEMA
                       if statement.startswith("CREATE INDEX") and " ON people " in statement)

#: Columns added after a table was first shipped: databases made before get them on open.
ADDED_COLUMNS = (("people", "sf_opted_out", "INTEGER"),
                 ("logged_tasks", "attempted_at", "TEXT"),
                 ("reminder_tasks", "error", "TEXT"),
                 ("activities", "attempt_until", "TEXT"),
                 ("logged_tasks", "attempt_until", "TEXT"),
                 ("reminder_tasks", "push_op", "TEXT"),
                 ("reminder_tasks", "push_fields", "TEXT"),
                 ("reminder_tasks", "push_attempt_at", "TEXT"),
                 ("reminder_tasks", "push_attempt_until", "TEXT"),
                 ("reminder_tasks", "push_then_delete", "INTEGER NOT NULL DEFAULT 0"),
                 ("reminder_tasks", "push_who", "TEXT"),
                 ("reminder_tasks", "push_version", "INTEGER NOT NULL DEFAULT 0"))


INSTANCE = "sia.instance"


def instance_number(db: sqlite_utils.Database) -> int:
    """A random number made once per SIA database: the keys SIA gives what it writes to
    Marketo and Salesforce (markers, Task keys) are unique to it (inside the caller's
    transaction, where it is made if need be)."""
    row = db.execute("SELECT value FROM cursors WHERE name = ?", (INSTANCE,)).fetchone()
    if row is None:
        row = (str(secrets.randbelow(10**8)),)
        db.execute("INSERT INTO cursors (name, value) VALUES (?, ?)", (INSTANCE, row[0]))
    return int(row[0])


def _migrate_reminder_outbox(db: sqlite_utils.Database) -> None:
    """Databases made before the outbox had columns kept it as a JSON note in
    ``reminder_tasks.pending``: move each note into the columns, then drop the note."""
    present = {row[1] for row in db.execute("PRAGMA table_info(reminder_tasks)")}
    if "pending" not in present:
        return
    for task_id, note in db.execute("SELECT id, pending FROM reminder_tasks "
                                    "WHERE pending IS NOT NULL").fetchall():
        try:
            push = json.loads(note)
        except ValueError:
            continue
        if not isinstance(push, dict) or push.get("op") not in ("create", "update", "delete"):
            continue
        fields = push.get("fields") or []
        db.execute("UPDATE reminder_tasks SET push_op = ?, push_fields = ?, push_attempt_at = ?, "
                   "push_then_delete = ?, push_who = ? WHERE id = ?",
                   (push["op"], ",".join(map(str, fields)) or None, push.get("attempt"),
                    int(push.get("then") == "delete"), push.get("who"), task_id))
    db.execute("ALTER TABLE reminder_tasks DROP COLUMN pending")


class EngineDB:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._locks: dict[str, FileLock] = {}
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise DatabaseUnusable(f"{self.path} is not a SQLite database SIA can use "
                                   f"({exc})") from None

    def _migrate(self) -> None:
        with self.transaction() as db:
            for statement in SCHEMA:
                db.execute(statement)
            for table, column, kind in ADDED_COLUMNS:
                present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            _migrate_reminder_outbox(db)
            # after the columns: a database from before has them only now
            db.execute("CREATE INDEX IF NOT EXISTS reminder_tasks_push "
                       "ON reminder_tasks (push_op)")

    def lock(self, name: str) -> FileLock:
        """A lock beside the database file, held by one thread of one process at a time:
        deliveries take it, so that rows marked "sent, answer unknown" are never another
        live delivery's."""
        with self._write_lock:
            if name not in self._locks:
                self._locks[name] = FileLock(self.path.with_name(f"{self.path.name}.{name}.lock"))
            return self._locks[name]

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            db = sqlite_utils.Database(conn)
            self._local.db = db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        with self._write_lock:
            db = self.db
            with db.atomic():
                yield db

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        return list(self.db.query(sql, params))

    # --- cursors -----------------------------------------------------------------------------
    def cursor(self, name: str) -> str | None:
        rows = self.query("SELECT value FROM cursors WHERE name = ?", (name,))
        return rows[0]["value"] if rows else None

    @staticmethod
    def set_cursor(db: sqlite_utils.Database, name: str, value: str | None) -> None:
        """Inside the caller's transaction, with the writes the cursor vouches for."""
        db.execute("INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = excluded.value, "
                   "updated_at = excluded.updated_at", (name, value, now_iso()))

    # --- runs --------------------------------------------------------------------------------
    def start_run(self, kind: str) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO sync_runs (kind, started_at, status) VALUES (?, ?, ?)",
                             (kind, now_iso(), "running"))
            return cur.lastrowid

    def finish_run(self, run_id: int, status: str, counts: dict, error: str | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE sync_runs SET finished_at = ?, status = ?, counts = ?, error = ? "
                       "WHERE id = ?", (now_iso(), status, json.dumps(counts), error, run_id))

    def last_runs(self, limit: int = 10) -> list[dict]:
        rows = self.query("SELECT * FROM sync_runs ORDER BY id DESC LIMIT ?", (limit,))
        for row in rows:
            row["counts"] = json.loads(row["counts"]) if row["counts"] else {}
        return rows

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

"""A sia.db made before the reminder outbox had columns opens with its notes moved in."""

from __future__ import annotations

import json
import sqlite3

from engine.db import EngineDB
from engine.sync.reminders import Push

OLD_REMINDERS = """CREATE TABLE reminder_tasks (
    id INTEGER PRIMARY KEY, marketo_id INTEGER NOT NULL, name TEXT NOT NULL,
    details TEXT, due_date TEXT, priority TEXT NOT NULL DEFAULT 'Normal',
    status TEXT NOT NULL DEFAULT 'Open', deleted INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL, sf_task_id TEXT UNIQUE, pending TEXT, error TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"""


def test_the_json_notes_of_an_old_database_become_the_outbox_columns(tmp_path):
    path = tmp_path / "sia.db"
    with sqlite3.connect(path) as conn:
        conn.execute(OLD_REMINDERS)
        notes = [None, {"op": "create"},
                 {"op": "create", "attempt": "2026-01-02T03:04:05Z", "then": "delete",
                  "who": "0035cn000000001AAA"},
                 {"op": "update", "fields": ["name", "due_date"]}, {"op": "delete",
                                                                    "fields": []}, "garbage"]
        for n, note in enumerate(notes, 1):
            text = note if isinstance(note, str) else (json.dumps(note) if note else None)
            conn.execute("INSERT INTO reminder_tasks (id, marketo_id, name, origin, pending, "
                         "created_at, updated_at) VALUES (?, 5, ?, 'sia', ?, 'x', 'x')",
                         (n, f"Task {n}", text))
    db = EngineDB(path)
    rows = db.query("SELECT * FROM reminder_tasks ORDER BY id")
    assert "pending" not in rows[0]  # the blob is gone
    pushes = [Push.of(r) for r in rows]
    assert pushes[0] is None and pushes[5] is None
    assert (pushes[1].op, pushes[1].attempt) == ("create", None)
    unsure = pushes[2]
    assert unsure.op == "create" and unsure.then_delete and unsure.who == "0035cn000000001AAA"
    assert unsure.attempt.at == "2026-01-02T03:04:05Z" and unsure.attempt.over  # legacy: over
    assert pushes[3].op == "update" and pushes[3].fields == ("name", "due_date")
    assert pushes[4].op == "delete"
    db.close()
    again = EngineDB(path)  # opening twice changes nothing
    assert [Push.of(r) for r in again.query("SELECT * FROM reminder_tasks ORDER BY id")] == \
        pushes
    again.close()

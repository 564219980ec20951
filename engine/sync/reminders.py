"""Reminder tasks in SIA, and their two-way sync with Salesforce Tasks (T-*).

Off by default. With task sync on:
- SIA to Salesforce: a task created, edited, completed or deleted in SIA is pushed (only
  the fields that changed). A task created while the sync was off is never pushed
  (T-FIRST-SYNC: existing tasks are not, only ones created afterwards).
- Salesforce to SIA: reminder Tasks on SIA's people created or changed since the last
  pass come in, and deletions delete. A Task SIA logged for an email or a call is not a
  reminder and never comes back (A-ONE-WAY).
- The first pass after switching on imports Tasks of the last 24 hours and applies
  deletions of the last 15 days, both by Salesforce's clock.

Mapping (T-MAPPING): Task Name to Subject, SIA to Salesforce only. Status Open is
"Not Started" and Complete is "Completed"; other Salesforce statuses do not sync.
Priority Normal and High sync; Salesforce's "Low" does not. Due Date is ActivityDate.
Details is Description.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from engine.clients.salesforce import SalesforceClient
from engine.db import EngineDB
from engine.errors import AmbiguousWrite, InvalidInput, NotFound, RemoteError
from engine.settings import Settings
from engine.sync.to_salesforce import soql_text

STATUS_TO_SF = {"Open": "Not Started", "Complete": "Completed"}
STATUS_FROM_SF = {v: k for k, v in STATUS_TO_SF.items()}
PRIORITIES = ("Normal", "High")
LOGGED_TYPES = ("Email", "Call", "Reply")
FIRST_IMPORT = timedelta(hours=24)
FIRST_DELETIONS = timedelta(days=15)
ENABLED = "tasks.enabled_at"
PULLED = "tasks.pulled_at"
EDITABLE = ("name", "details", "due_date", "priority", "status")
SF_FIELD = {"name": "Subject", "details": "Description", "due_date": "ActivityDate",
            "priority": "Priority", "status": "Status"}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> str:
    return _stamp(datetime.now(UTC))


def _check(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"unknown task fields: {', '.join(sorted(unknown))}; "
                           f"fields: {', '.join(EDITABLE)}")
    out = {}
    for key, value in fields.items():
        if key == "name":
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput("a task needs a name")
            if len(value) > 255:
                raise InvalidInput("a task name has at most 255 characters")
            out[key] = value.strip()
        elif key == "details":
            if value is not None and not isinstance(value, str):
                raise InvalidInput("details are text")
            out[key] = value or None
        elif key == "due_date":
            if value is not None:
                try:
                    value = date.fromisoformat(str(value)).isoformat()
                except ValueError:
                    raise InvalidInput("the due date is YYYY-MM-DD") from None
            out[key] = value
        elif key == "priority":
            if value not in PRIORITIES:
                raise InvalidInput(f"priority is one of {', '.join(PRIORITIES)}")
            out[key] = value
        elif key == "status":
            if value not in STATUS_TO_SF:
                raise InvalidInput(f"status is one of {', '.join(STATUS_TO_SF)}")
            out[key] = value
    return out


def _public(row: dict) -> dict:
    return {"id": row["id"], "marketoId": row["marketo_id"], "name": row["name"],
            "details": row["details"], "dueDate": row["due_date"], "priority": row["priority"],
            "status": row["status"], "origin": row["origin"], "salesforceTaskId": row["sf_task_id"],
            "deleted": bool(row["deleted"])}


class Reminders:
    def __init__(self, db: EngineDB, settings: Settings, salesforce) -> None:
        self.db = db
        self.settings = settings
        self._salesforce = salesforce  # a callable: the client is built only when needed

    @property
    def salesforce(self) -> SalesforceClient:
        return self._salesforce()

    @property
    def on(self) -> bool:
        return bool(self.settings.get("salesforce.sync_tasks"))

    # --- in SIA ------------------------------------------------------------------------------
    def list(self, marketo_id: int | None = None, include_deleted: bool = False) -> list[dict]:
        where, params = ["1 = 1"], []
        if marketo_id is not None:
            where.append("marketo_id = ?")
            params.append(marketo_id)
        if not include_deleted:
            where.append("deleted = 0")
        rows = self.db.query(f"SELECT * FROM reminder_tasks WHERE {' AND '.join(where)} "
                             "ORDER BY id", tuple(params))
        return [_public(r) for r in rows]

    def get(self, task_id) -> dict:
        if isinstance(task_id, bool) or not isinstance(task_id, int):
            raise InvalidInput("a task is named by its id (a whole number)")
        rows = self.db.query("SELECT * FROM reminder_tasks WHERE id = ? AND deleted = 0",
                             (task_id,))
        if not rows:
            raise NotFound(f"no task {task_id}")
        return rows[0]

    def create(self, person: dict, name: str, due_date: str | None = None,
               priority: str = "Normal", details: str | None = None) -> dict:
        fields = _check({"name": name, "due_date": due_date, "priority": priority,
                         "details": details})
        pending = json.dumps({"op": "create"}) if self.on else None
        now = _now()
        with self.db.transaction() as db:
            cur = db.execute(
                "INSERT INTO reminder_tasks (marketo_id, name, details, due_date, priority, "
                "status, origin, pending, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'Open', 'sia', ?, ?, ?)",
                (person["marketo_id"], fields["name"], fields["details"], fields["due_date"],
                 fields["priority"], pending, now, now))
            task_id = cur.lastrowid
        self.push()
        return _public(self.get(task_id))

    def edit(self, task_id: int, changes: dict) -> dict:
        row = self.get(task_id)
        fields = _check(changes)
        if not fields:
            raise InvalidInput("nothing to change")
        with self.db.transaction() as db:
            sets = ", ".join(f"{k} = ?" for k in fields)
            db.execute(f"UPDATE reminder_tasks SET {sets}, updated_at = ? WHERE id = ?",
                       (*fields.values(), _now(), task_id))
            self._queue(db, row, "update", list(fields))
        self.push()
        return _public(self.get(task_id))

    def complete(self, task_id: int) -> dict:
        return self.edit(task_id, {"status": "Complete"})

    def delete(self, task_id: int) -> dict:
        row = self.get(task_id)
        with self.db.transaction() as db:
            db.execute("UPDATE reminder_tasks SET deleted = 1, updated_at = ? WHERE id = ?",
                       (_now(), task_id))
            self._queue(db, row, "delete", [])
        self.push()
        return {"deleted": task_id}

    def _queue(self, db, row: dict, op: str, fields: list[str]) -> None:
        """Note what Salesforce must learn, merged with what it has not learnt yet."""
        if not self.on:
            return
        pending = json.loads(row["pending"]) if row["pending"] else None
        if pending and pending["op"] == "create":
            if op == "delete":  # never reached Salesforce: nothing to tell it
                db.execute("UPDATE reminder_tasks SET pending = NULL WHERE id = ?", (row["id"],))
            return
        if not row["sf_task_id"]:
            return  # created while the sync was off: never pushed
        if op == "update" and pending and pending["op"] == "update":
            fields = sorted(set(fields) | set(pending["fields"]))
        db.execute("UPDATE reminder_tasks SET pending = ? WHERE id = ?",
                   (json.dumps({"op": op, "fields": fields}), row["id"]))

    # --- to Salesforce ---------------------------------------------------------------------------
    def _who(self, marketo_id: int) -> str | None:
        rows = self.db.query("SELECT sfdc_contact_id, sfdc_lead_id FROM people "
                             "WHERE marketo_id = ?", (marketo_id,))
        return (rows[0]["sfdc_contact_id"] or rows[0]["sfdc_lead_id"]) if rows else None

    def _sf_fields(self, row: dict, names) -> dict:
        out = {}
        for name in names:
            value = row[name]
            if name == "status":
                value = STATUS_TO_SF[value]
            out[SF_FIELD[name]] = value
        return out

    def push(self) -> dict:
        counts = {"created": 0, "updated": 0, "deleted": 0, "failed": 0}
        if not self.on:
            return counts
        for row in self.db.query("SELECT * FROM reminder_tasks WHERE pending IS NOT NULL "
                                 "ORDER BY id"):
            pending = json.loads(row["pending"])
            try:
                if pending["op"] == "create":
                    self._push_create(row)
                    counts["created"] += 1
                elif pending["op"] == "update":
                    self.salesforce.update("Task", row["sf_task_id"],
                                           self._sf_fields(row, pending["fields"]))
                    counts["updated"] += 1
                else:
                    self.salesforce.delete("Task", row["sf_task_id"])
                    counts["deleted"] += 1
            except RemoteError:
                counts["failed"] += 1  # stays pending: the next action or pass retries
                continue
            with self.db.transaction() as db:
                db.execute("UPDATE reminder_tasks SET pending = NULL WHERE id = ? "
                           "AND pending = ?", (row["id"], row["pending"]))
        return counts

    def _push_create(self, row: dict) -> None:
        who = self._who(row["marketo_id"])
        fields = {"WhoId": who, "Subject": row["name"], "TaskSubtype": "Task",
                  **self._sf_fields(row, ("details", "due_date", "priority", "status"))}
        attempt = datetime.now(UTC) - timedelta(minutes=5)
        try:
            task_id = self.salesforce.create("Task", fields)
        except AmbiguousWrite:
            task_id = self._find(who, row["name"], attempt)
            if task_id is None:
                raise
        with self.db.transaction() as db:
            db.execute("UPDATE reminder_tasks SET sf_task_id = ? WHERE id = ?",
                       (task_id, row["id"]))

    def _find(self, who: str, subject: str, since: datetime) -> str | None:
        soql = (f"SELECT Id FROM Task WHERE WhoId = {soql_text(who)} AND Subject = "
                f"{soql_text(subject)} AND CreatedDate >= {_stamp(since)} ORDER BY CreatedDate")
        linked = {r["sf_task_id"] for r in self.db.query(
            "SELECT sf_task_id FROM reminder_tasks WHERE sf_task_id IS NOT NULL")}
        for task in self.salesforce.query(soql):
            if task["Id"] not in linked:
                return task["Id"]
        return None

    # --- from Salesforce -----------------------------------------------------------------------
    def sync(self) -> dict:
        """One pass: pending pushes out, then Salesforce's changes and deletions in."""
        if not self.on:
            return {"skipped": "task sync is off"}
        counts = self.push()
        now = self.salesforce.server_now()
        first = self.db.cursor(ENABLED) is None
        pulled = self.db.cursor(PULLED)
        since = now - FIRST_IMPORT if first or not pulled else \
            datetime.fromisoformat(pulled.replace("Z", "+00:00"))
        deleted_since = now - FIRST_DELETIONS if first or not pulled else since
        people = {}
        for r in self.db.query("SELECT marketo_id, sfdc_contact_id, sfdc_lead_id FROM people "
                               "WHERE status = 'active'"):
            for key in (r["sfdc_contact_id"], r["sfdc_lead_id"]):
                if key:
                    people[key] = r["marketo_id"]
        logged = {r["sf_task_id"] for r in self.db.query(
            "SELECT sf_task_id FROM logged_tasks WHERE sf_task_id IS NOT NULL")}
        soql = ("SELECT Id, Subject, WhoId, Status, Priority, ActivityDate, Description, Type, "
                "TaskSubtype, LastModifiedDate FROM Task WHERE LastModifiedDate >= "
                f"{_stamp(since)} ORDER BY LastModifiedDate")
        changed = [t for t in self.salesforce.query(soql)
                   if t["Id"] not in logged and t.get("WhoId") in people
                   and (t.get("Type") or "") not in LOGGED_TYPES
                   and (t.get("TaskSubtype") or "Task") == "Task"]
        deleted = self.salesforce.deleted("Task", _stamp(deleted_since), _stamp(now))
        counts.update(imported=0, updated=0, removed=0)
        with self.db.transaction() as db:
            for task in changed:
                self._apply(db, task, people[task["WhoId"]], counts)
            for item in deleted:
                cur = db.execute("UPDATE reminder_tasks SET deleted = 1, pending = NULL, "
                                 "updated_at = ? WHERE sf_task_id = ? AND deleted = 0",
                                 (_now(), item.get("id")))
                counts["removed"] += cur.rowcount
            if first:
                self.db.set_cursor(db, ENABLED, _stamp(now))
            self.db.set_cursor(db, PULLED, _stamp(now - timedelta(seconds=1)))
        return counts

    def _apply(self, db, task: dict, marketo_id: int, counts: dict) -> None:
        fields = {"details": task.get("Description"), "due_date": task.get("ActivityDate")}
        if task.get("Status") in STATUS_FROM_SF:
            fields["status"] = STATUS_FROM_SF[task["Status"]]
        if task.get("Priority") in PRIORITIES:
            fields["priority"] = task["Priority"]
        row = db.execute("SELECT id, deleted, pending FROM reminder_tasks WHERE sf_task_id = ?",
                         (task["Id"],)).fetchone()
        if row is None:
            now = _now()
            db.execute(
                "INSERT INTO reminder_tasks (marketo_id, name, details, due_date, priority, "
                "status, origin, sf_task_id, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 'salesforce', ?, ?, ?)",
                (marketo_id, task.get("Subject") or "(no subject)", fields["details"],
                 fields["due_date"], fields.get("priority", "Normal"),
                 fields.get("status", "Open"), task["Id"], now, now))
            counts["imported"] += 1
        elif not row[1] and row[2] is None:  # a task with unpushed SIA edits keeps them
            sets = ", ".join(f"{k} = ?" for k in fields)
            db.execute(f"UPDATE reminder_tasks SET {sets}, updated_at = ? WHERE id = ?",
                       (*fields.values(), _now(), row[0]))
            counts["updated"] += 1

    def switched(self, on: bool) -> None:
        """Switching the sync on starts over with a first sync (T-FIRST-SYNC)."""
        if on:
            with self.db.transaction() as db:
                db.execute("DELETE FROM cursors WHERE name IN (?, ?)", (ENABLED, PULLED))

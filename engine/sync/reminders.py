"""Reminder tasks in SIA, and their two-way sync with Salesforce Tasks (T-*).

Off by default. With task sync on:
- SIA to Salesforce: a task created, edited, completed or deleted in SIA is pushed at once
  (only the fields that changed); what cannot be pushed now waits for the next pass. A
  task created while the sync was off is never pushed (T-FIRST-SYNC: only tasks created
  afterwards are). A task of a person without a Salesforce ID stays in SIA.
- Salesforce to SIA: every pass reads the reminder Tasks on SIA's people changed since the
  last pass, and the Tasks deleted since (``queryAll`` with ``IsDeleted``, to the second;
  the replication call ``deleted/`` only covers whole minutes). What counts as a reminder
  (reference choice): a Task on a lead or contact of an SIA person, not one SIA logged for
  an email or a call, with no Type among Email, Call and Reply, and a TaskSubtype of Task
  or none. Logged email and call Tasks never come back (A-ONE-WAY).
- The first pass after switching on imports the Tasks changed in the last 24 hours and
  applies the deletions of the last 15 days, both by Salesforce's clock (its Date header).
- Conflicts: a field SIA changed and has not pushed yet keeps SIA's value; a deletion on
  either side wins over an edit on the other.

Mapping (T-MAPPING): Task Name to Subject, SIA to Salesforce only. Status Open is
"Not Started" and Complete is "Completed"; other Salesforce statuses do not sync.
Priority Normal and High sync; Salesforce's "Low" does not. Due Date is ActivityDate.
Details is Description.

What Salesforce has yet to learn of a task is its outbox (:class:`Push`, the ``push_*``
columns). Exactly once: a create follows ``engine.sync.attempts`` (attempt, then settle):
the Task carries the task's key in ``SIA_Id__c`` and is upserted by it; whoever finds a
create with an attempt (its answer was lost, or the engine died during it) looks for the
Task first and adopts it; in an org without the key field, it looks for a Task on the same
person with the same subject created since, and sends nothing while the attempt may still
land. Updates set fields to values and deletes of the deleted are no-ops, so both are safe
to repeat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta

from engine.clients.salesforce import soql_text, transient
from engine.db import instance_number
from engine.errors import EngineError, InvalidInput, NotFound, RemoteError
from engine.sync.attempts import (
    TASK_KEY_FIELD,
    Attempt,
    State,
    create_task_once,
    settle,
    task_finder,
)
from engine.sync.switched import SwitchedSync
from engine.sync.to_salesforce import SEARCH_MARGIN, converted_to, soql_datetime
from engine.timestamps import now_stamp as _now
from engine.timestamps import parse as _parse

log = logging.getLogger("siasim.engine.reminders")
STATUS_TO_SF = {"Open": "Not Started", "Complete": "Completed"}
STATUS_FROM_SF = {v: k for k, v in STATUS_TO_SF.items()}
PRIORITIES = ("Normal", "High")
LOGGED_TYPES = ("Email", "Call", "Reply")
FIRST_IMPORT = timedelta(hours=24)
FIRST_DELETIONS = timedelta(days=15)
CURSOR_MARGIN = timedelta(seconds=1)  # the Date header has whole seconds
ENABLED = "tasks.enabled_at"
PULLED = "tasks.pulled_at"
SETTING = "salesforce.sync_tasks"
LOCK = "salesforce-reminders"
EDITABLE = ("name", "details", "due_date", "priority", "status")
SF_FIELD = {"name": "Subject", "details": "Description", "due_date": "ActivityDate",
            "priority": "Priority", "status": "Status"}
GONE = ("ENTITY_IS_DELETED", "NOT_FOUND")
TASK_FIELDS = ("Id, Subject, WhoId, Status, Priority, ActivityDate, Description, Type, "
               "TaskSubtype")


def check_fields(fields: dict) -> dict:
    """A task's fields as SIA keeps them; bad input is refused before anything is written."""
    if not isinstance(fields, dict):
        raise InvalidInput("task fields are given by name")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"unknown task fields: {', '.join(sorted(map(str, unknown)))}; "
                           f"fields: {', '.join(EDITABLE)}")
    out = {}
    for key, value in fields.items():
        if key == "name":
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput("a task needs a name")
            if len(value.strip()) > 255:
                raise InvalidInput("a task name has at most 255 characters")
            out[key] = value.strip()
        elif key == "details":
            if value is not None and not isinstance(value, str):
                raise InvalidInput("details are text")
            if value and len(value) > 32000:
                raise InvalidInput("details have at most 32,000 characters")
            out[key] = value or None
        elif key == "due_date":
            if value not in (None, ""):
                try:
                    value = date.fromisoformat(str(value)).isoformat()
                except ValueError:
                    raise InvalidInput(f"the due date is YYYY-MM-DD, not {value!r}") from None
            out[key] = value or None
        elif key == "priority":
            if value not in PRIORITIES:
                raise InvalidInput(f"priority is one of {', '.join(PRIORITIES)}, not {value!r}")
            out[key] = value
        elif key == "status":
            if value not in STATUS_TO_SF:
                raise InvalidInput(f"status is one of {', '.join(STATUS_TO_SF)}, not {value!r}")
            out[key] = value
    return out


@dataclass(frozen=True)
class Push:
    """What Salesforce has yet to learn of a reminder task: the outbox, kept in the
    task's ``push_*`` columns (one change at a time, merged as edits come)."""

    op: str  # "create", "update" or "delete"
    fields: tuple[str, ...] = ()  # of an update: the task's fields to send (EDITABLE)
    attempt: Attempt | None = None  # of a create: its last attempt (engine.sync.attempts)
    then_delete: bool = False  # of a create: deleted in SIA while the create was unsure
    who: str | None = None  # of a create: the contact a converted lead became

    @classmethod
    def of(cls, row: dict) -> Push | None:
        if not row["push_op"]:
            return None
        fields = tuple(f for f in (row["push_fields"] or "").split(",") if f in EDITABLE)
        return cls(row["push_op"], fields,
                   Attempt.of(row["push_attempt_at"], row["push_attempt_until"]),
                   bool(row["push_then_delete"]), row["push_who"])


def _write(db, task_id: int, push: Push | None) -> None:
    """Replace a task's outbox (in the caller's transaction); a new version each time, so
    a push in progress knows whether what it acted on is still what is waiting."""
    p = push or Push("")
    db.execute("UPDATE reminder_tasks SET push_op = ?, push_fields = ?, push_attempt_at = ?, "
               "push_attempt_until = ?, push_then_delete = ?, push_who = ?, "
               "push_version = push_version + 1 WHERE id = ?",
               (p.op or None, ",".join(p.fields) or None, p.attempt and p.attempt.at,
                p.attempt and p.attempt.until, int(p.then_delete), p.who, task_id))


def _public(row: dict) -> dict:
    return {"id": row["id"], "marketoId": row["marketo_id"], "name": row["name"],
            "details": row["details"], "dueDate": row["due_date"], "priority": row["priority"],
            "status": row["status"], "origin": row["origin"], "salesforceTaskId": row["sf_task_id"],
            "deleted": bool(row["deleted"]), "syncPending": row["push_op"] is not None}


class Reminders(SwitchedSync):
    setting = SETTING

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
        fields = check_fields({"name": name, "due_date": due_date, "priority": priority,
                               "details": details})
        linked = bool(person["sfdc_contact_id"] or person["sfdc_lead_id"])
        push = "create" if self.on and linked else None
        now = _now()
        with self.db.lock(LOCK).hold(), self.db.transaction() as db:
            cur = db.execute(
                "INSERT INTO reminder_tasks (marketo_id, name, details, due_date, priority, "
                "status, origin, push_op, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'Open', 'sia', ?, ?, ?)",
                (person["marketo_id"], fields["name"], fields["details"], fields["due_date"],
                 fields["priority"], push, now, now))
            task_id = cur.lastrowid
        return self._pushed(task_id)

    def edit(self, task_id: int, changes: dict) -> dict:
        fields = check_fields(changes)
        if not fields:
            raise InvalidInput("nothing to change")
        with self.db.lock(LOCK).hold():
            row = self.get(task_id)
            with self.db.transaction() as db:
                sets = ", ".join(f"{k} = ?" for k in fields)
                db.execute(f"UPDATE reminder_tasks SET {sets}, updated_at = ? WHERE id = ?",
                           (*fields.values(), _now(), task_id))
                self._queue(db, row, "update", list(fields))
        return self._pushed(task_id)

    def complete(self, task_id: int) -> dict:
        return self.edit(task_id, {"status": "Complete"})

    def delete(self, task_id: int) -> dict:
        with self.db.lock(LOCK).hold():
            row = self.get(task_id)
            with self.db.transaction() as db:
                db.execute("UPDATE reminder_tasks SET deleted = 1, updated_at = ? WHERE id = ?",
                           (_now(), task_id))
                self._queue(db, row, "delete", [])
        result = self._pushed(task_id)
        return {"deleted": task_id, **{k: v for k, v in result.items() if k == "syncError"}}

    def _pushed(self, task_id: int) -> dict:
        """Push at once; a push that cannot happen now is kept for the next pass (the
        task is stored whatever Salesforce answers)."""
        error = None
        try:
            self.push()
        except EngineError as exc:
            error = exc.message
        except Exception as exc:  # never lose the answer that the task is stored
            log.exception("pushing reminder task %s failed", task_id)
            error = f"the push failed unexpectedly ({type(exc).__name__}); it is retried"
        row = self.db.query("SELECT * FROM reminder_tasks WHERE id = ?", (task_id,))[0]
        return {**_public(row), **({"syncError": error} if error else {})}

    def _queue(self, db, row: dict, op: str, fields: list[str]) -> None:
        """Note what Salesforce must learn, merged with what it has not learnt yet."""
        if not self.on:
            return
        pending = Push.of(row)
        if pending and pending.op == "create":
            if op == "delete" and pending.attempt is None:
                _write(db, row["id"], None)  # never sent: nothing to tell Salesforce
            elif op == "delete":  # it may have landed: find it, then delete it
                _write(db, row["id"], replace(pending, then_delete=True))
            return  # an edit before the create is sent rides along with it
        if not row["sf_task_id"]:
            return  # created while the sync was off: never pushed
        if op == "update" and pending and pending.op == "update":
            fields = sorted(set(fields) | set(pending.fields))
        _write(db, row["id"], Push(op, tuple(fields)))

    # --- to Salesforce ---------------------------------------------------------------------------
    def _who(self, marketo_id: int) -> str | None:
        rows = self.db.query("SELECT sfdc_contact_id, sfdc_lead_id FROM people "
                             "WHERE marketo_id = ?", (marketo_id,))
        return (rows[0]["sfdc_contact_id"] or rows[0]["sfdc_lead_id"]) if rows else None

    def _key(self, task_id: int) -> str:
        """The task's key in Salesforce (``SIA_Id__c``): unique to this SIA and task."""
        with self.db.transaction() as db:
            return f"SIA-T{instance_number(db):08d}-{task_id}"

    @staticmethod
    def _sf_fields(row: dict, names) -> dict:
        out = {}
        for name in names:
            value = row[name]
            if name == "status":
                value = STATUS_TO_SF[value]
            out[SF_FIELD[name]] = value
        return out

    def push(self) -> dict:
        """Push every pending change; raises when Salesforce cannot be reached."""
        counts = {"created": 0, "updated": 0, "deleted": 0, "failed": 0, "inFlight": 0}
        if not self.on:
            return counts
        with self.db.lock(LOCK).hold():
            for row in self.db.query("SELECT * FROM reminder_tasks WHERE push_op IS NOT NULL "
                                     "ORDER BY id"):
                try:
                    done = self._push_one(row)
                except RemoteError as exc:
                    if transient(exc):
                        raise  # Salesforce is away: everything waits for the next pass
                    self._refused(row, exc)
                    counts["failed"] += 1
                    continue
                counts[done] += 1
        return counts

    def _push_one(self, row: dict) -> str:
        pending = Push.of(row)
        if pending.op == "create":
            return self._push_create(row, pending)
        if pending.op == "update":
            try:
                self.salesforce.update("Task", row["sf_task_id"],
                                       self._sf_fields(row, pending.fields))
            except RemoteError as exc:
                if exc.remote_code not in GONE:
                    raise
                # deleted in Salesforce meanwhile: the deletion wins (T-TWO-WAY)
                self._settle(row, deleted=True)
                return "deleted"
            self._settle(row)
            return "updated"
        self.salesforce.delete("Task", row["sf_task_id"])  # already gone is fine
        self._settle(row)
        return "deleted"

    def _settle(self, row: dict, sf_task_id: str | None = None, deleted: bool = False,
                follow: Push | None = None) -> None:
        """Clear the outbox the push acted on (unless a newer change replaced it since)."""
        with self.db.transaction() as db:
            if sf_task_id:
                db.execute("UPDATE reminder_tasks SET sf_task_id = ? WHERE id = ?",
                           (sf_task_id, row["id"]))
            if deleted:
                db.execute("UPDATE reminder_tasks SET deleted = 1 WHERE id = ?", (row["id"],))
            current = db.execute("SELECT push_version FROM reminder_tasks WHERE id = ?",
                                 (row["id"],)).fetchone()
            if current and current[0] == row["push_version"]:
                _write(db, row["id"], follow)
                db.execute("UPDATE reminder_tasks SET error = NULL WHERE id = ?", (row["id"],))

    def _refused(self, row: dict, exc: RemoteError) -> None:
        log.warning("Salesforce refused reminder task %s: %s", row["id"], exc.message)
        with self.db.transaction() as db:
            _write(db, row["id"], None)
            db.execute("UPDATE reminder_tasks SET error = ? WHERE id = ?",
                       (exc.message, row["id"]))

    def _record(self, row: dict, attempt: Attempt) -> None:
        """An attempt of the create, on the row (not a new version: no change of SIA's)."""
        with self.db.transaction() as db:
            db.execute("UPDATE reminder_tasks SET push_attempt_at = ?, push_attempt_until = ? "
                       "WHERE id = ?", (attempt.at, attempt.until, row["id"]))

    def _push_create(self, row: dict, pending: Push) -> str:
        who = pending.who or self._who(row["marketo_id"])
        if not who:
            self._settle(row)  # no longer a lead or contact: it stays in SIA
            return "failed"
        key = self._key(row["id"])

        def search(attempt: Attempt) -> str | None:
            return self._find(who, row["name"], attempt.at)

        if pending.then_delete:  # deleted in SIA while the create was unsure
            state, task_id = settle(pending.attempt,
                                    lambda: task_finder(self.salesforce, key, search)(
                                        pending.attempt))
            if state is State.IN_FLIGHT:
                return "inFlight"  # it may still land: it is deleted once found
            if task_id:
                self.salesforce.delete("Task", task_id)
            self._settle(row, sf_task_id=task_id)
            return "deleted"
        fields = {"WhoId": who, "Subject": row["name"], "TaskSubtype": "Task",
                  **self._sf_fields(row, ("details", "due_date", "priority", "status"))}
        try:
            outcome = create_task_once(self.salesforce, key, fields, pending.attempt,
                                       lambda a: self._record(row, a), search)
        except RemoteError as exc:
            contact = converted_to(self.salesforce, exc, who)
            if not contact:
                raise
            # the lead became a contact since SIA heard of it: the Task goes on the contact,
            # and a later look for it (should this answer be lost) looks there
            with self.db.transaction() as db:
                db.execute("UPDATE reminder_tasks SET push_who = ? WHERE id = ?",
                           (contact, row["id"]))
            fields["WhoId"] = who = contact
            outcome = create_task_once(self.salesforce, key, fields, None,
                                       lambda a: self._record(row, a), search)
        if outcome.in_flight:
            return "inFlight"  # not there yet, and it may still land: nothing is sent
        if outcome.task_id is None:
            return "failed"  # it did not land: the next push creates it
        # the create carried the row as it was read; what changed since follows as an
        # update, and so does everything when an earlier attempt's Task was adopted
        fresh = self.db.query("SELECT * FROM reminder_tasks WHERE id = ?", (row["id"],))[0]
        changed = [n for n in EDITABLE if fresh[n] != row[n] or outcome.state is State.FOUND]
        self._settle(row, sf_task_id=outcome.task_id,
                     follow=Push("update", tuple(changed)) if changed else None)
        return "created"

    def _find(self, who: str, subject: str, attempt: str) -> str | None:
        since = _parse(attempt) - SEARCH_MARGIN
        soql = (f"SELECT Id, Type FROM Task WHERE WhoId = {soql_text(who)} AND Subject = "
                f"{soql_text(subject)} AND CreatedDate >= {soql_datetime(since)} "
                "ORDER BY CreatedDate")
        linked = {r["sf_task_id"] for r in self.db.query(
            "SELECT sf_task_id FROM reminder_tasks WHERE sf_task_id IS NOT NULL "
            "UNION SELECT sf_task_id FROM logged_tasks WHERE sf_task_id IS NOT NULL")}
        # queryAll: one that landed and was deleted since is still the one SIA made
        for task in self.salesforce.query(soql, include_deleted=True):
            if task["Id"] not in linked and (task.get("Type") or "") not in LOGGED_TYPES:
                return task["Id"]
        return None

    # --- from Salesforce -----------------------------------------------------------------------
    def sync(self) -> dict:
        """One pass: pending pushes out, then Salesforce's changes and deletions in."""
        if not self.on:
            return {"skipped": "task sync is off"}
        counts = self.push()
        with self.db.lock(LOCK).hold():
            counts.update(self._pull())
        return counts

    def _pull(self) -> dict:
        now = self.salesforce.server_now()
        first = self.db.cursor(ENABLED) is None or self.db.cursor(PULLED) is None
        since = now - FIRST_IMPORT if first else _parse(self.db.cursor(PULLED))
        deleted_since = now - FIRST_DELETIONS if first else since
        keyed = self.salesforce.has_field("Task", TASK_KEY_FIELD)
        selected = f"{TASK_FIELDS}, {TASK_KEY_FIELD}" if keyed else TASK_FIELDS
        changed = list(self.salesforce.query(
            f"SELECT {selected} FROM Task WHERE LastModifiedDate >= {soql_datetime(since)} "
            "ORDER BY LastModifiedDate"))
        deleted = [t["Id"] for t in self.salesforce.query(
            f"SELECT Id FROM Task WHERE IsDeleted = true AND SystemModstamp >= "
            f"{soql_datetime(deleted_since)}", include_deleted=True)]
        counts = {"imported": 0, "changed": 0, "removed": 0}
        people = self._people()
        logged = {r["sf_task_id"] for r in self.db.query(
            "SELECT sf_task_id FROM logged_tasks WHERE sf_task_id IS NOT NULL")}
        unsure = {(self._who(r["marketo_id"]), r["name"]) for r in self.db.query(
            "SELECT marketo_id, name FROM reminder_tasks WHERE sf_task_id IS NULL AND "
            "push_attempt_at IS NOT NULL")}
        linked = {r["sf_task_id"] for r in self.db.query(
            "SELECT sf_task_id FROM reminder_tasks WHERE sf_task_id IS NOT NULL")}
        with self.db.transaction() as db:
            for task in changed:
                # SIA's own key on a Task it does not know by its ID yet: one of its
                # creates being settled (the push adopts it), or a logged email or call
                own = bool(task.get(TASK_KEY_FIELD)) and task["Id"] not in linked
                if (own or task["Id"] in logged or task.get("WhoId") not in people
                        or (task.get("Type") or "") in LOGGED_TYPES
                        or (task.get("TaskSubtype") or "Task") != "Task"
                        or (task.get("WhoId"), task.get("Subject")) in unsure):
                    continue  # not a reminder, not SIA's person, or a create being settled
                self._apply(db, task, people[task["WhoId"]], counts)
            for task_id in deleted:
                cur = db.execute("UPDATE reminder_tasks SET deleted = 1, push_op = NULL, "
                                 "push_fields = NULL, push_version = push_version + 1, "
                                 "updated_at = ? WHERE sf_task_id = ? AND deleted = 0",
                                 (_now(), task_id))
                counts["removed"] += cur.rowcount
            if self.db.cursor(ENABLED) is None:
                self.db.set_cursor(db, ENABLED, soql_datetime(now))
            self.db.set_cursor(db, PULLED, soql_datetime(now - CURSOR_MARGIN))
        return counts

    def _people(self) -> dict[str, int]:
        people = {}
        for r in self.db.query("SELECT marketo_id, sfdc_contact_id, sfdc_lead_id FROM people "
                               "WHERE status = 'active'"):
            for key in (r["sfdc_contact_id"], r["sfdc_lead_id"]):
                if key:
                    people[key] = r["marketo_id"]
        return people

    def _apply(self, db, task: dict, marketo_id: int, counts: dict) -> None:
        fields = {"details": task.get("Description") or None,
                  "due_date": task.get("ActivityDate")}
        if task.get("Status") in STATUS_FROM_SF:  # other statuses do not sync (T-MAPPING)
            fields["status"] = STATUS_FROM_SF[task["Status"]]
        if task.get("Priority") in PRIORITIES:  # nor does "Low"
            fields["priority"] = task["Priority"]
        row = db.execute("SELECT id, deleted, push_fields, details, due_date, status, priority "
                         "FROM reminder_tasks WHERE sf_task_id = ?", (task["Id"],)).fetchone()
        if row is None:
            now = _now()
            db.execute(
                "INSERT INTO reminder_tasks (marketo_id, name, details, due_date, priority, "
                "status, origin, sf_task_id, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 'salesforce', ?, ?, ?)",
                (marketo_id, (task.get("Subject") or "(no subject)")[:255], fields["details"],
                 fields["due_date"], fields.get("priority", "Normal"),
                 fields.get("status", "Open"), task["Id"], now, now))
            counts["imported"] += 1
            return
        task_id, deleted, waiting_fields = row[0], row[1], row[2]
        if deleted:
            return  # deleted in SIA: its deletion is pushed, not undone
        waiting = set((waiting_fields or "").split(","))
        current = dict(zip(("details", "due_date", "status", "priority"), row[3:], strict=True))
        news = {k: v for k, v in fields.items() if k not in waiting and current[k] != v}
        if news:  # SIA's unpushed edits keep their values
            sets = ", ".join(f"{k} = ?" for k in news)
            db.execute(f"UPDATE reminder_tasks SET {sets}, updated_at = ? WHERE id = ?",
                       (*news.values(), _now(), task_id))
            counts["changed"] += 1

    def switched(self, on: bool) -> None:
        """Switching the sync on starts over with a first sync (T-FIRST-SYNC)."""
        if on:
            with self.db.transaction() as db:
                db.execute("DELETE FROM cursors WHERE name IN (?, ?)", (ENABLED, PULLED))

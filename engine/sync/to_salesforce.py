"""Logging emails and calls to Salesforce as Tasks (A-TO-SALESFORCE), one way, exactly once.

A Task to log is stored first (``logged_tasks``, ``delivery = 'pending'``), then created.
Its Description ends with SIA's unique marker of the email or call. When the answer to a
create is lost, SIA looks for the Task in Salesforce (same person and subject, created
since the attempt, carrying the marker) before creating it again. Nothing ever reads
these Tasks back into SIA (A-ONE-WAY).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from engine.clients.salesforce import SalesforceClient
from engine.db import EngineDB
from engine.errors import AmbiguousWrite, RemoteError


def soql_text(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class TaskDelivery:
    def __init__(self, db: EngineDB, salesforce: SalesforceClient) -> None:
        self.db = db
        self.salesforce = salesforce

    def flush(self) -> dict:
        counts = {"created": 0, "found": 0, "failed": 0}
        for row in self.db.query("SELECT * FROM logged_tasks WHERE delivery IN "
                                 "('pending', 'unknown') ORDER BY id"):
            if row["delivery"] == "unknown" and self._adopt(row):
                counts["found"] += 1
                continue
            self._create(row, counts)
        return counts

    def _create(self, row: dict, counts: dict) -> None:
        fields = json.loads(row["fields"])
        with self.db.transaction() as db:  # if we die during the call, look before resending
            db.execute("UPDATE logged_tasks SET delivery = 'unknown', created_at = ? "
                       "WHERE id = ?", (_now(), row["id"]))
        try:
            task_id = self.salesforce.create("Task", fields)
        except AmbiguousWrite:
            if self._adopt({**row, "created_at": _now(minutes=-5)}):
                counts["found"] += 1
            return
        except RemoteError as exc:
            with self.db.transaction() as db:
                db.execute("UPDATE logged_tasks SET delivery = 'failed', error = ? WHERE id = ?",
                           (exc.message, row["id"]))
            counts["failed"] += 1
            return
        with self.db.transaction() as db:
            db.execute("UPDATE logged_tasks SET delivery = 'done', sf_task_id = ?, error = NULL "
                       "WHERE id = ?", (task_id, row["id"]))
        counts["created"] += 1

    def _adopt(self, row: dict) -> bool:
        """Whether a lost create landed after all; if so, remember the Task it made."""
        fields = json.loads(row["fields"])
        since = _parse(row["created_at"]) - timedelta(minutes=5)
        soql = (f"SELECT Id, Description FROM Task WHERE WhoId = {soql_text(fields['WhoId'])} "
                f"AND Subject = {soql_text(fields['Subject'])} "
                f"AND CreatedDate >= {since.strftime('%Y-%m-%dT%H:%M:%SZ')} "
                f"ORDER BY CreatedDate")
        marker = row["marker"]
        found = [t for t in self.salesforce.query(soql)
                 if marker and marker in (t.get("Description") or "")]
        with self.db.transaction() as db:
            if found:
                db.execute("UPDATE logged_tasks SET delivery = 'done', sf_task_id = ? "
                           "WHERE id = ?", (found[0]["Id"], row["id"]))
                return True
            db.execute("UPDATE logged_tasks SET delivery = 'pending' WHERE id = ?", (row["id"],))
        return False


def _now(minutes: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

"""Logging emails and calls to Salesforce as Tasks (A-TO-SALESFORCE), one way, exactly once.

A Task to log is stored first (``logged_tasks``, ``delivery = 'pending'``), with the
action that made it, then created. Its Description ends with SIA's unique marker of the
email or call. Before each create the row is marked ``'unknown'`` with the time of the
attempt by Salesforce's clock; whoever finds a row so marked (the create's answer was
lost, or the engine died during it) first looks for the Task in Salesforce (same person
and subject, created since the attempt, carrying the marker; deleted ones count too) and
creates it only when it is not there.

Nothing ever reads these Tasks back into SIA (A-ONE-WAY). Deliveries hold the database's
``salesforce-tasks`` lock.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from engine.clients.salesforce import SalesforceClient, transient
from engine.db import EngineDB
from engine.errors import AmbiguousWrite, RemoteError

log = logging.getLogger("siasim.engine.to_salesforce")
SEARCH_MARGIN = timedelta(minutes=2)  # Salesforce's Date header has whole seconds
ATTEMPTS = 2  # creates per Task and flush, when one's answer is lost and it did not land
CONVERTED = "CANNOT_UPDATE_CONVERTED_LEAD"


def soql_text(value: str) -> str:
    escaped = (value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f"'{escaped}'"


def soql_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def converted_to(salesforce: SalesforceClient, exc: RemoteError, who: str | None) -> str | None:
    """The contact a lead became, when Salesforce refused a write because the lead was
    converted since SIA last heard of it (the people sync brings the contact later)."""
    if exc.remote_code != CONVERTED or not who:
        return None
    lead = salesforce.get("Lead", who)
    return lead.get("ConvertedContactId") if lead.get("IsConverted") else None


class TaskDelivery:
    def __init__(self, db: EngineDB, salesforce: SalesforceClient) -> None:
        self.db = db
        self.salesforce = salesforce

    def flush(self) -> dict:
        """Create every Task still waiting. Raises :class:`RemoteError` when Salesforce
        cannot be reached; what is left waits for the next flush."""
        counts = {"created": 0, "found": 0, "failed": 0}
        with self.db.lock("salesforce-tasks").hold():
            for row in self.db.query("SELECT * FROM logged_tasks WHERE delivery IN "
                                     "('pending', 'unknown') ORDER BY id"):
                if row["delivery"] == "unknown" and self._adopt(row):
                    counts["found"] += 1
                    continue
                self._create(row, counts)
        return counts

    def _create(self, row: dict, counts: dict) -> None:
        for _ in range(ATTEMPTS):
            task_id = self._attempt(row, counts)
            if task_id is not None:
                break
        else:
            return  # still pending: the next flush goes on
        if task_id == "":
            return  # found, or refused for good: counted
        with self.db.transaction() as db:
            db.execute("UPDATE logged_tasks SET delivery = 'done', sf_task_id = ?, error = NULL "
                       "WHERE id = ?", (task_id, row["id"]))
        counts["created"] += 1

    def _attempt(self, row: dict, counts: dict) -> str | None:
        """One create: the new Task's ID; "" when settled otherwise (it was there after
        all, or Salesforce refused it for good); None when it did not land."""
        fields = json.loads(row["fields"])
        attempt = soql_datetime(self.salesforce.clock())
        with self.db.transaction() as db:  # if we die during the call, look before resending
            db.execute("UPDATE logged_tasks SET delivery = 'unknown', attempted_at = ? "
                       "WHERE id = ?", (attempt, row["id"]))
        try:
            return self.salesforce.create("Task", fields)
        except AmbiguousWrite as exc:
            log.info("Task create answer lost (%s): looking for it", exc.message)
            if self._adopt({**row, "attempted_at": attempt}):
                counts["found"] += 1
                return ""
            return None
        except RemoteError as exc:
            contact = converted_to(self.salesforce, exc, fields.get("WhoId"))
            if contact:  # log it on the contact the lead became, and try again
                row["fields"] = json.dumps({**fields, "WhoId": contact})
                with self.db.transaction() as db:
                    db.execute("UPDATE logged_tasks SET fields = ?, delivery = 'pending' "
                               "WHERE id = ?", (row["fields"], row["id"]))
                return None
            if transient(exc):
                with self.db.transaction() as db:
                    db.execute("UPDATE logged_tasks SET delivery = 'pending', error = ? "
                               "WHERE id = ?", (exc.message, row["id"]))
                raise
            with self.db.transaction() as db:  # refused for what it is: sending it again won't help
                db.execute("UPDATE logged_tasks SET delivery = 'failed', error = ? WHERE id = ?",
                           (exc.message, row["id"]))
            counts["failed"] += 1
            return ""

    def _adopt(self, row: dict) -> bool:
        """Whether a create whose answer was lost landed after all; if so, remember the
        Task it made, else put the row back to pending. A search that fails raises, and
        the row stays unknown."""
        fields = json.loads(row["fields"])
        attempted = row["attempted_at"] or row["created_at"]
        since = datetime.fromisoformat(attempted.replace("Z", "+00:00")) - SEARCH_MARGIN
        soql = (f"SELECT Id, Description FROM Task WHERE WhoId = {soql_text(fields['WhoId'])} "
                f"AND Subject = {soql_text(fields['Subject'])} "
                f"AND CreatedDate >= {soql_datetime(since)} ORDER BY CreatedDate")
        # queryAll: a Task that landed and was deleted since is still SIA's, not to redo
        linked = {r["sf_task_id"] for r in self.db.query(
            "SELECT sf_task_id FROM logged_tasks WHERE sf_task_id IS NOT NULL")}
        found = [t for t in self.salesforce.query(soql, include_deleted=True)
                 if row["marker"] in (t.get("Description") or "") and t["Id"] not in linked]
        with self.db.transaction() as db:
            if found:
                db.execute("UPDATE logged_tasks SET delivery = 'done', sf_task_id = ?, "
                           "error = NULL WHERE id = ?", (found[0]["Id"], row["id"]))
                return True
            db.execute("UPDATE logged_tasks SET delivery = 'pending' WHERE id = ?", (row["id"],))
        return False

"""Logging emails and calls to Salesforce as Tasks (A-TO-SALESFORCE), one way, exactly once.

A Task to log is stored first (``logged_tasks``, ``delivery = 'pending'``), with the
action that made it, then created following ``engine.sync.attempts`` (attempt, then
settle). Its key is SIA's unique marker of the email or call, which also ends its
Description: the Task is upserted by it (``SIA_Id__c``), so a create whose answer was lost
(a timeout, a dropped connection, the engine killed during it) is looked for by the key
and adopted, or sent again without risk of a second Task. In an org without the key field
it is looked for by person, subject and marker, created since the attempt (deleted ones
count too), and sent again only once the attempt can no longer land; until then the row
stays ``'unknown'`` (in flight).

Nothing ever reads these Tasks back into SIA (A-ONE-WAY). Deliveries hold the database's
``salesforce-tasks`` lock.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from engine.clients.salesforce import SalesforceClient, soql_text, transient
from engine.db import EngineDB
from engine.errors import RemoteError
from engine.sync.attempts import Attempt, State, create_task_once
from engine.timestamps import parse, stamp

log = logging.getLogger("siasim.engine.to_salesforce")
SEARCH_MARGIN = timedelta(minutes=2)  # Salesforce's Date header has whole seconds
CONVERTED = "CANNOT_UPDATE_CONVERTED_LEAD"


def soql_datetime(moment: datetime) -> str:
    return stamp(moment)  # a SOQL datetime literal is the engine's own form


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
        counts = {"created": 0, "found": 0, "failed": 0, "inFlight": 0}
        with self.db.lock("salesforce-tasks").hold():
            for row in self.db.query("SELECT * FROM logged_tasks WHERE delivery IN "
                                     "('pending', 'unknown') ORDER BY id"):
                counts[self._deliver(row)] += 1
        return counts

    def _deliver(self, row: dict) -> str:
        fields = json.loads(row["fields"])
        attempt = Attempt.of(row["attempted_at"], row["attempt_until"])
        if row["delivery"] == "unknown" and attempt is None:  # marked before attempts had times
            attempt = Attempt.of(row["created_at"], None)
        try:
            outcome = create_task_once(self.salesforce, row["marker"], fields, attempt,
                                       lambda a: self._record(row, a),
                                       lambda a: self._search(row, fields, a))
        except RemoteError as exc:
            contact = converted_to(self.salesforce, exc, fields.get("WhoId"))
            if contact:  # log it on the contact the lead became
                with self.db.transaction() as db:
                    db.execute("UPDATE logged_tasks SET fields = ?, delivery = 'pending' "
                               "WHERE id = ?", (json.dumps({**fields, "WhoId": contact}),
                                                row["id"]))
                return self._deliver(self.db.query("SELECT * FROM logged_tasks WHERE id = ?",
                                                   (row["id"],))[0])
            if transient(exc):  # Salesforce is away; an attempt made stays, looked for first
                with self.db.transaction() as db:
                    db.execute("UPDATE logged_tasks SET error = ? WHERE id = ?",
                               (exc.message, row["id"]))
                raise
            with self.db.transaction() as db:  # refused for what it is: sending it again won't help
                db.execute("UPDATE logged_tasks SET delivery = 'failed', error = ? WHERE id = ?",
                           (exc.message, row["id"]))
            return "failed"
        if outcome.in_flight:
            return "inFlight"  # not there yet, and it may still land: nothing is sent
        if outcome.task_id is None:
            with self.db.transaction() as db:
                db.execute("UPDATE logged_tasks SET delivery = 'pending' WHERE id = ?",
                           (row["id"],))
            return "failed"  # known not to have landed, twice: the next flush goes on
        with self.db.transaction() as db:
            db.execute("UPDATE logged_tasks SET delivery = 'done', sf_task_id = ?, error = NULL "
                       "WHERE id = ?", (outcome.task_id, row["id"]))
        return "found" if outcome.state is State.FOUND else "created"

    def _record(self, row: dict, attempt: Attempt) -> None:
        with self.db.transaction() as db:  # if we die during the call, look before resending
            db.execute("UPDATE logged_tasks SET delivery = 'unknown', attempted_at = ?, "
                       "attempt_until = ? WHERE id = ?", (attempt.at, attempt.until, row["id"]))

    def _search(self, row: dict, fields: dict, attempt: Attempt) -> str | None:
        """The Task an attempt made, in an org without SIA's key field: same person and
        subject, created since the attempt, carrying the marker, not another row's."""
        since = parse(attempt.at) - SEARCH_MARGIN
        soql = (f"SELECT Id, Description FROM Task WHERE WhoId = {soql_text(fields['WhoId'])} "
                f"AND Subject = {soql_text(fields['Subject'])} "
                f"AND CreatedDate >= {soql_datetime(since)} ORDER BY CreatedDate")
        # queryAll: a Task that landed and was deleted since is still SIA's, not to redo
        linked = {r["sf_task_id"] for r in self.db.query(
            "SELECT sf_task_id FROM logged_tasks WHERE sf_task_id IS NOT NULL")}
        for task in self.salesforce.query(soql, include_deleted=True):
            if row["marker"] in (task.get("Description") or "") and task["Id"] not in linked:
                return task["Id"]
        return None

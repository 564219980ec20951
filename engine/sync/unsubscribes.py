"""Unsubscribes between SIA and Salesforce's Email Opt Out (U-*).

- An unsubscribe collected in SIA is pushed to ``HasOptedOutOfEmail`` at once, for people
  with a Salesforce ID (the contact when there is one, else the lead), when Unsubscribe
  Sync is on. A push that fails stays pending and the next pass retries it.
- The periodic pass brings Salesforce opt-outs into SIA (changes since the last pass,
  by Salesforce's own clock).
- A re-subscribe is never synced, either way (U-NO-RESUBSCRIBE).
- Marketo's ``unsubscribed`` is never touched (U-NOT-TO-MARKETO).
- Reference choice: a person without a Salesforce ID is unsubscribed in SIA only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.clients.salesforce import SalesforceClient
from engine.db import EngineDB
from engine.errors import RemoteError
from engine.settings import Settings

CURSOR = "unsubscribes.salesforce"
MARGIN = timedelta(minutes=1)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Unsubscribes:
    def __init__(self, db: EngineDB, settings: Settings, salesforce) -> None:
        self.db = db
        self.settings = settings
        self._salesforce = salesforce  # a callable: the client is built only when needed

    @property
    def salesforce(self) -> SalesforceClient:
        return self._salesforce()

    def unsubscribe(self, person: dict) -> dict:
        push = None
        if self.settings.get("salesforce.sync_unsubscribes") and (
                person["sfdc_contact_id"] or person["sfdc_lead_id"]):
            push = "pending"
        with self.db.transaction() as db:
            db.execute("UPDATE people SET unsubscribed = 1, unsubscribed_at = ?, "
                       "unsubscribe_push = COALESCE(?, unsubscribe_push) WHERE marketo_id = ?",
                       (_stamp(datetime.now(UTC)), push, person["marketo_id"]))
        pushed = self.push_pending() if push else {}
        return {"unsubscribed": True, "pushedToSalesforce": bool(pushed.get("pushed"))}

    def resubscribe(self, person: dict) -> dict:
        """SIA only: a re-subscribe is never synced (U-NO-RESUBSCRIBE)."""
        with self.db.transaction() as db:
            db.execute("UPDATE people SET unsubscribed = 0, unsubscribed_at = NULL, "
                       "unsubscribe_push = NULL WHERE marketo_id = ?", (person["marketo_id"],))
        return {"unsubscribed": False}

    def push_pending(self) -> dict:
        counts = {"pushed": 0, "failed": 0}
        if not self.settings.get("salesforce.sync_unsubscribes"):
            return counts
        for person in self.db.query("SELECT * FROM people WHERE unsubscribe_push = 'pending'"):
            sobject, record_id = (("Contact", person["sfdc_contact_id"])
                                  if person["sfdc_contact_id"] else
                                  ("Lead", person["sfdc_lead_id"]))
            try:
                self.salesforce.update(sobject, record_id, {"HasOptedOutOfEmail": True})
            except RemoteError:
                counts["failed"] += 1  # stays pending: the next pass tries again
                continue
            with self.db.transaction() as db:
                db.execute("UPDATE people SET unsubscribe_push = 'done' WHERE marketo_id = ?",
                           (person["marketo_id"],))
            counts["pushed"] += 1
        return counts

    def sync(self) -> dict:
        """The periodic pass: pending pushes out, Salesforce opt-outs in."""
        if not self.settings.get("salesforce.sync_unsubscribes"):
            return {"skipped": "unsubscribe sync is off"}
        counts = self.push_pending()
        started = self.salesforce.server_now()
        since = self.db.cursor(CURSOR)
        opted_out: dict[str, set[str]] = {"Lead": set(), "Contact": set()}
        for sobject in opted_out:
            soql = f"SELECT Id FROM {sobject} WHERE HasOptedOutOfEmail = true"
            if since:
                soql += f" AND LastModifiedDate > {since}"
            opted_out[sobject] = {r["Id"] for r in self.salesforce.query(soql)}
        stamp = _stamp(datetime.now(UTC))
        with self.db.transaction() as db:
            before = db.conn.total_changes
            for column, ids in (("sfdc_lead_id", opted_out["Lead"]),
                                ("sfdc_contact_id", opted_out["Contact"])):
                db.conn.executemany(
                    f"UPDATE people SET unsubscribed = 1, unsubscribed_at = ?, "
                    f"unsubscribe_push = 'done' WHERE {column} = ? AND unsubscribed = 0",
                    [(stamp, record_id) for record_id in ids])
            counts["unsubscribedFromSalesforce"] = db.conn.total_changes - before
            self.db.set_cursor(db, CURSOR, _stamp(started - MARGIN))
        return counts

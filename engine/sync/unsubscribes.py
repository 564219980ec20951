"""Unsubscribes between SIA and Salesforce's Email Opt Out (U-*).

- An unsubscribe collected in SIA is pushed to ``HasOptedOutOfEmail`` at once, for people
  with a Salesforce ID (the contact when there is one, else the lead), when Unsubscribe
  Sync is on. A push that fails for a passing reason stays pending; the next pass retries.
- The periodic pass brings Salesforce opt-outs into SIA: the leads and contacts changed
  since the last pass (by Salesforce's own clock), or every opted-out one on the first.
- A re-subscribe is never synced, either way (U-NO-RESUBSCRIBE). SIA remembers, per
  person, what it last knew of Salesforce's opt-out (``people.sf_opted_out``): an opt-out
  it pushed or already took in is not news, so a person re-subscribed in SIA stays
  subscribed while Salesforce keeps the old opt-out; a new opt-out (after Salesforce
  cleared it) is news again.
- Marketo's ``unsubscribed`` is never touched (U-NOT-TO-MARKETO): Marketo learns of an
  opt-out through its own Salesforce sync, if at all.
- Reference choice: a person without a Salesforce ID is unsubscribed in SIA only.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from engine.clients.salesforce import transient
from engine.errors import EngineError, RemoteError
from engine.sync.switched import SwitchedSync
from engine.sync.to_salesforce import converted_to
from engine.timestamps import stamp as _stamp

log = logging.getLogger("siasim.engine.unsubscribes")
CURSOR = "unsubscribes.salesforce"
MARGIN = timedelta(seconds=1)  # the Date header has whole seconds
SETTING = "salesforce.sync_unsubscribes"


def _target(person: dict) -> tuple[str, str] | None:
    if person["sfdc_contact_id"]:
        return "Contact", person["sfdc_contact_id"]
    if person["sfdc_lead_id"]:
        return "Lead", person["sfdc_lead_id"]
    return None


class Unsubscribes(SwitchedSync):
    setting = SETTING

    def unsubscribe(self, person: dict) -> dict:
        push = "pending" if self.on and _target(person) else None
        with self.db.transaction() as db:
            db.execute("UPDATE people SET unsubscribed = 1, "
                       "unsubscribed_at = COALESCE(unsubscribed_at, ?), "
                       "unsubscribe_push = COALESCE(?, unsubscribe_push) WHERE marketo_id = ?",
                       (_stamp(datetime.now(UTC)), push, person["marketo_id"]))
        result = {"unsubscribed": True, "pushedToSalesforce": False}
        if push:
            try:
                result["pushedToSalesforce"] = self.push_pending()["pushed"] > 0
            except EngineError as exc:  # kept: the next pass pushes it
                result["pushError"] = exc.message
            except Exception as exc:  # stored whatever happened to the push
                log.exception("pushing the opt-out of %s failed", person["marketo_id"])
                result["pushError"] = (f"the push failed unexpectedly ({type(exc).__name__}); "
                                       "it is retried on the next pass")
        return result

    def resubscribe(self, person: dict) -> dict:
        """SIA only: a re-subscribe is never synced (U-NO-RESUBSCRIBE)."""
        with self.db.transaction() as db:
            db.execute("UPDATE people SET unsubscribed = 0, unsubscribed_at = NULL, "
                       "unsubscribe_push = NULL WHERE marketo_id = ?", (person["marketo_id"],))
        return {"unsubscribed": False}

    def push_pending(self) -> dict:
        """Push every pending unsubscribe; raises when Salesforce cannot be reached."""
        counts = {"pushed": 0, "failed": 0}
        if not self.on:
            return counts
        with self.db.lock("salesforce-unsubscribes").hold():
            for person in self.db.query("SELECT * FROM people "
                                        "WHERE unsubscribe_push = 'pending'"):
                counts[self._push(person)] += 1
        return counts

    def _push(self, person: dict) -> str:
        sobject, record_id = _target(person)
        try:  # setting a field to a value: safe to send again after a lost answer
            try:
                self.salesforce.update(sobject, record_id, {"HasOptedOutOfEmail": True})
            except RemoteError as exc:
                contact = converted_to(self.salesforce, exc, record_id)
                if not contact:
                    raise
                self.salesforce.update("Contact", contact, {"HasOptedOutOfEmail": True})
        except RemoteError as exc:
            if transient(exc):
                raise
            log.warning("Salesforce refused the opt-out of %s %s: %s", sobject, record_id,
                        exc.message)
            with self.db.transaction() as db:
                db.execute("UPDATE people SET unsubscribe_push = 'failed' WHERE marketo_id = ?",
                           (person["marketo_id"],))
            return "failed"
        with self.db.transaction() as db:
            db.execute("UPDATE people SET unsubscribe_push = 'done', sf_opted_out = 1 "
                       "WHERE marketo_id = ?", (person["marketo_id"],))
        return "pushed"

    def sync(self) -> dict:
        """The periodic pass: pending pushes out, Salesforce opt-outs in."""
        if not self.on:
            return {"skipped": "unsubscribe sync is off"}
        counts = self.push_pending()
        started = self.salesforce.server_now()
        since = self.db.cursor(CURSOR)
        seen: dict[str, bool] = {}  # Salesforce ID -> HasOptedOutOfEmail
        for sobject in ("Lead", "Contact"):
            if since:
                soql = (f"SELECT Id, HasOptedOutOfEmail FROM {sobject} "
                        f"WHERE LastModifiedDate >= {since}")
            else:  # the first pass: every opt-out Salesforce holds
                soql = f"SELECT Id, HasOptedOutOfEmail FROM {sobject} " \
                       "WHERE HasOptedOutOfEmail = true"
            for record in self.salesforce.query(soql):
                seen[record["Id"]] = bool(record.get("HasOptedOutOfEmail"))
        counts["unsubscribedFromSalesforce"] = self._take_in(seen, _stamp(started - MARGIN))
        return counts

    def _take_in(self, seen: dict[str, bool], cursor: str) -> int:
        """Apply what the pass saw, in one transaction with the cursor it moves on."""
        stamp = _stamp(datetime.now(UTC))
        unsubscribed = 0
        with self.db.transaction() as db:
            for record_id, opted_out in seen.items():
                rows = db.execute("SELECT marketo_id, unsubscribed, sf_opted_out FROM people "
                                  "WHERE sfdc_contact_id = ? OR sfdc_lead_id = ?",
                                  (record_id, record_id)).fetchall()
                for marketo_id, is_unsubscribed, known in rows:
                    if not opted_out:  # an opt-in: remembered, never a re-subscribe
                        db.execute("UPDATE people SET sf_opted_out = 0 WHERE marketo_id = ?",
                                   (marketo_id,))
                        continue
                    if known == 1:
                        continue  # an opt-out SIA already knows (its own, or taken in)
                    db.execute("UPDATE people SET sf_opted_out = 1, unsubscribed = 1, "
                               "unsubscribed_at = COALESCE(unsubscribed_at, ?), "
                               "unsubscribe_push = CASE WHEN unsubscribe_push = 'pending' "
                               "THEN 'done' ELSE unsubscribe_push END WHERE marketo_id = ?",
                               (stamp, marketo_id))
                    unsubscribed += not is_unsubscribed
            self.db.set_cursor(db, CURSOR, cursor)
        return unsubscribed

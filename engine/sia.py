"""The reference Sales Insight Actions: one facade over its database and its syncs.

The CLI, the HTTP API and the conformance kit's reference driver all go through this
class; it owns the database and builds the Marketo and Salesforce clients from the
configured endpoints.
"""

from __future__ import annotations

import threading
from pathlib import Path

from engine import smartgrid
from engine.actions import Actions
from engine.clients.marketo import MarketoClient, MarketoCredentials
from engine.clients.salesforce import SalesforceClient, SalesforceCredentials
from engine.config import Endpoints
from engine.db import EngineDB
from engine.errors import (
    Blocked,
    InvalidInput,
    MappingNotConfigurable,
    NotConfigured,
    NotFound,
    ReadOnlyPeople,
)
from engine.fields import COLUMNS, to_labels
from engine.settings import BY_KEY as SETTING_KEYS
from engine.settings import Settings
from engine.sync.people import PeopleSync, Progress, SyncResult
from engine.sync.reminders import Reminders
from engine.sync.to_marketo import ActivityDelivery
from engine.sync.to_salesforce import TaskDelivery
from engine.sync.unsubscribes import Unsubscribes

READ_ONLY_MESSAGE = ("people cannot be created or edited in Sales Insight Actions: create and "
                     "edit them in Marketo Engage or Salesforce, and they sync here")


class SIA:
    def __init__(self, db_path: str | Path, endpoints: Endpoints | None = None) -> None:
        self.db = EngineDB(db_path)
        self.settings = Settings(self.db)
        self.endpoints = endpoints
        self._marketo: MarketoClient | None = None
        self._salesforce: SalesforceClient | None = None
        self._delivery: ActivityDelivery | None = None
        self._lock = threading.Lock()

    # --- connections -------------------------------------------------------------------------
    def configure(self, endpoints: Endpoints) -> None:
        with self._lock:
            self.endpoints = endpoints
            self._marketo = self._salesforce = self._delivery = None

    @property
    def marketo(self) -> MarketoClient:
        with self._lock:
            if self._marketo is None:
                e = self._require()
                self._marketo = MarketoClient(
                    MarketoCredentials(e.marketo_url, e.marketo_client_id,
                                       e.marketo_client_secret),
                    calls_per_window=e.marketo_calls_per_window, window=e.marketo_window_seconds,
                    verify=e.verify)
            return self._marketo

    @property
    def salesforce(self) -> SalesforceClient:
        with self._lock:
            if self._salesforce is None:
                e = self._require()
                if not e.salesforce_url:
                    raise NotConfigured("no Salesforce endpoint is configured")
                self._salesforce = SalesforceClient(
                    SalesforceCredentials(e.salesforce_url, e.salesforce_client_id or "",
                                          e.salesforce_client_secret or "",
                                          e.salesforce_username, e.salesforce_password),
                    verify=e.verify)
            return self._salesforce

    def _require(self) -> Endpoints:
        if self.endpoints is None:
            raise NotConfigured("Marketo and Salesforce endpoints are not configured")
        return self.endpoints

    # --- people (read-only: P-READONLY) ------------------------------------------------------
    def people(self, include_removed: bool = False) -> list[dict]:
        where = "" if include_removed else "WHERE status = 'active'"
        rows = self.db.query(f"SELECT * FROM people {where} ORDER BY marketo_id")
        return [self._person(row) for row in rows]

    def person(self, marketo_id: int) -> dict:
        rows = self.db.query("SELECT * FROM people WHERE marketo_id = ?", (marketo_id,))
        if not rows:
            raise NotFound(f"no person with Marketo ID {marketo_id}")
        return self._person(rows[0])

    @staticmethod
    def _person(row: dict) -> dict:
        return {**to_labels(row), "status": row["status"],
                "unsubscribed": bool(row["unsubscribed"])}

    def create_person(self, fields: dict) -> None:
        raise ReadOnlyPeople(READ_ONLY_MESSAGE)

    def edit_person(self, marketo_id: int, fields: dict) -> None:
        if not isinstance(marketo_id, int):
            raise InvalidInput("a person is named by its Marketo ID")
        raise ReadOnlyPeople(READ_ONLY_MESSAGE)

    def delete_person(self, marketo_id: int) -> None:
        raise ReadOnlyPeople(READ_ONLY_MESSAGE)

    def configure_field_mapping(self, mapping: dict) -> None:
        """P-FIELDS-FIXED: always refused, whatever the mapping."""
        raise MappingNotConfigurable()

    # --- what sellers do (A-*, U-*, T-*) ---------------------------------------------------------
    @property
    def actions(self) -> Actions:
        return Actions(self.db, self.settings)

    @property
    def delivery(self) -> ActivityDelivery:
        marketo = self.marketo
        with self._lock:
            if self._delivery is None:  # reset by configure(), with the clients
                self._delivery = ActivityDelivery(self.db, marketo)
            return self._delivery

    @property
    def unsubscribes(self) -> Unsubscribes:
        return Unsubscribes(self.db, self.settings, lambda: self.salesforce)

    @property
    def reminders(self) -> Reminders:
        return Reminders(self.db, self.settings, lambda: self.salesforce)

    def flush(self) -> dict:
        """Deliver what is waiting: activities to Marketo, Tasks to Salesforce."""
        out = {"marketo": self.delivery.flush()}
        if self.db.query("SELECT 1 FROM logged_tasks WHERE delivery IN ('pending', 'unknown') "
                         "LIMIT 1"):
            out["salesforce"] = TaskDelivery(self.db, self.salesforce).flush()
        return out

    def send_email(self, marketo_id: int, subject: str, body: str = "",
                   campaign: str | None = None) -> dict:
        person = self.actions.person(marketo_id)
        if person["unsubscribed"]:
            raise Blocked(f"{person['email']} has unsubscribed: SIA does not send to it")
        check = self.settings.get("marketo.unsubscribe_check") and person["email"]
        if check and self._unsubscribed_in_marketo(person["email"]):
            raise Blocked(f"{person['email']} is unsubscribed in Marketo (Marketo "
                              f"Unsubscribe Check): the email was not sent")
        result = self.actions.send_email(marketo_id, subject, body, campaign)
        result["delivery"] = self.flush()
        return result

    def _unsubscribed_in_marketo(self, email: str) -> bool:
        """U-MARKETO-CHECK: one call to Marketo per send."""
        found = self.marketo.call("GET", "/rest/v1/leads.json", params={
            "filterType": "email", "filterValues": email, "fields": "id,email,unsubscribed"})
        return any(p.get("unsubscribed") in (True, "true", 1) for p in found.get("result", []))

    def record_email_event(self, email_id: int, event: str, link: str | None = None,
                           details: str | None = None) -> dict:
        result = self.actions.record_email_event(email_id, event, link, details)
        result["delivery"] = self.flush()
        return result

    def log_call(self, marketo_id: int, subject: str, **call) -> dict:
        result = self.actions.log_call(marketo_id, subject, **call)
        result["delivery"] = self.flush()
        return result

    def add_to_campaign(self, marketo_id: int, campaign: str) -> dict:
        result = self.actions.add_to_campaign(marketo_id, campaign)
        result["delivery"] = self.flush()
        return result

    def remove_from_campaign(self, marketo_id: int, campaign: str) -> dict:
        result = self.actions.remove_from_campaign(marketo_id, campaign)
        result["delivery"] = self.flush()
        return result

    def unsubscribe(self, marketo_id: int) -> dict:
        return self.unsubscribes.unsubscribe(self.actions.person(marketo_id))

    def resubscribe(self, marketo_id: int) -> dict:
        return self.unsubscribes.resubscribe(self.actions.person(marketo_id))

    def smart_grid(self, marketo_id: int) -> list[dict]:
        self.actions.person(marketo_id)
        return smartgrid.load(self.marketo, marketo_id, self.delivery.type_ids())

    def set_setting(self, key: str, value) -> object:
        before = self.settings.get(key) if key in SETTING_KEYS else None
        after = self.settings.set(key, value)
        if key == "salesforce.sync_tasks" and after and not before:
            self.reminders.switched(True)
        return after

    def sync_all(self) -> dict:
        """One pass of every periodic sync: people, deliveries, unsubscribes, tasks."""
        out = {"people": self.sync_changes().to_dict()}
        out["delivery"] = self.flush()
        out["unsubscribes"] = self._run("unsubscribes", self.unsubscribes.sync)
        out["tasks"] = self._run("tasks", self.reminders.sync)
        return out

    # --- people sync -------------------------------------------------------------------------
    def people_sync(self, progress: Progress | None = None) -> PeopleSync:
        return PeopleSync(self.db, self.marketo, progress)

    def sync_fields(self) -> list[dict]:
        return self.people_sync().fields()

    def initiate_sync(self, progress: Progress | None = None) -> SyncResult:
        return self._run("initial", lambda: self.people_sync(progress).initiate())

    def sync_changes(self) -> SyncResult:
        return self._run("changes", lambda: self.people_sync().changes())

    def _run(self, kind: str, work):
        """Run one sync, recording it (start, end, counts or error) in ``sync_runs``."""
        run = self.db.start_run(kind)
        try:
            result = work()
        except Exception as exc:
            self.db.finish_run(run, "failed", {}, str(exc))
            raise
        self.db.finish_run(run, "ok", result.to_dict() if hasattr(result, "to_dict") else result)
        return result

    def status(self) -> dict:
        counts = {r["status"]: r["n"] for r in self.db.query(
            "SELECT status, COUNT(*) AS n FROM people GROUP BY status")}
        sync = self.people_sync() if self.endpoints else None
        return {
            "initiated": self.db.cursor("people.initiated"),
            "initialDone": self.db.cursor("people.initial_done"),
            "feedToken": self.db.cursor("people.changes"),
            "people": counts,
            "lastRuns": self.db.last_runs(5),
            "endpoints": self.endpoints.public() if self.endpoints else None,
            "syncedFields": sync.fields() if sync else None,
        }

    def close(self) -> None:
        self.db.close()


__all__ = ["COLUMNS", "SIA", "Endpoints"]

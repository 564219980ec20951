"""The reference Sales Insight Actions: one facade over its database and its syncs.

The CLI, the HTTP API and the conformance kit's reference driver all go through this
class; it owns the database and builds the Marketo and Salesforce clients from the
configured endpoints.
"""

from __future__ import annotations

import logging
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
    CheckFailed,
    EngineError,
    InvalidInput,
    MappingNotConfigurable,
    NotConfigured,
    NotFound,
    ReadOnlyPeople,
    SyncFailed,
    SyncNotInitiated,
)
from engine.fields import COLUMNS, to_labels
from engine.redact import scrub
from engine.settings import BY_KEY as SETTING_KEYS
from engine.settings import Settings
from engine.sync.people import INITIATED, PeopleSync, Progress, SyncResult
from engine.sync.reminders import Reminders
from engine.sync.to_marketo import ActivityDelivery
from engine.sync.to_salesforce import TaskDelivery
from engine.sync.unsubscribes import Unsubscribes

log = logging.getLogger("siasim.engine")


def _delivered(service: str, flush) -> tuple[dict, bool]:
    try:
        return flush(), True
    except EngineError as exc:
        return {"error": exc.message}, False
    except Exception as exc:  # a bug or an answer nothing foresaw: logged, never a 500
        log.exception("delivery to %s failed unexpectedly", service)
        return {"error": f"delivery to {service} failed unexpectedly "
                         f"({type(exc).__name__}); it is retried on the next pass"}, False


#: columns a people search looks in
SEARCHED = ("first_name", "last_name", "email", "company", "title")
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
                    timeout=e.marketo_timeout, write_horizon=e.write_horizon, verify=e.verify)
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
                    timeout=e.salesforce_timeout, write_horizon=e.write_horizon, verify=e.verify)
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

    def search_people(self, query: str = "", limit: int = 50, offset: int = 0
                      ) -> tuple[int, list[dict]]:
        """SIA's people matching ``query`` (a Marketo ID, or text in a name, the email, the
        company or the title, any case), by Marketo ID: how many in all, and one page."""
        where, params = ["status = 'active'"], []
        query = query.strip()
        if query.isdigit():
            where.append("marketo_id = ?")
            params.append(int(query))
        elif query:
            like = f"%{query.lower()}%"
            where.append("(" + " OR ".join(f"LOWER({c}) LIKE ?" for c in SEARCHED)
                         + " OR LOWER(first_name || ' ' || last_name) LIKE ?)")
            params.extend([like] * (len(SEARCHED) + 1))
        sql = " AND ".join(where)
        total = self.db.query(f"SELECT COUNT(*) AS n FROM people WHERE {sql}", tuple(params))
        rows = self.db.query(f"SELECT * FROM people WHERE {sql} ORDER BY marketo_id "
                             "LIMIT ? OFFSET ?", (*params, limit, offset))
        return total[0]["n"], [self._person(row) for row in rows]

    def emails(self, marketo_id: int) -> list[dict]:
        """The sales emails sent to a person, newest first, each with what became of it."""
        self.person(marketo_id)
        rows = self.db.query("SELECT id, subject, marker, sent_at FROM emails "
                             "WHERE marketo_id = ? ORDER BY id DESC", (marketo_id,))
        events = self.db.query(
            "SELECT email_id, kind, at FROM email_events WHERE email_id IN "
            "(SELECT id FROM emails WHERE marketo_id = ?) ORDER BY id", (marketo_id,))
        return [{"id": r["id"], "subject": r["subject"], "marker": r["marker"],
                 "sentAt": r["sent_at"],
                 "events": [{"event": e["kind"], "at": e["at"]} for e in events
                            if e["email_id"] == r["id"]]} for r in rows]

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
        """Deliver what is waiting: activities to Marketo, Tasks to Salesforce.

        What cannot be delivered now stays queued, and the result says why: a seller's
        action is done once SIA has stored it (P-OWN-DB), whether or not Marketo and
        Salesforce answer at that moment.
        """
        return {name: part for name, part, _ in self._deliveries()}

    def _deliveries(self) -> list[tuple[str, dict, bool]]:
        """(channel, counts or error, ok) for each delivery that had work. Never raises:
        what could not be delivered stays queued, and the action that queued it is stored
        whatever happened here."""
        out = [("marketo", *_delivered("Marketo", lambda: self.delivery.flush()))]
        if self.db.query("SELECT 1 FROM logged_tasks WHERE delivery IN ('pending', 'unknown') "
                         "LIMIT 1"):
            out.append(("salesforce", *_delivered(
                "Salesforce", lambda: TaskDelivery(self.db, self.salesforce).flush())))
        return out

    def send_email(self, marketo_id: int, subject: str, body: str = "",
                   campaign: str | None = None) -> dict:
        person = self.actions.person(marketo_id)
        self.actions.check_email(subject, body, campaign)  # bad input: refused, nothing asked
        if person["unsubscribed"]:
            raise Blocked(f"{person['email'] or 'the person'} has unsubscribed: SIA does not "
                          "send to it")
        check = self.settings.get("marketo.unsubscribe_check") and person["email"]
        if check and self._unsubscribed_in_marketo(person["email"]):
            raise Blocked(f"{person['email']} is unsubscribed in Marketo (Marketo "
                          f"Unsubscribe Check): the email was not sent")
        result = self.actions.send_email(marketo_id, subject, body, campaign)
        result["delivery"] = self.flush()
        return result

    def _unsubscribed_in_marketo(self, email: str) -> bool:
        """U-MARKETO-CHECK: one call to Marketo per send. Every Marketo person with the
        address counts: one unsubscribed is enough to block (P-DUPLICATES keeps them
        apart, the address is the same). When Marketo cannot be asked, nothing is sent."""
        try:
            found = self.marketo.call("GET", "/rest/v1/leads.json", params={
                "filterType": "email", "filterValues": email,
                "fields": "id,email,unsubscribed"})
        except EngineError as exc:
            raise CheckFailed(f"could not ask Marketo whether {email} is unsubscribed "
                              f"({exc.message}): the email was not sent") from None
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

    def activities(self, marketo_id: int) -> list[dict]:
        """SIA's own record of a person's sales activity (P-OWN-DB): no remote call."""
        self.actions.person(marketo_id)
        return self.actions.activities(marketo_id)

    def unsubscribe(self, marketo_id: int) -> dict:
        return self.unsubscribes.unsubscribe(self.actions.person(marketo_id))

    def resubscribe(self, marketo_id: int) -> dict:
        return self.unsubscribes.resubscribe(self.actions.person(marketo_id))

    def smart_grid(self, marketo_id: int) -> list[dict]:
        self.actions.person(marketo_id)
        return smartgrid.load(self.marketo, marketo_id, self.delivery.type_ids())

    # --- reminder tasks ----------------------------------------------------------------------
    def tasks(self, marketo_id: int | None = None) -> list[dict]:
        if marketo_id is not None:
            self.actions.person(marketo_id)
        return self.reminders.list(marketo_id)

    def create_task(self, marketo_id: int, name: str, due_date: str | None = None,
                    priority: str = "Normal", details: str | None = None) -> dict:
        return self.reminders.create(self.actions.person(marketo_id), name, due_date, priority,
                                     details)

    def task(self, task_id: int) -> dict:
        """One reminder task as SIA lists it; NotFound for an unknown or deleted one."""
        row = self.reminders.get(task_id)
        return next(t for t in self.reminders.list(row["marketo_id"]) if t["id"] == task_id)

    def edit_task(self, task_id: int, changes: dict) -> dict:
        return self.reminders.edit(task_id, changes)

    def complete_task(self, task_id: int) -> dict:
        return self.reminders.complete(task_id)

    def delete_task(self, task_id: int) -> dict:
        return self.reminders.delete(task_id)

    # --- settings ----------------------------------------------------------------------------
    def set_setting(self, key: str, value) -> object:
        before = self.settings.get(key) if key in SETTING_KEYS else None
        after = self.settings.set(key, value)
        if key == "salesforce.sync_tasks" and after and not before:
            self.reminders.switched(True)
        return after

    # --- the periodic syncs ------------------------------------------------------------------
    def sync_unsubscribes(self) -> dict:
        return self._run("unsubscribes", self.unsubscribes.sync)

    def sync_tasks(self) -> dict:
        return self._run("tasks", self.reminders.sync)

    def sync_all(self) -> dict:
        """One pass of every periodic sync: people, deliveries, unsubscribes, tasks.

        Nothing runs before an admin has started the data sync (S-INITIATE). Every part
        runs even when one before it fails; then :class:`SyncFailed` says which failed,
        with what every part did.
        """
        if not self.db.cursor(INITIATED):
            raise SyncNotInitiated("the data sync has not been started: an admin starts it "
                                   "first (S-INITIATE)")
        out: dict = {}
        failed: list[str] = []
        parts = (("people", lambda: self.sync_changes().to_dict()),
                 ("unsubscribes", self.sync_unsubscribes), ("tasks", self.sync_tasks))
        for name, work in parts[:1]:
            out[name] = self._part(name, work, failed)
        out["delivery"] = {}
        for channel, result, ok in self._deliveries():
            out["delivery"][channel] = result
            if not ok:
                failed.append(f"delivery to {channel}: {result['error']}")
        for name, work in parts[1:]:
            out[name] = self._part(name, work, failed)
        if failed:
            raise SyncFailed("; ".join(failed), out)
        return out

    @staticmethod
    def _part(name: str, work, failed: list[str]) -> dict:
        try:
            return work()
        except EngineError as exc:
            failed.append(f"{name}: {exc.message}")
            return {"error": exc.message}

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
            self.db.finish_run(run, "failed", {}, scrub(str(exc), *self._secrets()))
            raise
        self.db.finish_run(run, "ok", result.to_dict() if hasattr(result, "to_dict") else result)
        return result

    def _secrets(self) -> tuple[str | None, ...]:
        e = self.endpoints
        return (e.marketo_client_secret, e.salesforce_client_secret,
                e.salesforce_password) if e else ()

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

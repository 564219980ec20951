"""The reference Sales Insight Actions: one facade over its database and its syncs.

The CLI, the HTTP API and the conformance kit's reference driver all go through this
class; it owns the database and builds the Marketo and Salesforce clients from the
configured endpoints.
"""

from __future__ import annotations

import threading
from pathlib import Path

from engine.clients.marketo import MarketoClient, MarketoCredentials
from engine.clients.salesforce import SalesforceClient, SalesforceCredentials
from engine.config import Endpoints
from engine.db import EngineDB
from engine.errors import (
    InvalidInput,
    MappingNotConfigurable,
    NotConfigured,
    NotFound,
    ReadOnlyPeople,
)
from engine.fields import COLUMNS, to_labels
from engine.settings import Settings
from engine.sync.people import PeopleSync, Progress, SyncResult

READ_ONLY_MESSAGE = ("people cannot be created or edited in Sales Insight Actions: create and "
                     "edit them in Marketo Engage or Salesforce, and they sync here")


class SIA:
    def __init__(self, db_path: str | Path, endpoints: Endpoints | None = None) -> None:
        self.db = EngineDB(db_path)
        self.settings = Settings(self.db)
        self.endpoints = endpoints
        self._marketo: MarketoClient | None = None
        self._salesforce: SalesforceClient | None = None
        self._lock = threading.Lock()

    # --- connections -------------------------------------------------------------------------
    def configure(self, endpoints: Endpoints) -> None:
        with self._lock:
            self.endpoints = endpoints
            self._marketo = self._salesforce = None

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

    # --- people sync -------------------------------------------------------------------------
    def people_sync(self, progress: Progress | None = None) -> PeopleSync:
        return PeopleSync(self.db, self.marketo, progress)

    def sync_fields(self) -> list[dict]:
        return self.people_sync().fields()

    def initiate_sync(self, progress: Progress | None = None) -> SyncResult:
        return self._run("initial", lambda: self.people_sync(progress).initiate())

    def sync_changes(self) -> SyncResult:
        return self._run("changes", lambda: self.people_sync().changes())

    def _run(self, kind: str, work) -> SyncResult:
        run = self.db.start_run(kind)
        try:
            result = work()
        except Exception as exc:
            self.db.finish_run(run, "failed", {}, str(exc))
            raise
        self.db.finish_run(run, "ok", result.to_dict())
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

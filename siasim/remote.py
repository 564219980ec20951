"""SIA over its HTTP API: what the command line uses while ``siasim up`` runs.

``RemoteSIA`` answers the calls the commands make of ``engine.sia.SIA`` (``people()``,
``send_email(...)``, ``sync_all()`` ...) by calling the running SIA's API (``/api``), so
that a command acts on the stack's own database and takes its turn with the stack's
continuous mode instead of running beside it. A refusal comes back as the engine's own
error, with SIA's message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from engine.errors import EngineError, SyncFailed

TIMEOUT = 600  # an initial sync of a large world answers when it is done


class RemoteRefusal(EngineError):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class Unreachable(EngineError):
    """No SIA answers at the URL."""

    code = "UNREACHABLE"
    status = 503


class _Result(dict):
    """A sync's answer, as the engine's result object (``to_dict()``) for the printers."""

    def to_dict(self) -> dict:
        return dict(self)


class _Settings:
    def __init__(self, sia: RemoteSIA) -> None:
        self._sia = sia

    def describe(self) -> list[dict]:
        return self._sia._call("GET", "/settings")["settings"]

    def get(self, key: str) -> Any:
        return self._sia._call("GET", f"/settings/{quote(key)}")["value"]


class RemoteSIA:
    def __init__(self, sia_url: str) -> None:
        self.url = sia_url.rstrip("/")
        self.api = f"{self.url}/api"
        self.http = requests.Session()
        self.http.trust_env = False  # a local server: no proxy of the environment's
        self.settings = _Settings(self)

    def _call(self, method: str, path: str, body: dict | None = None,
              params: dict | None = None) -> Any:
        if method != "GET" and body is None:
            body = {}  # SIA's writes take a JSON body (so no web page can make them)
        try:
            answer = self.http.request(method, self.api + path, json=body, params=params,
                                       timeout=TIMEOUT)
        except requests.ConnectionError:
            raise Unreachable(f"SIA does not answer at {self.url}") from None
        try:
            data = answer.json()
        except ValueError:
            raise RemoteRefusal("BAD_ANSWER", f"SIA at {self.url} answered {method} "
                                f"/api{path} with HTTP {answer.status_code}, not JSON",
                                answer.status_code) from None
        if answer.status_code >= 400:
            if data.get("error") == "SYNC_FAILED" and "result" in data:
                raise SyncFailed(data.get("message", ""), data["result"])
            raise RemoteRefusal(data.get("error", "ERROR"), data.get("message", answer.text),
                                answer.status_code)
        return data

    def check(self) -> dict:
        """``GET /api``: raises :class:`Unreachable` when nothing answers."""
        return self._call("GET", "")

    def close(self) -> None:
        self.http.close()

    # --- people --------------------------------------------------------------------------------
    def people(self, include_removed: bool = False) -> list[dict]:
        rows, offset = [], 0
        while True:
            page = self._call("GET", "/people", params={
                "limit": 500, "offset": offset, **({"all": "true"} if include_removed else {})})
            rows += page["people"]
            offset += len(page["people"])
            if not page["people"] or offset >= page["total"]:
                return rows

    def ids_by_email(self, email: str) -> list[int]:
        """The active people whose email is this one (case ignored), as SIA holds them."""
        found = self._call("GET", "/people", params={"q": email, "limit": 500})["people"]
        return sorted(p["Marketo ID"] for p in found
                      if (p.get("Email") or "").lower() == email.lower()
                      and p.get("status", "active") == "active")

    def activities(self, marketo_id: int) -> list[dict]:
        return self._call("GET", f"/people/{marketo_id}/activities")["activities"]

    def smart_grid(self, marketo_id: int) -> list[dict]:
        return self._call("GET", f"/people/{marketo_id}/smart-grid")["activities"]

    # --- a seller's actions --------------------------------------------------------------------
    def send_email(self, marketo_id: int, subject: str, body: str = "",
                   campaign: str | None = None) -> dict:
        data = {"subject": subject, "body": body}
        if campaign is not None:
            data["campaign"] = campaign
        return self._call("POST", f"/people/{marketo_id}/emails", data)

    def record_email_event(self, email_id: int, event: str, link: str | None = None,
                           details: str | None = None) -> dict:
        data = {"event": event, "link": link, "details": details}
        return self._call("POST", f"/emails/{email_id}/events",
                          {k: v for k, v in data.items() if v is not None})

    def log_call(self, marketo_id: int, subject: str, **call: Any) -> dict:
        names = {"status": "status", "duration": "duration", "answered_by": "answeredBy",
                 "phone": "phone", "recording_url": "recordingUrl", "campaign": "campaign",
                 "notes": "notes"}
        data = {"subject": subject, **{names[k]: v for k, v in call.items() if v is not None}}
        return self._call("POST", f"/people/{marketo_id}/calls", data)

    def add_to_campaign(self, marketo_id: int, campaign: str) -> dict:
        return self._call("POST", f"/people/{marketo_id}/campaigns", {"campaign": campaign})

    def remove_from_campaign(self, marketo_id: int, campaign: str) -> dict:
        return self._call("DELETE", f"/people/{marketo_id}/campaigns/{quote(campaign, safe='')}")

    def unsubscribe(self, marketo_id: int) -> dict:
        return self._call("POST", f"/people/{marketo_id}/unsubscribe")

    def resubscribe(self, marketo_id: int) -> dict:
        return self._call("POST", f"/people/{marketo_id}/resubscribe")

    # --- reminder tasks ------------------------------------------------------------------------
    def tasks(self, marketo_id: int | None = None) -> list[dict]:
        path = f"/people/{marketo_id}/tasks" if marketo_id is not None else "/tasks"
        return self._call("GET", path)["tasks"]

    def create_task(self, marketo_id: int, name: str, due_date: str | None = None,
                    priority: str = "Normal", details: str | None = None) -> dict:
        data = {"name": name, "dueDate": due_date, "priority": priority, "details": details}
        return self._call("POST", f"/people/{marketo_id}/tasks",
                          {k: v for k, v in data.items() if v is not None})

    def edit_task(self, task_id: int, changes: dict) -> dict:
        names = {"name": "name", "details": "details", "due_date": "dueDate",
                 "priority": "priority", "status": "status"}
        return self._call("PATCH", f"/tasks/{task_id}",
                          {names[k]: v for k, v in changes.items()})

    def complete_task(self, task_id: int) -> dict:
        return self._call("POST", f"/tasks/{task_id}/complete")

    def delete_task(self, task_id: int) -> dict:
        return self._call("DELETE", f"/tasks/{task_id}")

    # --- settings ------------------------------------------------------------------------------
    def set_setting(self, key: str, value: Any) -> Any:
        return self._call("PUT", f"/settings/{quote(key)}", {"value": value})["value"]

    # --- the syncs -----------------------------------------------------------------------------
    def sync_fields(self) -> list[dict]:
        return self._call("GET", "/fields")["fields"]

    def initiate_sync(self, progress: Any = None) -> _Result:
        return _Result(self._call("POST", "/sync/initial"))

    def sync_changes(self) -> _Result:
        return _Result(self._call("POST", "/sync/changes"))

    def sync_unsubscribes(self) -> dict:
        return self._call("POST", "/sync/unsubscribes")

    def sync_tasks(self) -> dict:
        return self._call("POST", "/sync/tasks")

    def sync_all(self) -> dict:
        return self._call("POST", "/sync/run")

    def status(self) -> dict:
        return self._call("GET", "/sync")

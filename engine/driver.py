"""The reference driver: the conformance kit's contract, implemented by the engine.

``pytest features --sut engine.driver:create_driver`` (the default) runs the kit against
the reference Sales Insight Actions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.config import Endpoints as EngineEndpoints
from engine.errors import EngineError
from engine.sia import SIA
from features.contract import Endpoints, Outcome

#: The kit's setting names, mapped to the engine's keys.
SETTING_KEYS = {
    "email_logging": "salesforce.log_emails",
    "call_logging": "salesforce.log_calls",
    "task_sync": "salesforce.sync_tasks",
    "unsubscribe_sync": "salesforce.sync_unsubscribes",
    "marketo_unsubscribe_check": "marketo.unsubscribe_check",
    "email_subject_template": "salesforce.email_subject_template",
    "call_subject_template": "salesforce.call_subject_template",
}


def _outcome(action) -> Outcome:
    try:
        result = action()
    except EngineError as exc:
        return Outcome(False, exc.message, exc.to_dict())
    detail = result.to_dict() if hasattr(result, "to_dict") else (result or {})
    return Outcome(True, None, detail)


class ReferenceDriver:
    def __init__(self, workdir: Path) -> None:
        self.sia = SIA(Path(workdir) / "sia.db")

    def configure(self, endpoints: Endpoints) -> None:
        self.sia.configure(EngineEndpoints(
            marketo_url=endpoints.marketo_url,
            marketo_client_id=endpoints.marketo_client_id,
            marketo_client_secret=endpoints.marketo_client_secret,
            salesforce_url=endpoints.salesforce_url,
            salesforce_client_id=endpoints.salesforce_client_id,
            salesforce_client_secret=endpoints.salesforce_client_secret,
            salesforce_username=endpoints.salesforce_username,
            salesforce_password=endpoints.salesforce_password,
            verify=endpoints.ca_bundle or True,
        ))

    def close(self) -> None:
        self.sia.close()

    def settings(self) -> dict[str, Any]:
        values = self.sia.settings.all()
        return {name: values[key] for name, key in SETTING_KEYS.items()}

    def set_setting(self, name: str, value: Any) -> Outcome:
        if name not in SETTING_KEYS:
            return Outcome.refused(f"no setting '{name}'")
        return _outcome(lambda: {"value": self.sia.set_setting(SETTING_KEYS[name], value)})

    def sync_fields(self) -> list[str]:
        return [f["field"] for f in self.sia.sync_fields()]

    def initiate_sync(self) -> Outcome:
        return _outcome(self.sia.initiate_sync)

    def sync_changes(self) -> Outcome:
        return _outcome(self.sia.sync_changes)

    def people(self) -> list[dict[str, Any]]:
        fields = ("status", "unsubscribed")
        return [{k: v for k, v in p.items() if k not in fields} for p in self.sia.people()]

    def create_person(self, fields: dict[str, Any]) -> Outcome:
        return _outcome(lambda: self.sia.create_person(fields))

    def edit_person(self, marketo_id: int, fields: dict[str, Any]) -> Outcome:
        return _outcome(lambda: self.sia.edit_person(marketo_id, fields))

    def configure_field_mapping(self, mapping: dict[str, str]) -> Outcome:
        return _outcome(lambda: self.sia.configure_field_mapping(mapping))

    # --- sales activities --------------------------------------------------------------------
    def send_email(self, marketo_id: int, subject: str, body: str = "",
                   campaign: str | None = None) -> Outcome:
        return _outcome(lambda: self.sia.send_email(marketo_id, subject, body, campaign))

    def record_email_event(self, email_id, event: str, link: str | None = None) -> Outcome:
        return _outcome(lambda: self.sia.record_email_event(email_id, event, link))

    def log_call(self, marketo_id: int, subject: str, status: str = "completed",
                 duration: int | None = None, answered_by: str | None = None,
                 recording_url: str | None = None) -> Outcome:
        return _outcome(lambda: self.sia.log_call(
            marketo_id, subject, status=status, duration=duration, answered_by=answered_by,
            recording_url=recording_url))

    def add_to_campaign(self, marketo_id: int, campaign: str) -> Outcome:
        return _outcome(lambda: self.sia.add_to_campaign(marketo_id, campaign))

    def remove_from_campaign(self, marketo_id: int, campaign: str) -> Outcome:
        return _outcome(lambda: self.sia.remove_from_campaign(marketo_id, campaign))

    def activities(self, marketo_id: int) -> list[dict[str, Any]]:
        return self.sia.activities(marketo_id)

    def smart_grid(self, marketo_id: int) -> list[dict[str, Any]]:
        return self.sia.smart_grid(marketo_id)

    # --- unsubscribes ------------------------------------------------------------------------
    def unsubscribe(self, marketo_id: int) -> Outcome:
        return _outcome(lambda: self.sia.unsubscribe(marketo_id))

    def resubscribe(self, marketo_id: int) -> Outcome:
        return _outcome(lambda: self.sia.resubscribe(marketo_id))

    def is_unsubscribed(self, marketo_id: int) -> bool:
        return bool(self.sia.person(marketo_id)["unsubscribed"])

    def sync_unsubscribes(self) -> Outcome:
        return _outcome(self.sia.sync_unsubscribes)

    # --- reminder tasks ----------------------------------------------------------------------
    def create_task(self, marketo_id: int, name: str, due_date: str | None = None,
                    priority: str = "Normal", details: str | None = None) -> Outcome:
        def create():
            task = self.sia.create_task(marketo_id, name, due_date, priority, details)
            return {"taskId": task["id"], **task}
        return _outcome(create)

    def edit_task(self, task_id, fields: dict[str, Any]) -> Outcome:
        return _outcome(lambda: self.sia.edit_task(task_id, fields))

    def delete_task(self, task_id) -> Outcome:
        return _outcome(lambda: self.sia.delete_task(task_id))

    def tasks(self) -> list[dict[str, Any]]:
        return [{"id": t["id"], "marketo_id": t["marketoId"], "name": t["name"],
                 "details": t["details"], "due_date": t["dueDate"], "priority": t["priority"],
                 "status": t["status"]} for t in self.sia.tasks()]

    def sync_tasks(self) -> Outcome:
        return _outcome(self.sia.sync_tasks)

    def sync_all(self) -> Outcome:
        return _outcome(self.sia.sync_all)


def create_driver(workdir: Path) -> ReferenceDriver:
    return ReferenceDriver(workdir)

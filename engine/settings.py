"""SIA's settings (S-SETTINGS): every switch of every sync, read on each action.

Stored in SIA's database; nothing is cached, so a change takes effect on the next action.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from string import Formatter
from typing import Any

from engine.db import EngineDB
from engine.errors import InvalidInput, MappingNotConfigurable


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    kind: type
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting("salesforce.log_emails", True, bool,
            "Log sales emails (and replies) to Salesforce as Tasks (A-SF-CONFIG)."),
    Setting("salesforce.log_calls", True, bool,
            "Log calls to Salesforce as Tasks (A-SF-CONFIG)."),
    Setting("salesforce.sync_tasks", False, bool,
            "Sync reminder tasks both ways with Salesforce Tasks (T-TWO-WAY; off by default)."),
    Setting("salesforce.sync_unsubscribes", True, bool,
            "Keep SIA's unsubscribes and Salesforce's Email Opt Out in step (U-SF-TWO-WAY)."),
    Setting("marketo.unsubscribe_check", False, bool,
            "Before every send, ask Marketo whether the address is unsubscribed "
            "(U-MARKETO-CHECK)."),
    Setting("salesforce.email_subject_template", "Email: {subject}", str,
            "Subject of an email Task; placeholders {subject}, {type}, {name}, {email}, "
            "{company}, {campaign} (A-TASK-SHAPE). A reply always logs as 'Reply: {subject}'."),
    Setting("salesforce.call_subject_template", "Call: {subject}", str,
            "Subject of a call Task; the same placeholders, {subject} being the call's."),
)
BY_KEY = {s.key: s for s in SETTINGS}
PLACEHOLDERS = ("subject", "type", "name", "email", "company", "campaign")
_PLACEHOLDER_LIST = ", ".join("{" + p + "}" for p in PLACEHOLDERS)


def _check_template(key: str, value: str) -> None:
    """Plain placeholders only: no attribute access, indexing, conversion or format spec
    (a template is text an admin types, not code)."""
    try:
        for _text, field, spec, conversion in Formatter().parse(value):
            if field is not None and (field not in PLACEHOLDERS or spec or conversion):
                raise ValueError("{" + field + "}")
    except ValueError as exc:  # also what parse says of a lone brace
        raise InvalidInput(f"{key}: unknown or malformed placeholder {exc}; placeholders: "
                           f"{_PLACEHOLDER_LIST}") from None
    if len(value) > 255:
        raise InvalidInput(f"{key} has at most 255 characters")


def _check(setting: Setting, value: Any) -> Any:
    if setting.kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("on", "true", "yes", "1", "off",
                                                         "false", "no", "0"):
            return value.lower() in ("on", "true", "yes", "1")
        raise InvalidInput(f"{setting.key} is on or off, not {value!r}")
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{setting.key} is a non-empty text")
    if setting.key.endswith("_template"):
        _check_template(setting.key, value)
    return value


class Settings:
    def __init__(self, db: EngineDB) -> None:
        self.db = db

    def get(self, key: str) -> Any:
        if key not in BY_KEY:
            raise InvalidInput(f"no setting '{key}'; settings: {', '.join(BY_KEY)}")
        rows = self.db.query("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0]["value"]) if rows else BY_KEY[key].default

    def all(self) -> dict[str, Any]:
        stored = {r["key"]: json.loads(r["value"])
                  for r in self.db.query("SELECT key, value FROM settings")}
        return {s.key: stored.get(s.key, s.default) for s in SETTINGS}

    def set(self, key: str, value: Any) -> Any:
        if key.startswith(("fields.", "mapping.")) or key in ("fields", "mapping"):
            raise MappingNotConfigurable()
        if key not in BY_KEY:
            raise InvalidInput(f"no setting '{key}'; settings: {', '.join(BY_KEY)}")
        checked = _check(BY_KEY[key], value)
        with self.db.transaction() as db:
            db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) "
                       "DO UPDATE SET value = excluded.value", (key, json.dumps(checked)))
        return checked

    def describe(self) -> list[dict]:
        values = self.all()
        return [{"key": s.key, "value": values[s.key], "default": s.default,
                 "description": s.description} for s in SETTINGS]

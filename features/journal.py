"""Reading the mocks' request journals: which calls an integration made, and what for.

Plain functions over journal entries (``MockAdmin.journal``), so that ``Then`` steps say
"the send asked Marketo once" in one line.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

from features.harness import MockStack

_PERSON_READ = re.compile(r"^/rest/v1/(leads\.json|lead/\d+\.json)$")
_ACTIVITY_READ = re.compile(r"^/rest/v1/activities\.json$")


def marks(mocks: MockStack) -> dict[str, int]:
    """Where each journal ends now: pass to :func:`since` to see what came after."""
    return {"marketo": mocks.marketo.journal_mark(), "salesforce": mocks.salesforce.journal_mark()}


def since(mocks: MockStack, mark: dict[str, int]) -> dict[str, list[dict]]:
    return {"marketo": mocks.marketo.journal(after=mark["marketo"]),
            "salesforce": mocks.salesforce.journal(after=mark["salesforce"])}


def parameters(entry: dict) -> dict[str, list[str]]:
    """A call's parameters, from its query string and a form body (``_method=GET``)."""
    found = parse_qs(entry.get("query") or "", keep_blank_values=True)
    body = entry.get("requestBody") or ""
    if body and not body.lstrip().startswith(("{", "[")):
        for key, values in parse_qs(body, keep_blank_values=True).items():
            found.setdefault(key, []).extend(values)
    return found


def _values(entry: dict, name: str) -> list[str]:
    return [v for value in parameters(entry).get(name, []) for v in value.split(",")]


def is_read(entry: dict) -> bool:
    return entry["method"] == "GET" or "GET" in parameters(entry).get("_method", [])


def person_reads(entries: list[dict]) -> list[dict]:
    """Marketo calls that read persons (``leads.json`` by filter, ``lead/{id}.json``)."""
    return [e for e in entries if _PERSON_READ.match(e["path"]) and is_read(e)]


def asks_about(entry: dict, email: str) -> bool:
    """Whether a person read looks the address up (by the email filter)."""
    filter_type = [v.lower() for v in parameters(entry).get("filterType", [])]
    values = [v.strip().lower() for v in _values(entry, "filterValues")]
    return "email" in filter_type and email.lower() in values


def activity_reads(entries: list[dict], lead_id: int) -> list[dict]:
    """Marketo ``activities.json`` reads of one person's activities."""
    return [e for e in entries if _ACTIVITY_READ.match(e["path"]) and is_read(e)
            and str(lead_id) in _values(e, "leadIds")]


def external_inputs(entries: list[dict]) -> list[dict]:
    """Every activity an integration asked Marketo to add through ``external.json``."""
    items = []
    for entry in entries:
        if entry["path"] != "/rest/v1/activities/external.json" or entry["method"] != "POST":
            continue
        try:
            items.extend(json.loads(entry.get("requestBody") or "{}").get("input") or [])
        except ValueError:
            items.append({"activityTypeId": None, "unreadable": entry["requestBody"][:200]})
    return items


def describe(entries: list[dict]) -> list[str]:
    return [f"{e['method']} {e['path']}?{e.get('query') or ''}".rstrip("?") for e in entries]

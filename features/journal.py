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


# --- writes to persons (P-DIRECTION, U-NOT-TO-MARKETO) ------------------------------------

_MARKETO_PERSON_WRITE = re.compile(
    r"^/(rest/v1/leads(\.json|/push\.json|/submitForm\.json|/delete\.json|/partitions\.json"
    r"|/\d+/merge\.json)|bulk/v1/leads\.json)$")


def marketo_person_writes(entries: list[dict]) -> list[dict]:
    """Calls that create, change, merge or delete Marketo persons (reads sent as POST with
    ``_method=GET`` are reads)."""
    return [e for e in entries if e["method"] != "GET" and not is_read(e)
            and _MARKETO_PERSON_WRITE.match(e["path"])]


def marketo_writes(entries: list[dict]) -> list[dict]:
    """Every call that writes to Marketo but adding activities (``activities/external``)
    and the bulk exports SIA reads persons with."""
    reads = re.compile(r"^/(identity/oauth/token|bulk/v1/leads/export/.*|rest/v1/activities/"
                       r"external\.json)$")
    return [e for e in entries if e["method"] != "GET" and not is_read(e)
            and not reads.match(e["path"])]


_PERSON_OBJECT = re.compile(r"/sobjects/(Lead|Contact)\b")
_RECORD_KEYS = {"attributes", "Id", "id"}


def _json(text: str | None):
    try:
        return json.loads(text or "null")
    except ValueError:
        return None


def _fields_beyond(body, allowed: set[str]) -> bool:
    return not isinstance(body, dict) or bool(set(body) - _RECORD_KEYS - allowed)


def salesforce_person_writes(entries: list[dict], allowed: set[str] = frozenset()) -> list[dict]:
    """Calls that create, change or delete Salesforce leads or contacts with any field but
    ``allowed`` ones: direct sObject calls, sObject collections, composite subrequests and
    trees, and Bulk API jobs on Lead or Contact."""
    found = []
    person_jobs: set[str] = set()
    for entry in entries:
        if entry["method"] == "GET":
            continue
        path, body = entry["path"], _json(entry.get("requestBody"))
        if _PERSON_OBJECT.search(path):
            if entry["method"] == "DELETE" or _fields_beyond(body, allowed):
                found.append(entry)
        elif "/composite/tree/Lead" in path or "/composite/tree/Contact" in path:
            found.append(entry)
        elif "/composite/sobjects" in path and isinstance(body, dict):
            records = body.get("records") or []
            if any(isinstance(r, dict) and (r.get("attributes") or {}).get("type") in
                   ("Lead", "Contact") and _fields_beyond(r, allowed) for r in records):
                found.append(entry)
        elif path.endswith("/composite") and isinstance(body, dict):
            for sub in body.get("compositeRequest") or []:
                if isinstance(sub, dict) and _PERSON_OBJECT.search(str(sub.get("url"))) \
                        and str(sub.get("method")).upper() != "GET" \
                        and _fields_beyond(sub.get("body"), allowed):
                    found.append(entry)
                    break
        elif re.search(r"/jobs/ingest/?$", path) and isinstance(body, dict):
            if body.get("object") in ("Lead", "Contact"):
                job = _json(entry.get("responseBody")) or {}
                person_jobs.add(str(job.get("id")))
        elif (match := re.search(r"/jobs/ingest/([^/]+)/batches", path)) \
                and match.group(1) in person_jobs:
            header = (entry.get("requestBody") or "").split("\n", 1)[0]
            columns = {c.strip().strip('"') for c in header.split(",")}
            if columns - _RECORD_KEYS - allowed:
                found.append(entry)
    return found

"""What the API does to persons beyond create, update and delete: merge, associate a
Munchkin cookie, push to a program, and submit a form.

Each goes through the one write path (:meth:`MarketoModel.write_leads`) for the fields it
changes, so the change feed shows it, and writes its own activity in the same
transaction: Merge Leads (32), Push Lead to Marketo (145), Fill Out Form (2).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mocks.marketo import activitylog, leadstore
from mocks.marketo.activitylog import NewActivity
from mocks.marketo.envelope import ApiError, blank
from mocks.marketo.fields import is_integer

if TYPE_CHECKING:
    from mocks.marketo.models import MarketoModel

MERGE_LEADS = 32
PUSH_LEAD = 145
FILL_OUT_FORM = 2
MAX_LOSERS = 3
#: what a merge never copies from a losing person
_NOT_MERGED = frozenset({"id", "createdAt", "updatedAt"})
#: the membership tables whose rows follow a merged person to the winner
_MEMBERSHIPS = (("list_members", "listId"), ("program_members", "programId"))


def merge(model: MarketoModel, winner: int, losers: Sequence[int], in_crm: bool) -> None:
    """Merge ``losers`` into ``winner``: the winner keeps its values and takes a loser's
    for its empty fields (the first loser that has one); activities and list and program
    memberships move over; the losers are deleted (their Delete Lead activities tell an
    incremental reader they are gone) and the winner gets a Merge Leads activity."""
    losers = list(dict.fromkeys(losers))
    if not losers:
        raise blank("leadId")
    if len(losers) > MAX_LOSERS:
        raise ApiError("1003", f"At most {MAX_LOSERS} losing leads a merge")
    if winner in losers:
        raise ApiError("1003", "A lead cannot be merged with itself")
    fields = [f for f in model.catalogue.fields if f.name not in _NOT_MERGED]
    cols = ", ".join(f'"{f.name}"' for f in fields)
    with model.store.transaction() as db:
        conn = db.conn
        rows = {r[0]: r[1:] for r in conn.execute(
            f'SELECT id, {cols} FROM "leads" WHERE id IN ({",".join("?" * (len(losers) + 1))})',
            [winner, *losers])}
        for lead_id in (winner, *losers):
            if lead_id not in rows:
                raise ApiError("1004", f"Lead {lead_id} not found")
        fills = {}
        for n, field in enumerate(fields):
            if rows[winner][n] in (None, ""):
                value = next((rows[lost][n] for lost in losers
                              if rows[lost][n] not in (None, "")), None)
                if value is not None:
                    fills[field.name] = field.to_api(value)
        if fills:
            model.write_leads([{"id": winner, **fills}], action="updateOnly", lookup="id",
                              source="Lead merge", reason="Merge leads", system=True)
        marks = ",".join("?" * len(losers))
        conn.execute(f'UPDATE "activities" SET "leadId" = ? WHERE "leadId" IN ({marks})',
                     [winner, *losers])
        for table, key in _MEMBERSHIPS:
            conn.execute(f'DELETE FROM "{table}" WHERE "leadId" IN ({marks}) AND "{key}" IN '
                         f'(SELECT "{key}" FROM "{table}" WHERE "leadId" = ?)',
                         [*losers, winner])
            conn.execute(f'UPDATE "{table}" SET "leadId" = ? WHERE "leadId" IN ({marks})',
                         [winner, *losers])
        conn.execute(f'UPDATE "opportunity_roles" SET "leadId" = ? WHERE "leadId" IN ({marks})',
                     [winner, *losers])
        now = model.now_text()
        leadstore.delete_leads(db, losers, now)
        activitylog.append(db, [NewActivity(
            leadId=winner, activityDate=now, activityTypeId=MERGE_LEADS,
            primaryAttributeValueId=winner, primaryAttributeValue=str(winner),
            attributes=[{"name": "Merge IDs", "value": json.dumps([winner, *losers])},
                        {"name": "Master Updated", "value": bool(fills)},
                        {"name": "Merge Source", "value": "Web service API"},
                        {"name": "Merged in Sales", "value": bool(in_crm)}])])


def associate(model: MarketoModel, lead_id: int, cookie: str) -> None:
    """Tie a Munchkin cookie (``id:123-ABC-456&token:_mch-...``) to a known person."""
    text = cookie.strip()
    if not text.startswith("id:") or "&token:" not in text:
        raise ApiError("1003", f"Invalid cookie '{cookie}': a Munchkin cookie is "
                               "'id:<munchkin id>&token:_mch-...'")
    results = model.write_leads([{"id": lead_id, "cookies": text}], action="updateOnly",
                                lookup="id", source="api", system=True)
    if results[0]["status"] == "skipped":
        raise ApiError("1004", f"Lead {lead_id} not found")


def push(model: MarketoModel, body: dict) -> list[dict]:
    """Upsert persons and make them members of ``programName`` (Push Lead to Marketo)."""
    program_name = body.get("programName")
    if not program_name:
        raise blank("programName")
    program = model.programs.by_name(str(program_name))
    if program is None:
        raise ApiError("1013", f"Program '{program_name}' not found")
    statuses = model.programs.statuses(program)
    status = body.get("programStatus") or statuses[1]
    if str(status).lower() not in {s.lower() for s in statuses[1:]}:
        raise ApiError("1003", f"Invalid programStatus '{status}': one of "
                               f"{', '.join(statuses[1:])}")
    records = body.get("input")
    if not records:
        raise blank("input")
    if not isinstance(records, list) or len(records) > 300:
        raise ApiError("1003", "input must be a list of at most 300 records")
    lookup = body.get("lookupField") or "email"
    field = model.catalogue.get(str(lookup))
    if field is None or not field.searchable:
        raise ApiError("1003", f"Invalid lookupField '{lookup}'")
    source = body.get("source") or "Web service API"
    reason_text = body.get("reason") or "Push lead to Marketo"
    with model.store.transaction() as db:
        results = model.write_leads(records, action="createOrUpdate", lookup=field.name,
                                    source="api")
        ids = [r["id"] for r in results if r.get("status") != "skipped"]
        if ids:
            model.programs.set_status(program[0], status, ids)
        activitylog.append(db, [NewActivity(
            leadId=lead_id, activityDate=model.now_text(), activityTypeId=PUSH_LEAD,
            primaryAttributeValueId=program[0], primaryAttributeValue=program[1],
            attributes=[{"name": "Reason", "value": reason_text},
                        {"name": "Source", "value": source}]) for lead_id in ids])
    return results


def submit_form(model: MarketoModel, body: dict) -> list[dict]:
    """A form fill: upsert the person by email, as the form would, with a Fill Out Form
    activity (and program membership when ``programId`` is given)."""
    form_id = body.get("formId")
    if not is_integer(form_id):
        raise blank("formId")
    records = body.get("input")
    if not isinstance(records, list) or len(records) != 1:
        raise ApiError("1003", "input holds exactly one form submission")
    entry = records[0]
    fields = entry.get("leadFormFields") if isinstance(entry, dict) else None
    if not isinstance(fields, dict) or not fields.get("email"):
        raise ApiError("1003", "leadFormFields must include email")
    program = None
    if body.get("programId") is not None:
        if not is_integer(body["programId"]):
            raise ApiError("1003", f"Invalid programId '{body['programId']}': a program id "
                                   "is a whole number")
        program = model.programs.get(body["programId"])
    visitor = entry.get("visitorData") or {}
    if not isinstance(visitor, dict):
        raise ApiError("1003", "visitorData must be an object")
    with model.store.transaction() as db:
        results = model.write_leads([fields], action="createOrUpdate", lookup="email",
                                    source="form")
        result = results[0]
        if result.get("status") != "skipped":
            if entry.get("cookie"):
                associate(model, result["id"], str(entry["cookie"]))
            if program is not None:
                statuses = model.programs.statuses(program)
                model.programs.set_status(program[0], statuses[1], [result["id"]])
            activitylog.append(db, [NewActivity(
                leadId=result["id"], activityDate=model.now_text(),
                activityTypeId=FILL_OUT_FORM, primaryAttributeValueId=form_id,
                primaryAttributeValue=f"Form {form_id}",
                attributes=[{"name": "Form Fields", "value": json.dumps(fields)},
                            {"name": "Webpage ID", "value": None},
                            {"name": "Client IP Address",
                             "value": visitor.get("leadClientIpAddress")},
                            {"name": "Query Parameters", "value": visitor.get("queryString")},
                            {"name": "Referrer URL", "value": visitor.get("pageURL")},
                            {"name": "User Agent", "value": visitor.get("userAgentString")}]
            )])
    return results

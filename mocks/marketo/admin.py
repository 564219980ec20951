"""Marketo's own admin routes, beside the shared ones under ``/__admin__/``.

They are a test's hands inside Marketo: change persons as a form fill, a flow step or
Marketo's Salesforce sync would (through the same write path as the API, so the change
feed shows each change with its source), add activities of any type, add custom fields,
and select persons by their activities the way a smart list filter with constraints does
(rule A-ATTRIBUTES).
"""

from __future__ import annotations

import json

from flask import Blueprint, jsonify

from fixtures.marketo_types import TYPES_BY_ID, TYPES_BY_NAME
from mocks.core.admin import ADMIN_PREFIX, apply_settings, json_body
from mocks.core.service import AdminError, current_mock
from mocks.marketo import activitylog, leadstore
from mocks.marketo.activitylog import NewActivity
from mocks.marketo.fields import FieldValueError, format_instant_text, is_integer
from mocks.marketo.leadstore import ACTIONS
from mocks.marketo.params import model
from mocks.marketo.salesforce_sync import SalesforceError, SalesforceLink

bp = Blueprint("marketo_admin", __name__, url_prefix=ADMIN_PREFIX)
MAX_ADMIN_RECORDS = 10_000


def _records(body: dict, key: str = "input") -> list:
    records = body.get(key)
    if not isinstance(records, list) or not records:
        raise AdminError(f"'{key}' must be a non-empty list")
    if len(records) > MAX_ADMIN_RECORDS:
        raise AdminError(f"at most {MAX_ADMIN_RECORDS} records a call")
    return records


def _activity_type(value):
    activity_type = None
    if is_integer(value):
        activity_type = TYPES_BY_ID.get(value)
    elif isinstance(value, str):
        activity_type = TYPES_BY_NAME.get(value) or (
            TYPES_BY_ID.get(int(value)) if value.isdigit() else None)
    if activity_type is None:
        raise AdminError(f"unknown activity type {value!r}: give a type id or name of "
                         "/rest/v1/activities/types.json")
    return activity_type


@bp.post("/leads")
def write_leads():
    """Create or update persons as ``source`` would: "form", "flow", "salesforce", ..."""
    body = json_body(required=True)
    records = _records(body)
    action = body.get("action", "createOrUpdate")
    if action not in ACTIONS:
        raise AdminError(f"'action' is one of: {', '.join(ACTIONS)}")
    lookup = body.get("lookupField", "email")
    field = model().catalogue.get(str(lookup))
    if field is None or not field.searchable:
        raise AdminError(f"'lookupField' must be a searchable field, not {lookup!r}")
    source = body.get("source", "admin")
    reason = body.get("reason")
    if not isinstance(source, str) or not source.strip():
        raise AdminError("'source' names who makes the change: form, flow, salesforce, api, "
                         "admin, import, or any text")
    if reason is not None and not isinstance(reason, str):
        raise AdminError("'reason' must be text")
    results = model().write_leads(records, action=action, lookup=field.name, source=source,
                                  reason=reason, system=True)
    return jsonify({"result": results})


@bp.delete("/leads")
def delete_leads():
    body = json_body(required=True)
    ids = _records(body, "ids")
    if not all(is_integer(i) for i in ids):
        raise AdminError("'ids' must be person ids")
    return jsonify({"result": model().delete_leads(ids)})


@bp.post("/activities")
def add_activities():
    """Add activities of any type (all or none): web visits, emails, moments, ..."""
    records = _records(json_body(required=True))
    m = model()
    existing = m.existing_leads([r.get("leadId") for r in records if isinstance(r, dict)
                                 and is_integer(r.get("leadId"))])
    items = []
    for n, record in enumerate(records):
        if not isinstance(record, dict):
            raise AdminError(f"input[{n}] must be an object")
        lead_id = record.get("leadId")
        if lead_id not in existing:
            raise AdminError(f"input[{n}]: no person with id {lead_id!r}")
        activity_type = _activity_type(record.get("activityTypeId", record.get("activityType")))
        when = record.get("activityDate")
        try:
            date = format_instant_text(str(when)) if when else m.now_text()
        except ValueError:
            raise AdminError(f"input[{n}]: activityDate must be an ISO 8601 instant") from None
        value_id = record.get("primaryAttributeValueId")
        if value_id is not None and not is_integer(value_id):
            raise AdminError(f"input[{n}]: primaryAttributeValueId must be an integer")
        try:
            attributes = m.check_attributes(activity_type.id, record.get("attributes"))
        except ValueError as exc:
            raise AdminError(f"input[{n}]: {exc}") from None
        value = record.get("primaryAttributeValue")
        items.append(NewActivity(leadId=lead_id, activityDate=date,
                                 activityTypeId=activity_type.id,
                                 primaryAttributeValueId=value_id,
                                 primaryAttributeValue=None if value is None else str(value),
                                 attributes=attributes))
    ids = m.add_activities(items)
    return jsonify({"result": [{"id": i, "status": "added"} for i in ids]})


@bp.post("/leads/by-activity")
def leads_by_activity():
    """Persons with an activity of a type whose attributes match (rule A-ATTRIBUTES).

    ``{"activityType": "Send Sales Email", "attributes": {"Email Subject": {"contains":
    "SIA-1234"}}}``; a constraint is a value or a list of values (``is``), or an object
    with one operator: is, isNot, contains, startsWith, endsWith (case-insensitive, as
    Marketo's smart lists are). ``since`` and ``until`` bound the activity date.
    """
    body = json_body(required=True)
    activity_type = _activity_type(body.get("activityType", body.get("activityTypeId")))
    constraints = _constraints(activity_type, body.get("attributes") or {})
    bounds = {}
    for key in ("since", "until"):
        if body.get(key) is not None:
            try:
                bounds[key] = format_instant_text(str(body[key]))
            except ValueError:
                raise AdminError(f"'{key}' must be an ISO 8601 instant") from None
    m = model()
    conn = m.store.db.conn
    ids = activitylog.select_leads(conn, activity_type.id, constraints, **bounds)
    names = body.get("fields") or ["id", "email", "firstName", "lastName"]
    fields = []
    for name in names if isinstance(names, list) else [names]:
        field = m.catalogue.get(str(name))
        if field is None:
            raise AdminError(f"no person field {name!r}")
        fields.append(field)
    leads = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows, _more = leadstore.find(conn, "id", chunk, fields, 0, len(chunk))
        leads.extend(json.loads(record) for _id, record in rows)
    return jsonify({"activityType": activity_type.name, "count": len(leads), "leads": leads})


def _constraints(activity_type, spec) -> list[tuple[str, str, list[str]]]:
    if not isinstance(spec, dict):
        raise AdminError("'attributes' maps attribute names to constraints")
    known = {name for name, _kind in activity_type.attributes}
    if activity_type.primary:
        known.add(activity_type.primary[0])
    constraints = []
    for name, constraint in spec.items():
        if name not in known:
            raise AdminError(f"'{name}' is not an attribute of '{activity_type.name}'; its "
                             f"attributes: {', '.join(sorted(known))}")
        operator, values = "is", constraint
        if isinstance(constraint, dict):
            if len(constraint) != 1 or next(iter(constraint)) not in activitylog.OPERATORS:
                raise AdminError(f"a constraint object has one operator of: "
                                 f"{', '.join(activitylog.OPERATORS)}")
            (operator, values), = constraint.items()
        values = values if isinstance(values, list) else [values]
        if not values or any(isinstance(v, dict | list) or v is None for v in values):
            raise AdminError(f"the constraint on '{name}' needs one or more plain values")
        constraints.append((name, operator, [_text(v) for v in values]))
    return constraints


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@bp.post("/fields")
def add_field():
    """Add a custom person field: ``{"name", "displayName", "dataType", "length"}``."""
    try:
        described = model().add_custom_field(json_body(required=True))
    except (ValueError, FieldValueError) as exc:
        raise AdminError(str(exc)) from None
    response = jsonify(described)
    response.status_code = 201
    return response


_EXPORT_SETTINGS = {"maxProcessing": "max_processing", "maxQueued": "max_queued",
                    "startDelay": "start_delay", "minSeconds": "min_seconds",
                    "rowsPerSecond": "rows_per_second", "maxDays": "max_days",
                    "dailyQuotaBytes": "daily_quota_bytes", "keepDays": "keep_days"}


def _export_settings() -> dict:
    settings = model().exports.settings
    return {key: getattr(settings, attr) for key, attr in _EXPORT_SETTINGS.items()}


@bp.get("/exports")
def get_export_settings():
    return jsonify(_export_settings())


@bp.patch("/exports")
def set_export_settings():
    """How bulk export jobs move: e.g. ``{"startDelay": 0, "minSeconds": 0}`` for instant
    jobs in a test that does not care to watch them queue."""
    apply_settings(model().exports.settings, _EXPORT_SETTINGS, "export",
                   ("maxProcessing", "rowsPerSecond", "maxDays"))
    return jsonify(_export_settings())


# --- Marketo's own Salesforce sync ----------------------------------------------------------

def _sync():
    return current_mock().service.salesforce_sync


@bp.get("/salesforce-sync")
def salesforce_sync_status():
    return jsonify(_sync().status())


@bp.put("/salesforce-sync")
def configure_salesforce_sync():
    """Point Marketo's Salesforce sync at a Salesforce, and optionally run it on a schedule."""
    body = json_body(required=True)
    needed = ("url", "clientId", "clientSecret", "username", "password")
    missing = [k for k in needed if not isinstance(body.get(k), str) or not body[k]]
    if missing:
        raise AdminError(f"missing or not text: {', '.join(missing)}")
    interval = body.get("interval")
    if interval is not None and (isinstance(interval, bool) or (not is_integer(interval)
                                 and not isinstance(interval, float)) or interval <= 0):
        raise AdminError("'interval' is a number of seconds, more than 0, or null")
    verify = body.get("caBundle") or True
    sync = _sync()
    sync.link = SalesforceLink(body["url"], body["clientId"], body["clientSecret"],
                               body["username"], body["password"], verify)
    if interval:
        sync.start(float(interval))
    else:
        sync.stop()
    return jsonify(sync.status())


@bp.post("/salesforce-sync/run")
def run_salesforce_sync():
    """One run of Marketo's Salesforce sync, now; answers what it changed."""
    json_body()
    try:
        counts = _sync().run()
    except SalesforceError as exc:
        raise AdminError(str(exc), 409) from None
    return jsonify({"result": counts, "status": _sync().status()})


@bp.post("/partitions")
def add_partition():
    """A lead partition, as an admin makes one in Marketo: ``{"name", "description"}``."""
    body = json_body(required=True)
    name, description = body.get("name"), body.get("description")
    if not isinstance(name, str) or not name.strip():
        raise AdminError("'name' is the partition's name")
    if description is not None and not isinstance(description, str):
        raise AdminError("'description' must be text")
    try:
        created = model().partitions.add(name.strip(), description)
    except ValueError as exc:
        raise AdminError(str(exc), 409) from None
    response = jsonify(created)
    response.status_code = 201
    return response

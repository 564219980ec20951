"""Activities: types, paging tokens, activities, lead changes, deleted leads, external.

Paging follows Marketo: a date token from ``pagingtoken.json``, then every page answers
``moreResult`` (a real boolean) and a ``nextPageToken`` (always, the last page's too: it
is where a later incremental read resumes); a page with nothing in it has no ``result``.

``external.json`` adds activities of approved custom activity types, as in Marketo; and,
for Sales Insight Actions' own integration only (its client id, ``sia_client_id``), of
its eight native sales activity types: that is how SIA writes them in this simulation
(see the README, "Sales activities"). Both are stored and served like every activity.
"""

from __future__ import annotations

from flask import Blueprint, request

from fixtures.marketo_types import CHANGE_DATA_VALUE, NEW_LEAD, SALES_TYPES
from mocks.core.service import current_mock
from mocks.marketo import activitylog
from mocks.marketo.activitylog import DELETE_LEAD, NewActivity
from mocks.marketo.envelope import (
    ApiError,
    blank,
    envelope_response,
    reason,
    success,
    success_json,
)
from mocks.marketo.fields import format_instant_text, is_integer
from mocks.marketo.gateway import bearer_token
from mocks.marketo.paging import BadToken, activity_token, read_activity_token
from mocks.marketo.params import (
    batch_size,
    int_list,
    json_body,
    list_param,
    method_override,
    model,
    params,
    required,
)

bp = Blueprint("marketo_activities", __name__)
MAX_TYPES = 10
MAX_LEADS = 30
MAX_INPUT = 300
SIA_TYPES = {t.id: t for t in SALES_TYPES}


def _get_only() -> None:
    if request.method == "POST" and not method_override():
        raise ApiError("605")


def _position() -> tuple[str, int]:
    token = required("nextPageToken")
    try:
        return read_activity_token(token)
    except BadToken:
        raise ApiError("1003", "Invalid nextPageToken") from None


def _lead_ids() -> list[int] | None:
    if params().get("listId"):
        raise ApiError("1003", f"Static list '{params().get('listId')}' not found")
    raw = list_param("leadIds")
    if not raw:
        return None
    ids = int_list("leadIds", raw)
    if len(ids) > MAX_LEADS:
        raise ApiError("1003", f"Too many leadIds: at most {MAX_LEADS}")
    return ids


def _page_response(page: activitylog.Page) -> object:
    token = activity_token(*page.position)
    if not page.items:
        return envelope_response({"success": True, "nextPageToken": token,
                                  "moreResult": page.more})
    return success_json(page.items, nextPageToken=token, moreResult=page.more)


@bp.route("/rest/v1/activities/types.json", methods=["GET", "POST"])
def types():
    _get_only()
    return success([t.to_api() for t in model().activity_types()])


@bp.route("/rest/v1/activities/pagingtoken.json", methods=["GET", "POST"])
def paging_token():
    _get_only()
    since = required("sinceDatetime")
    try:
        start = format_instant_text(since)
    except ValueError:
        raise ApiError("1001", f"Invalid value '{since}'. Required of type 'datetime' for "
                               "'sinceDatetime'") from None
    return envelope_response({"success": True, "nextPageToken": activity_token(start, 0)})


@bp.route("/rest/v1/activities.json", methods=["GET", "POST"])
def activities():
    _get_only()
    position = _position()
    raw_types = list_param("activityTypeIds")
    if not raw_types:
        raise blank("activityTypeIds")
    type_ids = int_list("activityTypeIds", raw_types)
    if len(set(type_ids)) > MAX_TYPES:
        raise ApiError("1003", f"Too many activityTypeIds: at most {MAX_TYPES}")
    unknown = [t for t in type_ids if not model().is_activity_type(t)]
    if unknown:
        raise ApiError("1003", f"Invalid activity type id: {unknown[0]}")
    lead_ids = _lead_ids()
    assets = list_param("assetIds")
    only = None
    if assets:
        asset_ids = int_list("assetIds", assets)
        only = dict.fromkeys(type_ids, asset_ids)
    page = activitylog.read_page(model().store.db.conn, position, type_ids, batch_size(),
                                 lead_ids=lead_ids, only_values=only)
    return _page_response(page)


@bp.route("/rest/v1/activities/leadchanges.json", methods=["GET", "POST"])
def lead_changes():
    _get_only()
    position = _position()
    names = list_param("fields")
    if not names:
        raise blank("fields")
    catalogue = model().catalogue
    field_ids = []
    for name in names:
        field = catalogue.get(name)
        if field is None:
            raise ApiError("1006", f"Field '{name}' not found")
        field_ids.append(field.id)
    page = activitylog.read_page(model().store.db.conn, position,
                                 (NEW_LEAD, CHANGE_DATA_VALUE), batch_size(),
                                 lead_ids=_lead_ids(),
                                 only_values={CHANGE_DATA_VALUE: field_ids},
                                 shape=activitylog.CHANGE_JSON)
    return _page_response(page)


@bp.route("/rest/v1/activities/deletedleads.json", methods=["GET", "POST"])
def deleted_leads():
    _get_only()
    position = _position()
    page = activitylog.read_page(model().store.db.conn, position, (DELETE_LEAD,),
                                 batch_size())
    return _page_response(page)


@bp.route("/rest/v1/activities/external.json", methods=["POST"])
def external():
    body = json_body()
    records = body.get("input")
    if not records:
        raise blank("input")
    if not isinstance(records, list):
        raise ApiError("1003", "input must be a list of activities")
    if len(records) > MAX_INPUT:
        raise ApiError("1003", f"Too many records in input: at most {MAX_INPUT}")
    m = model()
    lead_ids = [r.get("leadId") for r in records if isinstance(r, dict)]
    existing = m.existing_leads([i for i in lead_ids if is_integer(i)])
    results: list[dict] = []
    accepted: list[tuple[int, NewActivity]] = []
    for record in records:
        checked = _external_activity(record, existing)
        if isinstance(checked, dict):
            results.append(checked)
        else:
            accepted.append((len(results), checked))
            results.append({})
    ids = m.add_activities([a for _i, a in accepted])
    for (index, _activity), ident in zip(accepted, ids, strict=True):
        results[index] = {"id": ident, "marketoGUID": str(ident), "status": "added"}
    return success(results)


def _skipped(code: str, message: str) -> dict:
    return {"status": "skipped", "errors": [reason(code, message)]}


def _writable_type(type_id: int):
    """The types ``external.json`` takes from this caller: the approved custom types, as
    in Marketo; and the 8 Sales Insight Actions types from SIA's own integration only."""
    if type_id in SIA_TYPES:
        ctx = current_mock()
        token = bearer_token()
        client = ctx.service.model.tokens.client_of(token) if token else None
        return SIA_TYPES[type_id] if client == ctx.config.sia_client_id else None
    if type_id >= 100_000:
        return model().activity_type(type_id)
    return None


def _external_activity(record, existing: set[int]) -> NewActivity | dict:
    if not isinstance(record, dict):
        return _skipped("1003", "Invalid data: an activity must be a JSON object")
    lead_id = record.get("leadId")
    if not is_integer(lead_id):
        return _skipped("1003", "leadId cannot be blank and must be an integer")
    if lead_id not in existing:
        return _skipped("1004", "Lead not found")
    type_id = record.get("activityTypeId")
    if not is_integer(type_id):
        return _skipped("1003", "activityTypeId cannot be blank and must be an integer")
    activity_type = _writable_type(type_id)
    if activity_type is None:
        return _skipped("1003", f"Activity type {type_id} is not an approved custom activity "
                                "type: external.json adds activities of custom types only")
    when = record.get("activityDate")
    if not when:
        return _skipped("1003", "activityDate cannot be blank")
    try:
        date = format_instant_text(str(when))
    except ValueError:
        return _skipped("1003", f"Invalid activityDate '{when}': an ISO 8601 datetime "
                                "is expected")
    primary = record.get("primaryAttributeValue")
    if primary is None or str(primary).strip() == "":
        return _skipped("1003", "primaryAttributeValue cannot be blank")
    try:
        attributes = model().check_attributes(type_id, record.get("attributes"))
    except ValueError as exc:
        return _skipped("1003", str(exc))
    return NewActivity(leadId=lead_id, activityDate=date, activityTypeId=activity_type.id,
                       primaryAttributeValue=str(primary), attributes=attributes)

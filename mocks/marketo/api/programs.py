"""Programs: the Asset API's ``programs.json``, a program by id or name; and the Lead
Database API's program members (read, status, data, delete, describe), persons by
program, and a person's program memberships.

The Asset API answers in its own way: ``maxReturn`` (at most 200, 20 by default) and
``offset`` instead of paging tokens, instants written ``2024-01-15T10:30:00Z+0000``, and a
page past the end is ``success`` with the warning "No assets found for the given search
criteria." and no ``result`` (which is how tap-marketo knows it has read them all). Its
``earliestUpdatedAt`` and ``latestUpdatedAt`` take the datetime forms clients send:
``Z``, ``+0000``, ``+00:00``, with or without microseconds, a bare date.
"""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo.api.lists import paged
from mocks.marketo.envelope import ApiError, blank, envelope_response, success
from mocks.marketo.leads import selected_fields
from mocks.marketo.params import (
    batch_size,
    get_only,
    input_records,
    int_list,
    json_body,
    list_param,
    method_override,
    model,
    params,
    required,
)
from mocks.marketo.programs import describe_members, parse_client_instant, program_item

bp = Blueprint("marketo_programs", __name__)
NO_ASSETS = "No assets found for the given search criteria."
MAX_RETURN = 200


def client_instant(name: str):
    """A datetime parameter, as clients send it, in Marketo's ``...Z`` text; or None."""
    raw = params().get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_client_instant(raw).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise ApiError("1001", f"Invalid value '{raw}'. Required of type 'datetime' for "
                               f"'{name}'") from None


def _whole(name: str, default: int, low: int, high: int | None = None) -> int:
    raw = params().get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError("1001", f"Invalid value '{raw}'. Required of type 'integer' for "
                               f"'{name}'") from None
    if value < low or (high is not None and value > high):
        raise ApiError("1003", f"'{name}' must be from {low} to {high or 'up'}")
    return value


def assets(items: list[dict]):
    if not items:
        return envelope_response({"success": True, "errors": [], "warnings": [NO_ASSETS]})
    return envelope_response({"success": True, "errors": [], "warnings": [],
                              "result": items})


def _host() -> str:
    return request.host_url.rstrip("/")


@bp.route("/rest/asset/v1/programs.json", methods=["GET"])
def programs():
    earliest, latest = client_instant("earliestUpdatedAt"), client_instant("latestUpdatedAt")
    if (earliest is None) != (latest is None):
        raise ApiError("1003", "earliestUpdatedAt and latestUpdatedAt go together")
    rows = model().programs.browse(
        offset=_whole("offset", 0, 0), limit=_whole("maxReturn", 20, 1, MAX_RETURN),
        filter_type=params().get("filterType") or None, values=list_param("filterValues"),
        earliest=earliest, latest=latest)
    return assets([program_item(r, _host()) for r in rows])


@bp.route("/rest/asset/v1/program/<int:program_id>.json", methods=["GET"])
def program(program_id: int):
    row = model().programs._row(model().store.db.conn, program_id)
    return assets([program_item(row, _host())] if row else [])


@bp.route("/rest/asset/v1/program/byName.json", methods=["GET"])
def program_by_name():
    row = model().programs.by_name(required("name"))
    return assets([program_item(row, _host())] if row else [])


# --- members ---------------------------------------------------------------------------------

def _inputs() -> list:
    return input_records(json_body())


def _lead_ids(records: list, key: str = "leadId") -> list:
    return [r.get(key) if isinstance(r, dict) else None for r in records]


@bp.route("/rest/v1/programs/<int:program_id>/members.json", methods=["GET", "POST"])
def members(program_id: int):
    if request.method == "POST" and not method_override():
        return success(model().programs.update_data(program_id, _inputs()))
    filter_type = required("filterType")
    window = None
    if filter_type.lower() == "updatedat":
        start, end = client_instant("startAt"), client_instant("endAt")
        if not start or not end:
            raise blank("startAt" if not start else "endAt")
        window = (start, end)
    items, token = model().programs.members(
        program_id, filter_type, list_param("filterValues"), list_param("fields"),
        batch_size(), params().get("nextPageToken"), window)
    return paged(items, token, as_json=True)


@bp.post("/rest/v1/programs/<int:program_id>/members/status.json")
def member_status(program_id: int):
    body = json_body()
    status = body.get("statusName")
    if not status:
        raise blank("statusName")
    return success(model().programs.set_status(program_id, status, _lead_ids(_inputs())))


@bp.post("/rest/v1/programs/<int:program_id>/members/delete.json")
def delete_members(program_id: int):
    return success(model().programs.delete_members(program_id, _lead_ids(_inputs())))


@bp.route("/rest/v1/programs/members/describe.json", methods=["GET", "POST"])
def describe():
    get_only()
    return success(describe_members(model().programs.fields))


@bp.route("/rest/v1/program/members/describe.json", methods=["GET", "POST"])
def describe_old():
    get_only()
    item = describe_members(model().programs.fields)[0]
    return success([{"name": item["name"], "fields": item["fields"]}])


@bp.route("/rest/v1/leads/programs/<int:program_id>.json", methods=["GET", "POST"])
def leads_by_program(program_id: int):
    get_only()
    items, token = model().programs.leads(program_id, selected_fields(), batch_size(),
                                          params().get("nextPageToken"))
    return paged(items, token, as_json=True)


@bp.post("/rest/v1/leads/programs/<int:program_id>/status.json")
def lead_program_status(program_id: int):
    body = json_body()
    status = body.get("status")
    if not status:
        raise blank("status")
    results = model().programs.set_status(program_id, status, _lead_ids(_inputs(), "id"),
                                          members_only=True)
    shaped = []
    for r in results:
        item = {"id": r["leadId"], "status": r["status"]}
        if "reasons" in r:
            item["reasons"] = r["reasons"]
        shaped.append(item)
    return success(shaped)


@bp.route("/rest/v1/leads/<int:lead_id>/programMembership.json", methods=["GET", "POST"])
def program_membership(lead_id: int):
    get_only()
    ids: list[int] = []
    filter_type = params().get("filterType")
    if filter_type:
        if filter_type != "programId":
            raise ApiError("1003", f"Invalid filterType '{filter_type}': programId")
        ids = int_list("filterValues", list_param("filterValues"))
    items, token = model().programs.programs_of(
        lead_id, batch_size(), params().get("nextPageToken"), ids,
        client_instant("earliestUpdatedAt"), client_instant("latestUpdatedAt"))
    return paged(items, token)


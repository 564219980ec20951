"""Leads: by filter, by id, create and update, delete, describe."""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo import leadstore
from mocks.marketo.envelope import ApiError, blank, success, success_json
from mocks.marketo.fields import DEFAULT_FIELDS, LeadField, is_integer
from mocks.marketo.leadstore import ACTIONS, MAX_MATCHES
from mocks.marketo.paging import BadToken, position_token, read_position_token
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

bp = Blueprint("marketo_leads", __name__)
MAX_FILTER_VALUES = 300
MAX_INPUT = 300


def selected_fields() -> list[LeadField]:
    """The ``fields`` asked for (id always first), or Marketo's default six."""
    catalogue = model().catalogue
    names = list_param("fields") or list(DEFAULT_FIELDS)
    chosen = [catalogue.by_name["id"]]
    for name in names:
        field = catalogue.get(name)
        if field is None:
            raise ApiError("1006", f"Field '{name}' not found")
        if field not in chosen:
            chosen.append(field)
    return chosen


def _filter_field(filter_type: str) -> str:
    field = model().catalogue.get(filter_type)
    if field is None:
        raise ApiError("1006", f"Field '{filter_type}' not found")
    if not field.searchable:
        raise ApiError("1011", f"Lookup field '{field.name}' not supported")
    return field.name


@bp.route("/rest/v1/leads.json", methods=["GET", "POST"])
def leads():
    if request.method == "POST" and not method_override():
        return _write()
    filter_type = required("filterType")
    values = list_param("filterValues")
    if not values:
        raise blank("filterValues")
    if len(values) > MAX_FILTER_VALUES:
        raise ApiError("1003", f"Too many filterValues: at most {MAX_FILTER_VALUES}")
    column = _filter_field(filter_type)
    if column == "id":
        values = int_list("filterValues", values)
    fields = selected_fields()
    batch = batch_size()
    token = params().get("nextPageToken")
    after = 0
    if token:
        try:
            after = read_position_token(token)
        except BadToken:
            raise ApiError("1003", "Invalid nextPageToken") from None
    conn = model().store.db.conn
    if not token and leadstore.count_matches(conn, column, values) > MAX_MATCHES:
        raise ApiError("1003", "Too many results match the filter")
    rows, more = leadstore.find(conn, column, values, fields, after, batch)
    items = [record for _id, record in rows]
    if more:
        return success_json(items, moreResult=True, nextPageToken=position_token(rows[-1][0]))
    return success_json(items)


@bp.route("/rest/v1/lead/<int:lead_id>.json", methods=["GET", "POST"])
def lead(lead_id: int):
    if request.method == "POST" and not method_override():
        raise ApiError("605")
    if not is_integer(lead_id):
        return success_json([])
    rows, _more = leadstore.find(model().store.db.conn, "id", [lead_id], selected_fields(), 0, 1)
    return success_json([record for _id, record in rows])


def _write():
    body = json_body()
    action = body.get("action", "createOrUpdate")
    if action not in ACTIONS:
        raise ApiError("1003", f"Invalid action '{action}': one of {', '.join(ACTIONS)}")
    records = body.get("input")
    if not records:
        raise blank("input")
    if not isinstance(records, list):
        raise ApiError("1003", "input must be a list of records")
    if len(records) > MAX_INPUT:
        raise ApiError("1003", f"Too many records in input: at most {MAX_INPUT}")
    lookup = _lookup_field(body.get("lookupField") or "email")
    partition = body.get("partitionName")
    partition_id = None
    if partition not in (None, ""):
        partition_id = model().partitions.id_of(str(partition))
        if partition_id is None:
            raise ApiError("1003", f"Partition '{partition}' not found")
    return success(model().write_leads(records, action=action, lookup=lookup, source="api",
                                       partition=partition_id))


def _lookup_field(name: str) -> str:
    field = model().catalogue.get(str(name))
    if field is None:
        raise ApiError("1006", f"Field '{name}' not found")
    if not field.searchable or field.name == "cookies":
        raise ApiError("1011", f"Lookup field '{field.name}' not supported")
    return field.name


@bp.route("/rest/v1/leads.json", methods=["DELETE"])
@bp.route("/rest/v1/leads/delete.json", methods=["POST"])
def delete():
    ids: list[int] = []
    if request.get_data():
        body = json_body()
        records = body.get("input")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ApiError("1003", "input must be a list of {\"id\": ...} records")
        ids = [r.get("id") for r in records]
        if not all(is_integer(v) for v in ids):
            raise ApiError("1003", "each record of input needs an integer id")
    else:
        ids = int_list("id", list_param("id"))
    if not ids:
        raise blank("input")
    if len(ids) > MAX_INPUT:
        raise ApiError("1003", f"Too many records in input: at most {MAX_INPUT}")
    return success(model().delete_leads(ids))


@bp.route("/rest/v1/leads/describe.json", methods=["GET", "POST"])
def describe():
    _only_get()
    return success([f.describe() for f in model().catalogue.fields])


@bp.route("/rest/v1/leads/describe2.json", methods=["GET", "POST"])
def describe2():
    _only_get()
    catalogue = model().catalogue
    searchable = [[f.name] for f in catalogue.searchable()]
    return success([{
        "name": "API Lead",
        "idField": "id",
        "dedupeFields": ["email"],
        "searchableFields": searchable,
        "fields": [f.describe2() for f in catalogue.fields],
    }])


def _only_get() -> None:
    if request.method == "POST" and not method_override():
        raise ApiError("605")


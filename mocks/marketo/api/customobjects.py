"""Custom objects: types (schema: list, describe, sync, fields, approve, discard, delete,
data types, linkable objects, dependent assets), records, and their bulk export."""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo.api.objects import query_records
from mocks.marketo.bulk import add_export_routes
from mocks.marketo.envelope import ApiError, success
from mocks.marketo.objects import KINDS
from mocks.marketo.params import (
    get_only,
    input_records,
    json_body,
    list_param,
    method_override,
    model,
    params,
)

bp = Blueprint("marketo_custom_objects", __name__)
SCHEMA = "/rest/v1/customobjects/schema"


def _state() -> str | None:
    state = params().get("state") or None
    if state not in (None, "draft", "approved"):
        raise ApiError("1003", f"Invalid state '{state}': draft or approved")
    return state


@bp.route(f"{SCHEMA}.json", methods=["GET", "POST"])
def types():
    if request.method == "POST" and not method_override():
        return success([model().custom_objects.sync_type(json_body())])
    return success(model().custom_objects.types(list_param("names"), _state()))


@bp.route(f"{SCHEMA}/fieldDataTypes.json", methods=["GET", "POST"])
def data_types():
    get_only()
    from mocks.marketo.customobjects import DATA_TYPES
    return success([{"dataType": t} for t in DATA_TYPES])


@bp.route(f"{SCHEMA}/linkableObjects.json", methods=["GET", "POST"])
def linkable():
    get_only()
    lead = model().catalogue
    company = KINDS["company"]
    return success([
        {"name": "lead", "displayName": "Person", "fields": [
            {"name": n, "displayName": lead.get(n).display, "dataType": lead.get(n).data_type}
            for n in ("id", "email")]},
        {"name": "company", "displayName": "Company", "fields": [
            {"name": n, "displayName": company.field(n).display,
             "dataType": company.field(n).data_type} for n in ("id", "externalCompanyId")]}])


@bp.route(f"{SCHEMA}/<api_name>/describe.json", methods=["GET", "POST"])
def describe_type(api_name: str):
    get_only()
    return success([model().custom_objects.describe_type(api_name, _state())])


@bp.route(f"{SCHEMA}/<api_name>/dependentAssets.json", methods=["GET", "POST"])
def dependent_assets(api_name: str):
    get_only()
    model().custom_objects.describe_type(api_name, None)  # 1013 for an unknown type
    return success([])  # the mock has no smart lists or campaigns built on custom objects


@bp.post(f"{SCHEMA}/<api_name>/addField.json")
def add_field(api_name: str):
    return success([model().custom_objects.change_fields(
        api_name, input_records(json_body()), "add")])


@bp.post(f"{SCHEMA}/<api_name>/deleteField.json")
def delete_field(api_name: str):
    return success([model().custom_objects.change_fields(
        api_name, input_records(json_body()), "delete")])


@bp.post(f"{SCHEMA}/<api_name>/<field_name>/updateField.json")
def update_field(api_name: str, field_name: str):
    return success([model().custom_objects.change_fields(api_name, json_body(), "update",
                                                         field_name)])


@bp.post(f"{SCHEMA}/<api_name>/approve.json")
def approve(api_name: str):
    return success([model().custom_objects.approve(api_name)])


@bp.post(f"{SCHEMA}/<api_name>/discardDraft.json")
def discard(api_name: str):
    return success([model().custom_objects.discard(api_name)])


@bp.post(f"{SCHEMA}/<api_name>/delete.json")
def delete_type(api_name: str):
    return success([model().custom_objects.delete_type(api_name)])


# --- records ---------------------------------------------------------------------------------

@bp.route("/rest/v1/customobjects.json", methods=["GET", "POST"])
def live_types():
    get_only()
    return success(model().custom_objects.list_live(list_param("names")))


@bp.route("/rest/v1/customobjects/<name>/describe.json", methods=["GET", "POST"])
def describe_records(name: str):
    get_only()
    return success([model().custom_objects.describe_records(name)])


@bp.route("/rest/v1/customobjects/<name>.json", methods=["GET", "POST"])
def records(name: str):
    kind = model().custom_objects.kind(name)
    if request.method == "GET" or method_override():
        return query_records(kind)
    body = json_body()
    return success(model().objects.sync(kind, body.get("action") or "createOrUpdate",
                                        body.get("dedupeBy") or "dedupeFields",
                                        input_records(body)))


@bp.post("/rest/v1/customobjects/<name>/delete.json")
def delete_records(name: str):
    body = json_body()
    return success(model().objects.delete(model().custom_objects.kind(name),
                                          body.get("deleteBy") or "dedupeFields",
                                          input_records(body)))


def _export_entity(api_name: str) -> str:
    # a type that does not exist has no export jobs to list or read: 1013, as on create
    model().custom_objects.require(api_name)
    return f"co:{api_name}"


add_export_routes(bp, "/bulk/v1/customobjects/<api_name>/export", _export_entity,
                  "custom_objects")

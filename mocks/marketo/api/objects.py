"""Companies, sales persons, opportunities and their roles, named accounts and named
account lists: one set of routes per object, made by :func:`object_routes` over the one
shape of :class:`mocks.marketo.objects.ObjectStore`; and the ``schema/fields`` reads."""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo.api.lists import paged
from mocks.marketo.envelope import ApiError, success
from mocks.marketo.objects import KINDS, ObjectKind, schema_field
from mocks.marketo.params import (
    batch_size,
    body_names,
    body_text,
    get_only,
    input_records,
    json_body,
    list_param,
    method_override,
    model,
    params,
    required,
)
from mocks.marketo.programs import MEMBER_FIELDS

bp = Blueprint("marketo_objects", __name__)


def query_records(kind: ObjectKind):
    store = model().objects
    if request.method == "POST" and request.mimetype == "application/json":
        body = json_body()  # compound keys: a JSON body read as a GET (_method=GET)
        filter_type = body_text(body, "filterType") or required("filterType")
        fields = body_names(body, "fields") or list_param("fields")
        items, token = store.query(kind, filter_type, input_records(body), fields,
                                   batch_size(raw=body.get("batchSize")),
                                   body_text(body, "nextPageToken"))
    else:
        items, token = store.query(kind, required("filterType"), list_param("filterValues"),
                                   list_param("fields"), batch_size(),
                                   params().get("nextPageToken"))
    return paged(items, token, as_json=True)


def object_routes(kind: ObjectKind, base: str, describe: bool = True) -> None:
    name = kind.name

    def records():
        if request.method == "GET" or method_override():
            return query_records(kind)
        body = json_body()
        action = body.get("action") or ("createOrUpdate" if "createOrUpdate" in kind.actions
                                         else None)
        if action is None:  # named account lists have no default action
            raise ApiError("701", f"action cannot be blank: one of {', '.join(kind.actions)}")
        return success(model().objects.sync(kind, action,
                                            body.get("dedupeBy") or "dedupeFields",
                                            input_records(body)))

    def delete():
        body = json_body()
        return success(model().objects.delete(kind, body.get("deleteBy") or "dedupeFields",
                                              input_records(body)))

    def describe_view():
        get_only()
        return success([kind.describe()])

    bp.add_url_rule(f"{base}.json", f"{name}_records", records, methods=["GET", "POST"])
    bp.add_url_rule(f"{base}/delete.json", f"{name}_delete", delete, methods=["POST"])
    if describe:
        bp.add_url_rule(f"{base}/describe.json", f"{name}_describe", describe_view,
                        methods=["GET", "POST"])


object_routes(KINDS["company"], "/rest/v1/companies")
object_routes(KINDS["salesPerson"], "/rest/v1/salespersons")
object_routes(KINDS["opportunity"], "/rest/v1/opportunities")
object_routes(KINDS["opportunityRole"], "/rest/v1/opportunities/roles")
object_routes(KINDS["namedAccount"], "/rest/v1/namedaccounts")
object_routes(KINDS["namedAccountList"], "/rest/v1/namedAccountLists", describe=False)


@bp.route("/rest/v1/namedAccountList/<list_id>/namedAccounts.json", methods=["GET", "POST"])
def named_account_list_members(list_id: str):
    if request.method == "POST" and not method_override():
        return success(model().objects.change_list(list_id, input_records(json_body()), add=True))
    items, token = model().objects.list_members(list_id, list_param("fields"), batch_size(),
                                                params().get("nextPageToken"))
    return paged(items, token, as_json=True)


@bp.post("/rest/v1/namedAccountList/<list_id>/namedAccounts/remove.json")
def remove_named_accounts(list_id: str):
    return success(model().objects.change_list(list_id, input_records(json_body()), add=False))


# --- field schema (reads; new lead fields through the schema call too) ----------------------

def _fields_of(area: str) -> list:
    if area == "leads":
        return list(model().catalogue.fields)
    if area == "programs/members":
        from mocks.marketo.fields import LeadField
        return [LeadField(n, name, display, kind, 255 if kind == "string" else None, True)
                for n, (name, display, kind, _c) in enumerate(MEMBER_FIELDS, 1)]
    kind = {"companies": "company", "opportunities": "opportunity",
            "namedaccounts": "namedAccount"}[area]
    return list(KINDS[kind].fields)


def _field_page(area: str):
    get_only()
    fields = _fields_of(area)
    start = 0
    token = params().get("nextPageToken")
    if token:
        from mocks.marketo.paging import start_after
        start = start_after(token)
    batch = batch_size()
    chunk = fields[start:start + batch]
    from mocks.marketo.paging import position_token
    more = start + batch < len(fields)
    return paged([schema_field(f) for f in chunk], position_token(start + batch) if more
                 else None)


def _one_field(area: str, field_name: str):
    get_only()
    for field in _fields_of(area):
        if field.name.lower() == field_name.lower():
            return success([schema_field(field)])
    raise ApiError("1006", f"Field '{field_name}' not found")


for _area in ("companies", "opportunities", "namedaccounts", "programs/members"):
    bp.add_url_rule(f"/rest/v1/{_area}/schema/fields.json", f"fields_{_area}",
                    lambda area=_area: _field_page(area), methods=["GET"])
    bp.add_url_rule(f"/rest/v1/{_area}/schema/fields/<field_name>.json", f"field_{_area}",
                    lambda field_name, area=_area: _one_field(area, field_name),
                    methods=["GET"])


@bp.route("/rest/v1/leads/schema/fields.json", methods=["GET", "POST"])
def lead_fields():
    if request.method == "GET" or method_override():
        return _field_page("leads")
    results = []
    for spec in input_records(json_body()):
        if not isinstance(spec, dict):
            raise ApiError("1003", "a field is an object with name, displayName, dataType")
        try:
            created = model().add_custom_field(spec)
        except ValueError as exc:
            results.append({"name": spec.get("name"), "status": "skipped",
                            "reasons": [{"code": "1003", "message": str(exc)}]})
            continue
        results.append({"name": created["rest"]["name"], "status": "created"})
    return success(results)


@bp.route("/rest/v1/leads/schema/fields/<field_name>.json", methods=["GET"])
def lead_field(field_name: str):
    return _one_field("leads", field_name)

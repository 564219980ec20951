"""The field schema of the Lead Database objects (``schema/fields``): every object's fields
read, person fields and program member fields also created and updated.

The rules live in :mod:`mocks.marketo.fieldschema` (metadata, program member fields) and
:class:`mocks.marketo.models.MarketoModel` (person fields); this module is their HTTP.
"""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo.api.lists import paged
from mocks.marketo.envelope import ApiError, reason, success
from mocks.marketo.fields import LeadField
from mocks.marketo.objects import KINDS, schema_field
from mocks.marketo.paging import position_token, start_after
from mocks.marketo.params import (
    batch_size,
    get_only,
    input_records,
    json_body,
    method_override,
    model,
    params,
)

bp = Blueprint("marketo_fields", __name__)
_OBJECT_KINDS = {"companies": "company", "opportunities": "opportunity",
                 "namedaccounts": "namedAccount"}


def _fields_of(area: str) -> list[LeadField]:
    if area == "leads":
        return list(model().catalogue.fields)
    if area == "programs/members":
        return model().programs.fields.schema_fields()
    return list(KINDS[_OBJECT_KINDS[area]].fields)


def _field_page(area: str):
    get_only()
    fields = _fields_of(area)
    start = start_after(params().get("nextPageToken"))
    batch = batch_size()
    more = start + batch < len(fields)
    return paged([schema_field(f) for f in fields[start:start + batch]],
                 position_token(start + batch) if more else None)


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
                            "reasons": [reason("1003", str(exc))]})
            continue
        results.append({"name": created["rest"]["name"], "status": "created"})
    return success(results)


@bp.route("/rest/v1/leads/schema/fields/<field_name>.json", methods=["GET"])
def lead_field(field_name: str):
    return _one_field("leads", field_name)


@bp.post("/rest/v1/leads/schema/fields/<field_name>.json")
def update_lead_field(field_name: str):
    if method_override():
        return _one_field("leads", field_name)
    return success(model().update_lead_field(field_name, json_body()))


@bp.post("/rest/v1/programs/members/schema/fields.json")
def create_member_fields():
    if method_override():
        return _field_page("programs/members")
    return success(model().programs.fields.create(input_records(json_body())))


@bp.post("/rest/v1/programs/members/schema/fields/<field_name>.json")
def update_member_field(field_name: str):
    if method_override():
        return _one_field("programs/members", field_name)
    return success(model().programs.fields.update(field_name, json_body()))

"""Custom activity types: list, describe, create, update, approve, discard the draft,
delete, and add, change or remove attributes."""

from __future__ import annotations

from flask import Blueprint

from mocks.marketo.envelope import ApiError, success
from mocks.marketo.params import get_only, json_body, model, params

bp = Blueprint("marketo_custom_types", __name__)
TYPES = "/rest/v1/activities/external/type"


@bp.route("/rest/v1/activities/external/types.json", methods=["GET", "POST"])
def types():
    get_only()
    return success(model().custom_types.all())


@bp.route(f"{TYPES}/<api_name>/describe.json", methods=["GET", "POST"])
def describe(api_name: str):
    get_only()
    draft = params().get("draft", "").strip().lower()
    if draft not in ("", "true", "false"):
        raise ApiError("1001", f"Invalid value '{draft}'. Required of type 'boolean' for "
                               "'draft'")
    return success([model().custom_types.describe(api_name, draft == "true")])


@bp.post(f"{TYPES}.json")
def create():
    return success([model().custom_types.create(json_body())])


@bp.post(f"{TYPES}/<api_name>.json")
def update(api_name: str):
    return success([model().custom_types.update(api_name, json_body())])


@bp.post(f"{TYPES}/<api_name>/approve.json")
def approve(api_name: str):
    return success([model().custom_types.approve(api_name)])


@bp.post(f"{TYPES}/<api_name>/discardDraft.json")
def discard(api_name: str):
    return success([model().custom_types.discard_draft(api_name)])


@bp.post(f"{TYPES}/<api_name>/delete.json")
def delete(api_name: str):
    return success([model().custom_types.delete(api_name)])


@bp.post(f"{TYPES}/<api_name>/attributes/<any(create, update, delete):how>.json")
def attributes(api_name: str, how: str):
    return success([model().custom_types.change_attributes(
        api_name, how, json_body().get("attributes"))])

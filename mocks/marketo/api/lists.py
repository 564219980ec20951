"""Static lists: ``lists.json``, a list, its members (read, add, remove, check), and a
person's list memberships."""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo.envelope import ApiError, blank, success, success_json
from mocks.marketo.leads import selected_fields
from mocks.marketo.params import (
    batch_size,
    get_only,
    int_list,
    json_body,
    list_param,
    method_override,
    model,
    params,
    required,
)

bp = Blueprint("marketo_lists", __name__)
MAX_IDS = 300


def paged(items: list, token: str | None, *, as_json: bool = False):
    extra = {"moreResult": True, "nextPageToken": token} if token else {}
    return success_json(items, **extra) if as_json else success(items, **extra)


def lead_ids_of_request() -> list[int]:
    """Person ids from a JSON body ``{"input": [{"id": ..}]}`` or from ``id`` parameters."""
    ids: list[int] = []
    if request.get_data() and request.mimetype == "application/json":
        records = json_body().get("input")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ApiError("1003", "input must be a list of {\"id\": ...} records")
        raw = [r.get("id") for r in records]
        ids = int_list("id", [str(v) for v in raw])
    else:
        ids = int_list("id", list_param("id"))
    if not ids:
        raise blank("id")
    if len(ids) > MAX_IDS:
        raise ApiError("1003", f"Too many ids: at most {MAX_IDS} a call")
    return ids


@bp.route("/rest/v1/lists.json", methods=["GET", "POST"])
def lists():
    get_only()
    items, token = model().lists.find(
        ids=int_list("id", list_param("id")), names=list_param("name"),
        programs=list_param("programName"), workspaces=list_param("workspaceName"),
        batch=batch_size(), token=params().get("nextPageToken"))
    return paged(items, token)


@bp.route("/rest/v1/lists/<int:list_id>.json", methods=["GET", "POST"])
def one_list(list_id: int):
    get_only()
    return success([model().lists.get(list_id)])


@bp.route("/rest/v1/lists/<int:list_id>/leads.json", methods=["GET", "POST", "DELETE"])
@bp.route("/rest/v1/list/<int:list_id>/leads.json", methods=["GET", "POST"])
def members(list_id: int):
    if request.method == "DELETE":
        return success(model().lists.remove(list_id, lead_ids_of_request()))
    if request.method == "POST" and not method_override():
        if request.path.startswith("/rest/v1/list/"):
            raise ApiError("605")
        return success(model().lists.add(list_id, lead_ids_of_request()))
    items, token = model().lists.members(list_id, selected_fields(), batch_size(),
                                         params().get("nextPageToken"))
    return paged(items, token, as_json=True)


@bp.route("/rest/v1/lists/<int:list_id>/leads/ismember.json", methods=["GET", "POST"])
def is_member(list_id: int):
    # a GET whose ids may come in a JSON body, as Marketo documents it
    return success(model().lists.is_member(list_id, lead_ids_of_request()))


@bp.route("/rest/v1/leads/<int:lead_id>/listMembership.json", methods=["GET", "POST"])
def list_membership(lead_id: int):
    get_only()
    items, token = model().lists.lists_of(lead_id, batch_size(),
                                          params().get("nextPageToken"))
    return paged(items, token)


# --- the Asset API's view of static lists (marketorestpython reads a list there) ---------

def _asset_list(item: dict) -> dict:
    from mocks.marketo.programs import asset_time

    return {"id": item["id"], "name": item["name"],
            "description": item.get("description", ""),
            "createdAt": asset_time(item["createdAt"]),
            "updatedAt": asset_time(item["updatedAt"]),
            "url": f"{request.host_url.rstrip('/')}/#ST{item['id']}A1",
            "folder": {"id": 1, "type": "Folder"}, "workspace": item.get("workspaceName",
                                                                          "Default")}


@bp.route("/rest/asset/v1/staticList/<int:list_id>.json", methods=["GET"])
def asset_list(list_id: int):
    from mocks.marketo.api.programs import assets

    try:
        found = [model().lists.get(list_id)]
    except ApiError:
        found = []
    return assets([_asset_list(item) for item in found])


@bp.route("/rest/asset/v1/staticList/byName.json", methods=["GET"])
def asset_list_by_name():
    from mocks.marketo.api.programs import assets

    items, _token = model().lists.find(names=[required("name")], batch=1)
    return assets([_asset_list(item) for item in items])

"""Smart campaigns: ``campaigns.json``, a campaign, trigger, schedule, and a person's
smart campaign memberships."""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo.api.lists import paged
from mocks.marketo.api.programs import client_instant
from mocks.marketo.envelope import ApiError, success
from mocks.marketo.params import (
    batch_size,
    get_only,
    int_list,
    json_body,
    list_param,
    model,
    params,
)

bp = Blueprint("marketo_campaigns", __name__)


def _flag(name: str) -> bool | None:
    raw = params().get(name, "").strip().lower()
    if not raw:
        return None
    if raw not in ("true", "false"):
        raise ApiError("1001", f"Invalid value '{raw}'. Required of type 'boolean' for "
                               f"'{name}'")
    return raw == "true"


@bp.route("/rest/v1/campaigns.json", methods=["GET", "POST"])
def campaigns():
    get_only()
    items, token = model().campaigns.find(
        ids=int_list("id", list_param("id")), names=list_param("name"),
        programs=list_param("programName"), workspaces=list_param("workspaceName"),
        triggerable=_flag("isTriggerable"), batch=batch_size(),
        token=params().get("nextPageToken"))
    return paged(items, token)


@bp.route("/rest/v1/campaigns/<int:campaign_id>.json", methods=["GET", "POST"])
def campaign(campaign_id: int):
    get_only()
    return success([model().campaigns.get(campaign_id)])


def _body() -> dict:
    return json_body() if request.get_data() else {}


@bp.post("/rest/v1/campaigns/<int:campaign_id>/trigger.json")
def trigger(campaign_id: int):
    return success([{"id": model().campaigns.trigger(campaign_id, _body())}])


@bp.post("/rest/v1/campaigns/<int:campaign_id>/schedule.json")
def schedule(campaign_id: int):
    return success([{"id": model().campaigns.schedule(campaign_id, _body())}])


@bp.route("/rest/v1/leads/<int:lead_id>/smartCampaignMembership.json", methods=["GET", "POST"])
def campaign_membership(lead_id: int):
    get_only()
    items, token = model().campaigns.campaigns_of(
        lead_id, batch_size(), params().get("nextPageToken"),
        client_instant("earliestUpdatedAt"), client_instant("latestUpdatedAt"))
    return paged(items, token)

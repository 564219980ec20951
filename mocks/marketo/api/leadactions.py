"""Person actions: merge, associate a cookie, push to a program, submit a form."""

from __future__ import annotations

from flask import Blueprint

from mocks.marketo import leadactions
from mocks.marketo.envelope import ApiError, envelope_response, success
from mocks.marketo.params import int_list, json_body, list_param, model, params, required

bp = Blueprint("marketo_lead_actions", __name__)


def _done():
    return envelope_response({"success": True})


@bp.post("/rest/v1/leads/<int:lead_id>/merge.json")
def merge(lead_id: int):
    losers = int_list("leadId", list_param("leadId")) + \
        int_list("leadIds", list_param("leadIds"))
    raw = params().get("mergeInCRM", "false").strip().lower()
    if raw not in ("true", "false", ""):
        raise ApiError("1001", f"Invalid value '{raw}'. Required of type 'boolean' for "
                               "'mergeInCRM'")
    leadactions.merge(model(), lead_id, losers, raw == "true")
    return _done()


@bp.post("/rest/v1/leads/<int:lead_id>/associate.json")
def associate(lead_id: int):
    leadactions.associate(model(), lead_id, required("cookie"))
    return _done()


@bp.post("/rest/v1/leads/push.json")
def push():
    return success(leadactions.push(model(), json_body()))


@bp.post("/rest/v1/leads/submitForm.json")
def submit_form():
    return success(leadactions.submit_form(model(), json_body()))

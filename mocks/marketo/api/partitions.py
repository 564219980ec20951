"""Lead partitions: the list of them, and moving persons between them."""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo.api.programs import MAX_INPUT
from mocks.marketo.envelope import ApiError, blank, success
from mocks.marketo.params import json_body, method_override, model

bp = Blueprint("marketo_partitions", __name__)


@bp.route("/rest/v1/leads/partitions.json", methods=["GET", "POST"])
def partitions():
    if request.method == "GET" or method_override():
        return success(model().partitions.all())
    records = json_body().get("input")
    if not records:
        raise blank("input")
    if not isinstance(records, list):
        raise ApiError("1003", "input must be a list of {id, partitionName} records")
    if len(records) > MAX_INPUT:
        raise ApiError("1003", f"Too many records in input: at most {MAX_INPUT}")
    return success(model().partitions.move(records))

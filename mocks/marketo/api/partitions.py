"""Lead partitions: the list of them, and moving persons between them."""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo.envelope import success
from mocks.marketo.params import input_records, json_body, method_override, model

bp = Blueprint("marketo_partitions", __name__)


@bp.route("/rest/v1/leads/partitions.json", methods=["GET", "POST"])
def partitions():
    if request.method == "GET" or method_override():
        return success(model().partitions.all())
    return success(model().partitions.move(input_records(json_body())))

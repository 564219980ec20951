"""Bulk lead import: upload a file, read its batch status, its failures and warnings."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from mocks.marketo import leadimport
from mocks.marketo.envelope import ApiError, success
from mocks.marketo.params import get_only, int_list, list_param, model, params, required

bp = Blueprint("marketo_lead_import", __name__)


@bp.post("/bulk/v1/leads.json")
def upload():
    upload = request.files.get("file")
    if upload is None:
        if request.mimetype != "multipart/form-data":
            raise ApiError("612", "Invalid Content Type: the file is sent as "
                                  "multipart/form-data with a 'file' part")
        raise ApiError("701", "file cannot be blank")
    list_ids = int_list("listId", list_param("listId"))
    return success([leadimport.import_file(
        model(), upload.read(), required("format"), params().get("lookupField"),
        params().get("partitionName"), list_ids[0] if list_ids else None)])


@bp.route("/bulk/v1/leads/batch/<int:batch_id>.json", methods=["GET", "POST"])
def batch_status(batch_id: int):
    get_only()
    return success([leadimport.status(model(), batch_id)])


@bp.route("/bulk/v1/leads/batch/<int:batch_id>/<any(failures, warnings):which>.json",
          methods=["GET", "POST"])
def batch_rows(batch_id: int, which: str):
    get_only()
    return current_app.response_class(leadimport.rows_file(model(), batch_id, which),
                                      mimetype="text/csv")

"""Bulk imports of persons, program members and custom object records: upload a file,
read its batch status, its failures and its warnings."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from mocks.marketo import leadimport
from mocks.marketo.envelope import ApiError, success
from mocks.marketo.params import get_only, int_list, list_param, model, params, required

bp = Blueprint("marketo_lead_import", __name__)


@bp.post("/bulk/v1/leads.json")
def upload():
    content = _file()
    list_ids = int_list("listId", list_param("listId"))
    return success([leadimport.import_file(
        model(), content, required("format"), params().get("lookupField"),
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


def _file() -> bytes:
    upload = request.files.get("file")
    if upload is None:
        if request.mimetype != "multipart/form-data":
            raise ApiError("612", "Invalid Content Type: the file is sent as "
                                  "multipart/form-data with a 'file' part")
        raise ApiError("701", "file cannot be blank")
    return upload.read()


@bp.post("/bulk/v1/program/<int:program_id>/members/import.json")
def upload_members(program_id: int):
    return success([leadimport.import_members(model(), program_id,
                                              required("programMemberStatus"), _file(),
                                              required("format"))])


@bp.route("/bulk/v1/program/members/import/<int:batch_id>/status.json", methods=["GET", "POST"])
def member_status(batch_id: int):
    get_only()
    return success([leadimport.status(model(), batch_id, "programMembers")])


@bp.route("/bulk/v1/program/members/import/<int:batch_id>/<any(failures, warnings):which>.json",
          methods=["GET", "POST"])
def member_rows(batch_id: int, which: str):
    get_only()
    return current_app.response_class(
        leadimport.rows_file(model(), batch_id, which, "programMembers"), mimetype="text/csv")


@bp.post("/bulk/v1/customobjects/<api_name>/import.json")
def upload_objects(api_name: str):
    return success([leadimport.import_objects(model(), api_name, _file(),
                                              required("format"))])


@bp.route("/bulk/v1/customobjects/<api_name>/import/<int:batch_id>/status.json",
          methods=["GET", "POST"])
def object_status(api_name: str, batch_id: int):
    get_only()
    return success([leadimport.status(model(), batch_id, f"co:{api_name}")])


@bp.route("/bulk/v1/customobjects/<api_name>/import/<int:batch_id>/"
          "<any(failures, warnings):which>.json", methods=["GET", "POST"])
def object_rows(api_name: str, batch_id: int, which: str):
    get_only()
    return current_app.response_class(
        leadimport.rows_file(model(), batch_id, which, f"co:{api_name}"), mimetype="text/csv")

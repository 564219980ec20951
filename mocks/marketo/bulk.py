"""Bulk lead export: create, enqueue, status, file, cancel, and the list of jobs."""

from __future__ import annotations

import io

from flask import Blueprint, request, send_file

from mocks.marketo.envelope import ApiError, success
from mocks.marketo.params import (
    batch_size,
    json_body,
    list_param,
    method_override,
    model,
    params,
)

bp = Blueprint("marketo_bulk", __name__)
JOBS = "/bulk/v1/leads/export"
STATUSES = ("Created", "Queued", "Processing", "Cancelled", "Completed", "Failed")


def _get_only() -> None:
    if request.method == "POST" and not method_override():
        raise ApiError("605")


@bp.post(f"{JOBS}/create.json")
def create():
    return success([model().exports.create(json_body())])


@bp.post(f"{JOBS}/<export_id>/enqueue.json")
def enqueue(export_id: str):
    # marketorestpython posts no body with a JSON content type: the body is not read
    return success([model().exports.enqueue(export_id)])


@bp.route(f"{JOBS}/<export_id>/status.json", methods=["GET", "POST"])
def status(export_id: str):
    _get_only()
    return success([model().exports.status(export_id)])


@bp.post(f"{JOBS}/<export_id>/cancel.json")
def cancel(export_id: str):
    return success([model().exports.cancel(export_id)])


@bp.route(f"{JOBS}/<export_id>/file.json", methods=["GET", "POST"])
def file(export_id: str):
    _get_only()
    content = model().exports.file(export_id)
    # send_file answers Range requests too, as Marketo does for partial downloads
    return send_file(io.BytesIO(content), mimetype="text/csv", conditional=True,
                     download_name=f"{export_id}.csv")


@bp.route(f"{JOBS}.json", methods=["GET", "POST"])
def jobs():
    _get_only()
    statuses = list_param("status")
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise ApiError("1003", f"Invalid status '{bad[0]}': one of {', '.join(STATUSES)}")
    items, token = model().exports.list_jobs(statuses or None, batch_size(),
                                             params().get("nextPageToken"))
    if token:
        return success(items, moreResult=True, nextPageToken=token)
    return success(items)

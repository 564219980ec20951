"""Bulk exports over HTTP: create, enqueue, status, file, cancel, and the list of jobs.

Leads, activities and program members share one set of routes, each under its own
prefix and with its own queue (:mod:`mocks.marketo.exports`); custom objects add theirs
in :mod:`mocks.marketo.api.customobjects` with :func:`add_export_routes`.
"""

from __future__ import annotations

from collections.abc import Callable

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
STATUSES = ("Created", "Queued", "Processing", "Cancelled", "Completed", "Failed")
_MIMETYPES = {"CSV": "text/csv", "TSV": "text/tab-separated-values", "SSV": "text/plain"}


def _get_only() -> None:
    if request.method == "POST" and not method_override():
        raise ApiError("605")


def _body() -> dict:
    # some clients (node-marketo-rest) post no body or an empty one to create.json with
    # every option in it: a missing body is an empty object, whose filter is then blank
    if not request.get_data():
        return {}
    return json_body()


def add_export_routes(blueprint: Blueprint, prefix: str, entity: Callable[..., str],
                      name: str) -> None:
    """The six routes of one bulk export under ``prefix`` (which may hold path
    arguments; ``entity(**those)`` names the queue)."""

    def create(**path):
        return success([model().exports.create(entity(**path), _body())])

    def enqueue(export_id: str, **path):
        # marketorestpython posts no body with a JSON content type: the body is not read
        return success([model().exports.enqueue(entity(**path), export_id)])

    def status(export_id: str, **path):
        _get_only()
        return success([model().exports.status(entity(**path), export_id)])

    def cancel(export_id: str, **path):
        return success([model().exports.cancel(entity(**path), export_id)])

    def file(export_id: str, **path):
        _get_only()
        exports = model().exports
        kind = entity(**path)
        target = exports.file(kind, export_id)
        fmt = exports.status(kind, export_id)["format"]
        # send_file streams from disk and answers Range requests, as Marketo does for
        # partial downloads
        return send_file(target, mimetype=_MIMETYPES.get(fmt, "text/csv"), conditional=True,
                         download_name=f"{export_id}.{fmt.lower()}", max_age=0, etag=False)

    def jobs(**path):
        _get_only()
        statuses = list_param("status")
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise ApiError("1003", f"Invalid status '{bad[0]}': one of {', '.join(STATUSES)}")
        items, token = model().exports.list_jobs(entity(**path), statuses or None,
                                                 batch_size(), params().get("nextPageToken"))
        if token:
            return success(items, moreResult=True, nextPageToken=token)
        return success(items)

    routes = (("create", "/create.json", ["POST"], create),
              ("enqueue", "/<export_id>/enqueue.json", ["POST"], enqueue),
              ("status", "/<export_id>/status.json", ["GET", "POST"], status),
              ("cancel", "/<export_id>/cancel.json", ["POST"], cancel),
              ("file", "/<export_id>/file.json", ["GET", "POST"], file))
    for action, suffix, methods, view in routes:
        blueprint.add_url_rule(f"{prefix}{suffix}", f"{name}_{action}", view, methods=methods)
    blueprint.add_url_rule(f"{prefix}.json", f"{name}_jobs", jobs, methods=["GET", "POST"])


add_export_routes(bp, "/bulk/v1/leads/export", lambda: "leads", "leads")
add_export_routes(bp, "/bulk/v1/activities/export", lambda: "activities", "activities")
add_export_routes(bp, "/bulk/v1/program/members/export", lambda: "programMembers",
                  "program_members")

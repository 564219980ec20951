"""Admin operations only Salesforce has, under ``/__admin__/`` (the test's hands, not traffic).

- ``POST /__admin__/leads/convert`` converts a lead, as Salesforce's LeadConvert does
  (there is no REST call for it): ``{"leadId", "convertedStatus"?, "accountId"?,
  "contactId"?, "doNotCreateOpportunity"?, "opportunityName"?, "ownerId"?}``;
- ``POST /__admin__/sobjects/X``, ``GET|PATCH|DELETE /__admin__/sobjects/X/{id}``: a
  change made by a user in Salesforce's UI (``?asUser=`` a user's ID or username; the
  API user by default). It follows the same rules as the API and stamps
  ``LastModifiedDate`` and ``SystemModstamp``, so SOQL and ``updated/`` see it, but it is
  neither counted, nor journaled, nor subject to faults;
- ``GET|PATCH /__admin__/bulk``: how Bulk API jobs move on the clock (``startDelay``,
  ``minSeconds``, ``rowsPerSecond``) and the daily Bulk allowances.

A refusal is answered with its HTTP status and ``{"error", "message", "errorCode",
"fields"}``.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from mocks.core.admin import ADMIN_PREFIX, apply_settings, json_body
from mocks.core.service import AdminError
from mocks.salesforce import rest
from mocks.salesforce.ids import repair_id
from mocks.salesforce.models import SalesforceError


def _actor() -> str:
    org = rest.org()
    wanted = request.args.get("asUser")
    if not wanted:
        return org.api_user_id()
    conn = org.store.db.conn
    user_id = repair_id(wanted)
    row = conn.execute('SELECT Id FROM "User" WHERE Id = ? OR Username = ? COLLATE NOCASE',
                       [user_id or "", wanted]).fetchone()
    if row is None:
        raise AdminError(f"no user '{wanted}'", 404)
    return row[0]


def admin_blueprint() -> Blueprint:
    bp = Blueprint("sf_admin", __name__, url_prefix=ADMIN_PREFIX)

    @bp.errorhandler(SalesforceError)
    def refused(exc: SalesforceError) -> Response:
        response = jsonify({"error": "Bad Request" if exc.status == 400 else "Refused",
                            "message": exc.message, "errorCode": exc.code,
                            "fields": exc.fields or []})
        response.status_code = exc.status
        return response

    @bp.post("/leads/convert")
    def convert_lead():
        org = rest.org()
        options = json_body(required=True)
        unknown = set(options) - {"leadId", "convertedStatus", "accountId", "contactId",
                                  "doNotCreateOpportunity", "opportunityName", "ownerId"}
        if unknown:
            raise AdminError(f"unknown options: {', '.join(sorted(unknown))}")
        if not options.get("leadId"):
            raise AdminError("'leadId' is required")
        actor = _actor()
        with org.writing() as conn:
            result = org.convert_lead(conn, options, actor)
        return jsonify(result)

    @bp.post("/sobjects/<name>")
    def create(name: str):
        org = rest.org()
        obj = org.sobject(name)
        body = json_body(required=True)
        actor = _actor()
        with org.writing() as conn:
            record_id = org.create(conn, obj, body, actor)
        response = jsonify({"id": record_id, "success": True, "errors": []})
        response.status_code = 201
        return response

    @bp.get("/sobjects/<name>/<record_id>")
    def read(name: str, record_id: str):
        org = rest.org()
        obj = org.sobject(name)
        return jsonify(org.get(obj, record_id, None, f"{rest.LATEST_VERSION}.0"))

    @bp.patch("/sobjects/<name>/<record_id>")
    def update(name: str, record_id: str):
        org = rest.org()
        obj = org.sobject(name)
        body = json_body(required=True)
        actor = _actor()
        with org.writing() as conn:
            org.update(conn, obj, record_id, body, actor)
        return jsonify(org.get(obj, record_id, None, f"{rest.LATEST_VERSION}.0"))

    @bp.delete("/sobjects/<name>/<record_id>")
    def delete(name: str, record_id: str):
        org = rest.org()
        obj = org.sobject(name)
        actor = _actor()
        with org.writing() as conn:
            deleted = org.delete(conn, obj, record_id, actor)
        return jsonify({"id": deleted, "deleted": True})

    @bp.get("/bulk")
    def get_bulk_settings():
        return jsonify(_bulk_settings())

    @bp.patch("/bulk")
    def set_bulk_settings():
        """How Bulk jobs move: ``{"startDelay": 0, "minSeconds": 0}`` makes them finish at
        the first look, for a test that does not care to watch them queue."""
        apply_settings(rest.org().bulk.settings, _BULK_SETTINGS, "bulk", ("rowsPerSecond",))
        return jsonify(_bulk_settings())

    return bp


_BULK_SETTINGS = {"startDelay": "start_delay", "minSeconds": "min_seconds",
                  "rowsPerSecond": "rows_per_second", "dailyBatches": "daily_batches",
                  "dailyQueryJobs": "daily_query_jobs",
                  "dailyQueryStorageMB": "daily_query_storage_mb"}


def _bulk_settings() -> dict:
    settings = rest.org().bulk.settings
    return {key: getattr(settings, attr) for key, attr in _BULK_SETTINGS.items()}

"""How the Salesforce mock answers errors and limits, and manages its state (for the core)."""

from __future__ import annotations

import re

from flask import Response, current_app, request

from fixtures.world import WorldSource
from mocks.core.service import MockContext, MockService
from mocks.core.worlds import load_world_into
from mocks.salesforce import errors, schema
from mocks.salesforce.bulk import store as bulk_store
from mocks.salesforce.bulk.jobs import MAX_UPLOAD_BYTES
from mocks.salesforce.models import Org

_UPLOAD = re.compile(r"^/services/data/v[^/]+/jobs/ingest/[^/]+/batches/?$")
_LIMIT_ERRORS = {
    "rate": ("REQUEST_LIMIT_EXCEEDED", None),
    "concurrency": ("REQUEST_LIMIT_EXCEEDED", errors.MESSAGES["CONCURRENT_LIMIT"]),
    "daily": ("REQUEST_LIMIT_EXCEEDED", None),
}


class SalesforceService(MockService):
    name = "salesforce"

    def __init__(self, ctx: MockContext) -> None:
        super().__init__(ctx)
        self.org = Org(ctx.store, ctx.clock, ctx.config)

    def error_response(self, code: str, message: str | None = None) -> Response:
        return errors.error_response(code, message)

    def status_response(self, status: int) -> Response:
        code = {401: "INVALID_SESSION_ID", 403: "INSUFFICIENT_ACCESS", 404: "NOT_FOUND",
                405: "METHOD_NOT_ALLOWED", 503: "SERVER_UNAVAILABLE"}.get(status,
                                                                         "UNKNOWN_EXCEPTION")
        return errors.error_response(code, None, status=status)

    def limit_response(self, limit: str) -> Response:
        code, message = _LIMIT_ERRORS[limit]
        return errors.error_response(code, message)

    def unexpected_error_response(self) -> Response:
        return errors.error_response("UNKNOWN_EXCEPTION")

    def not_found_response(self) -> Response:
        return errors.error_response("NOT_FOUND")

    def body_refused_response(self, status: int, message: str) -> Response:
        # Salesforce refuses an oversize body as it does bad JSON: 400 JSON_PARSER_ERROR
        if status == 413:
            message = ("Maximum size of request reached. Maximum size of request is "
                       f"{self.max_body_bytes(request.path)} bytes.")
        return errors.error_response("JSON_PARSER_ERROR", message, status=400)

    def method_not_allowed_response(self) -> Response:
        try:
            allowed = current_app.url_map.bind_to_environ(request.environ).allowed_methods()
        except Exception:  # the message is a courtesy; the code and status are what count
            allowed = []
        shown = ",".join(m for m in allowed if m != "OPTIONS")
        message = f"HTTP Method '{request.method}' not allowed. Allowed are {shown}"
        return errors.error_response("METHOD_NOT_ALLOWED", message if shown else None)

    def max_body_bytes(self, path: str) -> int:
        # a Bulk API 2.0 upload may be 150 MB, more than any other call
        if _UPLOAD.match(path):
            return max(self.ctx.config.max_body_bytes, MAX_UPLOAD_BYTES)
        return self.ctx.config.max_body_bytes

    def counts_toward_limits(self, path: str) -> bool:
        # logins and the version list are free; the data API and the Bulk API count
        return path.startswith(("/services/data/v", "/services/async/"))

    def ensure_schema(self, backfill: bool = False) -> None:
        with self.ctx.store.transaction() as db:
            before = _columns(db)
            schema.ensure_schema(db)
            bulk_store.ensure(db.conn)
            # a store written by the world generator lacks the API's audit columns: fill
            # them once, when they appear
            self.org.prepare_store(db.conn, backfill=backfill or _columns(db) != before)

    def load_world(self, world: WorldSource) -> dict:
        counts = load_world_into(self.ctx.store, "salesforce", world)
        self.org.forget()
        self.ensure_schema(backfill=True)
        self.expire_tokens()  # another world is another org: its sessions end
        return counts

    def reset(self) -> None:
        self.org.forget()
        super().reset()

    def expire_tokens(self) -> None:
        self.org.sessions.expire_all()


def _columns(db) -> dict[str, int]:
    return {name: len(db[name].columns) for name in db.table_names()}

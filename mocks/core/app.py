"""The Flask app every mock starts from: the request pipeline and the admin API.

Each request goes through, in order: its body, taken whole and within the service's size
limit before anything else looks at it (``intake``: a malformed or oversize body is
refused with the service's own error, never read further), the limits (which may refuse
it), the fault rules (which may delay it, answer it with an error, or drop its connection:
a delayed call holds its concurrency slot, as a slow call does), the service's own view,
and the journal. Admin calls (``/__admin__/``) skip faults, limits and the journal:
they are the test's hands, not traffic of the integration under test; they pass the admin
guard instead (``admin.guard``: JSON writes only, the Host checked, the admin token).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date

from mocks.core import intake, redact
from mocks.core.admin import ADMIN_PREFIX, admin_blueprint, admin_error, guard
from mocks.core.clock import Clock
from mocks.core.config import MockConfig
from mocks.core.faults import Faults
from mocks.core.journal import Journal
from mocks.core.limits import LimitExceeded, Limits
from mocks.core.service import AdminError, MockContext, MockService
from mocks.core.serving import CLOSE_KEY, drop_connection
from mocks.core.store import Store

log = logging.getLogger("siasim.mocks")
#: one line per API call answered (``siasim serve -v`` shows them)
request_log = logging.getLogger("siasim.requests")

_JOURNALED_HEADERS = ("Content-Type", "Authorization", "Accept", "Sforce-Query-Options",
                      "Sforce-Call-Options", "X-SFDC-Session", "User-Agent")


def create_mock_app(name: str, config: MockConfig,
                    service_factory: Callable[[MockContext], MockService]) -> Flask:
    app = Flask(f"siasim.{name}")
    app.config["MAX_CONTENT_LENGTH"] = None  # each service answers oversize bodies its own way
    app.json = intake.MockJSONProvider(app)  # request.get_json and jsonify go through intake
    app.url_map.converters["int"] = intake.StoredInt  # every blueprint's <int:...> too
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.json.compact = True
    clock = Clock()
    ctx = MockContext(
        name=name,
        config=config,
        store=Store(config.db),
        clock=clock,
        journal=Journal(config.journal_size, redact=redact.redact_body),
        faults=Faults(config.fault_seed),
        limits=Limits(config.limits, clock),
    )
    ctx.service = service = service_factory(ctx)
    app.extensions["siasim"] = ctx
    # A new database is seeded with the configured world; one with tables in it (kept
    # with --db across restarts) is left as it is.
    fresh = not [t for t in ctx.store.db.table_names() if not t.startswith("sqlite_")]
    if fresh and config.world is not None:
        service.load_world(config.world.build())
    else:
        service.ensure_schema()
    _install_pipeline(app, ctx, service)
    app.register_blueprint(admin_blueprint())
    return app


def _is_admin(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def _install_pipeline(app: Flask, ctx: MockContext, service: MockService) -> None:
    @app.before_request
    def before() -> Response | None:
        g.started = time.perf_counter()
        g.fault = None
        g.drop_after = False
        g.limited = False
        g.method_override = None
        admin = _is_admin(request.path)
        try:
            # the body once, now, within the limit: the journal still has it after a form
            # is parsed, and nothing reads the socket again
            intake.take_body(request.environ, ctx.config.admin_body_bytes if admin
                             else service.max_body_bytes(request.path))
        except intake.BodyRefused as exc:
            request.environ[CLOSE_KEY] = True  # the rest of the body is no next request
            if admin:
                return admin_error(exc.message, exc.status)
            return service.body_refused_response(exc.status, exc.message)
        request.get_data(cache=True)  # kept for views that want it after a form is parsed
        if admin:
            return guard(ctx.config)
        if service.counts_toward_limits(request.path):
            try:
                ctx.limits.acquire()
            except LimitExceeded as exc:
                return service.limit_response(exc.limit)
            g.limited = True
        # a rule for GET fires for a read sent as POST with ``_method=GET`` too
        g.method_override = service.method_override()
        for fault in ctx.faults.take(g.method_override or request.method, request.path):
            g.fault = fault.describe()
            if fault.latencyMs:
                time.sleep(fault.latencyMs / 1000)
            elif fault.drop == "before":
                drop_connection(request.environ)
                return Response(b"", status=599)
            elif fault.drop == "after":
                g.drop_after = True
            elif fault.error is not None:
                return service.error_response(fault.error, fault.message)
            elif fault.status is not None:
                return service.status_response(fault.status)
        return None

    @app.after_request
    def after(response: Response) -> Response:
        # the Date header tells clients the service's time, which is the mock's clock
        # (moved by tests), not the machine's
        response.headers["Date"] = http_date(ctx.clock.now())
        if _is_admin(request.path):
            return response
        _journal(ctx, response)
        if g.get("drop_after"):
            drop_connection(request.environ)
        return response

    @app.teardown_request
    def teardown(_exc) -> None:
        if g.get("limited"):
            g.limited = False
            ctx.limits.release()

    @app.errorhandler(AdminError)
    def on_admin_error(exc: AdminError) -> Response:
        return admin_error(exc.message, exc.status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        if _is_admin(request.path):
            return Response(
                app.json.dumps({"error": exc.name, "message": exc.description}),
                status=exc.code or 500, mimetype="application/json")
        if exc.code == 405:
            return service.method_not_allowed_response()
        if exc.code == 404:
            return service.not_found_response()
        return service.status_response(exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        # Never a traceback to the client; the log keeps it for whoever runs the mock.
        log.exception("unexpected error in %s %s", request.method, request.path)
        if _is_admin(request.path):
            return Response(app.json.dumps({"error": "Internal error", "message": str(exc)}),
                            status=500, mimetype="application/json")
        return service.unexpected_error_response()


def _journal(ctx: MockContext, response: Response) -> None:
    try:
        if response.is_streamed or response.direct_passthrough:
            body = "[streamed]"
        else:
            body = response.get_data(as_text=True)
        request_body = request.get_data(cache=True, as_text=True)
    except (UnicodeDecodeError, RuntimeError):
        body, request_body = "[binary]", "[binary]"
    headers = {k: request.headers[k] for k in _JOURNALED_HEADERS if k in request.headers}
    duration_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    override = g.get("method_override")
    if request_log.isEnabledFor(logging.INFO):
        request_log.info("%s %s%s %s -> %s in %.0f ms%s", ctx.name, request.method,
                         f" (as {override})" if override else "", request.path,
                         response.status_code, duration_ms,
                         f" [{g.fault}]" if g.get("fault") else "")
    ctx.journal.record(
        at=ctx.clock.now(),
        method=request.method,
        path=request.path,
        query=redact.redact_query(request.query_string.decode("latin-1")),
        request_headers=redact.redact_headers(headers),
        request_body=request_body,
        status=response.status_code,
        response_body=body,
        duration_ms=duration_ms,
        fault=g.get("fault"),
        method_override=override,
    )

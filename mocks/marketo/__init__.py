"""A faithful mock of Marketo Engage's REST API (``create_app``).

The app is the shared core's (limits, faults, journal, admin API) plus Marketo's own
gateway checks and one blueprint per API area: identity, leads, activities, bulk export,
and Marketo's own admin routes.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from mocks.core.app import create_mock_app
from mocks.core.service import current_mock
from mocks.marketo import activities, admin, bulk, envelope, gateway, identity, leads
from mocks.marketo.api import BLUEPRINTS
from mocks.marketo.config import MarketoConfig
from mocks.marketo.envelope import ApiError
from mocks.marketo.service import MarketoService

_API_PREFIXES = ("/rest/", "/bulk/")


def create_app(config: MarketoConfig | None = None) -> Flask:
    app = create_mock_app("marketo", config or MarketoConfig(), MarketoService)
    for blueprint in (identity.bp, leads.bp, activities.bp, bulk.bp, *BLUEPRINTS, admin.bp):
        app.register_blueprint(blueprint)
    app.before_request(_count_call)
    app.before_request(_gateway)
    app.after_request(_count_error)
    app.wsgi_app = gateway.resolving_dot_segments(app.wsgi_app)
    app.register_error_handler(ApiError, _api_error)
    config = app.extensions["siasim"].config
    if config.salesforce is not None and config.salesforce_sync_interval:
        app.extensions["siasim"].service.salesforce_sync.start(config.salesforce_sync_interval)
    return app


def _gateway() -> None:
    if not request.path.startswith(_API_PREFIXES):
        return
    ctx = current_mock()
    config: MarketoConfig = ctx.config
    gateway.check_sizes(config.max_uri_bytes, config.max_body_bytes)
    service: MarketoService = ctx.service
    token = gateway.bearer_token()
    if token is None:
        raise ApiError("601" if service.retries.is_retry() else "600")
    problem = service.model.tokens.check(token)
    if problem is not None:
        raise ApiError(problem)


def _count_call() -> None:
    """Every API call the limits counted, for ``stats/usage.json`` (itself included)."""
    if g.get("limited") and request.path.startswith(_API_PREFIXES):
        service: MarketoService = current_mock().service
        token = gateway.bearer_token()
        client = service.model.tokens.client_of(token) if token else None
        user = current_mock().config.user_of(client)
        service.model.usage.record_call(user)


def _count_error(response: Response) -> Response:
    """Every refusal of an API call, for ``stats/errors.json``."""
    code = g.get("marketo_error_code")
    if code is not None and request.path.startswith(_API_PREFIXES):
        current_mock().service.model.usage.record_error(code)
    return response


def _api_error(exc: ApiError) -> Response:
    current_mock().service.retries.note(exc.code)
    return envelope.failure(exc.code, exc.message, exc.status)


__all__ = ["MarketoConfig", "create_app"]

"""What every data API blueprint shares: the version in the path, sessions, JSON in and out.

A data blueprint is mounted under ``/services/data/v<version>``; before its view runs,
the version is checked (50.0 and later) and the ``Authorization`` header's session is
looked up (``Bearer`` or ``OAuth``), so a view finds the calling user in ``g.sf_user``.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, g, request

from mocks.core import intake
from mocks.core.service import current_mock
from mocks.salesforce.errors import JSON_MIMETYPE
from mocks.salesforce.models import Org, SalesforceError

MIN_VERSION = 50
LATEST_VERSION = 65
_VERSION = re.compile(r"^(\d{2,3})\.0$")
_SEASONS = ("Winter", "Spring", "Summer")


def org() -> Org:
    return current_mock().service.org


def base_url() -> str:
    """Where clients reach this mock (for instance_url and the like), no trailing slash."""
    configured = current_mock().config.base_url
    return (configured or request.host_url).rstrip("/")


def versions() -> list[dict]:
    out = []
    for number in range(MIN_VERSION, LATEST_VERSION + 1):
        index = number - MIN_VERSION  # 50.0 was Winter '21; three releases a year since
        label = f"{_SEASONS[index % 3]} '{21 + index // 3}"
        out.append({"label": label, "url": f"/services/data/v{number}.0",
                    "version": f"{number}.0"})
    return out


def sf_json(data, status: int = 200) -> Response:
    return current_app.response_class(current_app.json.dumps(data), status=status,
                                      mimetype=JSON_MIMETYPE)


def raw_json(text: str, status: int = 200) -> Response:
    """A body already serialised (query pages: SQLite writes the records' JSON)."""
    return current_app.response_class(text, status=status, mimetype=JSON_MIMETYPE)


def no_content() -> Response:
    return current_app.response_class(b"", status=204)


def body_json():
    """The request's JSON body, or JSON_PARSER_ERROR as Salesforce words it."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise SalesforceError("JSON_PARSER_ERROR",
                              "No content to map due to end-of-input at [line:1, column:0]")
    try:
        return intake.parse_json(raw)
    except intake.BadJson as exc:
        if exc.line is None:
            raise SalesforceError("JSON_PARSER_ERROR", exc.message) from None
        raise SalesforceError("JSON_PARSER_ERROR",
                              f"Unexpected character: expected a valid value (number, String, "
                              f"array, object, 'true', 'false' or 'null') at [line:{exc.line}, "
                              f"column:{exc.column}]") from None


def batch_size() -> int | None:
    """``Sforce-Query-Options: batchSize=N``."""
    options = request.headers.get("Sforce-Query-Options", "")
    match = re.search(r"batchSize\s*=\s*(\d+)", options, re.I)
    return int(match.group(1)) if match else None


def data_blueprint(name: str) -> Blueprint:
    """A blueprint under ``/services/data/v<version>`` that checks version and session."""
    bp = Blueprint(name, __name__, url_prefix="/services/data/v<version>")

    @bp.url_value_preprocessor
    def take_version(_endpoint, values) -> None:
        g.sf_version = (values or {}).pop("version", "")

    @bp.before_request
    def check() -> None:
        match = _VERSION.match(g.get("sf_version", ""))
        if not match or int(match.group(1)) < MIN_VERSION:
            raise SalesforceError("NOT_FOUND", "The requested resource does not exist",
                                  status=404)
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        session = None
        if scheme.lower() in ("bearer", "oauth") and token.strip():
            session = org().sessions.check(token.strip())
        if session is None:
            raise SalesforceError("INVALID_SESSION_ID", "Session expired or invalid",
                                  status=401)
        g.sf_session = session

    return bp


def version() -> str:
    return g.sf_version


def user_id() -> str:
    return g.sf_session.user_id

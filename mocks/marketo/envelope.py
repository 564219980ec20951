"""Marketo's response envelope and error codes.

Every REST answer is JSON with HTTP 200, errors included:
``{"requestId", "success", "result" | "errors", "warnings", "moreResult", "nextPageToken"}``.
Error codes are strings.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time

from flask import Response, current_app, g, has_request_context

from mocks.core import intake

MESSAGES: dict[str, str] = {
    "413": "Request Entity Too Large",
    "414": "Request-URI Too Long",
    "502": "Bad Gateway",
    "600": "Access token missing",
    "601": "Access token invalid",
    "602": "Access token expired",
    "603": "Access denied",
    "604": "Request time-out",
    "605": "HTTP Method not supported",
    "606": "Max rate limit '100' exceeded with in '20' secs",
    "607": "Daily quota reached",
    "608": "API Temporarily Unavailable",
    "609": "Invalid JSON",
    "610": "Requested resource not found",
    "611": "System error",
    "612": "Invalid Content Type",
    "613": "Invalid Multipart Request",
    "614": "Invalid Subscription",
    "615": "Concurrent access limit reached",
    "616": "Invalid subscription type",
    "701": "%s cannot be blank",
    "702": "No data found for given search scenario",
    "703": "The feature is not enabled for the subscription",
    "709": "Business rule violation",
    "710": "Parent folder not found",
    "711": "Incompatible folder type",
    "713": "Transient Error",
    "1001": "Invalid value",
    "1002": "Missing value for required parameter",
    "1003": "Invalid data",
    "1004": "Lead not found",
    "1005": "Lead already exists",
    "1006": "Field not found",
    "1007": "Multiple leads match the lookup criteria",
    "1008": "Access denied to partition",
    "1011": "Field not supported",
    "1013": "Object not found",
    "1029": "Too many jobs in queue",
    "1035": "Unsupported filter type",
}



class ApiError(Exception):
    """A request refused as a whole: HTTP 200 (or ``status``), ``success: false``.

    Raised anywhere in a view, inside a store transaction too (which then rolls back, so
    a refused request writes nothing); the app's error handler renders it.
    """

    def __init__(self, code: str, message: str | None = None, status: int = 200) -> None:
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = message or MESSAGES.get(self.code, "Error")
        self.status = status


def blank(name: str) -> ApiError:
    """701, Marketo's answer to a missing required parameter."""
    return ApiError("701", f"{name} cannot be blank")


def reason(code: str, message: str | None = None) -> dict:
    """A record-level reason, as in ``{"status": "skipped", "reasons": [...]}``."""
    return {"code": str(code), "message": message or MESSAGES.get(str(code), "Error")}


_counter = itertools.count(int.from_bytes(os.urandom(2), "big"))
_counter_lock = threading.Lock()


def request_id() -> str:
    """``e42b#14272d07d78``: four hex digits, '#', the time in hex milliseconds."""
    with _counter_lock:
        n = next(_counter) & 0xFFFF
    return f"{n:04x}#{int(time.time() * 1000):x}"


def error(code: str, message: str | None = None) -> dict:
    return {"code": str(code), "message": message or MESSAGES.get(str(code), "Error")}


def dumps(data) -> str:
    """Compact JSON, non-ASCII as is: what Marketo sends, and the cheapest to make (a lone
    surrogate echoed from a request is escaped, so the answer always encodes)."""
    return intake.escape_surrogates(_encode(data))


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def envelope_response(payload: dict, status: int = 200) -> Response:
    body = {"requestId": request_id(), **payload}
    return current_app.response_class(dumps(body), status=status,
                                      mimetype="application/json")


def failure(code: str, message: str | None = None, status: int = 200) -> Response:
    if has_request_context():
        g.marketo_error_code = str(code)  # counted by stats/errors.json
    return envelope_response({"success": False, "errors": [error(code, message)]}, status)


def success_json(items: list[str], **extra) -> Response:
    """A success whose result items are JSON text already (made by SQLite)."""
    head = dumps({"requestId": request_id(), "success": True, **extra})
    body = f'{head[:-1]},"result":[{",".join(items)}]}}'
    return current_app.response_class(body, mimetype="application/json")


def success(result: list, **extra) -> Response:
    return envelope_response({"success": True, **extra, "result": result})

"""Salesforce's error bodies: a JSON list of ``{"message", "errorCode", "fields"}``."""

from __future__ import annotations

from flask import Response, current_app

STATUS: dict[str, int] = {
    "INVALID_SESSION_ID": 401,
    "REQUEST_LIMIT_EXCEEDED": 403,
    "INSUFFICIENT_ACCESS": 403,
    "NOT_FOUND": 404,
    "ENTITY_IS_DELETED": 404,
    "METHOD_NOT_ALLOWED": 405,
    "UNKNOWN_EXCEPTION": 500,
    "SERVER_UNAVAILABLE": 503,
}
MESSAGES: dict[str, str] = {
    "INVALID_SESSION_ID": "Session expired or invalid",
    "REQUEST_LIMIT_EXCEEDED": "TotalRequests Limit exceeded.",
    "NOT_FOUND": "The requested resource does not exist",
    "METHOD_NOT_ALLOWED": "HTTP Method is not allowed for this resource",
    "UNKNOWN_EXCEPTION": "An unexpected error occurred. Please include this ErrorId if you "
                         "contact support: siasim-0 (0)",
    "SERVER_UNAVAILABLE": "Server unavailable",
    "CONCURRENT_LIMIT": "ConcurrentPerOrgLongTxn Limit exceeded.",
    "ENTITY_IS_DELETED": "entity is deleted",
    "MALFORMED_QUERY": "unexpected token: '<EOF>'",
}

JSON_MIMETYPE = "application/json;charset=UTF-8"


def error_list(code: str, message: str | None = None, fields: list[str] | None = None) -> list:
    item: dict = {"message": message or MESSAGES.get(code, code), "errorCode": code}
    if fields is not None:
        item["fields"] = fields
    return [item]


def error_response(code: str, message: str | None = None, status: int | None = None,
                   fields: list[str] | None = None) -> Response:
    body = current_app.json.dumps(error_list(code, message, fields))
    return current_app.response_class(body, status=status or STATUS.get(code, 400),
                                      mimetype=JSON_MIMETYPE)

"""What the clients accept of a remote answer before they use it.

A service (or whatever answers in its place: a proxy, a captive portal, a mock with a
fault armed) may send anything: HTML, an error envelope where a token was expected, a
JSON list where an object was. Each helper checks the shape it is asked for and raises
:class:`~engine.errors.RemoteError` (code ``INVALID_ANSWER``) otherwise, so that no
``KeyError`` or ``AttributeError`` ever escapes a client.
"""

from __future__ import annotations

from typing import Any

import requests

from engine.errors import RemoteError

INVALID = "INVALID_ANSWER"


def invalid(service: str, what: str, detail: str) -> RemoteError:
    return RemoteError(service, INVALID, f"{what}: {detail}")


def json_of(response: requests.Response, service: str, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type")
        raise invalid(service, what, f"HTTP {response.status_code}, not JSON ({kind}): "
                                     f"{response.text[:120]!r}") from None


def obj(value: Any, service: str, what: str) -> dict:
    if not isinstance(value, dict):
        raise invalid(service, what, f"expected a JSON object, got {_kind(value)}")
    return value


def objects(value: Any, service: str, what: str) -> list[dict]:
    """A list of objects; an absent list (None) is empty."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid(service, what, f"expected a list of objects, got {_kind(value)}")
    return value


def text(body: dict, key: str, service: str, what: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise invalid(service, what, f"'{key}' is missing or not text ({_kind(value)})")
    return value


def number(body: dict, key: str, service: str, what: str, default: float | None = None
           ) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid(service, what, f"'{key}' is not a number ({_kind(value)})")
    try:
        return float(value)
    except ValueError:
        raise invalid(service, what, f"'{key}' is not a number ({value!r:.40})") from None


def first(body: dict, service: str, what: str) -> dict:
    """The first item of a Marketo envelope's ``result``."""
    items = objects(body.get("result"), service, what)
    if not items:
        raise invalid(service, what, "'result' is empty")
    return items[0]


def error_of(body: Any) -> tuple[str, str]:
    """(code, message) of an error body in either service's form, whatever its shape."""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("errorCode", "?")), str(body[0].get("message", ""))
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("code", "?")), str(errors[0].get("message", ""))
        if "error" in body:
            return str(body.get("error")), str(body.get("error_description", ""))
    return "?", f"an unexpected answer ({_kind(body)})"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "an object", list: "a list", str: "text", bool: "a boolean"}.get(
        type(value), type(value).__name__)

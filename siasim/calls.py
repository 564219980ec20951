"""The calls a mock answered, as a test reads them: ``mock.journal(...)``.

The mocks' request journal (``mocks.core.journal``) keeps every API call with its request
and response; a test asks it questions: how many calls to this path, with this method,
carrying this in their body. A :class:`Call` is one entry, with its parameters and bodies
parsed for asserting on.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote_plus

#: what ``body=`` may be: text the request body contains, fields it has, or a test of a call
BodyFilter = str | Mapping[str, Any] | Callable[["Call"], bool]


@dataclass(frozen=True)
class Call:
    """One API call, as the mock's journal recorded it (secrets masked)."""

    id: int
    time: str
    method: str  # as sent
    path: str
    query: str
    status: int
    request_headers: dict[str, str]
    request_body: str
    response_body: str
    duration_ms: float
    fault: str | None = None  # the injected fault it met, if any
    method_override: str | None = None  # a POST with _method=GET is read as GET
    _params: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> Call:
        call = cls(id=entry["id"], time=entry["time"], method=entry["method"],
                   path=entry["path"], query=entry.get("query") or "",
                   status=entry["status"], request_headers=dict(entry.get("requestHeaders") or {}),
                   request_body=entry.get("requestBody") or "",
                   response_body=entry.get("responseBody") or "",
                   duration_ms=entry.get("durationMs") or 0.0, fault=entry.get("fault"),
                   method_override=entry.get("methodOverride"))
        call._params.update(parse_qs(call.query, keep_blank_values=True))
        if "x-www-form-urlencoded" in call.request_headers.get("Content-Type", ""):
            for key, values in parse_qs(call.request_body, keep_blank_values=True).items():
                call._params.setdefault(key, []).extend(values)
        return call

    @property
    def read_as(self) -> str:
        """The method the service read the call as: ``GET`` for a POST with _method=GET."""
        return self.method_override or self.method

    @property
    def params(self) -> dict[str, list[str]]:
        """Query parameters and those of a form body, each a list of values."""
        return {key: list(values) for key, values in self._params.items()}

    def json(self) -> Any:
        """The request body as JSON (None when it is not JSON)."""
        return _json_or_none(self.request_body)

    def response_json(self) -> Any:
        """The response body as JSON (None when it is not JSON)."""
        return _json_or_none(self.response_body)


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def matches(call: Call, *, path: str | None = None, method: str | None = None,
            body: BodyFilter | None = None, status: int | None = None) -> bool:
    """``path``: a glob (``/rest/v1/leads*``) or, without wildcards, a part of the path;
    ``method``: the method the call was read as; ``body``: a text the request body
    contains, a mapping of fields its JSON or form body has (a value may be one of a
    listed field's items), or a function of the call."""
    if path is not None:
        if any(ch in path for ch in "*?["):
            if not fnmatch.fnmatchcase(call.path, path):
                return False
        elif path not in call.path:
            return False
    if method is not None and call.read_as != method.upper():
        return False
    if status is not None and call.status != status:
        return False
    return body is None or _body_matches(call, body)


def _body_matches(call: Call, body: BodyFilter) -> bool:
    if isinstance(body, str):  # in the body as sent, or in a form body decoded
        return body in call.request_body or body in unquote_plus(call.request_body)
    if callable(body):
        return bool(body(call))
    data = call.json()
    if isinstance(data, dict):
        return all(_has(data.get(key), expected) for key, expected in body.items())
    params = call.params
    return all(key in params and (str(expected) in params[key]
                                  or expected in params[key]) for key, expected in body.items())


def _has(value: Any, expected: Any) -> bool:
    if value == expected:
        return True
    if isinstance(value, list) and not isinstance(expected, list):
        return any(_has(item, expected) for item in value)  # one item of a list
    if isinstance(value, dict) and isinstance(expected, Mapping):
        return all(_has(value.get(k), v) for k, v in expected.items())
    return False

"""Reading a REST call's parameters the way Marketo does.

A GET's parameters may also come as a POST form body with ``_method=GET`` (how clients
dodge the 8 KB URI limit, and how marketorestpython reads leads); list parameters come
repeated (``fields=a&fields=b``), comma-joined (``fields=a,b``), or both.
"""

from __future__ import annotations

from flask import g, request
from werkzeug.datastructures import MultiDict

from mocks.core.service import current_mock
from mocks.marketo.envelope import ApiError, blank
from mocks.marketo.fields import is_integer
from mocks.marketo.models import MarketoModel

MAX_BATCH = 300
_FORM = "application/x-www-form-urlencoded"


def model() -> MarketoModel:
    return current_mock().service.model


def is_form() -> bool:
    return (request.mimetype or "") == _FORM


def params() -> MultiDict:
    """Query parameters, and those of a form body (which win, being the longer channel)."""
    merged = g.get("marketo_params")
    if merged is None:
        merged = MultiDict(request.args)
        if request.method == "POST" and is_form():
            for key in request.form:
                merged.setlist(key, request.form.getlist(key))
        g.marketo_params = merged
    return merged


def method_override() -> bool:
    """A POST asking to be read as a GET (``_method=GET`` in the query or the form)."""
    return request.method == "POST" and params().get("_method", "").upper() == "GET"


def list_param(name: str) -> list[str]:
    values = []
    for raw in params().getlist(name):
        values.extend(part.strip() for part in raw.split(","))
    return [v for v in values if v]


def required(name: str) -> str:
    value = params().get(name, "").strip()
    if not value:
        raise blank(name)
    return value


def int_list(name: str, values: list[str]) -> list[int]:
    numbers = []
    for value in values:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not is_integer(number):
            raise ApiError("1001", f"Invalid value '{value}'. Required of type 'integer' for "
                                   f"'{name}'")
        numbers.append(number)
    return numbers


def batch_size(default: int = MAX_BATCH, raw: object = None) -> int:
    """``batchSize`` from the query or the form, or ``raw`` (a JSON body's): 1001 when it
    is no whole number, 1003 under 1, Marketo's maximum for a bigger ask."""
    if raw is None:
        raw = params().get("batchSize", "")
    text = raw.strip() if isinstance(raw, str) else raw
    if text == "":
        return default
    if isinstance(text, str):
        try:
            size = int(text)
        except ValueError:
            size = None
    else:
        size = text if is_integer(text) else None
    if size is None:
        raise ApiError("1001", f"Invalid value '{raw}'. Required of type 'integer' for "
                               "'batchSize'")
    if size < 1:
        raise ApiError("1003", f"Invalid batchSize '{raw}': it must be at least 1")
    return min(size, MAX_BATCH)  # Marketo serves its maximum to a bigger ask


def json_body() -> dict:
    """A JSON object body: 612 for another content type, 609 when it does not parse."""
    if request.mimetype != "application/json":
        raise ApiError("612", f"Invalid Content Type: expected application/json, got "
                              f"'{request.mimetype or 'none'}'")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError("609", "Invalid JSON" if request.get_data() else "Invalid JSON: the "
                                                                          "body is empty")
    if not isinstance(data, dict):
        raise ApiError("609", "Invalid JSON: the body must be a JSON object")
    return data


def body_text(body: dict, name: str) -> str | None:
    """A JSON body's text member (None when absent, null or empty); 1003 for another
    type, so that nothing further down meets a number or a list where text belongs."""
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiError("1003", f"Invalid value for '{name}': a string is expected")
    return value


def body_names(body: dict, name: str) -> list[str]:
    """A JSON body's list of names (``fields``): [] when absent; 1003 unless a list of
    strings."""
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError("1003", f"Invalid value for '{name}': a list of names is expected")
    return value


def get_only() -> None:
    """A read: GET, or POST with ``_method=GET``; any other POST is 605."""
    if request.method == "POST" and not method_override():
        raise ApiError("605")


def input_records(body: dict, limit: int = MAX_BATCH) -> list:
    """A body's ``input``: 701 when missing or empty, 1003 when not a list or too long."""
    records = body.get("input")
    if not records:
        raise blank("input")
    if not isinstance(records, list):
        raise ApiError("1003", "input must be a list of records")
    if len(records) > limit:
        raise ApiError("1003", f"Too many records in input: at most {limit}")
    return records

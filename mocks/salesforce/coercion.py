"""From what a client sends to what a field stores: Salesforce's types and its refusals.

A body is checked before anything else is: unknown fields (``INVALID_FIELD``), fields the
operation may not set (``INVALID_FIELD_FOR_INSERT_UPDATE``), then each value against its
field's type, length, format and picklist. A value is stored as SQLite holds it (booleans
as 0/1, dates and datetimes as Salesforce writes them).
"""

from __future__ import annotations

import functools
import math
import re
from datetime import date

from mocks.core.clock import parse_instant
from mocks.salesforce import metadata, soql
from mocks.salesforce.ids import repair_id
from mocks.salesforce.metadata import Field, SObject
from mocks.salesforce.refusals import SalesforceError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def coerce_body(obj: SObject, body, creating: bool) -> dict:
    """The values of a create (``creating``) or update body, by canonical field name."""
    if not isinstance(body, dict):
        raise SalesforceError("JSON_PARSER_ERROR",
                              "Cannot deserialize instance of " + obj.name + " from "
                              + json_kind(body) + " value or request may be missing a "
                              "required field")
    writable = _writable(obj.name, creating)
    try:
        fields = [writable[key] for key in body]
    except KeyError:  # a name in another case, a read-only or unknown field: the full rules
        pass
    else:
        return {f.name: coerce_value(f, value)
                for f, value in zip(fields, body.values(), strict=True)}
    values: dict = {}
    named = []
    for key, value in body.items():
        if key == "attributes":
            continue
        f = obj.field(key)
        if f is None:
            raise SalesforceError("INVALID_FIELD",
                                  f"No such column '{key}' on sobject of type {obj.name}")
        named.append((f, value))
    locked = []
    for f, value in named:
        if f.name == "Id":
            if creating:
                locked.append(f.name)
            else:
                values["Id"] = repair_id(value) if isinstance(value, str) else value
            continue
        if (creating and not f.createable) or (not creating and not f.updateable):
            locked.append(f.name)
            continue
        values[f.name] = coerce_value(f, value)
    if locked:
        raise SalesforceError(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(locked)}. Please check the security "
            "settings of this field and verify that it is read/write for your profile or "
            "permission set.", locked)
    return values


_PLAIN_TEXT = frozenset({"string", "phone", "url", "textarea", "combobox", "picklist"})


@functools.cache
def _writable(sobject: str, creating: bool) -> dict[str, Field]:
    """The fields a create (or an update) may set, by their exact API names."""
    return {f.name: f for f in metadata.objects()[sobject].fields if f.name != "Id"
            and (f.createable if creating else f.updateable)}


def coerce_value(f: Field, value):
    if type(value) is str and f.type in _PLAIN_TEXT and not f.restricted and (
            not f.length or len(value) <= f.length):
        return value or None  # the common case, answered before the general rules
    if value is None:
        if f.type == "boolean":
            return 0
        if f.restricted:
            raise SalesforceError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                  f"{f.label}: bad value for restricted picklist field: "
                                  "null", [f.name])
        return None
    kind = f.type

    def refuse(shown=value):
        return SalesforceError("JSON_PARSER_ERROR",
                               f"Cannot deserialize instance of {java_type(f)} from "
                               f"{json_kind(value)} value {shown} or request may be "
                               "missing a required field")

    if kind == "boolean":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return int(value.lower() == "true")
        raise refuse()
    if kind in ("int", "double", "currency", "percent"):
        if isinstance(value, bool | dict | list):
            raise refuse(shown="" if isinstance(value, dict | list) else value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise refuse() from None
        limit = 10 ** (9 if kind == "int" else max(f.precision - f.scale, 1))
        if not math.isfinite(number) or abs(number) >= limit:
            raise SalesforceError("NUMBER_OUTSIDE_VALID_RANGE",
                                  f"{f.label}: value outside of valid range on numeric "
                                  f"field: {value}", [f.name])
        if kind != "int":
            return number
        if number != int(number):
            raise refuse()
        return int(number)
    if isinstance(value, dict | list):
        raise refuse(shown="")
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value) if not isinstance(value, str) else value
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        try:
            return parse_instant(text).date().isoformat()
        except ValueError:
            raise refuse() from None
    if kind == "datetime":
        try:
            return soql.format_datetime(parse_instant(text))
        except ValueError:
            raise refuse() from None
    if kind in ("id", "reference"):
        normal = repair_id(text)
        if normal is None:
            if text == "":
                return None
            raise SalesforceError("MALFORMED_ID", f"{f.label}: id value of incorrect type: "
                                                  f"{text}", [f.name])
        return normal
    if f.length and len(text) > f.length:
        raise SalesforceError("STRING_TOO_LONG", f"{f.label}: data value too large: {text} "
                                                 f"(max length={f.length})", [f.name])
    if kind == "email" and text and not _EMAIL.match(text):
        raise SalesforceError("INVALID_EMAIL_ADDRESS",
                              f"{f.label}: invalid email address: {text}", [f.name])
    if f.restricted and text not in f.picklist:
        raise SalesforceError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                              f"{f.label}: bad value for restricted picklist field: {text}",
                              [f.name])
    return text if text != "" else None


def stored_to_json(f: Field, value):
    """A stored value as the API answers it (booleans true/false, numbers as numbers)."""
    if value is None:
        return None
    if f.type == "boolean":
        return bool(value)
    if f.type == "int":
        return int(value)
    if f.type in ("double", "currency", "percent"):
        return float(value)
    return value


def json_kind(value) -> str:
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, str):
        return "VALUE_STRING"
    if isinstance(value, int):
        return "VALUE_NUMBER_INT"
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, dict):
        return "START_OBJECT"
    return "VALUE_NULL"


def java_type(f: Field) -> str:
    return {"boolean": "boolean", "int": "int", "double": "double", "currency": "double",
            "percent": "double", "date": "date", "datetime": "dateTime"}.get(f.type, "String")

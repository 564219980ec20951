"""The driver protocol as an OpenAPI 3.1 document, built from the contract.

``document()`` is what ``siasim driver-spec`` prints and ``siasim serve driver`` serves at
``/openapi.json``; ``docs/driver-openapi.json`` is a copy a test keeps equal to it. A vendor
generates a server stub from it in any language. Schemas come from the contract's type
hints; the few results the contract describes in words (people, tasks, activities, the
Smart Grid, the settings) get named schemas here.
"""

from __future__ import annotations

import types
import typing
from dataclasses import fields
from typing import Any

from features.contract import PERSON_FIELDS, SETTINGS, TEMPLATE_SETTINGS, Endpoints, Outcome
from features.protocol.methods import METHODS, PROTOCOL, VERSION, Method

OPENAPI_VERSION = "3.1.0"
DEFAULT_PORT = 8403  # siasim serve driver; 8400-8402 are siasim up's

_SIMPLE = {str: "string", int: "integer", bool: "boolean", float: "number",
           type(None): "null"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def schema_of(hint: Any) -> dict:
    """A JSON Schema for a contract type hint."""
    if hint is Any:
        return {}
    if hint in _SIMPLE:
        return {"type": _SIMPLE[hint]}
    if hint is Endpoints:
        return _ref("Endpoints")
    if hint is Outcome:
        return _ref("Outcome")
    if isinstance(hint, types.UnionType):
        options = typing.get_args(hint)
        if all(option in _SIMPLE for option in options):
            return {"type": [_SIMPLE[option] for option in options]}
        return {"anyOf": [schema_of(option) for option in options]}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list:
        return {"type": "array", "items": schema_of(args[0]) if args else {}}
    if origin is dict:
        values = schema_of(args[1]) if args else {}
        return {"type": "object", "additionalProperties": values or True}
    raise TypeError(f"the protocol has no JSON form for {hint!r}")


_SCALAR = {"type": ["string", "integer", "number", "boolean", "null"]}

#: results the contract describes in words, by method
RESULTS = {
    "people": {"type": "array", "items": _ref("Person")},
    "tasks": {"type": "array", "items": _ref("Task")},
    "activities": {"type": "array", "items": _ref("Activity")},
    "smart_grid": {"type": "array", "items": _ref("GridItem")},
    "settings": _ref("Settings"),
}


def _components() -> dict:
    endpoint_fields = {f.name: schema_of(f.type if not isinstance(f.type, str)
                                         else typing.get_type_hints(Endpoints)[f.name])
                       for f in fields(Endpoints)}
    endpoint_fields["ca_bundle_pem"] = {
        "type": ["string", "null"],
        "description": "The CA certificate (PEM) the mocks' TLS certificates are signed "
                       "with, when they serve TLS: the content of the file ca_bundle names, "
                       "for a service that cannot read the kit's files."}
    return {
        "Endpoints": {
            "type": "object", "description": "Where the kit's mocks listen, and the "
            "credentials they accept (configure's argument).",
            "properties": endpoint_fields,
            "required": [f.name for f in fields(Endpoints) if f.name != "ca_bundle"],
        },
        "Outcome": {
            "type": "object",
            "description": "An action's result. A refusal is ok=false with a clear error; it "
                           "is not an HTTP error.",
            "properties": {"ok": {"type": "boolean"}, "error": {"type": ["string", "null"]},
                           "detail": {"type": "object", "additionalProperties": True}},
            "required": ["ok"],
        },
        "Person": {
            "type": "object", "description": "One of SIA's people, keyed by the 13 labels "
            "of P-FIELDS (a field the integration holds beyond them is for the kit to judge).",
            "properties": {label: _SCALAR for label in PERSON_FIELDS},
            "additionalProperties": True,
        },
        "Activity": {
            "type": "object", "description": "One sales activity in SIA's own record.",
            "properties": {"type": {"type": "string"}, "subject": {"type": ["string", "null"]}},
            "required": ["type", "subject"], "additionalProperties": True,
        },
        "GridItem": {
            "type": "object", "description": "One item of a Smart Grid load.",
            "properties": {"type": {"type": "string"}, "date": {"type": ["string", "null"]}},
            "required": ["type", "date"], "additionalProperties": True,
        },
        "Task": {
            "type": "object", "description": "One of SIA's reminder tasks.",
            "properties": {"id": {}, "marketo_id": {"type": ["integer", "string"]},
                           "name": {"type": ["string", "null"]},
                           "details": {"type": ["string", "null"]},
                           "due_date": {"type": ["string", "null"]},
                           "priority": {"type": ["string", "null"]},
                           "status": {"type": ["string", "null"]}},
            "required": ["id", "marketo_id", "name", "details", "due_date", "priority",
                         "status"],
            "additionalProperties": True,
        },
        "Settings": {
            "type": "object", "description": "The value of every switch (and of the "
            "optional subject templates the integration has).",
            "properties": {**{name: {"type": "boolean"} for name in SETTINGS},
                           **{name: {"type": ["string", "null"]} for name in TEMPLATE_SETTINGS}},
            "required": list(SETTINGS), "additionalProperties": True,
        },
        "Error": {
            "type": "object", "description": "Any answer that is not 200: a short code and "
            "a message the kit shows in its report.",
            "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
            "required": ["message"],
        },
    }


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _operation(method: Method) -> dict:
    properties = {}
    for parameter in method.parameters:
        prop = dict(schema_of(parameter.hint))
        if not parameter.required:
            prop["default"] = parameter.default
        properties[parameter.name] = prop
    body = {"type": "object", "properties": properties,
            "required": [p.name for p in method.parameters if p.required],
            "additionalProperties": False}
    result = RESULTS.get(method.name) or schema_of(method.returns)
    return {
        "operationId": method.name,
        "summary": method.doc.splitlines()[0] if method.doc else method.name,
        "description": method.doc,
        "tags": ["driver"],
        "parameters": [{"$ref": "#/components/parameters/session"}],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": body}}},
        "responses": {
            "200": {"description": "The method's result.", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"result": result},
                           "required": ["result"]}}}},
            "400": _error("The body is not the method's arguments."),
            "404": _error("No such session."),
            "500": _error("The integration failed (the kit reports an error)."),
            "501": _error("Not supported: the integration cannot do this at all. The kit "
                          "reports the rules that need it as not applicable."),
        },
    }


DESCRIPTION = f"""\
How the siasim conformance kit drives an integration in any language. The kit calls one
method of its driver contract (features/contract.py) at a time; each call is one JSON
request here, and each answer one JSON object.

- `GET /` says the service speaks this protocol: `{{"protocol": "{PROTOCOL}", "version":
  {VERSION}}}`. The kit asks it once before it starts.
- `POST /sessions` starts a fresh, unconfigured integration for one scenario (its own empty
  database) and answers 201 `{{"session": "<id>"}}`. Scenarios run in parallel when the
  kit runs with workers: a service that holds fewer sessions at once answers 409 (or 503)
  while it is busy, and the kit asks again until its timeout.
- `POST /sessions/{{session}}/<method>` calls one method: the body has one member per
  argument, by the contract's parameter name (every one, defaults filled in); the answer is
  200 `{{"result": ...}}`. Actions answer an Outcome: a refusal is
  `{{"ok": false, "error": "..."}}` in a 200, not an HTTP error.
- Not supported: answer 501 with `{{"error": "not-supported", "message": "why"}}`; the kit
  reports the rules that need the method as not applicable.
- Any other status, or an answer not in this shape, is the integration failing: the kit
  reports an error with the message.
- `configure` comes first in every session, with the URLs and credentials of the kit's
  Marketo and Salesforce mocks; `close` comes last and ends the session.
- Every call has a timeout (`siasim verify --driver-timeout`, {120} s by default): a
  method returns when its work is done (a send once what it logs has reached Marketo and
  Salesforce; a sync once its pass is over).
"""


def document() -> dict:
    paths: dict[str, Any] = {
        "/": {"get": {
            "operationId": "hello", "summary": "Which protocol the service speaks.",
            "responses": {"200": {"description": "The protocol and its version.",
                                  "content": {"application/json": {"schema": {
                                      "type": "object",
                                      "properties": {"protocol": {"const": PROTOCOL},
                                                     "version": {"const": VERSION},
                                                     "name": {"type": "string"}},
                                      "required": ["protocol", "version"]}}}}}}},
        "/sessions": {"post": {
            "operationId": "open_session",
            "summary": "A fresh, unconfigured integration for one scenario.",
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"scenario": {
                    "type": ["string", "null"],
                    "description": "The scenario's name, for the service's logs."}}}}}},
            "responses": {
                "201": {"description": "The session's ID.", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"session": {"type": "string"}},
                               "required": ["session"]}}}},
                "409": _error("Busy: the kit asks again."),
                "503": _error("Busy: the kit asks again."),
            }}},
    }
    for method in METHODS.values():
        paths[f"/sessions/{{session}}/{method.path}"] = {"post": _operation(method)}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "siasim driver protocol", "version": str(VERSION),
                 "description": DESCRIPTION},
        "servers": [{"url": f"http://127.0.0.1:{DEFAULT_PORT}",
                     "description": "siasim serve driver (the reference engine)"}],
        "paths": paths,
        "components": {
            "schemas": _components(),
            "parameters": {"session": {"name": "session", "in": "path", "required": True,
                                       "schema": {"type": "string"},
                                       "description": "From POST /sessions."}},
        },
    }

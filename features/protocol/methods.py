"""The driver protocol's methods: one per method of :class:`features.contract.Driver`.

Read from the contract itself (names, parameters, type hints, defaults, docstrings), so
the HTTP protocol, its OpenAPI document, the kit's HTTP driver and the server that puts a
Python driver behind HTTP can never drift from it. A method ``send_email`` is
``POST {base}/sessions/{session}/send-email``; its JSON body has one member per parameter,
by the parameter's name (``marketo_id``, ``subject``, ...); the answer is
``{"result": ...}``.
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass, fields
from typing import Any

from features.contract import Driver, Endpoints, Outcome

PROTOCOL = "siasim-driver"
VERSION = 1


@dataclass(frozen=True)
class Parameter:
    name: str
    hint: Any
    required: bool
    default: Any = None


@dataclass(frozen=True)
class Method:
    name: str  # the contract's, e.g. "send_email"
    parameters: tuple[Parameter, ...]
    returns: Any  # the return type hint
    doc: str

    @property
    def path(self) -> str:
        """The last part of the method's URL: ``send-email``."""
        return self.name.replace("_", "-")

    @property
    def answers_outcome(self) -> bool:
        return self.returns is Outcome


def _methods() -> dict[str, Method]:
    found = {}
    for name, function in inspect.getmembers(Driver, inspect.isfunction):
        if name.startswith("_"):
            continue
        hints = typing.get_type_hints(function)
        signature = inspect.signature(function)
        parameters = tuple(
            Parameter(p.name, hints.get(p.name, Any), p.default is inspect.Parameter.empty,
                      None if p.default is inspect.Parameter.empty else p.default)
            for p in list(signature.parameters.values())[1:])
        found[name] = Method(name, parameters, hints.get("return", type(None)),
                             inspect.getdoc(function) or "")
    order = list(Driver.__dict__)  # the contract's own order, for the document
    return dict(sorted(found.items(), key=lambda item: order.index(item[0])))


METHODS: dict[str, Method] = _methods()
BY_PATH: dict[str, Method] = {method.path: method for method in METHODS.values()}


def endpoints_to_json(endpoints: Endpoints) -> dict[str, Any]:
    """``configure``'s argument on the wire: the fields of :class:`Endpoints`, and the CA
    file's content beside its path (a service on another machine cannot read the path)."""
    data = {f.name: getattr(endpoints, f.name) for f in fields(Endpoints)}
    data["ca_bundle_pem"] = None
    if endpoints.ca_bundle:
        with open(endpoints.ca_bundle, encoding="ascii") as handle:
            data["ca_bundle_pem"] = handle.read()
    return data


def endpoints_from_json(data: dict[str, Any]) -> Endpoints:
    known = {f.name for f in fields(Endpoints)}
    return Endpoints(**{k: v for k, v in data.items() if k in known})


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    return {"ok": bool(outcome.ok), "error": outcome.error, "detail": outcome.detail or {}}


def is_optional(hint: Any) -> bool:
    return isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint)

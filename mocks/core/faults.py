"""Fault injection: make chosen endpoints fail the way real services fail.

A rule matches requests by method and path (a glob) and does one thing to them:

- ``error``: answer with an API error code, rendered in the service's own format
  (Marketo: HTTP 200 and ``{"success": false, "errors": [...]}``; Salesforce: an HTTP
  status and a JSON list);
- ``status``: answer with a bare HTTP status (502, 503 ...);
- ``latencyMs``: wait, then serve the request normally;
- ``drop``: ``"before"`` closes the connection without running the request;
  ``"after"`` runs it (its writes commit) and then drops the answer, which is how a
  client meets "the server did it, but I never heard back".

A rule fires for the next ``times`` matching calls (or forever), each time with
``probability`` (from a seeded RNG, so a run repeats).
"""

from __future__ import annotations

import fnmatch
import itertools
import random
import threading
from dataclasses import asdict, dataclass

ACTIONS = ("error", "status", "latencyMs", "drop")


class FaultSpecError(ValueError):
    pass


@dataclass
class Fault:
    id: int
    path: str = "*"
    method: str | None = None
    error: str | None = None
    message: str | None = None
    status: int | None = None
    latencyMs: int | None = None
    drop: str | None = None
    times: int | None = None
    probability: float = 1.0
    fired: int = 0

    @property
    def kind(self) -> str:
        for action in ACTIONS:
            if getattr(self, action) is not None:
                return action
        raise AssertionError("validated on creation")

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.path)

    def describe(self) -> str:
        value = getattr(self, self.kind)
        return f"fault {self.id}: {self.kind}={value}"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["remaining"] = None if self.times is None else max(self.times - self.fired, 0)
        return data


def _spec_value(spec: dict, key: str, kind: type, check=lambda v: True, hint: str = ""):
    value = spec.get(key)
    if value is None:
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is str and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, kind) or isinstance(value, bool) or not check(value):
        raise FaultSpecError(f"'{key}' must be {hint or kind.__name__}")
    return value


class Faults:
    def __init__(self, seed: int = 0) -> None:
        self._rules: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def add(self, spec: dict) -> Fault:
        if not isinstance(spec, dict):
            raise FaultSpecError("a fault is a JSON object")
        unknown = set(spec) - {"path", "method", "error", "message", "status", "latencyMs",
                               "drop", "times", "probability"}
        if unknown:
            raise FaultSpecError(f"unknown fault keys: {', '.join(sorted(unknown))}")
        actions = [a for a in ACTIONS if spec.get(a) is not None]
        if len(actions) != 1:
            raise FaultSpecError(f"a fault has exactly one of: {', '.join(ACTIONS)}")
        fields = {
            "path": _spec_value(spec, "path", str) or "*",
            "method": _spec_value(spec, "method", str),
            "error": _spec_value(spec, "error", str, lambda v: bool(v.strip())),
            "message": _spec_value(spec, "message", str),
            "status": _spec_value(spec, "status", int, lambda v: 400 <= v <= 599,
                                  "an HTTP status from 400 to 599"),
            "latencyMs": _spec_value(spec, "latencyMs", int, lambda v: 0 <= v <= 600_000,
                                     "milliseconds from 0 to 600000"),
            "drop": _spec_value(spec, "drop", str, lambda v: v in ("before", "after"),
                                "'before' or 'after'"),
            "times": _spec_value(spec, "times", int, lambda v: v >= 1, "a count of at least 1"),
            "probability": _spec_value(spec, "probability", float, lambda v: 0 < v <= 1,
                                       "a number in (0, 1]"),
        }
        if fields["probability"] is None:
            fields["probability"] = 1.0
        with self._lock:
            fault = Fault(id=next(self._ids), **fields)
            self._rules.append(fault)
        return fault

    def take(self, method: str, path: str) -> list[Fault]:
        """The faults that fire for this request (each counted as fired), in order added."""
        fired = []
        with self._lock:
            for fault in list(self._rules):
                if not fault.matches(method, path):
                    continue
                if fault.probability < 1.0 and self._random.random() >= fault.probability:
                    continue
                fault.fired += 1
                fired.append(fault)
                if fault.times is not None and fault.fired >= fault.times:
                    self._rules.remove(fault)
        return fired

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._rules)

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            for fault in self._rules:
                if fault.id == fault_id:
                    self._rules.remove(fault)
                    return True
        return False

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

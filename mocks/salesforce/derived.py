"""Computed fields: the rules an object's table in ``metadata`` declares, and how each runs.

Salesforce keeps some fields right by itself on every write (a contact's ``Name``, a
task's ``IsClosed`` and ``CompletedDateTime``, an opportunity's ``IsWon`` and default
``Probability`` ...). Each kind of rule is a small class here; ``metadata`` lists, per
object, which rules apply to which fields, in the order they run. A rule also says how
to fill its field in SQL for rows a world wrote without it (:func:`backfill_sets`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FullName:
    """``target`` is the non-empty ``parts`` joined by a space (``Name`` of a person)."""

    target: str
    parts: tuple[str, ...] = ("FirstName", "LastName")

    def apply(self, record: dict, existing: dict | None, stamp: str) -> None:
        parts = [value for value in map(record.get, self.parts) if value]
        record[self.target] = " ".join(parts)

    def backfill(self) -> tuple[str, list]:
        joined = " || ' ' || ".join(f"COALESCE(\"{p}\", '')" for p in self.parts)
        return f"TRIM({joined})", []


@dataclass(frozen=True)
class Slug:
    """When left empty, ``target`` is ``source`` with runs of non-word characters made
    ``_`` (a group's ``DeveloperName``)."""

    target: str
    source: str

    def apply(self, record: dict, existing: dict | None, stamp: str) -> None:
        if not record.get(self.target):
            record[self.target] = re.sub(r"\W+", "_", record.get(self.source) or "").strip("_")

    def backfill(self) -> tuple[str, list]:
        return f"REPLACE(\"{self.source}\", ' ', '_')", []


@dataclass(frozen=True)
class Fallback:
    """When left empty, ``target`` is ``value`` (a field the API may not set)."""

    target: str
    value: str

    def apply(self, record: dict, existing: dict | None, stamp: str) -> None:
        if not record.get(self.target):
            record[self.target] = self.value

    def backfill(self) -> tuple[str, list]:
        return "?", [self.value]


@dataclass(frozen=True)
class Membership:
    """``target`` (a boolean) is whether ``source`` is one of ``values`` (a closed task,
    a won opportunity)."""

    target: str
    source: str
    values: frozenset[str]

    def apply(self, record: dict, existing: dict | None, stamp: str) -> None:
        record[self.target] = int(record.get(self.source) in self.values)

    def backfill(self) -> tuple[str, list]:
        ordered = sorted(self.values)
        marks = ", ".join("?" * len(ordered))
        return f'CASE WHEN "{self.source}" IN ({marks}) THEN 1 ELSE 0 END', ordered


@dataclass(frozen=True)
class StampedWhen:
    """``target`` is stamped when ``flag`` turns on, and cleared while it is off (a task's
    ``CompletedDateTime``). Runs after the rule that sets ``flag``."""

    target: str
    flag: str

    def apply(self, record: dict, existing: dict | None, stamp: str) -> None:
        on = bool(record.get(self.flag))
        was_on = bool(existing and existing.get(self.flag))
        if on and not was_on:
            record[self.target] = stamp
        elif not on:
            record[self.target] = None

    def backfill(self) -> None:
        return None  # a world writes its own completion dates


@dataclass(frozen=True)
class DefaultBy:
    """``target`` takes the default ``defaults`` gives for ``source`` whenever ``source``
    changes, unless the same write sets ``target`` itself (an opportunity's
    ``Probability`` follows its stage)."""

    target: str
    source: str
    defaults: Mapping[str, float] = field(hash=False)

    def apply(self, record: dict, existing: dict | None, stamp: str) -> None:
        value = self.defaults.get(record.get(self.source) or "")
        if value is None:
            return
        if existing is None:
            if record.get(self.target) is None:
                record[self.target] = float(value)
        elif (existing.get(self.source) != record.get(self.source)
              and record.get(self.target) == existing.get(self.target)):
            record[self.target] = float(value)

    def backfill(self) -> None:
        return None


Rule = FullName | Slug | Fallback | Membership | StampedWhen | DefaultBy


def derive(rules: tuple[Rule, ...], record: dict, existing: dict | None, stamp: str) -> None:
    """Keep ``record``'s computed fields right (``existing``: the row before an update)."""
    for rule in rules:
        rule.apply(record, existing, stamp)


def backfill_sets(rules: tuple[Rule, ...]) -> dict[str, tuple[str, list]]:
    """Column -> (SQL expression, parameters) that fills it where a world left it null."""
    out = {}
    for rule in rules:
        sql = rule.backfill()
        if sql is not None:
            out[rule.target] = sql
    return out

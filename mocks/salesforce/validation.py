"""The rules of a write that look beyond its own values: required fields, references,
owners, converted leads, uniqueness.

Validation asks other records through a :class:`Lookups`, which reads the open
transaction; a batch of writes may answer from rows it read once for the whole batch, so
that every write path (one record, a composite batch, a bulk job) runs these same rules.
"""

from __future__ import annotations

import functools
import sqlite3

from fixtures.sfid import object_of
from mocks.salesforce import metadata
from mocks.salesforce.metadata import Field, SObject
from mocks.salesforce.refusals import SalesforceError


class Lookups:
    """Other records, as the open transaction has them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def row(self, sobject: str, record_id: str) -> dict | None:
        cursor = self.conn.execute(f'SELECT * FROM "{sobject}" WHERE Id = ?', [record_id])
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None

    def holder(self, sobject: str, field: str, value, own_id: str) -> str | None:
        """The live record other than ``own_id`` whose unique ``field`` is ``value``."""
        other = self.conn.execute(
            f'SELECT Id FROM "{sobject}" WHERE "{field}" = ? COLLATE NOCASE AND Id != ? '
            "AND IsDeleted = 0", [value, own_id]).fetchone()
        return other[0] if other else None

    def accepted(self, sobject: str, record: dict, existing: dict | None) -> None:
        """A record of ``sobject`` passed and will be written (``existing``: the row it
        updates); a batch that answers from rows read once remembers it."""


@functools.cache
def _required(sobject: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """(fields a create must fill, fields an update may not clear)."""
    fields = metadata.objects()[sobject].fields
    return (tuple(f.name for f in fields if f.required_on_create),
            frozenset(f.name for f in fields if not f.nillable and f.type != "boolean"
                      and not f.restricted))


@functools.cache
def _checked(sobject: str) -> tuple[dict[str, Field], tuple[Field, ...]]:
    """(reference fields by name, unique fields) of an object."""
    fields = metadata.objects()[sobject].fields
    return ({f.name: f for f in fields if f.type == "reference"},
            tuple(f for f in fields if f.unique))


def missing_on_create(obj: SObject, record: dict) -> None:
    missing = [name for name in _required(obj.name)[0] if record.get(name) in (None, "")]
    if missing:
        raise SalesforceError("REQUIRED_FIELD_MISSING",
                              f"Required fields are missing: [{', '.join(missing)}]", missing)


def cleared_on_update(obj: SObject, values: dict) -> None:
    keep = _required(obj.name)[1]
    cleared = [f.name for f in obj.fields if f.name in values and f.name in keep
               and values[f.name] in (None, "")]
    if cleared:
        raise SalesforceError("REQUIRED_FIELD_MISSING",
                              f"Required fields are missing: [{', '.join(cleared)}]", cleared)


def not_frozen(obj: SObject, existing: dict) -> None:
    if obj.frozen_when and existing.get(obj.frozen_when):
        raise SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD",
                              "cannot reference converted lead", [])


def check_record(lookups: Lookups, obj: SObject, record: dict, values: dict) -> None:
    """References (type, existence, owners, converted leads), the task rule, uniqueness."""
    references, uniques = _checked(obj.name)
    for name, value in values.items():
        f = references.get(name)
        if f is None or value is None:
            continue
        target = object_of(value)
        if target not in f.reference_to:
            raise SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                                  f"{f.label}: id value of incorrect type: {value}", [f.name])
        parent = lookups.row(target, value)
        if parent is None or parent.get("IsDeleted"):
            raise SalesforceError("INVALID_CROSS_REFERENCE_KEY",
                                  "invalid cross reference id", [f.name])
        if f.name == "OwnerId":
            if target == "Group" and parent.get("Type") != "Queue":
                raise SalesforceError("INVALID_CROSS_REFERENCE_KEY",
                                      "invalid cross reference id", [f.name])
            if target == "User" and not parent.get("IsActive"):
                raise SalesforceError(
                    "INACTIVE_OWNER_OR_USER",
                    f"operation performed with inactive user [{value}] as owner of "
                    f"{obj.name.lower()}", [f.name])
        frozen = metadata.objects()[target].frozen_when
        if frozen and parent.get(frozen):
            raise SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD",
                                  "cannot reference converted lead", [f.name])
    if obj.name == "Task" and record.get("WhatId") and str(record.get("WhoId") or "")\
            .startswith(metadata.objects()["Lead"].key_prefix):
        raise SalesforceError(
            "FIELD_INTEGRITY_EXCEPTION",
            "Related To ID: A task related to a lead cannot also be related to another "
            "record", ["WhatId"])
    for f in uniques:
        if f.name not in values or values[f.name] is None:
            continue
        other = lookups.holder(obj.name, f.name, values[f.name], record.get("Id") or "")
        if other is None:
            continue
        if obj.name == "User" and f.name == "Username":
            raise SalesforceError(
                "DUPLICATE_USERNAME",
                "Duplicate Username.<br>The username already exists in this or another "
                "Salesforce organization. Usernames must be unique across all Salesforce "
                "organizations. To resolve, use a different username (it doesn't need to "
                "match the user's email address).", ["Username"])
        raise SalesforceError("DUPLICATE_VALUE",
                              f"duplicate value found: {f.name} duplicates value on record "
                              f"with id: {other}", [f.name])

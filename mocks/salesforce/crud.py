"""The one write path of records: create, update, delete, upsert.

Every caller (a single-record call, ``composite/sobjects``, ``/composite``, the tree, a
bulk job, the admin routes, lead conversion) goes through these functions, in an open
transaction, so every write meets the same rules in the same order: the body's values
(:mod:`coercion`), defaults and the owner, required fields, the rules that look at other
records (:mod:`validation`), then the computed fields (:mod:`derived`) and the audit
stamps. A refusal is raised before anything is written.
"""

from __future__ import annotations

import functools
import operator
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from fixtures.sfid import IdSequence
from mocks.salesforce import (
    cascades,
    coercion,
    derived,
    metadata,
    records,
    validation,
    worldinfo,
)
from mocks.salesforce.metadata import SObject
from mocks.salesforce.refusals import SalesforceError, not_found
from mocks.salesforce.validation import Lookups


@dataclass
class Writer:
    """Who writes, when, and where new IDs come from: the context of one write."""

    conn: sqlite3.Connection
    actor: str
    stamp: str
    pod: str
    lookups: Lookups | None = None
    _ids: dict[str, IdSequence] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.lookups is None:
            self.lookups = Lookups(self.conn)

    def next_id(self, sobject: str) -> str:
        """The ID of the next record of ``sobject`` this writer accepts (the store is
        asked once, for the first)."""
        sequence = self._ids.get(sobject)
        if sequence is None:
            sequence = self._ids[sobject] = IdSequence(
                sobject, self.pod, worldinfo.first_free_number(self.conn, self.pod, sobject),
                key_prefix=metadata.objects()[sobject].key_prefix)
        return sequence()


def prepare_create(w: Writer, obj: SObject, body) -> dict:
    """The full row a create would insert (without its Id), or the refusal."""
    if not obj.createable:
        raise SalesforceError("INVALID_TYPE_FOR_OPERATION",
                              f"entity type {obj.name} does not support insert")
    values = coercion.coerce_body(obj, body, creating=True)
    if "Id" in values:
        raise SalesforceError("INVALID_FIELD_FOR_INSERT_UPDATE",
                              "cannot specify Id in an insert call", ["Id"])
    record = dict(_template(obj.name))
    if "OwnerId" in record:
        record["OwnerId"] = w.actor
    record.update(values)
    validation.missing_on_create(obj, record)
    validation.check_record(w.lookups, obj, record, values)
    derived.derive(obj.derived, record, None, w.stamp)
    record.update({"IsDeleted": 0, "CreatedDate": w.stamp, "CreatedById": w.actor,
                   "LastModifiedDate": w.stamp, "LastModifiedById": w.actor,
                   "SystemModstamp": w.stamp, "Id": w.next_id(obj.name)})
    w.lookups.accepted(obj.name, record, None)
    return record


def insert(w: Writer, obj: SObject, rows: list[dict]) -> None:
    """Insert prepared rows, one statement for them all."""
    if not rows:
        return
    columns = obj.field_names
    sql = (f'INSERT INTO "{obj.name}" ({", ".join(_q(c) for c in columns)}) '
           f'VALUES ({", ".join("?" * len(columns))})')
    w.conn.executemany(sql, map(_row_values(obj.name), rows))


@functools.cache
def _template(sobject: str) -> dict:
    """A new record before its values: every field, with the defaults Salesforce fills."""
    record: dict = {}
    for f in metadata.objects()[sobject].fields:
        record[f.name] = None
        if f.type == "boolean":
            record[f.name] = int(bool(f.default))
        elif f.defaulted and f.default is not None:
            record[f.name] = f.default
    return record


@functools.cache
def _row_values(sobject: str) -> Callable[[dict], tuple]:
    """A prepared row's values in column order (prepared rows have every field)."""
    return operator.itemgetter(*metadata.objects()[sobject].field_names)


def create(w: Writer, obj: SObject, body) -> str:
    record = prepare_create(w, obj, body)
    insert(w, obj, [record])
    return record["Id"]


def prepare_update(w: Writer, obj: SObject, existing: dict, body) -> dict:
    """The row after an update of ``existing`` (the stored row), or the refusal."""
    if not obj.updateable:
        raise SalesforceError("INVALID_TYPE_FOR_OPERATION",
                              f"entity type {obj.name} does not support update")
    values = coercion.coerce_body(obj, body, creating=False)
    if "Id" in values and values.pop("Id") != existing["Id"]:
        raise SalesforceError("INVALID_ID_FIELD",
                              "The Id field should not be specified in the sobject data.")
    validation.not_frozen(obj, existing)
    record = dict(existing)
    record.update(values)
    validation.cleared_on_update(obj, values)
    validation.check_record(w.lookups, obj, record, values)
    derived.derive(obj.derived, record, existing, w.stamp)
    record.update({"LastModifiedDate": w.stamp, "LastModifiedById": w.actor,
                   "SystemModstamp": w.stamp})
    w.lookups.accepted(obj.name, record, existing)
    return record


def write_update(w: Writer, obj: SObject, existing: dict, record: dict) -> None:
    changed = [c for c in record if record[c] != existing.get(c)]
    if changed:
        w.conn.execute(f'UPDATE "{obj.name}" SET {", ".join(f"{_q(c)} = ?" for c in changed)} '
                       "WHERE Id = ?", [record[c] for c in changed] + [existing["Id"]])


def update(w: Writer, obj: SObject, record_id: str, body) -> str:
    if not obj.updateable:
        raise SalesforceError("INVALID_TYPE_FOR_OPERATION",
                              f"entity type {obj.name} does not support update")
    existing = records.existing(w.conn, obj, record_id)
    write_update(w, obj, existing, prepare_update(w, obj, existing, body))
    return existing["Id"]


def delete(w: Writer, obj: SObject, record_id: str) -> str:
    if not obj.deletable:
        raise SalesforceError("INVALID_TYPE_FOR_OPERATION",
                              f"entity type {obj.name} does not support delete")
    existing = records.existing(w.conn, obj, record_id)
    cascades.soft_delete(w.conn, obj.name, [existing["Id"]], w.stamp, w.actor)
    return existing["Id"]


def upsert(w: Writer, obj: SObject, field_name: str, value: str, body,
           update_only: bool = False) -> tuple[str, bool]:
    """(id, created)."""
    f = records.external_id_field(obj, field_name)
    matches = records.find_by(w.conn, obj, f.name, value)
    if len(matches) > 1:
        raise SalesforceError("MULTIPLE_CHOICES", "More than one record found", status=300)
    if isinstance(body, dict):
        given = next((k for k in body if k.lower() == f.name.lower()), None)
        if given is not None and f.type != "id":
            if str(body[given]).lower() != value.lower():
                raise SalesforceError(
                    "INVALID_FIELD", f"The value of the external ID field {f.name} in the "
                    "request body does not match the value in the URL", [f.name])
            body = {k: v for k, v in body.items() if k != given}
    if matches:
        return update(w, obj, matches[0], body), False
    if update_only or f.type == "id":
        raise not_found()
    values = dict(body) if isinstance(body, dict) else body
    if isinstance(values, dict):
        values[f.name] = value
    return create(w, obj, values), True


def _q(name: str) -> str:
    return f'"{name}"'

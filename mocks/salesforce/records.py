"""Reading records: by ID, by external ID, a chosen set of fields, as the API answers them.

Deleted records (``IsDeleted``, the recycle bin) are not found here; only ``queryAll`` and
the replication calls see them.
"""

from __future__ import annotations

import sqlite3

from fixtures.sfid import object_of
from mocks.salesforce.coercion import stored_to_json
from mocks.salesforce.ids import repair_id
from mocks.salesforce.metadata import Field, SObject
from mocks.salesforce.refusals import (
    SalesforceError,
    entity_deleted,
    invalid_field,
    not_found,
)


def choose_fields(obj: SObject, names: list[str] | None) -> list[Field]:
    """The fields a read names (all of them when none), or INVALID_FIELD."""
    if not names:
        return list(obj.fields)
    chosen = []
    for name in names:
        f = obj.field(name.strip())
        if f is None:
            raise invalid_field(name.strip(), obj.name)
        if f not in chosen:
            chosen.append(f)
    return chosen


def render(obj: SObject, fields: list[Field], row, version: str, record_id: str) -> dict:
    """A stored row as the API answers a record: ``attributes``, then the fields."""
    record: dict = {"attributes": {
        "type": obj.name, "url": f"/services/data/v{version}/sobjects/{obj.name}/{record_id}"}}
    for f, value in zip(fields, row, strict=False):
        record[f.name] = stored_to_json(f, value)
    return record


def get(conn: sqlite3.Connection, obj: SObject, record_id: str, fields: list[str] | None,
        version: str) -> dict:
    normal = repair_id(record_id)
    if normal is None or object_of(normal) != obj.name:
        raise not_found()
    chosen = choose_fields(obj, fields)
    row = conn.execute(
        f'SELECT {", ".join(_q(f.name) for f in chosen)}, "IsDeleted" FROM "{obj.name}" '
        "WHERE Id = ?", [normal]).fetchone()
    if row is None or row[-1]:
        raise not_found()
    return render(obj, chosen, row, version, normal)


def get_many(conn: sqlite3.Connection, obj: SObject, ids: list[str],
             fields: list[str] | None, version: str) -> list[dict | None]:
    """Records by ID, None for each one that is missing or deleted."""
    choose_fields(obj, fields)  # a bad field name refuses the whole call
    out: list[dict | None] = []
    for raw in ids:
        try:
            out.append(get(conn, obj, raw, fields, version))
        except SalesforceError:
            out.append(None)
    return out


def existing(conn: sqlite3.Connection, obj: SObject, record_id: str) -> dict:
    """The whole stored row a write starts from, or the refusal a write of it gets."""
    normal = repair_id(record_id)
    if normal is None:
        raise SalesforceError("MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: "
                                              f"{record_id}", ["Id"])
    if object_of(normal) != obj.name:
        raise not_found()
    cursor = conn.execute(f'SELECT * FROM "{obj.name}" WHERE Id = ?', [normal])
    row = cursor.fetchone()
    if row is None:
        raise not_found()
    record = dict(zip([d[0] for d in cursor.description], row, strict=True))
    if record.get("IsDeleted"):
        raise entity_deleted()
    return record


def external_id_field(obj: SObject, field_name: str) -> Field:
    """The field a by-external-ID call names: an External ID field, or Id."""
    f = obj.field(field_name)
    if f is None or not (f.external_id or f.type == "id"):
        raise not_found()
    return f


def find_by(conn: sqlite3.Connection, obj: SObject, field_name: str, value: str) -> list[str]:
    """IDs of live records whose external ID (or Id) field is ``value``."""
    f = external_id_field(obj, field_name)
    if f.type == "id":
        normal = repair_id(value)
        if normal is None or object_of(normal) != obj.name:
            return []
        found = conn.execute(f'SELECT Id FROM "{obj.name}" WHERE Id = ? AND IsDeleted = 0',
                             [normal]).fetchall()
    else:
        found = conn.execute(f'SELECT Id FROM "{obj.name}" WHERE "{f.name}" = ? COLLATE '
                             "NOCASE AND IsDeleted = 0", [value]).fetchall()
    return [r[0] for r in found]


def _q(name: str) -> str:
    return f'"{name}"'

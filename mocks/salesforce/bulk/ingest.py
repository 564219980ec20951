"""The records of a bulk batch, written through the ordinary write path.

Each record meets exactly the rules a single-record call meets (:mod:`crud`); each one
succeeds or fails on its own, as in the Bulk APIs (there is no all-or-none). New records
are inserted together at the end of the batch, and the rules that look at other records
answer from rows read once for the batch (:class:`BatchLookups`), so a batch of 10,000
costs about what its own values cost.

Columns name fields (any case), or a parent by one of its external IDs
(``Account.External_Id__c``). From CSV an empty value leaves the field alone and
``#N/A`` sets it to null; from JSON and XML a value is what it says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mocks.salesforce import crud, metadata, records
from mocks.salesforce.bulk.csvio import NULL, InvalidData
from mocks.salesforce.crud import Writer
from mocks.salesforce.ids import repair_id
from mocks.salesforce.metadata import SObject
from mocks.salesforce.refusals import SalesforceError
from mocks.salesforce.validation import Lookups

OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
_CHUNK = 500  # values per prefetching query


@dataclass
class Outcome:
    id: str | None
    success: bool
    created: bool
    error: SalesforceError | None = None

    def to_list(self) -> list:
        e = self.error
        return [self.id, self.success, self.created,
                None if e is None else [e.code, e.message, e.fields or []]]

    @classmethod
    def from_list(cls, item: list) -> Outcome:
        error = None if item[3] is None else SalesforceError(item[3][0], item[3][1],
                                                             item[3][2])
        return cls(item[0], item[1], item[2], error)


class BatchLookups(Lookups):
    """Other records for the rules of one batch: parents read once and kept, unique
    values of the whole batch read in a few queries, and the batch's own records
    remembered as they are accepted."""

    def __init__(self, conn, obj: SObject, bodies: Sequence[dict]) -> None:
        super().__init__(conn)
        self.obj = obj
        self._rows: dict[tuple[str, str], dict | None] = {}
        self._held: dict[str, dict[str, str]] = {}
        for f in obj.fields:
            if not f.unique:
                continue
            wanted = sorted({str(b[f.name]) for b in bodies
                             if b.get(f.name) not in (None, "")})
            held: dict[str, str] = {}
            for start in range(0, len(wanted), _CHUNK):
                part = wanted[start:start + _CHUNK]
                marks = ", ".join("?" * len(part))
                for value, record_id in conn.execute(
                        f'SELECT "{f.name}", Id FROM "{obj.name}" WHERE "{f.name}" COLLATE '
                        f"NOCASE IN ({marks}) AND IsDeleted = 0", part):
                    held[str(value).lower()] = record_id
            self._held[f.name] = held

    def row(self, sobject: str, record_id: str) -> dict | None:
        if sobject == self.obj.name:  # the batch may change these: never kept
            return super().row(sobject, record_id)
        key = (sobject, record_id)
        if key not in self._rows:
            self._rows[key] = super().row(sobject, record_id)
        return self._rows[key]

    def holder(self, sobject: str, field: str, value, own_id: str) -> str | None:
        held = self._held.get(field) if sobject == self.obj.name else None
        if held is None:
            return super().holder(sobject, field, value, own_id)
        found = held.get(str(value).lower())
        if found is None and str(value).lower() not in held:
            return None
        return found if found != own_id else None

    def accepted(self, sobject: str, record: dict, existing: dict | None) -> None:
        if sobject != self.obj.name:
            return
        for name, held in self._held.items():
            old = existing.get(name) if existing else None
            new = record.get(name)
            if old not in (None, "") and old != new and held.get(str(old).lower()) \
                    == record["Id"]:
                del held[str(old).lower()]
            if new not in (None, ""):
                held[str(new).lower()] = record["Id"]


@dataclass
class Columns:
    """What each column of a batch names: a field, or a parent by its external ID."""

    names: list[str]  # canonical field names (the reference field for a parent column)
    parents: dict[int, tuple[SObject, str]]  # column -> (parent object, its external ID)


def columns(obj: SObject, header: Sequence[str], operation: str) -> Columns:
    names, parents = [], {}
    for i, raw in enumerate(header):
        name = raw.strip()
        if "." in name:
            rel_name, _, ext = name.partition(".")
            rel = obj.relationship(rel_name)
            target = metadata.objects()[rel.reference_to[0]] if rel and len(
                rel.reference_to) == 1 else None
            ext_field = target.field(ext) if target else None
            if ext_field is None or not (ext_field.external_id or ext_field.type == "id"):
                raise InvalidData(f"Field name not found : {name}")
            names.append(rel.name)
            parents[i] = (target, ext_field.name)
            continue
        f = obj.field(name)
        if f is None:
            raise InvalidData(f"Field name not found : {name}")
        names.append(f.name)
    if len(set(names)) != len(names):
        raise InvalidData("Duplicate field name in the header")
    if operation in ("update", "delete", "hardDelete") and "Id" not in names:
        raise InvalidData("Id field is required for the operation " + operation)
    return Columns(names, parents)


def bodies_from_csv(cols: Columns, rows: Iterable[Sequence[str]]) -> list[dict]:
    out = []
    names = cols.names
    for row in rows:
        body = {}
        for i, value in enumerate(row):
            if value == "":
                continue
            body[names[i]] = None if value == NULL else value
        out.append(body)
    return out


def bodies_from_objects(obj: SObject, items: Iterable) -> list[dict]:
    """JSON or XML records: field names checked as CSV headers are."""
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidData("Each record must be an object of field values")
        body = {}
        for key, value in item.items():
            if key == "attributes":
                continue
            f = obj.field(key)
            if f is None:
                raise InvalidData(f"Field name not found : {key}")
            body[f.name] = value
        out.append(body)
    return out


def _resolve_parents(w: Writer, cols: Columns, body: dict) -> None:
    for i, (target, ext) in cols.parents.items():
        name = cols.names[i]
        if name not in body or body[name] is None:
            continue
        value = str(body[name])
        found = records.find_by(w.conn, target, ext, value)
        if len(found) != 1:
            raise SalesforceError(
                "INVALID_FIELD", f"Foreign key external ID: {value} not found for field "
                f"{ext} in entity {target.name}", [name])
        body[name] = found[0]


def run(w: Writer, obj: SObject, operation: str, external_field: str | None,
        bodies: list[dict], cols: Columns | None = None) -> list[Outcome]:
    """Write every record of a batch; one :class:`Outcome` each, in order."""
    w.lookups = BatchLookups(w.conn, obj, bodies)
    outcomes: list[Outcome] = []
    pending: list[dict] = []
    for body in bodies:
        try:
            if cols is not None and cols.parents:
                _resolve_parents(w, cols, body)
            outcomes.append(_one(w, obj, operation, external_field, body, pending))
        except SalesforceError as exc:
            outcomes.append(Outcome(None if operation == "insert" else _given_id(body),
                                    False, False, exc))
    crud.insert(w, obj, pending)
    return outcomes


def _given_id(body: dict) -> str | None:
    value = body.get("Id")
    if not value:
        return None
    return repair_id(str(value)) or None


def _one(w: Writer, obj: SObject, operation: str, external_field: str | None, body: dict,
         pending: list[dict]) -> Outcome:
    if operation == "insert":
        record = crud.prepare_create(w, obj, body)
        pending.append(record)
        return Outcome(record["Id"], True, True)
    if operation in ("delete", "hardDelete"):
        record_id = body.get("Id")
        if not record_id:
            raise SalesforceError("MISSING_ARGUMENT", "Id not specified in a delete call", [])
        return Outcome(crud.delete(w, obj, str(record_id)), True, False)
    if operation == "update":
        values = dict(body)
        record_id = values.pop("Id", None)
        if not record_id:
            raise SalesforceError("MISSING_ARGUMENT", "Id not specified in an update call",
                                  [])
        return Outcome(crud.update(w, obj, str(record_id), values), True, False)
    assert external_field is not None
    values = dict(body)
    key = next((k for k in values if k.lower() == external_field.lower()), None)
    value = values.pop(key) if key else None
    if value in (None, ""):
        raise SalesforceError("MISSING_ARGUMENT", f"{external_field} not specified", [])
    if pending:  # the batch's new records first: a later record may upsert onto one
        crud.insert(w, obj, pending)
        pending.clear()
    record_id, created = crud.upsert(w, obj, external_field, str(value), values)
    return Outcome(record_id, True, created)

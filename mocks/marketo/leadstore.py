"""The person store: reading persons, and the one write path every change goes through.

Whoever changes a person (the REST API, an admin acting as a form or a flow, Marketo's own
Salesforce sync) calls :func:`write_leads` or :func:`delete_leads` with a ``source``, so
every new person gets a New Lead activity and every changed field a Change Data Value
with its old and new value, written in the same transaction as the change itself.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from fixtures.marketo_types import CHANGE_DATA_VALUE, NEW_LEAD
from mocks.marketo import activitylog
from mocks.marketo.activitylog import DELETE_LEAD, NewActivity
from mocks.marketo.envelope import reason
from mocks.marketo.fields import FieldCatalogue, FieldValueError, LeadField
from mocks.marketo.sources import ChangeSource

ACTIONS = ("createOrUpdate", "createOnly", "updateOnly", "createDuplicate")
MAX_MATCHES = 1000
MEMBERSHIP_TABLES = ("list_members", "program_members")


# --- reading --------------------------------------------------------------------------

def _where(field_name: str, count: int) -> str:
    marks = ",".join("?" * count)
    if field_name == "email":
        return f'"email" COLLATE NOCASE IN ({marks})'
    return f'"{field_name}" IN ({marks})'


def count_matches(conn, field_name: str, values: Sequence, cap: int = MAX_MATCHES + 1) -> int:
    """How many persons match, counting no further than ``cap``."""
    return conn.execute(
        f'SELECT count(*) FROM (SELECT 1 FROM "leads" WHERE {_where(field_name, len(values))} '
        "LIMIT ?)", [*values, cap]).fetchone()[0]


def record_sql(fields: Sequence[LeadField]) -> str:
    """An SQL expression that makes a person's record as the API shows it, in JSON.

    SQLite writes the JSON itself (several times faster than building dicts in Python and
    encoding them), and ``json_patch`` onto ``{}`` drops the empty fields, which Marketo
    leaves out of a record.
    """
    return _record_sql(tuple((f.name, f.data_type) for f in fields))


@functools.lru_cache(maxsize=256)
def _record_sql(fields: tuple[tuple[str, str], ...]) -> str:
    members = []
    for name, data_type in fields:
        value = f'"{name}"'
        if data_type == "boolean":
            value = (f"json(CASE WHEN {value} IS NULL THEN NULL WHEN {value} THEN 'true' "
                     "ELSE 'false' END)")
        members.append(f"'{name}', {value}")
    return f"json_patch('{{}}', json_object({', '.join(members)}))"


def find(conn, field_name: str, values: Sequence, fields: Sequence[LeadField], after_id: int,
         batch: int) -> tuple[list[tuple[int, str]], bool]:
    """``(id, record JSON)`` of persons whose field is one of ``values``, by id after
    ``after_id``; and whether there are more."""
    rows = conn.execute(
        f'SELECT "id", {record_sql(fields)} FROM "leads" '
        f'WHERE {_where(field_name, len(values))} AND "id" > ? ORDER BY "id" LIMIT ?',
        [*values, after_id, batch + 1]).fetchall()
    return rows[:batch], len(rows) > batch


# --- writing ----------------------------------------------------------------------------

@dataclass
class WriteRequest:
    records: Sequence
    action: str = "createOrUpdate"
    lookup: str = "email"
    source: ChangeSource | None = None
    system: bool = False  # Marketo's own processes may write the read-only fields
    partition: int | None = None  # the lead partition of new persons (None: Default)


def next_lead_id(conn) -> int:
    # a deleted person's id is never handed out again: its Delete Lead activity keeps it
    return conn.execute(
        'SELECT max(coalesce((SELECT max(id) FROM "leads"), 0), '
        'coalesce((SELECT max("leadId") FROM "activities"), 0)) + 1').fetchone()[0]


def _skipped(code: str, message: str | None = None) -> dict:
    return {"status": "skipped", "reasons": [reason(code, message)]}


class _Writer:
    def __init__(self, db, catalogue: FieldCatalogue, request: WriteRequest, now: str) -> None:
        self.conn = db.conn
        self.db = db
        self.catalogue = catalogue
        self.request = request
        self.source = request.source
        self.now = now
        self.lookup = catalogue.get(request.lookup)
        self.activities: list[NewActivity] = []
        self._next_id: int | None = None

    def run(self) -> list[dict]:
        results = [self._one(record) for record in self.request.records]
        activitylog.append(self.db, self.activities)
        return results

    # -- one record ------------------------------------------------------------------------
    def _one(self, record) -> dict:
        if not isinstance(record, dict):
            return _skipped("1003", "Invalid data: a record must be a JSON object")
        action, lookup = self.request.action, self.lookup
        values: dict[str, object] = {}
        given_id = None
        for key, raw in record.items():
            field = self.catalogue.get(str(key))
            if field is None:
                return _skipped("1006", f"Field '{key}' not found")
            if field.name == "id":
                given_id = raw  # a lookup key, never a value to write
                continue
            if field.read_only and not self.request.system and field is not lookup:
                return _skipped("1003", f"Field '{field.name}' is not updateable")
            try:
                values[field.name] = field.to_db(raw)
            except FieldValueError as exc:
                return _skipped("1001", str(exc))
        if given_id is not None and (action in ("createOnly", "createDuplicate")
                                     or lookup.name != "id"):
            return _skipped("1003", "Invalid data: 'id' can only be given to update a person "
                                    "looked up by id")
        if action == "createDuplicate":
            return self._create(values)
        key = given_id if lookup.name == "id" else values.get(lookup.name)
        if key is None or key == "":
            if action == "createOnly":
                return self._create(values)
            return _skipped("1003", f"Value for lookup field '{lookup.name}' not found")
        try:
            key = lookup.to_db(key)
        except FieldValueError as exc:
            return _skipped("1001", str(exc))
        matches = [row[0] for row in self.conn.execute(
            f'SELECT id FROM "leads" WHERE {_where(lookup.name, 1)} ORDER BY id LIMIT 2',
            [key])]
        if action == "createOnly":
            return _skipped("1005", "Lead already exists") if matches else self._create(values)
        if len(matches) > 1:
            return _skipped("1007", "Multiple lead match lookup criteria")
        if matches:
            return self._update(matches[0], values)
        if action == "updateOnly" or lookup.name == "id":
            return _skipped("1004", "Lead not found")
        return self._create(values)

    def _create(self, values: dict) -> dict:
        if self._next_id is None:
            self._next_id = next_lead_id(self.conn)
        lead_id = self._next_id
        self._next_id += 1
        row = {**values, "id": lead_id}
        if self.request.partition is not None:
            row.setdefault("leadPartitionId", self.request.partition)
        row.setdefault("createdAt", self.now)
        row.setdefault("updatedAt", row["createdAt"])
        names = list(row)
        cols = ", ".join(f'"{n}"' for n in names)
        self.conn.execute(f'INSERT INTO "leads" ({cols}) VALUES ({",".join("?" * len(names))})',
                          [row[n] for n in names])
        sfdc_type = row.get("sfdcType")
        self.activities.append(NewActivity(
            leadId=lead_id, activityDate=self.now, activityTypeId=NEW_LEAD,
            attributes=[{"name": "Source Type", "value": self.source.source_type},
                        {"name": "Lead Source", "value": row.get("leadSource")},
                        {"name": "SFDC Type", "value": sfdc_type},
                        {"name": "Created Date", "value": self.now[:10]}],
            fields=[]))
        return {"id": lead_id, "status": "created"}

    def _update(self, lead_id: int, values: dict) -> dict:
        if values:
            names = list(values)
            cols = ", ".join(f'"{n}"' for n in names)
            current = self.conn.execute(f'SELECT {cols} FROM "leads" WHERE id = ?',
                                        [lead_id]).fetchone()
            changed = {n: (old, values[n]) for n, old in zip(names, current, strict=True)
                       if old != values[n]}
            # the record's own dates (set by Marketo's processes only) are no data change
            stamps = {n: changed.pop(n)[1] for n in ("createdAt", "updatedAt") if n in changed}
            if changed or stamps:
                sets = {n: new for n, (_old, new) in changed.items()}
                if changed:
                    sets["updatedAt"] = self.now
                sets.update(stamps)
                assignments = ", ".join(f'"{n}" = ?' for n in sets)
                self.conn.execute(f'UPDATE "leads" SET {assignments} WHERE id = ?',
                                  [*sets.values(), lead_id])
                for name, (old, new) in changed.items():
                    self.activities.append(self._change(lead_id, self.catalogue.get(name),
                                                        old, new))
        return {"id": lead_id, "status": "updated"}

    def _change(self, lead_id: int, field: LeadField, old, new) -> NewActivity:
        old_text, new_text = field.to_text(old), field.to_text(new)
        return NewActivity(
            leadId=lead_id, activityDate=self.now, activityTypeId=CHANGE_DATA_VALUE,
            primaryAttributeValueId=field.id, primaryAttributeValue=field.display,
            attributes=[{"name": "New Value", "value": new_text},
                        {"name": "Old Value", "value": old_text},
                        {"name": "Reason", "value": self.source.reason},
                        {"name": "Source", "value": self.source.source}],
            fields=[{"id": field.id, "name": field.name, "newValue": new_text,
                     "oldValue": old_text}])


def write_leads(db, catalogue: FieldCatalogue, request: WriteRequest, now: str) -> list[dict]:
    """Create or update persons; one result per record, in order (the caller's transaction)."""
    return _Writer(db, catalogue, request, now).run()


def delete_leads(db, lead_ids: Sequence[int], now: str) -> list[dict]:
    """Delete persons and their activities; each leaves a Delete Lead activity behind."""
    conn = db.conn
    results, deleted = [], []
    for lead_id in lead_ids:
        row = conn.execute('SELECT "firstName", "lastName", "email" FROM "leads" WHERE id = ?',
                           [lead_id]).fetchone()
        if row is None or lead_id in {d.leadId for d in deleted}:
            results.append({"id": lead_id, **_skipped("1004", "Lead not found")})
            continue
        name = " ".join(p for p in row[:2] if p) or row[2] or str(lead_id)
        deleted.append(NewActivity(leadId=lead_id, activityDate=now,
                                   activityTypeId=DELETE_LEAD, primaryAttributeValueId=lead_id,
                                   primaryAttributeValue=name,
                                   attributes=[{"name": "Remove from CRM", "value": False}]))
        results.append({"id": lead_id, "status": "deleted"})
    if deleted:
        ids = [d.leadId for d in deleted]
        marks = ",".join("?" * len(ids))
        conn.execute(f'DELETE FROM "leads" WHERE id IN ({marks})', ids)
        conn.execute(f'DELETE FROM "activities" WHERE "leadId" IN ({marks})', ids)
        for table in MEMBERSHIP_TABLES:  # a deleted person is no member of anything
            conn.execute(f'DELETE FROM "{table}" WHERE "leadId" IN ({marks})', ids)
        activitylog.append(db, deleted)
    return results

"""Field metadata, and the program member fields (standard and custom).

The ``schema/fields`` calls describe a field by its display name, a description and three
flags (hidden, HTML-encoded in email, sensitive). Update Lead Field and Update Program
Member Field change those five and nothing else: a field's name and data type never
change. What an update sets is kept in ``field_metadata``, one row a field, and laid over
the declarative tables (:data:`mocks.marketo.fields.STANDARD_FIELDS`,
:data:`MEMBER_FIELDS`) whenever a catalogue is read, so describe, the field schema and the
exports agree.

Program members have the standard fields below and at most 20 custom ones, made by Create
Program Member Fields with the data types Marketo allows them. A custom field is a column
of ``program_members`` named as the field (listed in ``program_member_fields``): written
by Sync Program Member Data, read by the member query and the bulk member export. A
person field and a program member custom field never share a name, as in Marketo.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from fixtures.world import TableSpec
from mocks.core.store import Store
from mocks.marketo.envelope import ApiError, blank, reason
from mocks.marketo.fields import LeadField

METADATA = "field_metadata"
MEMBER_CUSTOM = "program_member_fields"
MEMBERS = "program_members"
TABLES: dict[str, TableSpec] = {
    METADATA: TableSpec(METADATA, (
        ("key", "TEXT"), ("displayName", "TEXT"), ("description", "TEXT"),
        ("isHidden", "INTEGER"), ("isHtmlEncodingInEmail", "INTEGER"),
        ("isSensitive", "INTEGER")), "key"),
    MEMBER_CUSTOM: TableSpec(MEMBER_CUSTOM, (
        ("id", "INTEGER"), ("name", "TEXT"), ("displayName", "TEXT"), ("dataType", "TEXT")),
        "id"),
}

#: what an update may change: the attribute and the JSON type it takes
UPDATABLE: dict[str, type] = {"displayName": str, "description": str, "isHidden": bool,
                              "isHtmlEncodingInEmail": bool, "isSensitive": bool}
#: the data types a program member custom field may have (Marketo's Field Management)
MEMBER_TYPES = ("boolean", "date", "datetime", "float", "integer", "string", "url")
MAX_MEMBER_CUSTOM = 20
_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")

#: a program member field: (REST name, display name, data type, column)
MemberField = tuple[str, str, str, str]
MEMBER_FIELDS: tuple[MemberField, ...] = (
    ("leadId", "Lead Id", "integer", "leadId"),
    ("programId", "Program Id", "integer", "programId"),
    ("statusName", "Status", "string", "progressionStatus"),
    ("reachedSuccess", "Success", "boolean", "reachedSuccess"),
    ("acquiredBy", "Acquired By", "boolean", "acquiredBy"),
    ("isExhausted", "Exhausted", "boolean", "isExhausted"),
    ("membershipDate", "Membership Date", "datetime", "membershipDate"),
    ("nurtureCadence", "Nurture Cadence", "string", "nurtureCadence"),
    ("stream", "Stream", "string", "stream"),
    ("createdAt", "Created At", "datetime", "createdAt"),
    ("updatedAt", "Updated At", "datetime", "updatedAt"),
)


def _key(area: str, name: str) -> str:
    return f"{area}/{name}"


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def read_metadata(conn, area: str) -> dict[str, dict]:
    """What updates set on the fields of ``area`` ("leads", "programMembers"), by name."""
    prefix = _key(area, "")
    columns = list(UPDATABLE)
    found: dict[str, dict] = {}
    for key, *values in conn.execute(
            f'SELECT key, {_quoted(columns)} FROM "{METADATA}" '
            "WHERE substr(key, 1, ?) = ?", [len(prefix), prefix]):
        found[key[len(prefix):]] = {
            column: bool(value) if UPDATABLE[column] is bool else value
            for column, value in zip(columns, values, strict=True) if value is not None}
    return found


def check_update(body: dict, field: LeadField, others: Sequence[LeadField]) -> dict:
    """The changes an Update Field body asks for (``input``: one object of the five
    attributes); 701 for none, 1003 for anything else wrong, before anything is written."""
    records = body.get("input")
    if not records:
        raise ApiError("701", "input cannot be blank")
    if not isinstance(records, list) or len(records) != 1 or not isinstance(records[0], dict):
        raise ApiError("1003", "input is a list of one object: the field's new attributes")
    changes = {}
    for key, value in records[0].items():
        if key == "name" and value == field.name:
            continue  # naming the field again changes nothing
        kind = UPDATABLE.get(key)
        if kind is None:
            raise ApiError("1003", f"Field attribute '{key}' cannot be updated: one of "
                                   f"{', '.join(UPDATABLE)}")
        if not isinstance(value, kind):
            raise ApiError("1003", f"Invalid value for '{key}': "
                                   f"{'true or false' if kind is bool else 'a string'}")
        changes[key] = value
    if not changes:
        raise ApiError("701", f"input cannot be blank: give one of {', '.join(UPDATABLE)}")
    display = changes.get("displayName")
    if display is not None:
        check_display(display, others)
    return changes


def check_display(display: str, others: Sequence[LeadField]) -> None:
    if not display.strip() or len(display) > 255:
        raise ApiError("1003", "displayName must be 1 to 255 characters")
    if re.search(r"[<>\"\\{}\[\]]", display):
        raise ApiError("1003", f"Invalid displayName '{display}': no special characters")
    taken = next((f for f in others if f.display.lower() == display.strip().lower()), None)
    if taken is not None:
        raise ApiError("1003", f"displayName '{display}' is already the display name of "
                               f"field '{taken.name}'")


def save_metadata(conn, area: str, name: str, changes: dict) -> None:
    columns = list(changes)
    values = [int(v) if isinstance(v, bool) else v for v in changes.values()]
    conn.execute(
        f'INSERT INTO "{METADATA}" (key, {_quoted(columns)}) '
        f'VALUES (?, {", ".join("?" * len(columns))}) ON CONFLICT (key) DO UPDATE SET '
        + ", ".join(f'"{c}" = excluded."{c}"' for c in columns),
        [_key(area, name), *values])


def metadata_of(spec: dict) -> dict:
    """The optional attributes of a new field (description and the flags), checked."""
    meta = {}
    for key in ("description", "isHidden", "isHtmlEncodingInEmail", "isSensitive"):
        if spec.get(key) is None:
            continue
        if not isinstance(spec[key], UPDATABLE[key]):
            raise ValueError(f"Invalid value for '{key}': "
                             f"{'true or false' if UPDATABLE[key] is bool else 'a string'}")
        meta[key] = spec[key]
    return meta


class MemberFields:
    """The program member field catalogue: standard fields, then custom ones in the order
    they were made, each with the display name an update gave it."""

    def __init__(self, store: Store, person_field: Callable[[str], LeadField | None]
                 ) -> None:
        self.store = store
        self._person_field = person_field  # the lead catalogue's lookup, read when called

    def _custom_rows(self, conn) -> list[tuple[str, str, str]]:
        return conn.execute(f'SELECT name, displayName, dataType FROM "{MEMBER_CUSTOM}" '
                            "ORDER BY id").fetchall()

    def all(self) -> tuple[MemberField, ...]:
        conn = self.store.db.conn
        meta = read_metadata(conn, "programMembers")
        fields = [*MEMBER_FIELDS, *((n, d, t, n) for n, d, t in self._custom_rows(conn))]
        return tuple((n, meta.get(n, {}).get("displayName", d), t, c) for n, d, t, c in fields)

    def get(self, name: str) -> MemberField | None:
        folded = name.lower()
        return next((f for f in self.all() if f[0].lower() == folded), None)

    def custom_names(self) -> set[str]:
        return {row[0] for row in self._custom_rows(self.store.db.conn)}

    def is_custom(self, name: str) -> bool:
        return name.lower() in {n.lower() for n in self.custom_names()}

    def value_field(self, field: MemberField) -> LeadField:
        """The field as a :class:`LeadField`, to check and store a value a client sends."""
        name, display, kind, _column = field
        custom = name in self.custom_names()
        return LeadField(0, name, display, kind, 255 if kind in ("string", "url") else None,
                         read_only=not custom, custom=custom)

    def schema_fields(self) -> list[LeadField]:
        """Every field as the ``schema/fields`` calls describe it."""
        meta = read_metadata(self.store.db.conn, "programMembers")
        return [self.value_field(f).with_metadata(meta.get(f[0], {})) for f in self.all()]

    # --- the writes -------------------------------------------------------------------
    def create(self, specs: list) -> list[dict]:
        """Create Program Member Fields: each field made, or skipped with its reason."""
        results = []
        with self.store.transaction() as db:
            for spec in specs:
                try:
                    name, display, kind, meta = self._check_new(db.conn, spec)
                except ApiError as exc:  # this field is skipped; the others go on
                    name = spec.get("name") if isinstance(spec, dict) else None
                    results.append({"name": name if isinstance(name, str) else None,
                                    "status": "skipped",
                                    "reasons": [reason(exc.code, exc.message)]})
                    continue
                number = db.conn.execute(f'SELECT coalesce(max(id), 0) + 1 FROM '
                                         f'"{MEMBER_CUSTOM}"').fetchone()[0]
                db.conn.execute(f'INSERT INTO "{MEMBER_CUSTOM}" (id, name, displayName, '
                                'dataType) VALUES (?, ?, ?, ?)', [number, name, display, kind])
                column_type = {"integer": "INTEGER", "boolean": "INTEGER",
                               "float": "REAL"}.get(kind, "TEXT")
                db.conn.execute(f'ALTER TABLE "{MEMBERS}" ADD COLUMN "{name}" {column_type}')
                if meta:
                    save_metadata(db.conn, "programMembers", name, meta)
                results.append({"name": name, "status": "created"})
        return results

    def _check_new(self, conn, spec) -> tuple[str, str, str, dict]:
        if not isinstance(spec, dict):
            raise ApiError("1003", "a field is an object with name, displayName and dataType")
        name, display, kind = spec.get("name"), spec.get("displayName"), spec.get("dataType")
        if not isinstance(name, str) or not _API_NAME.match(name):
            raise ApiError("1003", "name is the field's API name: a letter, then letters, "
                                   "digits or '_', at most 50 characters")
        if kind not in MEMBER_TYPES:
            raise ApiError("1003", f"Invalid dataType '{kind}' for a program member field: "
                                   f"one of {', '.join(MEMBER_TYPES)}")
        if not isinstance(display, str):
            raise blank("displayName")
        columns = {c[1].lower() for c in conn.execute(f'PRAGMA table_info("{MEMBERS}")')}
        if self.get(name) is not None or name.lower() in columns:
            raise ApiError("1003", f"Field '{name}' already exists")
        if self._person_field(name) is not None:
            raise ApiError("1003", f"Field '{name}' is a person field: a program member "
                                   "field cannot share its name")
        if len(self._custom_rows(conn)) >= MAX_MEMBER_CUSTOM:
            raise ApiError("1028", f"Program members have at most {MAX_MEMBER_CUSTOM} "
                                   "custom fields")
        check_display(display, self.schema_fields())
        try:
            meta = metadata_of(spec)
        except ValueError as exc:
            raise ApiError("1003", str(exc)) from None
        return name, display.strip(), kind, meta

    def update(self, name: str, body: dict) -> list[dict]:
        """Update Program Member Field: the five attributes of one field."""
        field = self.get(name)
        if field is None:
            raise ApiError("1006", f"Field '{name}' not found")
        fields = self.schema_fields()
        this = next(f for f in fields if f.name == field[0])
        changes = check_update(body, this, [f for f in fields if f is not this])
        with self.store.transaction() as db:
            save_metadata(db.conn, "programMembers", field[0], changes)
        return [{"name": field[0], "status": "updated"}]


def update_lead_field(store: Store, fields: Sequence[LeadField], name: str, body: dict
                      ) -> list[dict]:
    """Update Lead Field: the five attributes of one person field (its catalogue is read
    again by the caller)."""
    folded = name.lower()
    field = next((f for f in fields if f.name.lower() == folded), None)
    if field is None:
        raise ApiError("1006", f"Field '{name}' not found")
    changes = check_update(body, field, [f for f in fields if f is not field])
    with store.transaction() as db:
        save_metadata(db.conn, "leads", field.name, changes)
    return [{"name": field.name, "status": "updated"}]

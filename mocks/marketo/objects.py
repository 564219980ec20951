"""The Lead Database's other objects, built once: companies, sales persons, opportunities,
opportunity roles, named accounts and named account lists.

They share one shape, so one :class:`ObjectStore` serves them all, each described by a
declarative :class:`ObjectKind` (its fields, id field, dedupe fields, searchable fields):

- ``describe``: the object's metadata;
- ``query``: records by a filter type (a searchable field, ``idField`` or
  ``dedupeFields``) and values, or by compound keys (a JSON body with ``input``), 300 a
  page by paging token;
- ``sync``: ``createOnly``, ``updateOnly`` or ``createOrUpdate``, deduplicated by the dedupe
  fields or the id field, a ``seq`` and a status per record;
- ``delete``: by dedupe fields or id field.

Values go through the same typed fields as persons (:class:`~mocks.marketo.fields.LeadField`),
so types and string lengths are checked the same way. Records are rows of one table per
kind; ``marketoGUID`` is derived from the kind and the row id, so the same calls on the
same world give the same GUIDs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from fixtures.world import TableSpec
from mocks.core.clock import Clock
from mocks.core.store import Store
from mocks.marketo.envelope import ApiError, blank, reason
from mocks.marketo.fields import FieldValueError, LeadField
from mocks.marketo.paging import page_of, start_after

ACTIONS = ("createOnly", "updateOnly", "createOrUpdate")
_SYSTEM = ("id", "marketoGUID", "createdAt", "updatedAt")


@dataclass(frozen=True)
class ObjectKind:
    name: str  # the API's name: "company", "opportunity", ...
    table: str
    display: str
    plural: str
    id_field: str  # "id" or "marketoGUID"
    dedupe: tuple[str, ...]
    searchable: tuple[tuple[str, ...], ...]
    fields: tuple[LeadField, ...]
    actions: tuple[str, ...] = ACTIONS

    def field(self, name: str) -> LeadField | None:
        folded = name.lower()
        return next((f for f in self.fields if f.name.lower() == folded), None)

    def spec(self) -> TableSpec:
        columns = [("id", "INTEGER"), ("marketoGUID", "TEXT")]
        columns += [(f.name, f.sql_type) for f in self.fields if f.name not in ("id",
                                                                               "marketoGUID")]
        return TableSpec(self.table, tuple(columns), "id")

    def describe(self) -> dict:
        return {"name": self.name, "displayName": self.display, "pluralName": self.plural,
                "description": f"{self.display} objects", "createdAt": "2024-01-01T00:00:00Z",
                "updatedAt": "2024-01-01T00:00:00Z", "idField": self.id_field,
                "dedupeFields": list(self.dedupe),
                "searchableFields": [list(s) for s in self.searchable],
                "relationships": [], "fields": [f.describe2() for f in self.fields]}


def _f(n: int, name: str, display: str, kind: str = "string", length: int | None = 255,
       ro: bool = False) -> LeadField:
    return LeadField(n, name, display, kind, length if kind in ("string", "email", "url",
                                                                "phone") else None, ro)


_STAMPS = (_f(98, "createdAt", "Created At", "datetime", ro=True),
           _f(99, "updatedAt", "Updated At", "datetime", ro=True))
_GUID = _f(1, "marketoGUID", "Marketo GUID", "string", 36, ro=True)

KINDS: dict[str, ObjectKind] = {k.name: k for k in (
    ObjectKind("company", "companies", "Company", "Companies", "id", ("externalCompanyId",),
               (("externalCompanyId",), ("id",), ("company",)), (
        _f(1, "id", "Id", "integer", ro=True), _f(2, "externalCompanyId", "External Company Id",
                                                 length=100),
        _f(3, "company", "Company Name"), _f(4, "website", "Website", "url"),
        _f(5, "mainPhone", "Main Phone", "phone"), _f(6, "annualRevenue", "Annual Revenue",
                                                      "currency"),
        _f(7, "numberOfEmployees", "Num Employees", "integer"), _f(8, "industry", "Industry"),
        _f(9, "sicCode", "SIC Code", length=40), _f(10, "billingStreet", "Billing Address",
                                                    "text"),
        _f(11, "billingCity", "Billing City"), _f(12, "billingState", "Billing State"),
        _f(13, "billingCountry", "Billing Country"),
        _f(14, "billingPostalCode", "Billing Postal Code"),
        _f(15, "externalSalesPersonId", "External Sales Person Id", length=100), *_STAMPS)),
    ObjectKind("salesPerson", "salespersons", "Sales Person", "Sales Persons", "id",
               ("externalSalesPersonId",), (("externalSalesPersonId",), ("id",), ("email",)), (
        _f(1, "id", "Id", "integer", ro=True),
        _f(2, "externalSalesPersonId", "External Sales Person Id", length=100),
        _f(3, "email", "Email", "email"), _f(4, "firstName", "First Name"),
        _f(5, "lastName", "Last Name"), _f(6, "phone", "Phone", "phone"),
        _f(7, "title", "Title"), _f(8, "mobilePhone", "Mobile Phone", "phone"),
        _f(9, "fax", "Fax", "phone"), *_STAMPS)),
    ObjectKind("opportunity", "opportunities", "Opportunity", "Opportunities", "marketoGUID",
               ("externalOpportunityId",), (("externalOpportunityId",), ("marketoGUID",),
                                            ("externalCompanyId",), ("externalSalesPersonId",)),
               (_GUID, _f(2, "externalOpportunityId", "External Opportunity Id", length=50),
                _f(3, "name", "Name"), _f(4, "description", "Description", "text"),
                _f(5, "type", "Type"), _f(6, "stage", "Stage"), _f(7, "amount", "Amount",
                                                                  "currency"),
                _f(8, "closeDate", "Close Date", "date"), _f(9, "isClosed", "Is Closed",
                                                             "boolean"),
                _f(10, "isWon", "Is Won", "boolean"), _f(11, "probability", "Probability",
                                                         "integer"),
                _f(12, "fiscalYear", "Fiscal Year", "integer"),
                _f(13, "fiscalQuarter", "Fiscal Quarter", "integer"),
                _f(14, "leadSource", "Lead Source"), _f(15, "nextStep", "Next Step"),
                _f(16, "expectedRevenue", "Expected Revenue", "currency"),
                _f(17, "externalCompanyId", "External Company Id", length=100),
                _f(18, "externalSalesPersonId", "External Sales Person Id", length=100),
                *_STAMPS)),
    ObjectKind("opportunityRole", "opportunity_roles", "Opportunity Role", "Opportunity Roles",
               "marketoGUID", ("externalOpportunityId", "leadId"),
               (("marketoGUID",), ("externalOpportunityId", "leadId"), ("leadId",),
                ("externalOpportunityId",)),
               (_GUID, _f(2, "externalOpportunityId", "External Opportunity Id", length=50),
                _f(3, "leadId", "Lead Id", "integer"), _f(4, "role", "Role"),
                _f(5, "isPrimary", "Is Primary", "boolean"), *_STAMPS)),
    ObjectKind("namedAccount", "named_accounts", "Named Account", "Named Accounts",
               "marketoGUID", ("name",), (("name",), ("marketoGUID",), ("domainName",)),
               (_GUID, _f(2, "name", "Name"), _f(3, "domainName", "Domain Name"),
                _f(4, "annualRevenue", "Annual Revenue", "currency"),
                _f(5, "numberOfEmployees", "Number of Employees", "integer"),
                _f(6, "industry", "Industry"), _f(7, "sicCode", "SIC Code", length=40),
                _f(8, "city", "City"), _f(9, "state", "State"), _f(10, "country", "Country"),
                _f(11, "accountOwnerId", "Account Owner Id", "integer"),
                _f(12, "logoUrl", "Logo URL", "url"), *_STAMPS)),
    ObjectKind("namedAccountList", "named_account_lists", "Named Account List",
               "Named Account Lists", "marketoGUID", ("name",), (("name",), ("marketoGUID",)),
               (_GUID, _f(2, "name", "Name"), _f(3, "type", "Type", ro=True),
                _f(4, "updateable", "Updateable", "boolean", ro=True), *_STAMPS),
               ("createOnly", "updateOnly")),
)}
LIST_MEMBERS = "named_account_list_members"
LIST_MEMBERS_SPEC = TableSpec(LIST_MEMBERS, (("listGUID", "TEXT"), ("accountGUID", "TEXT"),
                                             ("createdAt", "TEXT")), "")


class ObjectStore:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def _now(self) -> str:
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    @staticmethod
    def _guid(kind: ObjectKind, ident: int) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"siasim:{kind.name}:{ident}"))

    # --- reading ------------------------------------------------------------------------
    def _record_sql(self, kind: ObjectKind, fields: Sequence[LeadField]) -> str:
        members = []
        for f in fields:
            value = f'"{f.name}"'
            if f.data_type == "boolean":
                value = (f"json(CASE WHEN {value} IS NULL THEN NULL WHEN {value} THEN 'true' "
                         "ELSE 'false' END)")
            members.append(f"'{f.name}', {value}")
        return f"json_patch('{{}}', json_object({', '.join(members)}))"

    def fields_for(self, kind: ObjectKind, names: Sequence[str]) -> list[LeadField]:
        wanted = list(names) or [kind.id_field, *kind.dedupe, "createdAt", "updatedAt"]
        chosen = [kind.field(kind.id_field)]
        for name in wanted:
            field = kind.field(name)
            if field is None:
                raise ApiError("1006", f"Field '{name}' not found")
            if field not in chosen:
                chosen.append(field)
        return chosen

    def _key_fields(self, kind: ObjectKind, filter_type: str) -> list[LeadField]:
        if filter_type in ("idField", "idFields"):
            return [kind.field(kind.id_field)]
        if filter_type == "dedupeFields":
            return [kind.field(n) for n in kind.dedupe]
        field = kind.field(filter_type)
        if field is None or not any(s == (field.name,) for s in kind.searchable):
            raise ApiError("1003", f"Invalid filterType '{filter_type}': the searchable fields "
                                   f"are {', '.join('/'.join(s) for s in kind.searchable)}")
        return [field]

    def query(self, kind: ObjectKind, filter_type: str, values: Sequence, names: Sequence[str],
              batch: int, token: str | None) -> tuple[list[str], str | None]:
        """``values`` are plain values for a single key, or objects for a compound one."""
        keys = self._key_fields(kind, filter_type)
        if not values:
            raise blank("filterValues")
        if len(values) > 300:
            raise ApiError("1003", "Too many filterValues: at most 300")
        where, params = [], []
        for value in values:
            if len(keys) == 1 and not isinstance(value, dict):
                value = {keys[0].name: value}
            if not isinstance(value, dict):
                raise ApiError("1003", "a compound key is given as input objects")
            try:
                parts = [(f, f.to_db(value.get(f.name))) for f in keys]
            except FieldValueError as exc:
                raise ApiError("1001", str(exc)) from None
            where.append("(" + " AND ".join(f'"{f.name}" = ?' for f, _v in parts) + ")")
            params += [v for _f, v in parts]
        fields = self.fields_for(kind, names)
        rows = self.store.db.conn.execute(
            f'SELECT id, {self._record_sql(kind, fields)} FROM "{kind.table}" '
            f'WHERE ({" OR ".join(where)}) AND id > ? ORDER BY id LIMIT ?',
            [*params, start_after(token), batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        return [f'{{"seq":{n},{r[1][1:]}' for n, r in enumerate(page)], next_token

    # --- writing ------------------------------------------------------------------------
    def _find(self, conn, kind: ObjectKind, keys: list[LeadField], record: dict):
        values = []
        for f in keys:
            if record.get(f.name) in (None, ""):
                return None, f"Value for {'/'.join(k.name for k in keys)} not found"
            values.append(f.to_db(record[f.name]))
        row = conn.execute(f'SELECT id, marketoGUID FROM "{kind.table}" WHERE '
                           + " AND ".join(f'"{f.name}" = ?' for f in keys), values).fetchone()
        return row, None

    def _result(self, kind: ObjectKind, seq: int, row_id: int, guid: str, status: str) -> dict:
        key = row_id if kind.id_field == "id" else guid
        return {"seq": seq, kind.id_field: key, "status": status}

    def sync(self, kind: ObjectKind, action: str, dedupe_by: str, records: Sequence
             ) -> list[dict]:
        if action not in kind.actions:
            raise ApiError("1003", f"Invalid action '{action}': one of {', '.join(kind.actions)}")
        if dedupe_by not in ("dedupeFields", "idField"):
            raise ApiError("1003", f"Invalid dedupeBy '{dedupe_by}': dedupeFields or idField")
        keys = self._key_fields(kind, dedupe_by)
        now = self._now()
        results = []
        with self.store.transaction() as db:
            conn = db.conn
            for seq, record in enumerate(records):
                results.append(self._sync_one(conn, kind, action, keys, seq, record, now))
        return results

    def _sync_one(self, conn, kind: ObjectKind, action: str, keys: list[LeadField], seq: int,
                  record, now: str) -> dict:
        def skipped(code: str, message: str) -> dict:
            return {"seq": seq, "status": "skipped", "reasons": [reason(code, message)]}

        if not isinstance(record, dict):
            return skipped("1003", "a record must be a JSON object")
        values = {}
        key_names = {f.name for f in keys}
        for name, raw in record.items():
            field = kind.field(str(name))
            if field is None:
                return skipped("1006", f"Field '{name}' not found")
            if (field.name in _SYSTEM or field.read_only) and field.name not in key_names:
                return skipped("1003", f"Field '{field.name}' is not updateable")
            try:
                values[field.name] = field.to_db(raw)
            except FieldValueError as exc:
                return skipped("1001", str(exc))
        try:
            row, missing = self._find(conn, kind, keys, record)
        except FieldValueError as exc:
            return skipped("1001", str(exc))
        if missing and (action != "createOnly" or keys[0].name in _SYSTEM):
            return skipped("1003", missing)
        if row is not None:
            if action == "createOnly":
                return skipped("1005", f"{kind.display} already exists")
            changes = {k: v for k, v in values.items() if k not in key_names}
            if changes:
                sets = ", ".join(f'"{k}" = ?' for k in changes)
                conn.execute(f'UPDATE "{kind.table}" SET {sets}, "updatedAt" = ? WHERE id = ?',
                             [*changes.values(), now, row[0]])
            return self._result(kind, seq, row[0], row[1], "updated")
        if action == "updateOnly" or keys[0].name in _SYSTEM:
            return skipped("1013", f"{kind.display} not found")
        ident = conn.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{kind.table}"').fetchone()[0]
        guid = self._guid(kind, ident)
        row = {**values, "id": ident, "marketoGUID": guid, "createdAt": now, "updatedAt": now}
        if kind.name == "namedAccountList":
            row.update(type="default", updateable=1)
        names = list(row)
        cols = ", ".join(f'"{n}"' for n in names)
        conn.execute(f'INSERT INTO "{kind.table}" ({cols}) VALUES ({",".join("?" * len(names))})',
                     [row[n] for n in names])
        return self._result(kind, seq, ident, guid, "created")

    def delete(self, kind: ObjectKind, delete_by: str, records: Sequence) -> list[dict]:
        if delete_by not in ("dedupeFields", "idField"):
            raise ApiError("1003", f"Invalid deleteBy '{delete_by}': dedupeFields or idField")
        keys = self._key_fields(kind, delete_by)
        results = []
        with self.store.transaction() as db:
            for seq, record in enumerate(records):
                if not isinstance(record, dict):
                    results.append({"seq": seq, "status": "skipped", "reasons": [
                        reason("1003", "a record must be a JSON object")]})
                    continue
                try:
                    row, missing = self._find(db.conn, kind, keys, record)
                except FieldValueError as exc:
                    row, missing = None, str(exc)
                if row is None:
                    results.append({"seq": seq, "status": "skipped", "reasons": [
                        reason("1013", missing or f"{kind.display} not found")]})
                    continue
                db.conn.execute(f'DELETE FROM "{kind.table}" WHERE id = ?', [row[0]])
                if kind.name in ("namedAccount", "namedAccountList"):
                    column = "accountGUID" if kind.name == "namedAccount" else "listGUID"
                    db.conn.execute(f'DELETE FROM "{LIST_MEMBERS}" WHERE "{column}" = ?',
                                    [row[1]])
                results.append(self._result(kind, seq, row[0], row[1], "deleted"))
        return results

    # --- named account list members ----------------------------------------------------------
    def _list(self, conn, list_guid: str) -> None:
        if conn.execute('SELECT 1 FROM "named_account_lists" WHERE marketoGUID = ?',
                        [list_guid]).fetchone() is None:
            raise ApiError("1013", f"Named account list '{list_guid}' not found")

    def list_members(self, list_guid: str, names: Sequence[str], batch: int,
                     token: str | None) -> tuple[list[str], str | None]:
        kind = KINDS["namedAccount"]
        self._list(self.store.db.conn, list_guid)
        fields = self.fields_for(kind, names or ["marketoGUID", "name"])
        rows = self.store.db.conn.execute(
            f'SELECT id, {self._record_sql(kind, fields)} FROM "named_accounts" WHERE '
            f'marketoGUID IN (SELECT "accountGUID" FROM "{LIST_MEMBERS}" WHERE "listGUID" = ?)'
            " AND id > ? ORDER BY id LIMIT ?",
            [list_guid, start_after(token), batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        return [f'{{"seq":{n},{r[1][1:]}' for n, r in enumerate(page)], next_token

    def change_list(self, list_guid: str, records: Sequence, add: bool) -> list[dict]:
        results = []
        with self.store.transaction() as db:
            conn = db.conn
            self._list(conn, list_guid)
            for seq, record in enumerate(records):
                guid = record.get("marketoGUID") if isinstance(record, dict) else None
                exists = guid and conn.execute('SELECT 1 FROM "named_accounts" WHERE '
                                               "marketoGUID = ?", [guid]).fetchone()
                member = exists and conn.execute(
                    f'SELECT 1 FROM "{LIST_MEMBERS}" WHERE "listGUID" = ? AND "accountGUID" = ?',
                    [list_guid, guid]).fetchone()
                if not exists:
                    results.append({"seq": seq, "status": "skipped", "reasons": [
                        reason("1013", "Named account not found")]})
                elif add:
                    if not member:
                        conn.execute(f'INSERT INTO "{LIST_MEMBERS}" VALUES (?, ?, ?)',
                                     [list_guid, guid, self._now()])
                    results.append({"seq": seq, "marketoGUID": guid, "status": "added"})
                elif not member:
                    results.append({"seq": seq, "status": "skipped", "reasons": [
                        reason("1013", "Named account is not a member of the list")]})
                else:
                    conn.execute(f'DELETE FROM "{LIST_MEMBERS}" WHERE "listGUID" = ? AND '
                                 '"accountGUID" = ?', [list_guid, guid])
                    results.append({"seq": seq, "marketoGUID": guid, "status": "removed"})
        return results


def schema_field(field: LeadField) -> dict:
    """A field as the ``schema/fields`` calls describe it."""
    item = {"displayName": field.display, "name": field.name,
            "description": field.description, "dataType": field.data_type,
            "isHidden": field.hidden, "isHtmlEncodingInEmail": field.html_encoding,
            "isSensitive": field.sensitive, "isCustom": field.custom,
            "isApiCreated": field.custom}
    if field.length is not None:
        item["length"] = field.length
    return item


__all__ = ["KINDS", "LIST_MEMBERS_SPEC", "ObjectKind", "ObjectStore", "schema_field"]

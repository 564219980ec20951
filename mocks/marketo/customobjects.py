"""Custom objects: their types (a draft, changed, then approved), their records, and
their bulk export.

A type is one row of ``custom_object_types``: its live version and its draft, each a JSON
document (``displayName``, ``pluralName``, ``description``, ``showInLeadDetail``,
``fields``). Approving a draft makes it live and completes the table of its records
(``co_<apiName>``); the records themselves go through the one object shape of
:mod:`mocks.marketo.objects` with an :class:`~mocks.marketo.objects.ObjectKind` made from
the live version, so sync, query, delete and describe behave as for every object. A type
needs a dedupe field to be approved.
"""

from __future__ import annotations

import json
import re
from typing import TextIO

from mocks.core.clock import Clock
from mocks.core.schema import ensure_tables
from mocks.core.store import Store
from mocks.marketo.envelope import ApiError, blank
from mocks.marketo.exports import check_headers, check_window, one_filter, writer_for
from mocks.marketo.fields import LeadField
from mocks.marketo.objects import _GUID, _STAMPS, ObjectKind
from mocks.marketo.sqlsets import one_of

TABLE = "custom_object_types"
DATA_TYPES = ("string", "integer", "float", "boolean", "date", "datetime", "currency",
              "email", "phone", "text", "url", "link")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,44}$")
_LINKABLE = {"lead": ("id", "email"), "company": ("id", "externalCompanyId")}


def _field(spec) -> dict:
    if not isinstance(spec, dict):
        raise ApiError("1003", "a field is an object with name, displayName and dataType")
    name = spec.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ApiError("1003", f"Invalid field name '{name}'")
    if name in ("marketoGUID", "createdAt", "updatedAt"):
        raise ApiError("1003", f"'{name}' is a system field")
    data_type = spec.get("dataType")
    if data_type not in DATA_TYPES:
        raise ApiError("1003", f"Invalid dataType '{data_type}': one of {', '.join(DATA_TYPES)}")
    item = {"name": name, "displayName": str(spec.get("displayName") or name),
            "dataType": data_type, "description": str(spec.get("description") or ""),
            "isDedupeField": bool(spec.get("isDedupeField"))}
    related = spec.get("relatedTo")
    if data_type == "link":
        if not isinstance(related, dict) or related.get("name") not in _LINKABLE or \
                related.get("field") not in _LINKABLE[related["name"]]:
            raise ApiError("1003", "a link field is relatedTo a linkable object and field: "
                                   "lead (id, email) or company (id, externalCompanyId)")
        item["relatedTo"] = {"name": related["name"], "field": related["field"]}
    return item


class CustomObjects:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def _now(self) -> str:
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def _rows(self, conn, names=()) -> list[dict]:
        sql = f'SELECT apiName, live, draft, createdAt, updatedAt FROM "{TABLE}"'
        params: list = []
        if names:
            clause, params = one_of("apiName", names)
            sql += f" WHERE {clause}"
        rows = []
        for api_name, live, draft, created, updated in conn.execute(sql + " ORDER BY apiName",
                                                                    params):
            rows.append({"apiName": api_name, "live": json.loads(live) if live else None,
                         "draft": json.loads(draft) if draft else None,
                         "createdAt": created, "updatedAt": updated})
        return rows

    def _one(self, conn, api_name: str) -> dict:
        rows = self._rows(conn, [api_name])
        if not rows:
            raise ApiError("1013", f"Custom object type '{api_name}' not found")
        return rows[0]

    def require(self, api_name: str) -> None:
        """1013 unless a type of this name exists (approved or still a draft)."""
        self._one(self.store.db.conn, api_name)

    @staticmethod
    def _state(row: dict) -> str:
        if row["live"] and row["draft"]:
            return "approvedWithDraft"
        return "approved" if row["live"] else "draft"

    # --- kinds of records ---------------------------------------------------------------------
    def kind(self, api_name: str) -> ObjectKind:
        """The live type as an object kind (records are read and written through it)."""
        row = self._one(self.store.db.conn, api_name)
        if row["live"] is None:
            raise ApiError("1013", f"Custom object type '{api_name}' is not approved")
        return self._kind(api_name, row["live"])

    @staticmethod
    def _kind(api_name: str, version: dict) -> ObjectKind:
        fields = [_GUID]
        for n, f in enumerate(version["fields"], 2):
            kind = {"link": "integer" if f.get("relatedTo", {}).get("field") == "id"
                    else "string"}.get(f["dataType"], f["dataType"])
            fields.append(LeadField(n, f["name"], f["displayName"], kind,
                                    255 if kind in ("string", "email", "url", "phone")
                                    else None))
        dedupe = tuple(f["name"] for f in version["fields"] if f["isDedupeField"])
        links = tuple((f["name"],) for f in version["fields"] if f["dataType"] == "link")
        searchable = (("marketoGUID",), dedupe, *((d,) for d in dedupe if len(dedupe) > 1),
                      *links)
        return ObjectKind(api_name, f"co_{api_name}", version["displayName"],
                          version.get("pluralName") or version["displayName"], "marketoGUID",
                          dedupe, tuple(dict.fromkeys(s for s in searchable if s)),
                          (*fields, *_STAMPS))

    def describe_records(self, api_name: str) -> dict:
        row = self._one(self.store.db.conn, api_name)
        if row["live"] is None:
            raise ApiError("1013", f"Custom object type '{api_name}' is not approved")
        return self._metadata(row, row["live"], "approved")

    def _metadata(self, row: dict, version: dict, which: str) -> dict:
        kind = self._kind(row["apiName"], version)
        relationships = [{"field": f["name"], "type": "parent",
                          "relatedTo": f["relatedTo"]} for f in version["fields"]
                         if f.get("relatedTo")]
        return {"name": row["apiName"], "apiName": row["apiName"],
                "displayName": version["displayName"],
                "pluralName": version.get("pluralName") or version["displayName"],
                "description": version.get("description") or "",
                "showInLeadDetail": bool(version.get("showInLeadDetail")),
                "createdAt": row["createdAt"], "updatedAt": row["updatedAt"],
                "idField": "marketoGUID", "dedupeFields": list(kind.dedupe),
                "searchableFields": [list(s) for s in kind.searchable],
                "relationships": relationships, "state": self._state(row), "version": which,
                "fields": [{"name": f.name, "displayName": f.display, "dataType": f.data_type,
                            **({"length": f.length} if f.length else {}),
                            "updateable": f.name not in ("marketoGUID", "createdAt",
                                                         "updatedAt"), "crmManaged": False}
                           for f in kind.fields]}

    def list_live(self, names) -> list[dict]:
        return [self._metadata(r, r["live"], "approved")
                for r in self._rows(self.store.db.conn, names) if r["live"]]

    # --- types --------------------------------------------------------------------------
    def types(self, names, state: str | None) -> list[dict]:
        result = []
        for row in self._rows(self.store.db.conn, names):
            version, which = self._pick(row, state)
            if version is not None:
                result.append(self._metadata(row, version, which))
        return result

    @staticmethod
    def _pick(row: dict, state: str | None) -> tuple[dict | None, str]:
        if state == "draft":
            return row["draft"], "draft"
        if state == "approved":
            return row["live"], "approved"
        return (row["live"], "approved") if row["live"] else (row["draft"], "draft")

    def describe_type(self, api_name: str, state: str | None) -> dict:
        row = self._one(self.store.db.conn, api_name)
        version, which = self._pick(row, state)
        if version is None:
            raise ApiError("1013", f"Custom object type '{api_name}' has no {state} version")
        return self._metadata(row, version, which)

    def sync_type(self, body: dict) -> dict:
        action = body.get("action") or "createOrUpdate"
        if action not in ("createOnly", "updateOnly", "createOrUpdate"):
            raise ApiError("1003", f"Invalid action '{action}'")
        api_name = body.get("apiName")
        if not isinstance(api_name, str) or not _NAME.match(api_name):
            raise ApiError("1003", f"Invalid apiName '{api_name}'")
        now = self._now()
        with self.store.transaction() as db:
            rows = self._rows(db.conn, [api_name])
            if rows and action == "createOnly":
                raise ApiError("1003", f"Custom object type '{api_name}' exists already")
            if not rows and action == "updateOnly":
                raise ApiError("1013", f"Custom object type '{api_name}' not found")
            row = rows[0] if rows else None
            draft = dict((row and (row["draft"] or row["live"])) or {"fields": []})
            for key in ("displayName", "pluralName", "description"):
                if body.get(key) is not None:
                    draft[key] = str(body[key])
            if body.get("showInLeadDetail") is not None:
                draft["showInLeadDetail"] = bool(body["showInLeadDetail"])
            if not draft.get("displayName"):
                raise blank("displayName")
            if row is None:
                db.conn.execute(f'INSERT INTO "{TABLE}" (apiName, live, draft, createdAt, '
                                'updatedAt) VALUES (?, NULL, ?, ?, ?)',
                                [api_name, json.dumps(draft), now, now])
                status = "created"
            else:
                db.conn.execute(f'UPDATE "{TABLE}" SET draft = ?, updatedAt = ? WHERE '
                                "apiName = ?", [json.dumps(draft), now, api_name])
                status = "updated"
        return {"seq": 0, "status": status, "apiName": api_name}

    def change_fields(self, api_name: str, specs, how: str, field_name: str | None = None
                      ) -> dict:
        with self.store.transaction() as db:
            row = self._one(db.conn, api_name)
            draft = json.loads(json.dumps(row["draft"] or row["live"]))
            fields = {f["name"]: f for f in draft["fields"]}
            if how == "add":
                for spec in specs:
                    field = _field(spec)
                    if field["name"] in fields:
                        raise ApiError("1003", f"Field '{field['name']}' exists already")
                    fields[field["name"]] = field
            elif how == "delete":
                for spec in specs:
                    name = spec.get("name") if isinstance(spec, dict) else None
                    if not isinstance(name, str) or name not in fields:
                        raise ApiError("1006", f"Field '{name}' not found")
                    del fields[name]
            else:
                if field_name not in fields:
                    raise ApiError("1006", f"Field '{field_name}' not found")
                fields[field_name] = _field({**fields[field_name], **specs,
                                             "name": field_name})
            draft["fields"] = list(fields.values())
            db.conn.execute(f'UPDATE "{TABLE}" SET draft = ?, updatedAt = ? WHERE apiName = ?',
                            [json.dumps(draft), self._now(), api_name])
        return {"seq": 0, "status": "updated", "apiName": api_name}

    def approve(self, api_name: str) -> dict:
        with self.store.transaction() as db:
            row = self._one(db.conn, api_name)
            if row["draft"] is None:
                raise ApiError("1003", f"Custom object type '{api_name}' has no draft")
            if not any(f["isDedupeField"] for f in row["draft"]["fields"]):
                raise ApiError("1003", f"Custom object type '{api_name}' needs a dedupe field "
                                       "to be approved")
            kind = self._kind(api_name, row["draft"])
            ensure_tables(db, {kind.table: kind.spec()}, {})
            db.conn.execute(f'UPDATE "{TABLE}" SET live = draft, draft = NULL, updatedAt = ? '
                            "WHERE apiName = ?", [self._now(), api_name])
        return {"seq": 0, "status": "approved", "apiName": api_name}

    def discard(self, api_name: str) -> dict:
        with self.store.transaction() as db:
            row = self._one(db.conn, api_name)
            if row["draft"] is None or row["live"] is None:
                raise ApiError("1003", f"Custom object type '{api_name}' has no draft beside "
                                       "an approved version")
            db.conn.execute(f'UPDATE "{TABLE}" SET draft = NULL WHERE apiName = ?', [api_name])
        return {"seq": 0, "status": "discarded", "apiName": api_name}

    def delete_type(self, api_name: str) -> dict:
        with self.store.transaction() as db:
            self._one(db.conn, api_name)
            db.conn.execute(f'DELETE FROM "{TABLE}" WHERE apiName = ?', [api_name])
            db.conn.execute(f'DROP TABLE IF EXISTS "co_{api_name}"')
        return {"seq": 0, "status": "deleted", "apiName": api_name}


class CustomObjectExport:
    """The bulk export of one custom object type's records (entity ``co:<apiName>``)."""

    def __init__(self, objects: CustomObjects, api_name: str, settings) -> None:
        self.objects = objects
        self.entity = f"co:{api_name}"
        self.api_name = api_name
        self.settings = settings

    def check(self, body: dict) -> tuple[list[str], dict, dict]:
        kind = self.objects.kind(self.api_name)
        fields = body.get("fields")
        if not fields:
            raise blank("fields")
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise ApiError("1003", "fields must be a list of field names")
        names = []
        for name in fields:
            field = kind.field(name)
            if field is None:
                raise ApiError("1006", f"Field '{name}' not found")
            names.append(field.name)
        headers = check_headers(body.get("columnHeaderNames"), names,
                                lambda key: (f := kind.field(str(key))) and f.name)
        spec = one_filter(body.get("filter"))
        if set(spec) != {"updatedAt"}:
            raise ApiError("1035", "Unsupported filter type for target subscription: "
                                   f"{', '.join(sorted(set(spec) - {'updatedAt'})) or 'none'}")
        return names, headers, check_window("updatedAt", spec["updatedAt"],
                                            self.settings.max_days)

    def write(self, conn, fields: list[str], headers: dict, spec: dict, out: TextIO,
              delimiter: str) -> int:
        columns = ", ".join(f'"{n}"' for n in fields)
        cursor = conn.execute(
            f'SELECT {columns} '
            f'FROM "co_{self.api_name}" WHERE "updatedAt" >= ? AND "updatedAt" < ? ORDER BY id',
            [spec["startAt"], spec["endAt"]])
        writer = writer_for(out, delimiter)
        writer.writerow([headers.get(n, n) for n in fields])
        count = 0
        for row in cursor:
            writer.writerow(["null" if v is None else v for v in row])
            count += 1
        return count

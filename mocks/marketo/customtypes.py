"""Custom activity types: a draft is created, changed, approved (then it is live: it is
listed in ``activities/types.json`` and ``external.json`` accepts activities of it), and a
live type may carry a new draft until that is approved or discarded.

A type is kept as one row of ``custom_activity_types``: its live version and its draft,
each a JSON document (``name``, ``description``, ``triggerName``, ``filterName``,
``primaryAttribute``, ``attributes``). Ids start above the ids the mock gives the Sales
Insight Actions types it defines (100001 to 100004).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from fixtures.marketo_types import ActivityType
from mocks.core.clock import Clock
from mocks.core.store import Store
from mocks.marketo.envelope import ApiError, blank

TABLE = "custom_activity_types"
FIRST_ID = 100101
DATA_TYPES = ("string", "boolean", "integer", "float", "link", "email", "currency", "date",
              "datetime", "phone", "text")
MAX_ATTRIBUTES = 20
_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_STATES = {"draft": "draft", "approved": "approved", "both": "approved with draft"}


def _attribute(spec, *, primary: bool = False) -> dict:
    if not isinstance(spec, dict):
        raise ApiError("1003", "an attribute is an object with apiName, name and dataType")
    api_name, name = spec.get("apiName"), spec.get("name")
    if not isinstance(api_name, str) or not _API_NAME.match(api_name):
        raise ApiError("1003", f"Invalid attribute apiName '{api_name}': a letter, then "
                               "letters, digits or '_'")
    if not isinstance(name, str) or not name.strip():
        raise blank("attribute name")
    data_type = spec.get("dataType", "string")
    if data_type not in DATA_TYPES:
        raise ApiError("1003", f"Invalid dataType '{data_type}': one of {', '.join(DATA_TYPES)}")
    if primary and data_type not in ("string", "integer", "email", "link"):
        raise ApiError("1003", "The primary attribute is a string, integer, email or link")
    item = {"apiName": api_name, "name": name.strip(), "dataType": data_type}
    if spec.get("description"):
        item["description"] = str(spec["description"])
    if primary:
        item["isPrimary"] = True
    return item


class CustomActivityTypes:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def _now(self) -> str:
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def _rows(self, conn, api_name: str | None = None) -> list[dict]:
        sql = (f'SELECT id, apiName, status, live, draft, createdAt, updatedAt FROM "{TABLE}"'
               + (" WHERE apiName = ?" if api_name else "") + " ORDER BY id")
        keys = ("id", "apiName", "status", "live", "draft", "createdAt", "updatedAt")
        rows = [dict(zip(keys, r, strict=True))
                for r in conn.execute(sql, [api_name] if api_name else [])]
        for row in rows:
            row["live"] = json.loads(row["live"]) if row["live"] else None
            row["draft"] = json.loads(row["draft"]) if row["draft"] else None
        return rows

    def _one(self, conn, api_name: str) -> dict:
        rows = self._rows(conn, api_name)
        if not rows:
            raise ApiError("1013", f"Activity type '{api_name}' not found")
        return rows[0]

    @staticmethod
    def _shape(row: dict, version: dict) -> dict:
        item = {"id": row["id"], "apiName": row["apiName"], **{
            k: version[k] for k in ("name", "description", "triggerName", "filterName")
            if version.get(k) is not None}}
        item.update(createdAt=row["createdAt"], updatedAt=row["updatedAt"],
                    status=row["status"], primaryAttribute=version["primaryAttribute"],
                    attributes=version.get("attributes", []))
        return item

    def describe(self, api_name: str, draft: bool = False) -> dict:
        row = self._one(self.store.db.conn, api_name)
        version = row["draft"] if (draft or row["live"] is None) and row["draft"] else \
            row["live"]
        if version is None:
            raise ApiError("1013", f"Activity type '{api_name}' has no draft")
        return self._shape(row, version)

    def all(self) -> list[dict]:
        return [self._shape(row, row["live"] or row["draft"])
                for row in self._rows(self.store.db.conn)]

    def live_types(self) -> list[ActivityType]:
        """The approved types, as the activity log and ``types.json`` know types."""
        types = []
        for row in self._rows(self.store.db.conn):
            live = row["live"]
            if live is None:
                continue
            primary = live["primaryAttribute"]
            types.append(ActivityType(
                row["id"], live["name"], live.get("description") or "",
                (primary["name"], primary["dataType"]),
                tuple((a["name"], a["dataType"]) for a in live.get("attributes", []))))
        return types

    def api_names(self, type_id: int) -> dict[str, str]:
        """The attributes of a live type by API name, to their display names."""
        for row in self._rows(self.store.db.conn):
            if row["id"] == type_id and row["live"]:
                live = row["live"]
                names = {a["apiName"]: a["name"] for a in live.get("attributes", [])}
                names[live["primaryAttribute"]["apiName"]] = live["primaryAttribute"]["name"]
                return names
        return {}

    # --- changes ------------------------------------------------------------------------
    def create(self, body: dict) -> dict:
        api_name = body.get("apiName")
        if not isinstance(api_name, str) or not _API_NAME.match(api_name):
            raise ApiError("1003", f"Invalid apiName '{api_name}': a letter, then letters, "
                                   "digits or '_', at most 40")
        version = self._version({}, body, creating=True)
        now = self._now()
        with self.store.transaction() as db:
            if self._rows(db.conn, api_name):
                raise ApiError("1003", f"Activity type '{api_name}' exists already")
            for row in self._rows(db.conn):
                for other in (row["live"], row["draft"]):
                    if other and other["name"] == version["name"]:
                        raise ApiError("1003", f"An activity type named '{version['name']}' "
                                               "exists already")
            ident = max([FIRST_ID - 1, *(r["id"] for r in self._rows(db.conn))]) + 1
            db.conn.execute(f'INSERT INTO "{TABLE}" (id, apiName, status, live, draft, '
                            'createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?)',
                            [ident, api_name, "draft", None, json.dumps(version), now, now])
            return self.describe(api_name, draft=True)

    def _version(self, base: dict, body: dict, *, creating: bool = False) -> dict:
        version = dict(base)
        for key in ("name", "description", "triggerName", "filterName"):
            if key in body and body[key] is not None:
                if not isinstance(body[key], str) or not body[key].strip():
                    raise ApiError("1003", f"{key} must be non-empty text")
                version[key] = body[key].strip()
        if "primaryAttribute" in body:
            version["primaryAttribute"] = _attribute(body["primaryAttribute"], primary=True)
        if creating:
            for key in ("name", "triggerName", "filterName", "primaryAttribute"):
                if key not in version:
                    raise blank(key)
            version.setdefault("attributes", [])
        return version

    def _draft_of(self, row: dict) -> dict:
        return json.loads(json.dumps(row["draft"] or row["live"]))

    def _save_draft(self, db, row: dict, draft: dict) -> dict:
        status = "draft" if row["live"] is None else "approved with draft"
        db.conn.execute(f'UPDATE "{TABLE}" SET draft = ?, status = ?, updatedAt = ? '
                        "WHERE id = ?", [json.dumps(draft), status, self._now(), row["id"]])
        return self.describe(row["apiName"], draft=True)

    def update(self, api_name: str, body: dict) -> dict:
        with self.store.transaction() as db:
            row = self._one(db.conn, api_name)
            return self._save_draft(db, row, self._version(self._draft_of(row), body))

    def change_attributes(self, api_name: str, how: str, specs: Sequence) -> dict:
        if not isinstance(specs, list) or not specs:
            raise blank("attributes")
        with self.store.transaction() as db:
            row = self._one(db.conn, api_name)
            draft = self._draft_of(row)
            attributes = {a["apiName"]: a for a in draft.get("attributes", [])}
            primary = draft["primaryAttribute"]["apiName"]
            for spec in specs:
                if not isinstance(spec, dict) or not isinstance(spec.get("apiName"), str):
                    raise ApiError("1003", "an attribute is an object with its apiName")
                name = spec["apiName"]
                if how == "delete":
                    if name not in attributes:
                        raise ApiError("1013", f"Attribute '{name}' not found")
                    del attributes[name]
                    continue
                attribute = _attribute({**attributes.get(name, {}), **spec}
                                       if how == "update" else spec)
                if how == "create" and (name in attributes or name == primary):
                    raise ApiError("1003", f"Attribute '{name}' exists already")
                if how == "update" and name not in attributes:
                    raise ApiError("1013", f"Attribute '{name}' not found")
                attributes[name] = attribute
            if len(attributes) > MAX_ATTRIBUTES:
                raise ApiError("1003", f"At most {MAX_ATTRIBUTES} attributes a type")
            draft["attributes"] = list(attributes.values())
            return self._save_draft(db, row, draft)

    def approve(self, api_name: str) -> dict:
        with self.store.transaction() as db:
            row = self._one(db.conn, api_name)
            if row["draft"] is None:
                raise ApiError("1003", f"Activity type '{api_name}' has no draft to approve")
            db.conn.execute(f'UPDATE "{TABLE}" SET live = draft, draft = NULL, status = '
                            "'approved', updatedAt = ? WHERE id = ?", [self._now(), row["id"]])
            return self.describe(api_name)

    def discard_draft(self, api_name: str) -> dict:
        with self.store.transaction() as db:
            row = self._one(db.conn, api_name)
            if row["draft"] is None or row["live"] is None:
                raise ApiError("1003", f"Activity type '{api_name}' has no draft to discard "
                                       "beside an approved version")
            db.conn.execute(f'UPDATE "{TABLE}" SET draft = NULL, status = \'approved\', '
                            "updatedAt = ? WHERE id = ?", [self._now(), row["id"]])
            return self.describe(api_name)

    def delete(self, api_name: str) -> dict:
        with self.store.transaction() as db:
            row = self._one(db.conn, api_name)
            item = self._shape(row, row["live"] or row["draft"])
            used = db.conn.execute('SELECT 1 FROM "activities" WHERE "activityTypeId" = ? '
                                   "LIMIT 1", [row["id"]]).fetchone()
            if used:
                raise ApiError("1003", f"Activity type '{api_name}' has activities: it is "
                                       "in use")
            db.conn.execute(f'DELETE FROM "{TABLE}" WHERE id = ?', [row["id"]])
            item["status"] = "deleted"
            return item

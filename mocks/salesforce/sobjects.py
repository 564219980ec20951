"""Records: create, read, update, delete, upsert by external ID, batches, replication.

- ``POST sobjects/X/`` creates (201 ``{"id", "success", "errors"}``);
- ``GET|PATCH|DELETE sobjects/X/{id}`` read (``?fields=``), update (204), delete (204);
- ``GET|PATCH|DELETE sobjects/X/{field}/{value}`` by external ID: upsert answers 201
  (created) or 200 (updated), with ``created``; ``?updateOnly=true`` never creates;
- ``GET sobjects/X/updated/`` and ``deleted/`` (``start``, ``end``): replication;
- ``composite/sobjects``: up to 200 records a call, POST (create), PATCH (update), DELETE
  (``?ids=``), GET (``composite/sobjects/X?ids=&fields=``), PATCH
  ``composite/sobjects/X/{externalIdField}`` (upsert), with ``allOrNone``; and POST
  ``composite/sobjects/X`` ``{"ids", "fields"}`` reads up to 2,000 records (jsforce's
  ``retrieve([ids])``).

Every write is one transaction: a refused request writes nothing.
"""

from __future__ import annotations

from flask import Blueprint, request

from fixtures.sfid import object_of
from mocks.salesforce import rest
from mocks.salesforce.ids import repair_id
from mocks.salesforce.models import MAX_COMPOSITE, SalesforceError, not_found

_ROLLED_BACK = SalesforceError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header", [])


MAX_READ_BY_POST = 2000


class _RollBack(Exception):
    """Leaves the transaction of an all-or-none batch that had a failure."""


def _fields_arg() -> list[str] | None:
    raw = request.args.get("fields")
    return [f for f in raw.split(",") if f.strip()] if raw else None


def _flag(name: str) -> bool:
    return (request.args.get(name) or "").lower() == "true"


def sobjects_blueprint() -> Blueprint:
    bp = rest.data_blueprint("sf_sobjects")

    @bp.post("/sobjects/<name>")
    def create(name: str):
        org = rest.org()
        obj = org.sobject(name)
        body = rest.body_json()
        with org.writing() as conn:
            record_id = org.create(conn, obj, body, rest.user_id())
        return rest.sf_json({"id": record_id, "success": True, "errors": []}, 201)

    @bp.get("/sobjects/<name>/updated")
    def updated(name: str):
        org = rest.org()
        obj = org.sobject(name)
        return rest.sf_json(org.updated(obj, request.args.get("start"), request.args.get("end")))

    @bp.get("/sobjects/<name>/deleted")
    def deleted(name: str):
        org = rest.org()
        obj = org.sobject(name)
        return rest.sf_json(org.deleted(obj, request.args.get("start"), request.args.get("end")))

    @bp.get("/sobjects/<name>/<record_id>")
    def read(name: str, record_id: str):
        org = rest.org()
        obj = org.sobject(name)
        return rest.sf_json(org.get(obj, record_id, _fields_arg(), rest.version()))

    @bp.patch("/sobjects/<name>/<record_id>")
    def update(name: str, record_id: str):
        org = rest.org()
        obj = org.sobject(name)
        body = rest.body_json()
        with org.writing() as conn:
            org.update(conn, obj, record_id, body, rest.user_id())
        return rest.no_content()

    @bp.delete("/sobjects/<name>/<record_id>")
    def delete(name: str, record_id: str):
        org = rest.org()
        obj = org.sobject(name)
        if not obj.deletable:
            raise SalesforceError("METHOD_NOT_ALLOWED",
                                  "HTTP Method 'DELETE' not allowed. Allowed are GET,HEAD,PATCH",
                                  status=405)
        with org.writing() as conn:
            org.delete(conn, obj, record_id, rest.user_id())
        return rest.no_content()

    @bp.get("/sobjects/<name>/<field>/<path:value>")
    def read_by_external_id(name: str, field: str, value: str):
        org = rest.org()
        obj = org.sobject(name)
        ids = org.find_by(obj, field, value.rstrip("/"))
        version = rest.version()
        if not ids:
            raise not_found()
        if len(ids) > 1:
            return rest.sf_json([f"/services/data/v{version}/sobjects/{obj.name}/{i}"
                                 for i in ids], 300)
        return rest.sf_json(org.get(obj, ids[0], _fields_arg(), version))

    @bp.route("/sobjects/<name>/<field>/<path:value>", methods=["PATCH", "POST"])
    def upsert(name: str, field: str, value: str):
        org = rest.org()
        obj = org.sobject(name)
        body = rest.body_json()
        with org.writing() as conn:
            record_id, created = org.upsert(conn, obj, field, value.rstrip("/"), body,
                                            rest.user_id(), update_only=_flag("updateOnly"))
        return rest.sf_json({"id": record_id, "success": True, "errors": [],
                             "created": created}, 201 if created else 200)

    @bp.delete("/sobjects/<name>/<field>/<path:value>")
    def delete_by_external_id(name: str, field: str, value: str):
        org = rest.org()
        obj = org.sobject(name)
        ids = org.find_by(obj, field, value.rstrip("/"))
        if not ids:
            raise not_found()
        if len(ids) > 1:
            raise SalesforceError("MULTIPLE_CHOICES", "More than one record found", status=300)
        with org.writing() as conn:
            org.delete(conn, obj, ids[0], rest.user_id())
        return rest.no_content()

    # -- composite/sobjects ------------------------------------------------------------------
    @bp.post("/composite/sobjects")
    def composite_create():
        records, all_or_none = _composite_body()
        return rest.sf_json(_batch(records, all_or_none, _create_one))

    @bp.patch("/composite/sobjects")
    def composite_update():
        records, all_or_none = _composite_body()
        return rest.sf_json(_batch(records, all_or_none, _update_one))

    @bp.delete("/composite/sobjects")
    def composite_delete():
        ids = _ids_arg()
        return rest.sf_json(_batch(ids, _flag("allOrNone"), _delete_one))

    @bp.patch("/composite/sobjects/<name>/<field>")
    def composite_upsert(name: str, field: str):
        org = rest.org()
        obj = org.sobject(name)
        try:
            target = org.external_id_field(obj, field)
        except SalesforceError:
            raise SalesforceError("INVALID_FIELD", f"Field name provided, {field} is not an "
                                                   f"External ID or indexed field for "
                                                   f"{obj.name}") from None
        records, all_or_none = _composite_body()

        def upsert_one(conn, record) -> tuple[str, bool]:
            kind, values = _record_type(record)
            if kind.name != obj.name:
                raise SalesforceError("INVALID_TYPE", f"The sObject type in the record must be "
                                                      f"{obj.name}", [])
            key = next((k for k in values if k.lower() == target.name.lower()), None)
            if key is None or values[key] in (None, ""):
                raise SalesforceError("MISSING_ARGUMENT", f"{target.name} not specified", [])
            value = str(values.pop(key))
            return org.upsert(conn, obj, target.name, value, values, rest.user_id())

        return rest.sf_json(_batch(records, all_or_none, upsert_one))

    @bp.get("/composite/sobjects/<name>")
    def composite_read(name: str):
        org = rest.org()
        obj = org.sobject(name)
        ids = _ids_arg()
        fields = _fields_arg()
        if not fields:
            raise SalesforceError("MISSING_ARGUMENT", "fields not specified")
        return rest.sf_json(org.get_many(obj, ids, fields, rest.version()))

    @bp.post("/composite/sobjects/<name>")
    def composite_read_by_post(name: str):
        """The same read with the IDs in the body (``{"ids", "fields"}``): up to 2,000."""
        org = rest.org()
        obj = org.sobject(name)
        body = rest.body_json()
        if not isinstance(body, dict):
            raise SalesforceError("JSON_PARSER_ERROR", "Expected a JSON object with 'ids' "
                                                       "and 'fields'")
        ids, fields = body.get("ids"), body.get("fields")
        if not ids or not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise SalesforceError("MISSING_ARGUMENT", "ids not specified")
        if not fields or not isinstance(fields, list) or not all(isinstance(f, str)
                                                                 for f in fields):
            raise SalesforceError("MISSING_ARGUMENT", "fields not specified")
        if len(ids) > MAX_READ_BY_POST:
            raise SalesforceError("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit "
                                                       f"more than {MAX_READ_BY_POST} records "
                                                       "into this call")
        return rest.sf_json(org.get_many(obj, ids, fields, rest.version()))

    return bp


def _ids_arg() -> list[str]:
    ids = [i.strip() for i in (request.args.get("ids") or "").split(",") if i.strip()]
    if not ids:
        raise SalesforceError("MISSING_ARGUMENT", "ids not specified")
    if len(ids) > MAX_COMPOSITE:
        raise SalesforceError("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more "
                                                   f"than {MAX_COMPOSITE} records into this call")
    return ids


def _composite_body() -> tuple[list, bool]:
    body = rest.body_json()
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise SalesforceError("JSON_PARSER_ERROR", "Expected a JSON object with a 'records' "
                                                   "list")
    records = body["records"]
    if len(records) > MAX_COMPOSITE:
        raise SalesforceError("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more "
                                                   f"than {MAX_COMPOSITE} records into this call")
    all_or_none = body.get("allOrNone", False)
    if not isinstance(all_or_none, bool):
        raise SalesforceError("JSON_PARSER_ERROR", "Cannot deserialize instance of boolean "
                                                   "from allOrNone")
    return records, all_or_none


def _record_type(record) -> tuple[object, dict]:
    org = rest.org()
    if not isinstance(record, dict):
        raise SalesforceError("JSON_PARSER_ERROR", "Each record must be a JSON object")
    attributes = record.get("attributes")
    kind = attributes.get("type") if isinstance(attributes, dict) else None
    if not kind:
        raise SalesforceError("INVALID_TYPE", "Must send a concrete entity type.", [])
    try:
        obj = org.sobject(str(kind))
    except SalesforceError:
        raise SalesforceError("INVALID_TYPE", f"sObject type '{kind}' is not supported.",
                              []) from None
    return obj, {k: v for k, v in record.items() if k != "attributes"}


def _create_one(conn, record) -> str:
    obj, values = _record_type(record)
    return rest.org().create(conn, obj, values, rest.user_id())


def _update_one(conn, record) -> str:
    obj, values = _record_type(record)
    key = next((k for k in values if k.lower() == "id"), None)
    if key is None or not values[key]:
        raise SalesforceError("MISSING_ARGUMENT", "Id not specified in an update call", [])
    record_id = str(values.pop(key))
    return rest.org().update(conn, obj, record_id, values, rest.user_id())


def _delete_one(conn, record_id) -> str:
    org = rest.org()
    normal = repair_id(record_id)
    kind = object_of(normal) if normal else None
    if kind is None:
        raise SalesforceError("MALFORMED_ID", f"malformed id {record_id}", [])
    return org.delete(conn, org.sobject(kind), record_id, rest.user_id())


def _batch(items: list, all_or_none: bool, action) -> list[dict]:
    """Run ``action`` on each item, each in its own savepoint; with ``all_or_none``, one
    failure rolls every item back."""
    org = rest.org()
    results: list[dict] = []
    failed = False
    try:
        with org.writing() as conn:
            for n, item in enumerate(items):
                savepoint = f"sf_item_{n}"
                conn.execute(f"SAVEPOINT {savepoint}")
                try:
                    outcome = action(conn, item)
                except SalesforceError as exc:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                    failed = True
                    result = {"success": False, "errors": [exc.to_dict("statusCode")]}
                    known = _known_id(item)
                    if known:
                        result = {"id": known, **result}
                    results.append(result)
                    continue
                conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                if isinstance(outcome, tuple):  # upsert: (id, created)
                    results.append({"id": outcome[0], "success": True, "errors": [],
                                    "created": outcome[1]})
                else:
                    results.append({"id": outcome, "success": True, "errors": []})
            if failed and all_or_none:
                raise _RollBack
    except _RollBack:
        rolled = _ROLLED_BACK.to_dict("statusCode")
        results = [r if not r["success"] else {"success": False, "errors": [rolled]}
                   for r in results]
    return results


def _known_id(item) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        return next((str(v) for k, v in item.items() if k.lower() == "id" and v), None)
    return None

"""Bulk API 1.0: ``/services/async/{version}/job``, in XML, JSON and CSV.

- ``POST job`` (a ``jobInfo`` in XML or JSON) creates a job: ``insert``, ``update``,
  ``upsert`` (``externalIdFieldName``), ``delete``, ``hardDelete``, ``query``,
  ``queryAll``; ``contentType`` CSV, XML or JSON; ``concurrencyMode``;
  ``Sforce-Enable-PKChunking`` (query jobs: ``true``, ``chunkSize=N``);
- ``GET job/{id}``, ``POST job/{id}`` (``state``: Closed or Aborted);
- ``POST job/{id}/batch`` (records in the job's format, or one SOQL query), ``GET
  job/{id}/batch``, ``GET job/{id}/batch/{id}``, ``.../request``;
- ``GET job/{id}/batch/{id}/result``: an ingest batch's results (``Id, Success,
  Created, Error`` in CSV, or XML or JSON), or a query batch's result list, and
  ``.../result/{resultId}`` the records.

The session comes in ``X-SFDC-Session`` (or ``Authorization: Bearer``). Answers are XML,
or JSON for a JSON job (and for a job created or changed with a JSON body); errors are
``<error><exceptionCode>..`` (``{"exceptionCode", "exceptionMessage"}``) with HTTP 400,
a bad session included (``InvalidSessionId``), as Salesforce answers them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, g, request, stream_with_context

from mocks.salesforce import metadata, rest
from mocks.salesforce.bulk import csvio, results, store
from mocks.salesforce.bulk.jobs import (
    QUERY_OPERATIONS,
    BulkError,
    BulkJobs,
    query_header,
    v1_time,
)

NS = "http://www.force.com/2009/06/asyncapi/dataload"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MIN_VERSION = 20
_VERSION = re.compile(r"^(\d{2,3})\.\d$")
_MIMETYPES = {"CSV": "text/csv", "XML": "application/xml", "JSON": "application/json"}


def _jobs() -> BulkJobs:
    return rest.org().bulk


# --- answers --------------------------------------------------------------------------------

def _xml(root: str, body: str, extra_ns: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns="{NS}"{extra_ns}>{body}'
            f"</{root}>")


def _elements(item: dict) -> str:
    out = []
    for key, value in item.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out.append(f"<{key}>{escape(str(value))}</{key}>")
    return "".join(out)


def _exact(response: Response, mimetype: str) -> Response:
    """The content type without a charset: clients compare it whole (``text/csv``)."""
    response.headers["Content-Type"] = mimetype
    return response


def _send(body, mimetype: str, status: int = 200) -> Response:
    return _exact(current_app.response_class(body, status=status), mimetype)


def _answer(item, root: str, status: int = 200) -> Response:
    if g.get("bulk_json"):
        return _send(json.dumps(item), "application/json", status)
    return _send(_xml(root, _elements(item)), "application/xml", status)


def _error(exc: BulkError) -> Response:
    item = {"exceptionCode": exc.code, "exceptionMessage": exc.message}
    if g.get("bulk_json"):
        return _send(json.dumps(item), "application/json", exc.status)
    return _send(_xml("error", _elements(item)), "application/xml", exc.status)


def job_info(job: dict, jobs: BulkJobs) -> dict:
    counts = jobs.counts(job["id"])
    item = {"id": job["id"], "operation": job["operation"], "object": job["object"],
            "createdById": job["createdById"], "createdDate": v1_time(job["created"]),
            "systemModstamp": v1_time(job["modified"]), "state": job["state"]}
    if job["externalIdFieldName"]:
        item["externalIdFieldName"] = job["externalIdFieldName"]
    if job["assignmentRuleId"]:
        item["assignmentRuleId"] = job["assignmentRuleId"]
    item.update({
        "concurrencyMode": job["concurrencyMode"], "contentType": job["contentType"],
        "numberBatchesQueued": counts["Queued"],
        "numberBatchesInProgress": counts["InProgress"],
        "numberBatchesCompleted": counts["Completed"],
        "numberBatchesFailed": counts["Failed"],
        "numberBatchesTotal": counts["total"],
        "numberRecordsProcessed": counts["processed"], "numberRetries": 0,
        "apiVersion": float(job["apiVersion"]),
        "numberRecordsFailed": counts["failed"],
        "totalProcessingTime": counts["processingMs"],
        "apiActiveProcessingTime": counts["processingMs"], "apexProcessingTime": 0})
    return item


def batch_info(batch: dict) -> dict:
    item = {"id": batch["id"], "jobId": batch["jobId"], "state": batch["state"]}
    if batch["stateMessage"]:
        item["stateMessage"] = batch["stateMessage"]
    item.update({
        "createdDate": v1_time(batch["created"]), "systemModstamp":
            v1_time(batch["modified"]),
        "numberRecordsProcessed": batch["processed"] if batch["state"] in (
            "Completed", "Failed") else 0,
        "numberRecordsFailed": batch["failed"] if batch["state"] == "Completed" else 0,
        "totalProcessingTime": batch["processingMs"] if batch["state"] == "Completed" else 0,
        "apiActiveProcessingTime": batch["processingMs"] if batch["state"] == "Completed"
        else 0, "apexProcessingTime": 0})
    return item


# --- reading requests -----------------------------------------------------------------------

def _spec() -> dict:
    """A ``jobInfo`` from the body: JSON or XML."""
    raw = request.get_data(cache=True)
    if g.get("bulk_json"):
        try:
            spec = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise BulkError("InvalidJob", "Unable to parse the JSON jobInfo") from None
        if not isinstance(spec, dict):
            raise BulkError("InvalidJob", "The jobInfo must be a JSON object")
        return spec
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise BulkError("InvalidXML", "Document type declarations are not allowed")
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        raise BulkError("InvalidXML", "Unable to parse the XML jobInfo") from None
    return {child.tag.rsplit("}", 1)[-1]: (child.text or "").strip() for child in root}


def _job_for(job_id: str) -> dict:
    job = _jobs().job(job_id, 1)
    g.bulk_json = job["contentType"] == "JSON"
    return job


# --- results ----------------------------------------------------------------------------------

def _ingest_results(job: dict, batch: dict) -> Response:
    outcomes = _jobs().outcomes(batch["id"])
    fmt = job["contentType"]
    if fmt == "CSV":
        out = csvio.Lines()
        writer = csvio.writer(out)
        writer.writerow(["Id", "Success", "Created", "Error"])
        for outcome, _raw in outcomes:
            writer.writerow([outcome.id or "", "true" if outcome.success else "false",
                             "true" if outcome.created else "false",
                             csvio.error_text(outcome.error) if outcome.error else ""])
        body = "".join(out.lines)
    elif fmt == "JSON":
        body = json.dumps([{
            "success": o.success, "created": o.created, "id": o.id,
            "errors": [] if o.error is None else [{
                "fields": o.error.fields or [], "message": o.error.message,
                "statusCode": o.error.code}]} for o, _raw in outcomes])
    else:
        parts = []
        for o, _raw in outcomes:
            inner = f"<id>{o.id}</id>" if o.id else ""
            if o.error is not None:
                fields = "".join(f"<fields>{escape(f)}</fields>" for f in o.error.fields or [])
                inner += (f"<errors>{fields}<message>{escape(o.error.message)}</message>"
                          f"<statusCode>{o.error.code}</statusCode></errors>")
            inner += (f"<success>{'true' if o.success else 'false'}</success>"
                      f"<created>{'true' if o.created else 'false'}</created>")
            parts.append(f"<result>{inner}</result>")
        body = _xml("results", "".join(parts))
    return _send(body, _MIMETYPES[fmt])


def _result_id(batch: dict) -> str:
    return store.make_id("result", rest.org().info.pod, batch["seq"])


def _query_records(job: dict, batch: dict) -> Iterator[tuple[list[str], list[str]]]:
    """(header, values) of every record of a query batch, from its stored CSV."""
    header = query_header(batch)
    for text in results.chunk_texts(lambda: rest.org().store.db.conn, batch["id"]):
        for values in csv.reader(io.StringIO(text, newline="")):
            yield header, values


def _fields_of(job: dict, header: list[str]) -> list:
    """The field of each column (for typed JSON and XML)."""
    obj = metadata.objects()[job["object"]]
    out = []
    for name in header:
        if "." in name:
            rel_name, _, field_name = name.partition(".")
            rel = obj.relationship(rel_name)
            target = metadata.objects()[rel.reference_to[0]] if rel and not rel.polymorphic \
                else metadata.NAME_OBJECT
            out.append((rel.relationship if rel else rel_name, target.name if rel and not
                        rel.polymorphic else "Name", target.field(field_name)))
        else:
            out.append((None, None, obj.field(name)))
    return out


def _epoch_ms(text: str, kind: str) -> int:
    if kind == "date":
        day = date.fromisoformat(text)
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def _typed(f, text: str):
    """A CSV value as Bulk 1.0's JSON results give it (dates as epoch milliseconds)."""
    if text == "":
        return None
    kind = f.type if f is not None else "string"
    if kind == "boolean":
        return text == "true"
    if kind == "int":
        return int(text)
    if kind in ("double", "currency", "percent"):
        return float(text)
    if kind in ("date", "datetime"):
        return _epoch_ms(text, kind)
    return text


def _query_json(job: dict, batch: dict) -> Iterator[str]:
    version = job["apiVersion"]
    yield "["
    fields = None
    first = True
    for header, values in _query_records(job, batch):
        if fields is None:
            fields = _fields_of(job, header)
        record: dict = {"attributes": {"type": job["object"], "url": ""}}
        parents: dict[str, dict] = {}
        for (rel, target, f), text, name in zip(fields, values, header, strict=False):
            value = _typed(f, text)
            if rel is None:
                record[f.name if f else name] = value
                if f is not None and f.name == "Id":
                    record["attributes"]["url"] = (f"/services/data/v{version}/sobjects/"
                                                   f"{job['object']}/{value}")
                continue
            parent = parents.get(rel)
            if parent is None:
                parent = parents[rel] = {"attributes": {"type": target}}
                record[rel] = parent
            parent[f.name if f else name.partition(".")[2]] = value
        for rel, parent in parents.items():
            if all(v is None for k, v in parent.items() if k != "attributes"):
                record[rel] = None
        yield ("" if first else ",") + json.dumps(record)
        first = False
    yield "]"


def _query_xml(job: dict, batch: dict) -> Iterator[str]:
    yield (f'<?xml version="1.0" encoding="UTF-8"?><queryResult xmlns="{NS}" '
           f'xmlns:xsi="{XSI}">')
    for header, values in _query_records(job, batch):
        parts = [f"<type>{job['object']}</type>"]
        parents: dict[str, list[str]] = {}
        for name, text in zip(header, values, strict=False):
            rel, dot, field_name = name.partition(".")
            element = (f'<{field_name or rel} xsi:nil="true"/>' if text == "" else
                       f"<{field_name or rel}>{escape(text)}</{field_name or rel}>")
            if dot:
                parents.setdefault(rel, []).append(element)
            else:
                parts.append(element)
        for rel, elements in parents.items():
            parts.append(f'<{rel} xsi:type="sObject">{"".join(elements)}</{rel}>')
        yield f'<records xsi:type="sObject">{"".join(parts)}</records>'
    yield "</queryResult>"


def _query_csv(job: dict, batch: dict) -> Iterator[bytes]:
    yield csvio.line(query_header(batch)).encode()
    yield from _jobs().query_lines(batch["id"], 0, None)


# --- the blueprint ----------------------------------------------------------------------------

def bulk1_blueprint() -> Blueprint:
    bp = Blueprint("sf_bulk1", __name__, url_prefix="/services/async/<version>")

    @bp.url_value_preprocessor
    def take_version(_endpoint, values) -> None:
        g.bulk_version = (values or {}).pop("version", "")

    @bp.before_request
    def check() -> None:
        g.bulk_json = "json" in (request.mimetype or "")
        match = _VERSION.match(g.get("bulk_version", ""))
        if not match or int(match.group(1)) < MIN_VERSION:
            raise BulkError("InvalidVersion", f"Invalid API version: {g.get('bulk_version')}",
                            404)
        token = request.headers.get("X-SFDC-Session", "").strip()
        if not token:
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            token = value.strip() if scheme.lower() in ("bearer", "oauth") else ""
        session = rest.org().sessions.check(token) if token else None
        if session is None:
            raise BulkError("InvalidSessionId", "Invalid session id")
        g.sf_session = session

    @bp.errorhandler(BulkError)
    def refused(exc: BulkError) -> Response:
        return _error(exc)

    @bp.post("/job")
    def create_job():
        spec = _spec()
        job = _jobs().create_v1(spec, rest.user_id(), g.bulk_version,
                                request.headers.get("Sforce-Enable-PKChunking"))
        return _answer(job_info(job, _jobs()), "jobInfo", 201)

    @bp.get("/job/<job_id>")
    def get_job(job_id: str):
        job = _job_for(job_id)
        return _answer(job_info(job, _jobs()), "jobInfo")

    @bp.post("/job/<job_id>")
    def change_job(job_id: str):
        spec = _spec()
        state = spec.get("state")
        if not state:
            raise BulkError("InvalidJob", "The jobInfo must give a state")
        job = _jobs().set_state_v1(job_id, str(state))
        return _answer(job_info(job, _jobs()), "jobInfo")

    @bp.post("/job/<job_id>/batch")
    def add_batch(job_id: str):
        _job_for(job_id)
        batch = _jobs().add_batch_v1(job_id, request.get_data(cache=True))
        return _answer(batch_info(batch), "batchInfo", 201)

    @bp.get("/job/<job_id>/batch")
    def list_batches(job_id: str):
        _job_for(job_id)
        batches = [batch_info(b) for b in _jobs().batches(job_id)]
        if g.bulk_json:
            return _send(json.dumps({"batchInfo": batches}), "application/json")
        body = "".join(f"<batchInfo>{_elements(b)}</batchInfo>" for b in batches)
        return _send(_xml("batchInfoList", body), "application/xml")

    @bp.get("/job/<job_id>/batch/<batch_id>")
    def get_batch(job_id: str, batch_id: str):
        _job_for(job_id)
        return _answer(batch_info(_jobs().batch(job_id, batch_id)), "batchInfo")

    @bp.get("/job/<job_id>/batch/<batch_id>/request")
    def batch_request(job_id: str, batch_id: str):
        job = _job_for(job_id)
        batch = _jobs().batch(job_id, batch_id)
        kind = "text/csv" if job["operation"] in QUERY_OPERATIONS and job["contentType"] \
            == "CSV" else _MIMETYPES[job["contentType"]]
        return _send(batch["data"] or b"", kind)

    @bp.get("/job/<job_id>/batch/<batch_id>/result")
    def batch_result(job_id: str, batch_id: str):
        job = _job_for(job_id)
        batch = _jobs().batch(job_id, batch_id)
        if batch["state"] not in ("Completed",) and not (
                batch["state"] == "Failed" and job["operation"] not in QUERY_OPERATIONS
                and batch["processed"]):
            raise BulkError("InvalidBatch", "Batch not completed")
        if job["operation"] not in QUERY_OPERATIONS:
            return _ingest_results(job, batch)
        result_id = _result_id(batch)
        if g.bulk_json:
            return _send(json.dumps([result_id]), "application/json")
        return _send(_xml("result-list", f"<result>{result_id}</result>"), "application/xml")

    @bp.get("/job/<job_id>/batch/<batch_id>/result/<result_id>")
    def query_result(job_id: str, batch_id: str, result_id: str):
        job = _job_for(job_id)
        batch = _jobs().batch(job_id, batch_id)
        if job["operation"] not in QUERY_OPERATIONS or batch["state"] != "Completed" \
                or result_id != _result_id(batch):
            raise BulkError("InvalidBatch", f"Unable to find object: {result_id}")
        fmt = job["contentType"]
        if fmt == "CSV":
            body = _query_csv(job, batch)
        elif fmt == "JSON":
            body = (part.encode() for part in _query_json(job, batch))
        else:
            body = (part.encode() for part in _query_xml(job, batch))
        return _send(stream_with_context(body), _MIMETYPES[fmt])

    return bp


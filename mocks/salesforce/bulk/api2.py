"""Bulk API 2.0: ``jobs/ingest`` and ``jobs/query`` under ``/services/data/vXX.X/``.

Ingest: ``POST jobs/ingest`` (``object``, ``operation``, ``externalIdFieldName``,
``columnDelimiter``, ``lineEnding``), ``PUT jobs/ingest/{id}/batches`` (the CSV),
``PATCH jobs/ingest/{id}`` (``UploadComplete`` or ``Aborted``), ``GET`` and ``DELETE``
``jobs/ingest/{id}``, ``GET jobs/ingest`` (every job), and the records as CSV:
``successfulResults`` (``sf__Id``, ``sf__Created``, then the columns sent),
``failedResults`` (``sf__Id``, ``sf__Error``, ...) and ``unprocessedrecords``.

Query: ``POST jobs/query`` (``operation`` query or queryAll, ``query``), ``GET``,
``PATCH`` (``Aborted``) and ``DELETE jobs/query/{id}``, ``GET jobs/query``, and
``GET jobs/query/{id}/results?locator=&maxRecords=``: CSV with a header on every set,
``Sforce-NumberOfRecords`` and ``Sforce-Locator`` (the next set, or ``null``), streamed
from the stored result.

Errors are the data API's JSON list (``[{"errorCode", "message"}]``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator

from flask import Response, current_app, request, stream_with_context

from mocks.salesforce import rest
from mocks.salesforce.bulk import csvio
from mocks.salesforce.bulk.jobs import (
    QUERY_OPERATIONS,
    V2_INGEST,
    V2_QUERY,
    BulkError,
    BulkJobs,
    query_header,
    v2_time,
)
from mocks.salesforce.errors import error_response

LIST_PAGE = 1000


def _jobs() -> BulkJobs:
    return rest.org().bulk


def _body() -> dict:
    body = rest.body_json()
    if not isinstance(body, dict):
        raise BulkError("InvalidJob", "The request body must be a JSON object",
                        v2_code="JSON_PARSER_ERROR")
    return body


def job_info(job: dict, full: bool) -> dict:
    query = job["operation"] in QUERY_OPERATIONS
    item = {"id": job["id"], "operation": job["operation"], "object": job["object"],
            "createdById": job["createdById"], "createdDate": v2_time(job["created"]),
            "systemModstamp": v2_time(job["modified"]), "state": job["state"]}
    if job["externalIdFieldName"]:
        item["externalIdFieldName"] = job["externalIdFieldName"]
    item.update({"concurrencyMode": job["concurrencyMode"], "contentType": "CSV",
                 "apiVersion": float(job["apiVersion"])})
    if not query:
        item["contentUrl"] = (f"services/data/v{job['apiVersion']}/jobs/ingest/{job['id']}"
                              "/batches")
    item.update({"lineEnding": job["lineEnding"], "columnDelimiter": job["columnDelimiter"]})
    if not full:
        return item
    counts = _jobs().counts(job["id"])
    item["jobType"] = "V2Query" if query else "V2Ingest"
    item["numberRecordsProcessed"] = counts["processed"]
    if not query:
        item["numberRecordsFailed"] = counts["failed"]
    item.update({"retries": 0, "totalProcessingTime": counts["processingMs"]})
    if not query:
        item.update({"apiActiveProcessingTime": counts["processingMs"],
                     "apexProcessingTime": 0})
    if job["state"] == "Failed" and job["errorMessage"]:
        item["errorMessage"] = job["errorMessage"]
    return item


def _csv(body, headers: dict | None = None) -> Response:
    response = current_app.response_class(stream_with_context(body), mimetype="text/csv")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _locator(position: int) -> str:
    return base64.b64encode(str(position).encode()).decode().rstrip("=")


def _position(locator: str) -> int:
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    if not text.isdigit():
        raise BulkError("InvalidLocator", f"Invalid locator: {locator}",
                        v2_code="INVALID_LOCATOR")
    return int(text)


def _listing(query: bool):
    after = 0
    locator = request.args.get("queryLocator")
    if locator:
        after = _position(locator)
    jobs = _jobs().list_v2(query, after, LIST_PAGE + 1)
    more = len(jobs) > LIST_PAGE
    jobs = jobs[:LIST_PAGE]
    kind = "query" if query else "ingest"
    next_url = (f"/services/data/v{rest.version()}/jobs/{kind}?queryLocator="
                f"{_locator(jobs[-1]['seq'])}" if more else None)
    return rest.sf_json({"done": not more, "records": [job_info(j, False) for j in jobs],
                         "nextRecordsUrl": next_url})


def _own_job(job_id: str, query: bool) -> dict:
    job = _jobs().job(job_id, 2)
    if (job["operation"] in QUERY_OPERATIONS) != query:
        raise BulkError("NOT_FOUND", "The requested resource does not exist", 404,
                        "NOT_FOUND")
    return job


def _ingest_records(job: dict, which: str) -> Iterator[bytes]:
    """successfulResults, failedResults or unprocessedrecords, batch by batch."""
    delimiter, ending = job["columnDelimiter"], job["lineEnding"]
    header = json.loads(job["header"]) if job["header"] else []
    original = csvio.DELIMITERS[delimiter].join(header)
    lead = {"successfulResults": ["sf__Id", "sf__Created"],
            "failedResults": ["sf__Id", "sf__Error"], "unprocessedrecords": []}[which]
    first = csvio.line(lead, delimiter, ending).rstrip("\r\n") if lead else ""
    sep = csvio.DELIMITERS[delimiter] if lead and header else ""
    batches = _jobs().job_batches(job["id"], (V2_INGEST,))
    if which == "unprocessedrecords" and header == [] and batches and \
            batches[0]["format"] == "CSV":
        yield batches[0]["data"] or b""  # a job failed on its upload: the upload, as sent
        return
    yield (first + sep + original + csvio.LINE_ENDINGS[ending]).encode()
    for batch in batches:
        out = csvio.Lines()
        writer = csvio.writer(out, delimiter, ending)
        if which == "unprocessedrecords":
            if batch["state"] in ("Queued", "NotProcessed"):
                writer.writerows(csvio.read(csvio.decode(batch["data"] or b""),
                                            delimiter)[1])
        else:
            for outcome, raw in _jobs().outcomes(batch["id"]):
                if outcome.success != (which == "successfulResults"):
                    continue
                second = ("true" if outcome.created else "false") if outcome.success else \
                    csvio.error_text(outcome.error)
                writer.writerow([outcome.id or "", second, *(raw or [])])
        if out.lines:
            yield "".join(out.lines).encode()


def bulk2_blueprint():
    bp = rest.data_blueprint("sf_bulk2")

    @bp.errorhandler(BulkError)
    def refused(exc: BulkError) -> Response:
        return error_response(exc.v2_code, exc.message, exc.status)

    # --- ingest -------------------------------------------------------------------------
    @bp.post("/jobs/ingest")
    def create_ingest():
        job = _jobs().create_v2_ingest(_body(), rest.user_id(), rest.version())
        return rest.sf_json(job_info(job, False))

    @bp.get("/jobs/ingest")
    def list_ingest():
        return _listing(False)

    @bp.put("/jobs/ingest/<job_id>/batches")
    def upload(job_id: str):
        _own_job(job_id, False)
        _jobs().upload_v2(job_id, request.get_data(cache=True))
        return current_app.response_class(b"", status=201)

    @bp.patch("/jobs/ingest/<job_id>")
    def change_ingest(job_id: str):
        state = _body().get("state")
        job = _jobs().set_state_v2(job_id, str(state or ""), query=False)
        return rest.sf_json(job_info(job, False))

    @bp.get("/jobs/ingest/<job_id>")
    def get_ingest(job_id: str):
        return rest.sf_json(job_info(_own_job(job_id, False), True))

    @bp.delete("/jobs/ingest/<job_id>")
    def delete_ingest(job_id: str):
        _jobs().delete_v2(job_id, query=False)
        return rest.no_content()

    @bp.get("/jobs/ingest/<job_id>/<any(successfulResults, failedResults, "
            "unprocessedrecords):which>")
    def ingest_results(job_id: str, which: str):
        job = _own_job(job_id, False)
        if which != "unprocessedrecords" and job["state"] not in ("JobComplete", "Failed",
                                                                   "Aborted"):
            raise BulkError("InvalidJobState", f"The job is {job['state']}: its results are "
                                               "ready once it is JobComplete",
                            v2_code="INVALIDJOBSTATE")
        return _csv(_ingest_records(job, which))

    # --- query --------------------------------------------------------------------------
    @bp.post("/jobs/query")
    def create_query():
        job = _jobs().create_v2_query(_body(), rest.user_id(), rest.version())
        return rest.sf_json(job_info(job, False))

    @bp.get("/jobs/query")
    def list_query():
        return _listing(True)

    @bp.get("/jobs/query/<job_id>")
    def get_query(job_id: str):
        return rest.sf_json(job_info(_own_job(job_id, True), True))

    @bp.patch("/jobs/query/<job_id>")
    def change_query(job_id: str):
        state = _body().get("state")
        job = _jobs().set_state_v2(job_id, str(state or ""), query=True)
        return rest.sf_json(job_info(job, False))

    @bp.delete("/jobs/query/<job_id>")
    def delete_query(job_id: str):
        _jobs().delete_v2(job_id, query=True)
        return rest.no_content()

    @bp.get("/jobs/query/<job_id>/results")
    def query_results(job_id: str):
        job = _own_job(job_id, True)
        if job["state"] != "JobComplete":
            raise BulkError("InvalidJobState", f"The job is {job['state']}: its results are "
                                               "ready once it is JobComplete",
                            v2_code="INVALIDJOBSTATE")
        batch = _jobs().job_batches(job_id, (V2_QUERY,))[0]
        full = _jobs().batch_row(batch["id"])
        start = _position(request.args["locator"]) if request.args.get("locator") else 0
        raw = request.args.get("maxRecords")
        if raw is not None and (not raw.isdigit() or int(raw) < 1):
            raise BulkError("InvalidJob", f"Invalid maxRecords: {raw}: a positive whole "
                                          "number", v2_code="INVALID_INPUT")
        total = _jobs().query_total(batch["id"])
        if start > total:
            raise BulkError("InvalidLocator", "Invalid locator", v2_code="INVALID_LOCATOR")
        count = total - start if raw is None else min(int(raw), total - start)
        after = start + count
        head = csvio.line(query_header(full), job["columnDelimiter"], job["lineEnding"])

        def body() -> Iterator[bytes]:
            yield head.encode()
            if count:
                yield from _jobs().query_lines(batch["id"], start, count)

        return _csv(body(), {"Sforce-NumberOfRecords": str(count),
                             "Sforce-Locator": _locator(after) if after < total else "null"})

    return bp

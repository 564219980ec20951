"""Bulk jobs and their batches: created, fed, closed or aborted, and moved on the clock.

One model serves both APIs. A Bulk 1.0 job takes batches (each up to 10,000 records, or
one query); a Bulk 2.0 ingest job takes an upload, and at ``UploadComplete`` it is cut
into batches of 10,000 records, as Salesforce does; a Bulk 2.0 query job is one batch.

A batch is ``Queued`` when it arrives, starts ``start_delay`` seconds later (after the
previous batch of the job when the job is serial, as Bulk 2.0 jobs are here), and then
its records are written (or its query read, the data as it is then) and it is
``InProgress`` for ``min_seconds`` plus a second per ``rows_per_second`` records before
it is ``Completed`` (or ``Failed``). Every call first replays these events up to the
clock's now (:meth:`BulkJobs.refresh`); nothing runs in the background.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree

from mocks.core.clock import Clock
from mocks.core.store import Store
from mocks.salesforce import metadata, soql
from mocks.salesforce.bulk import csvio, ingest, queries, results, store
from mocks.salesforce.bulk.csvio import InvalidData
from mocks.salesforce.bulk.store import BATCHES, JOBS
from mocks.salesforce.config import BulkSettings
from mocks.salesforce.refusals import SalesforceError

MAX_BATCH_RECORDS = 10_000
MAX_BATCH_BYTES = 10_000_000
MAX_UPLOAD_BYTES = 150_000_000
DEFAULT_PK_CHUNK = 100_000
MAX_PK_CHUNK = 250_000
DAY = 86_400
FORMATS_V1 = ("CSV", "XML", "JSON")
QUERY_OPERATIONS = ("query", "queryAll")
#: batch kinds (the ``internal`` column): what counts toward DailyBulkApiBatches
V1_BATCH, V2_INGEST, V2_QUERY, V2_UPLOAD = 0, 1, 2, 3
log = logging.getLogger("siasim.mocks")


class BulkError(Exception):
    """A refused Bulk call: Bulk 1.0's ``exceptionCode`` and Bulk 2.0's ``errorCode``."""

    def __init__(self, code: str, message: str, status: int = 400,
                 v2_code: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.v2_code = v2_code or {"InvalidJob": "INVALIDJOB",
                                   "InvalidJobState": "INVALIDJOBSTATE",
                                   "InvalidBatch": "INVALIDJOB",
                                   "InvalidEntity": "INVALIDENTITY",
                                   "ExceededQuota": "LIMIT_EXCEEDED"}.get(code, code)


def _job_not_found(job_id: str, api: int) -> BulkError:
    if api == 1:
        return BulkError("InvalidJob", f"Unable to find object: {job_id}")
    return BulkError("NOT_FOUND", "The requested resource does not exist", 404, "NOT_FOUND")


def v1_time(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def v2_time(epoch: float) -> str:
    return soql.format_datetime(datetime.fromtimestamp(epoch, UTC))


def parse_pk_chunking(header: str | None) -> int | None:
    """The chunk size ``Sforce-Enable-PKChunking`` asks for (None: no chunking)."""
    if not header or header.strip().lower() == "false":
        return None
    size = DEFAULT_PK_CHUNK
    for part in header.replace(",", ";").split(";"):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "chunksize":
            if not value.strip().isdigit() or not 1 <= int(value) <= MAX_PK_CHUNK:
                raise BulkError("InvalidJob", f"Invalid chunk size: {value.strip()}: it "
                                              f"must be between 1 and {MAX_PK_CHUNK}")
            size = int(value)
        elif key.strip().lower() not in ("true", "parent", "startrow", ""):
            raise BulkError("InvalidJob", f"Unsupported PK chunking option: {key.strip()}")
    return size


class BulkJobs:
    def __init__(self, store_: Store, clock: Clock, settings: BulkSettings, org) -> None:
        self.store = store_
        self.clock = clock
        self.settings = settings
        self.org = org  # the facade: writers, the pod, the object catalogue
        self._due: float | None = None  # the next batch event; None: not known yet

    def forget(self) -> None:
        self._due = None

    def catch_up(self) -> None:
        """Bring the jobs up to now if an event is due: run before every API call, so a
        batch's records land on time even when nobody asks the Bulk API."""
        if self._due is not None and self.clock.timestamp() < self._due:
            return
        self.refresh()

    # --- creating jobs ----------------------------------------------------------------
    def _object(self, name, api: int):
        obj = metadata.get(str(name or ""))
        if obj is None:
            raise BulkError("InvalidEntity", f"Entity '{name}' is not supported by the Bulk "
                                             "API.", v2_code="INVALIDENTITY" if api == 1
                            else "NOT_FOUND")
        return obj

    def _new_job(self, conn, api: int, user_id: str, version: str, **values) -> dict:
        now = self.clock.timestamp()
        seq = store.next_seq(conn, JOBS)
        job_id = store.make_id("job", self.org.info.pod, seq)
        row = {"id": job_id, "seq": seq, "api": api, "createdById": user_id, "created": now,
               "modified": now, "apiVersion": version, **values}
        columns = list(row)
        conn.execute(f'INSERT INTO "{JOBS}" ({", ".join(columns)}) VALUES '
                     f'({", ".join("?" * len(columns))})', [row[c] for c in columns])
        return self._job_row(conn, job_id, api)

    def _check_ingest_spec(self, obj, operation, external, api: int) -> str | None:
        if operation not in ingest.OPERATIONS:
            raise BulkError("InvalidJob", f"InvalidJob : Invalid operation: {operation}")
        allowed = {"insert": obj.createable, "update": obj.updateable,
                   "upsert": obj.createable and obj.updateable, "delete": obj.deletable,
                   "hardDelete": obj.deletable}
        if not allowed[operation]:
            raise BulkError("InvalidJob", f"Entity '{obj.name}' does not support the "
                                          f"operation {operation}")
        if operation != "upsert":
            return None
        if not external:
            raise BulkError("InvalidJob", "External ID was blank for " + obj.name + ". An "
                            "External ID must be specified for upsert.")
        f = obj.field(str(external))
        if f is None or not (f.external_id or f.type == "id"):
            raise BulkError("InvalidJob", f"The field {external} is not an External ID or "
                                          f"indexed field for {obj.name}")
        return f.name

    def create_v1(self, spec: dict, user_id: str, version: str,
                  pk_chunking: str | None) -> dict:
        operation = spec.get("operation")
        obj = self._object(spec.get("object"), 1)
        content = spec.get("contentType") or "CSV"
        if content not in FORMATS_V1:
            raise BulkError("InvalidJob", f"Unsupported content type: {content}")
        mode = spec.get("concurrencyMode") or "Parallel"
        if mode not in ("Parallel", "Serial"):
            raise BulkError("InvalidJob", f"Invalid concurrency mode: {mode}")
        chunk = parse_pk_chunking(pk_chunking)
        if operation in QUERY_OPERATIONS:
            external = None
        else:
            external = self._check_ingest_spec(obj, operation, spec.get(
                "externalIdFieldName"), 1)
            if chunk is not None:
                raise BulkError("InvalidJob", "PK chunking is only for query jobs")
        with self.store.transaction() as db:
            return self._new_job(db.conn, 1, user_id, version, object=obj.name,
                                 operation=operation, externalIdFieldName=external,
                                 contentType=content, concurrencyMode=mode, state="Open",
                                 pkChunking=None if chunk is None else str(chunk),
                                 assignmentRuleId=spec.get("assignmentRuleId"))

    def _line_format(self, spec: dict) -> tuple[str, str]:
        delimiter = spec.get("columnDelimiter") or "COMMA"
        ending = spec.get("lineEnding") or "LF"
        if delimiter not in csvio.DELIMITERS:
            raise BulkError("InvalidJob", f"Invalid columnDelimiter: {delimiter}: one of "
                                          f"{', '.join(csvio.DELIMITERS)}", v2_code="API_ERROR")
        if ending not in csvio.LINE_ENDINGS:
            raise BulkError("InvalidJob", f"Invalid lineEnding: {ending}: LF or CRLF",
                            v2_code="API_ERROR")
        if (spec.get("contentType") or "CSV") != "CSV":
            raise BulkError("InvalidJob", "Bulk API 2.0 only supports the CSV content type",
                            v2_code="API_ERROR")
        return delimiter, ending

    def create_v2_ingest(self, spec: dict, user_id: str, version: str) -> dict:
        obj = self._object(spec.get("object"), 2)
        external = self._check_ingest_spec(obj, spec.get("operation"),
                                           spec.get("externalIdFieldName"), 2)
        delimiter, ending = self._line_format(spec)
        with self.store.transaction() as db:
            return self._new_job(db.conn, 2, user_id, version, object=obj.name,
                                 operation=spec["operation"], externalIdFieldName=external,
                                 contentType="CSV", columnDelimiter=delimiter,
                                 lineEnding=ending, state="Open",
                                 assignmentRuleId=spec.get("assignmentRuleId"))

    def create_v2_query(self, spec: dict, user_id: str, version: str) -> dict:
        operation = spec.get("operation") or "query"
        if operation not in QUERY_OPERATIONS:
            raise BulkError("InvalidJob", f"Invalid operation: {operation}: query or queryAll",
                            v2_code="API_ERROR")
        delimiter, ending = self._line_format(spec)
        now = self.clock.timestamp()
        plan = queries.compile_query(spec.get("query"), self.clock.now(),
                                     operation == "queryAll", version)
        with self.store.transaction() as db:
            self._refresh(db.conn, now)
            used = self._count(db.conn, f'SELECT count(*) FROM "{JOBS}" WHERE api = 2 AND '
                                        "operation IN ('query', 'queryAll') AND created > ?",
                               now - DAY)
            if used >= self.settings.daily_query_jobs:
                raise BulkError("ExceededQuota", "Max number of Bulk API 2.0 query jobs per "
                                                 "rolling 24 hours exceeded",
                                v2_code="LIMIT_EXCEEDED")
            job = self._new_job(db.conn, 2, user_id, version, object=plan.sobject.name,
                                operation=operation, contentType="CSV",
                                columnDelimiter=delimiter, lineEnding=ending,
                                state="UploadComplete", query=spec["query"])
            self._new_batch(db.conn, job, V2_QUERY, "SOQL", spec["query"].encode(), now)
            return self._job_row(db.conn, job["id"], 2)

    # --- batches ------------------------------------------------------------------------
    def _new_batch(self, conn, job: dict, kind: int, fmt: str, data: bytes | None,
                   ready: float, records: int = 0, chunk: tuple[str, str] | None = None,
                   state: str = "Queued") -> dict:
        seq = store.next_seq(conn, BATCHES)
        batch_id = store.make_id("batch", self.org.info.pod, seq)
        start = ready + self.settings.start_delay if state == "Queued" else None
        if start is not None and self._due is not None:
            self._due = min(self._due, start)
        conn.execute(
            f'INSERT INTO "{BATCHES}" (id, seq, jobId, state, created, modified, startAt, '
            "records, format, data, chunkLow, chunkHigh, internal) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, seq, job["id"], state, ready, ready, start, records, fmt, data,
             chunk[0] if chunk else None, chunk[1] if chunk else None, kind])
        return store.row(conn, BATCHES, batch_id)

    def _batches_today(self, conn, now: float) -> int:
        return self._count(conn, f'SELECT count(*) FROM "{BATCHES}" WHERE internal IN (?, ?) '
                                 "AND created > ?", V1_BATCH, V2_INGEST, now - DAY)

    @staticmethod
    def _count(conn, sql: str, *params) -> int:
        return conn.execute(sql, list(params)).fetchone()[0]

    def _quota(self, conn, now: float, more: int = 1) -> None:
        if self._batches_today(conn, now) + more > self.settings.daily_batches:
            raise BulkError("ExceededQuota", "ExceededQuota : Maximum Number of Batches per "
                                             "rolling 24 hour period exceeded: "
                                             f"{self.settings.daily_batches}")

    def add_batch_v1(self, job_id: str, data: bytes) -> dict:
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            conn = db.conn
            self._refresh(conn, now)
            job = self._job_row(conn, job_id, 1)
            if job["state"] != "Open":
                raise BulkError("InvalidJobState", f"Job {job_id} is {job['state']}: batches "
                                                   "can only be added to an Open job")
            if len(data) > MAX_BATCH_BYTES:
                raise BulkError("InvalidBatch", "InvalidBatch : The batch is larger than "
                                                f"{MAX_BATCH_BYTES} bytes")
            self._quota(conn, now)
            if job["operation"] in QUERY_OPERATIONS and job["pkChunking"]:
                return self._pk_chunked(conn, job, data, now)
            return self._new_batch(conn, job, V1_BATCH, job["contentType"], data, now)

    def _pk_chunked(self, conn, job: dict, data: bytes, now: float) -> dict:
        """The batch a client sent stays ``NotProcessed``; one batch per Id range of
        ``chunkSize`` records does its work (Salesforce's PK chunking)."""
        text = data.decode("utf-8", "replace")
        original = self._new_batch(conn, job, V1_BATCH, "SOQL", data, now,
                                   state="NotProcessed")
        try:
            plan = queries.compile_query(text, self.clock.now(),
                                         job["operation"] == "queryAll", job["apiVersion"])
        except SalesforceError as exc:
            self._finish_now(conn, original["id"], "Failed",
                             f"InvalidBatch : Failed to process query: {exc.code}: "
                             f"{exc.message}", now)
            return store.row(conn, BATCHES, original["id"])
        chunks = queries.pk_chunks(conn, plan, int(job["pkChunking"]),
                                   job["operation"] == "queryAll")
        self._quota(conn, now, len(chunks))
        for chunk in chunks:
            self._new_batch(conn, job, V1_BATCH, "SOQL", data, now, chunk=chunk)
        return store.row(conn, BATCHES, original["id"])

    def upload_v2(self, job_id: str, data: bytes) -> None:
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            conn = db.conn
            self._refresh(conn, now)
            job = self._job_row(conn, job_id, 2)
            if job["operation"] in QUERY_OPERATIONS:
                raise _job_not_found(job_id, 2)
            if job["state"] != "Open":
                raise BulkError("InvalidJobState", f"The job is {job['state']}: data can "
                                                   "only be uploaded to an Open job",
                                v2_code="INVALIDJOBSTATE")
            size = self._count(conn, f'SELECT coalesce(sum(length(data)), 0) FROM '
                                     f'"{BATCHES}" WHERE jobId = ? AND internal = ?',
                               job_id, V2_UPLOAD)
            if size + len(data) > MAX_UPLOAD_BYTES:
                raise BulkError("ExceededQuota", "The upload is larger than "
                                                 f"{MAX_UPLOAD_BYTES // 1_000_000} MB",
                                v2_code="API_ERROR")
            self._new_batch(conn, job, V2_UPLOAD, "CSV", data, now, state="Upload")

    # --- job states ---------------------------------------------------------------------
    def set_state_v1(self, job_id: str, state: str) -> dict:
        if state not in ("Closed", "Aborted"):
            raise BulkError("InvalidJobState", f"Invalid state: {state}: Closed or Aborted")
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            conn = db.conn
            self._refresh(conn, now)
            job = self._job_row(conn, job_id, 1)
            if job["state"] != "Open" and not (job["state"] == "Closed" and state == "Aborted"):
                raise BulkError("InvalidJobState", f"Job {job_id} is {job['state']}: it "
                                                   f"cannot be {state.lower()}")
            self._set_job(conn, job_id, state, now)
            if state == "Aborted":
                self._abort_batches(conn, job_id, now)
            return self._job_row(conn, job_id, 1)

    def set_state_v2(self, job_id: str, state: str, query: bool) -> dict:
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            conn = db.conn
            self._refresh(conn, now)
            job = self._job_row(conn, job_id, 2)
            if (job["operation"] in QUERY_OPERATIONS) != query:
                raise _job_not_found(job_id, 2)
            allowed = ("Aborted",) if query else ("UploadComplete", "Aborted")
            if state not in allowed:
                raise BulkError("InvalidJobState", f"Invalid state: {state}: one of "
                                                   f"{', '.join(allowed)}",
                                v2_code="INVALIDJOBSTATE")
            open_states = ("UploadComplete", "InProgress") if query or state == "Aborted" \
                else ("Open",)
            if job["state"] not in (*open_states, "Open"):
                raise BulkError("InvalidJobState", f"The job is {job['state']}: it cannot "
                                                   f"move to {state}",
                                v2_code="INVALIDJOBSTATE")
            if state == "UploadComplete" and job["state"] != "Open":
                raise BulkError("InvalidJobState", f"The job is {job['state']}: it cannot "
                                                   "move to UploadComplete",
                                v2_code="INVALIDJOBSTATE")
            if state == "Aborted":
                self._set_job(conn, job_id, "Aborted", now)
                self._abort_batches(conn, job_id, now)
            else:
                self._upload_complete(conn, job, now)
            return self._job_row(conn, job_id, 2)

    def _set_job(self, conn, job_id: str, state: str, now: float,
                 message: str | None = None) -> None:
        conn.execute(f'UPDATE "{JOBS}" SET state = ?, modified = ?, errorMessage = '
                     "coalesce(?, errorMessage) WHERE id = ?", [state, now, message, job_id])

    def _abort_batches(self, conn, job_id: str, now: float) -> None:
        conn.execute(f'UPDATE "{BATCHES}" SET state = ?, stateMessage = ?, modified = ? '
                     "WHERE jobId = ? AND state = 'Queued'",
                     ["NotProcessed", "The job was aborted", now, job_id])

    def _upload_complete(self, conn, job: dict, now: float) -> None:
        """Cut the upload into batches of 10,000 records (the data is checked now: a bad
        header fails the job, its records unprocessed)."""
        uploads = store.rows(conn, f'SELECT id, data FROM "{BATCHES}" WHERE jobId = ? AND '
                                   "internal = ? ORDER BY seq", [job["id"], V2_UPLOAD])
        raw = b"".join(u["data"] for u in uploads)
        conn.execute(f'DELETE FROM "{BATCHES}" WHERE jobId = ? AND internal = ?',
                     [job["id"], V2_UPLOAD])
        obj = metadata.objects()[job["object"]]
        try:
            if not uploads:
                raise InvalidData("No data was uploaded for the job")
            header: list[str] = []
            head = ""
            pieces: list[tuple[str, int]] = []
            for upload in uploads:
                names, line, part = csvio.split(csvio.decode(upload["data"]),
                                                job["columnDelimiter"], MAX_BATCH_RECORDS)
                if header and names != header:
                    raise InvalidData("Every upload of a job must have the same header")
                header, head = names, line
                pieces += part
            ingest.columns(obj, header, job["operation"])
        except InvalidData as exc:
            self._new_batch(conn, job, V2_INGEST, "CSV", raw, now, state="NotProcessed")
            self._set_job(conn, job["id"], "Failed", now, f"InvalidBatch : {exc.message}")
            return
        self._quota(conn, now, max(1, len(pieces)))
        conn.execute(f'UPDATE "{JOBS}" SET header = ? WHERE id = ?',
                     [json.dumps(header), job["id"]])
        for text, count in pieces or [("", 0)]:
            self._new_batch(conn, job, V2_INGEST, "CSV", (head + text).encode(), now,
                            records=count)
        self._set_job(conn, job["id"], "UploadComplete", now)

    def delete_v2(self, job_id: str, query: bool) -> None:
        with self.store.transaction() as db:
            conn = db.conn
            self._refresh(conn, self.clock.timestamp())
            job = self._job_row(conn, job_id, 2)
            if (job["operation"] in QUERY_OPERATIONS) != query:
                raise _job_not_found(job_id, 2)
            if job["state"] not in ("UploadComplete", "JobComplete", "Aborted", "Failed") \
                    or (not query and job["state"] == "UploadComplete"):
                raise BulkError("InvalidJobState", f"The job is {job['state']}: only a "
                                                   "finished or aborted job can be deleted",
                                v2_code="INVALIDJOBSTATE")
            ids = [r[0] for r in conn.execute(f'SELECT id FROM "{BATCHES}" WHERE jobId = ?',
                                              [job_id])]
            results.drop(conn, ids)
            conn.execute(f'DELETE FROM "{BATCHES}" WHERE jobId = ?', [job_id])
            conn.execute(f'DELETE FROM "{JOBS}" WHERE id = ?', [job_id])

    # --- reading --------------------------------------------------------------------------
    def _job_row(self, conn, job_id: str, api: int) -> dict:
        job = store.row(conn, JOBS, job_id)
        if job is None or job["api"] != api:
            raise _job_not_found(job_id, api)
        return job

    def job(self, job_id: str, api: int) -> dict:
        with self.store.transaction() as db:
            self._refresh(db.conn, self.clock.timestamp())
            return self._job_row(db.conn, job_id, api)

    def batches(self, job_id: str, api: int = 1) -> list[dict]:
        """The batches a client sees (Bulk 1.0), in order."""
        with self.store.transaction() as db:
            self._refresh(db.conn, self.clock.timestamp())
            self._job_row(db.conn, job_id, api)
            return store.rows(db.conn, f'SELECT * FROM "{BATCHES}" WHERE jobId = ? ORDER BY '
                                       "seq", [job_id])

    def batch(self, job_id: str, batch_id: str) -> dict:
        with self.store.transaction() as db:
            self._refresh(db.conn, self.clock.timestamp())
            self._job_row(db.conn, job_id, 1)
            found = store.row(db.conn, BATCHES, batch_id)
            if found is None or found["jobId"] != job_id:
                raise BulkError("InvalidBatch", f"Unable to find object: {batch_id}")
            return found

    def batch_row(self, batch_id: str) -> dict | None:
        return store.row(self.store.db.conn, BATCHES, batch_id)

    def counts(self, job_id: str) -> dict:
        """The figures of a job's info, from its batches."""
        conn = self.store.db.conn
        out = {"Queued": 0, "InProgress": 0, "Completed": 0, "Failed": 0, "NotProcessed": 0,
               "total": 0, "processed": 0, "failed": 0, "processingMs": 0}
        for state, kind, n, processed, failed, ms in conn.execute(
                f'SELECT state, internal, count(*), sum(processed), sum(failed), '
                f'sum(processingMs) FROM "{BATCHES}" WHERE jobId = ? GROUP BY state, internal',
                [job_id]):
            if kind == V2_UPLOAD:
                continue
            key = "NotProcessed" if state in ("Not Processed", "NotProcessed") else state
            out[key] = out.get(key, 0) + n
            out["total"] += n
            out["processed"] += processed or 0
            out["failed"] += failed or 0
            out["processingMs"] += ms or 0
        return out

    def list_v2(self, query: bool, after_seq: int, limit: int) -> list[dict]:
        with self.store.transaction() as db:
            self._refresh(db.conn, self.clock.timestamp())
            kinds = "IN ('query', 'queryAll')" if query else "NOT IN ('query', 'queryAll')"
            return store.rows(db.conn, f'SELECT * FROM "{JOBS}" WHERE api = 2 AND operation '
                                       f"{kinds} AND seq > ? ORDER BY seq LIMIT ?",
                              [after_seq, limit])

    def job_batches(self, job_id: str, kinds: tuple[int, ...]) -> list[dict]:
        conn = self.store.db.conn
        marks = ", ".join("?" * len(kinds))
        return store.rows(conn, f'SELECT id, state, records, processed, data, format FROM '
                                f'"{BATCHES}" WHERE jobId = ? AND internal IN ({marks}) '
                                "ORDER BY seq", [job_id, *kinds])

    def outcomes(self, batch_id: str) -> list[tuple[ingest.Outcome, list]]:
        return results.read_outcomes(self.store.db.conn, batch_id)

    def query_lines(self, batch_id: str, start: int, count: int | None) -> Iterator[bytes]:
        return results.stream_lines(lambda: self.store.db.conn, batch_id, start, count)

    def query_total(self, batch_id: str) -> int:
        return results.total_records(self.store.db.conn, batch_id)

    def usage(self) -> dict:
        """What the day's Bulk work has used, for ``/limits``."""
        now = self.clock.timestamp()
        conn = self.store.db.conn
        since = now - DAY
        jobs = self._count(conn, f'SELECT count(*) FROM "{JOBS}" WHERE api = 2 AND operation '
                                 "IN ('query', 'queryAll') AND created > ?", since)
        stored = self._count(conn, f'SELECT coalesce(sum(resultBytes), 0) FROM "{BATCHES}" '
                                   "WHERE internal = ? AND created > ?", V2_QUERY, since)
        s = self.settings
        return {"DailyBulkApiBatches": (s.daily_batches, self._batches_today(conn, now)),
                "DailyBulkV2QueryJobs": (s.daily_query_jobs, jobs),
                "DailyBulkV2QueryFileStorageMB": (s.daily_query_storage_mb,
                                                  -(-stored // (1024 * 1024)))}

    # --- the clock --------------------------------------------------------------------------
    def refresh(self) -> None:
        with self.store.transaction() as db:
            self._refresh(db.conn, self.clock.timestamp())

    def _refresh(self, conn, now: float) -> None:
        """Replay the batches' events up to ``now``: ends, then starts, in time order."""
        conn.execute(f'UPDATE "{BATCHES}" SET state = endState, stateMessage = endMessage, '
                     "modified = doneAt WHERE state = 'InProgress' AND doneAt <= ?", [now])
        due = store.rows(conn, f'SELECT b.id, b.jobId, b.startAt, j.concurrencyMode, j.api '
                               f'FROM "{BATCHES}" b JOIN "{JOBS}" j ON j.id = b.jobId '
                               "WHERE b.state = 'Queued' AND b.startAt <= ? "
                               "ORDER BY b.startAt, b.seq", [now])
        busy: dict[str, float] = {}  # serial jobs: when their last started batch ends
        for item in due:
            serial = item["api"] == 2 or item["concurrencyMode"] == "Serial"
            start = item["startAt"]
            if serial:
                if item["jobId"] not in busy:
                    busy[item["jobId"]] = self._count(
                        conn, f'SELECT coalesce(max(doneAt), 0) FROM "{BATCHES}" WHERE '
                              "jobId = ? AND state != 'Queued'", item["jobId"])
                start = max(start, busy[item["jobId"]])
                if start > now:
                    continue
            done = self._process(conn, item["id"], start)
            if serial:
                busy[item["jobId"]] = done
            if done <= now:
                conn.execute(f'UPDATE "{BATCHES}" SET state = endState, stateMessage = '
                             "endMessage, modified = doneAt WHERE id = ?", [item["id"]])
        self._settle_v2_jobs(conn, now)
        upcoming = conn.execute(
            f'SELECT min(CASE WHEN state = \'Queued\' THEN startAt ELSE doneAt END) FROM '
            f'"{BATCHES}" WHERE state IN (\'Queued\', \'InProgress\')').fetchone()[0]
        self._due = float("inf") if upcoming is None else upcoming

    def _finish_now(self, conn, batch_id: str, state: str, message: str | None,
                    now: float) -> None:
        conn.execute(f'UPDATE "{BATCHES}" SET state = ?, stateMessage = ?, endState = ?, '
                     "endMessage = ?, modified = ?, doneAt = ? WHERE id = ?",
                     [state, message, state, message, now, now, batch_id])

    def _process(self, conn, batch_id: str, start: float) -> float:
        """Do a batch's work (at ``start``); when it will be done."""
        batch = store.row(conn, BATCHES, batch_id)
        job = store.row(conn, JOBS, batch["jobId"])
        conn.execute("SAVEPOINT bulk_batch")
        try:
            if job["operation"] in QUERY_OPERATIONS:
                count, failed, end, message = self._run_query(conn, job, batch)
            else:
                count, failed, end, message = self._run_ingest(conn, job, batch)
        except Exception:  # a bug of the mock fails the batch, never the call
            log.exception("bulk batch %s failed unexpectedly", batch_id)
            conn.execute("ROLLBACK TO SAVEPOINT bulk_batch")
            count, failed, end, message = 0, 0, "Failed", (
                "InternalServerError : An unexpected error occurred while processing the "
                "batch")
        conn.execute("RELEASE SAVEPOINT bulk_batch")
        s = self.settings
        done = start + s.min_seconds + count / max(s.rows_per_second, 1)
        ms = int((done - start) * 1000)
        conn.execute(f'UPDATE "{BATCHES}" SET state = ?, modified = ?, doneAt = ?, '
                     "endState = ?, endMessage = ?, records = max(records, ?), processed = ?, "
                     "failed = ?, processingMs = ? WHERE id = ?",
                     ["InProgress", start, done, end, message, count, count, failed, ms,
                      batch_id])
        return done

    def _run_query(self, conn, job: dict, batch: dict) -> tuple[int, int, str, str | None]:
        text = batch["data"].decode("utf-8", "replace")
        try:
            plan = queries.compile_query(text, self.clock.now(), job["operation"] == "queryAll",
                                         job["apiVersion"])
            chunk = (batch["chunkLow"], batch["chunkHigh"]) if batch["chunkHigh"] else None
            conn.execute(f'UPDATE "{BATCHES}" SET header = ? WHERE id = ?',
                         [json.dumps(queries.header(plan)), batch["id"]])
            count, size = queries.run(conn, batch["id"], plan, job["columnDelimiter"],
                                      job["lineEnding"], chunk)
        except SalesforceError as exc:
            return 0, 0, "Failed", (f"InvalidBatch : Failed to process query: {exc.code}: "
                                    f"{exc.message}")
        conn.execute(f'UPDATE "{BATCHES}" SET resultBytes = ? WHERE id = ?',
                     [size, batch["id"]])
        return count, 0, "Completed", None

    def _run_ingest(self, conn, job: dict, batch: dict) -> tuple[int, int, str, str | None]:
        obj = metadata.objects()[job["object"]]
        try:
            cols, bodies, raw = self._records(obj, job, batch)
        except InvalidData as exc:
            return 0, 0, "Failed", f"InvalidBatch : {exc.message}"
        writer = self.org.writer(conn, job["createdById"])
        outcomes = ingest.run(writer, obj, job["operation"], job["externalIdFieldName"],
                              bodies, cols)
        results.write_outcomes(conn, batch["id"], outcomes, raw)
        failed = sum(1 for o in outcomes if not o.success)
        return len(outcomes), failed, "Completed", None

    def _records(self, obj, job: dict, batch: dict):
        """(columns or None, bodies, raw rows or None) of a batch's data."""
        fmt = batch["format"]
        data = batch["data"] or b""
        if fmt == "CSV":
            header, rows = csvio.read(csvio.decode(data), job["columnDelimiter"])
            if len(rows) > MAX_BATCH_RECORDS:
                raise InvalidData(f"Records in a batch cannot exceed {MAX_BATCH_RECORDS}")
            cols = ingest.columns(obj, header, job["operation"])
            # Bulk 2.0 results repeat each record's values as they were sent
            raw = rows if batch["internal"] == V2_INGEST else None
            return cols, ingest.bodies_from_csv(cols, rows), raw
        items = parse_json_records(data) if fmt == "JSON" else parse_xml_records(data)
        if len(items) > MAX_BATCH_RECORDS:
            raise InvalidData(f"Records in a batch cannot exceed {MAX_BATCH_RECORDS}")
        bodies = ingest.bodies_from_objects(obj, items)
        if job["operation"] in ("update", "delete", "hardDelete"):
            ingest.columns(obj, sorted({k for b in bodies for k in b} | {"Id"}),
                           job["operation"])
        return None, bodies, None

    def _settle_v2_jobs(self, conn, now: float) -> None:
        """A Bulk 2.0 job's state follows its batches once its upload is complete."""
        for job in store.rows(conn, f'SELECT id FROM "{JOBS}" WHERE api = 2 AND state IN '
                                    "('UploadComplete', 'InProgress')", []):
            states = [r[0] for r in conn.execute(
                f'SELECT state FROM "{BATCHES}" WHERE jobId = ? AND internal IN (?, ?)',
                [job["id"], V2_INGEST, V2_QUERY])]
            if not states or all(s == "Queued" for s in states):
                continue
            if any(s in ("Queued", "InProgress") for s in states):
                self._set_job(conn, job["id"], "InProgress", now)
            elif "Failed" in states:
                message = conn.execute(
                    f'SELECT stateMessage FROM "{BATCHES}" WHERE jobId = ? AND state = '
                    "'Failed' ORDER BY seq LIMIT 1", [job["id"]]).fetchone()[0]
                self._set_job(conn, job["id"], "Failed", now, message)
            else:
                self._set_job(conn, job["id"], "JobComplete", now)


def parse_json_records(data: bytes) -> list:
    try:
        items = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise InvalidData("The batch is not valid JSON") from None
    if not isinstance(items, list):
        raise InvalidData("A JSON batch must be a list of records")
    return items


def parse_xml_records(data: bytes) -> list[dict]:
    """``<sObjects><sObject><Field>value</Field>...</sObject></sObjects>``; an element
    with ``xsi:nil="true"`` is null."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InvalidData("Document type declarations are not allowed")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise InvalidData(f"The batch is not valid XML: {exc}") from None
    nil = "{http://www.w3.org/2001/XMLSchema-instance}nil"
    out = []
    for element in root:
        record = {}
        for child in element:
            name = child.tag.rsplit("}", 1)[-1]
            if child.get(nil) == "true":
                record[name] = None
            else:
                record[name] = child.text or ""
        out.append(record)
    return out


def query_header(batch: dict) -> list[str]:
    """The header a query batch's result has (kept when it ran)."""
    return json.loads(batch["header"]) if batch.get("header") else []

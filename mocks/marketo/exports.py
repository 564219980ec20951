"""Bulk lead export jobs: create, enqueue, status, file, cancel, list.

A job moves on its own, on the mock's clock, the way Marketo's queue moves it: Created,
then Queued when enqueued, Processing once one of the two processing slots is free (and at
least ``start_delay`` after the enqueue), Completed after a time that grows with the file.
Nothing runs in the background: every call first brings the jobs up to the clock's "now"
(:meth:`Exports.refresh`), replaying the queue's events in time order. The file is cut when
processing starts (the data as it is then), and its figures are shown once Completed.

Filters: ``createdAt`` or ``updatedAt`` windows of at most 31 days, half open (a person
created exactly at ``endAt`` belongs to the next window, so windows laid end to end cover
a database once). The mock has no lists, so list filters name a list that does not exist.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from mocks.core.clock import Clock, parse_instant
from mocks.core.store import Store
from mocks.marketo.config import ExportSettings
from mocks.marketo.envelope import ApiError, blank
from mocks.marketo.fields import FieldCatalogue
from mocks.marketo.paging import BadToken, position_token, read_position_token
from mocks.marketo.schema import EXPORT_FILES, EXPORT_JOBS

FORMATS = {"CSV": ",", "TSV": "\t", "SSV": " "}
DATE_FILTERS = ("createdAt", "updatedAt")
LIST_FILTERS = ("staticListId", "staticListName", "smartListId", "smartListName")
ACTIVE = ("Queued", "Processing")
_JOB_COLUMNS = ("seq", "exportId", "entity", "format", "status", "fields",
                "columnHeaderNames", "filter", "createdAt", "queuedAt", "startedAt",
                "finishedAt", "numberOfRecords", "fileSize", "fileChecksum", "errorMsg")


def _stamp(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Exports:
    def __init__(self, store: Store, clock: Clock, settings: ExportSettings,
                 catalogue: Callable[[], FieldCatalogue]) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self._catalogue = catalogue  # the live field catalogue (custom fields come and go)

    # --- the calls ----------------------------------------------------------------------
    def create(self, body: dict) -> dict:
        fields, headers = self._check_fields(body)
        fmt = body.get("format", "CSV")
        if not isinstance(fmt, str) or fmt.upper() not in FORMATS:
            raise ApiError("1003", f"Invalid format '{fmt}': one of {', '.join(FORMATS)}")
        window = self._check_filter(body.get("filter"))
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            self._refresh(db, now)
            seq = db.conn.execute(f'SELECT coalesce(max(seq), 0) + 1 FROM "{EXPORT_JOBS}"'
                                  ).fetchone()[0]
            export_id = str(uuid.uuid4())
            db.conn.execute(
                f'INSERT INTO "{EXPORT_JOBS}" (seq, exportId, entity, format, status, fields, '
                'columnHeaderNames, filter, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                [seq, export_id, "leads", fmt.upper(), "Created", json.dumps(fields),
                 json.dumps(headers), json.dumps(window), now])
            return self._job(db, export_id)

    def enqueue(self, export_id: str) -> dict:
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            self._refresh(db, now)
            job = self._row(db, export_id)
            if job["status"] in ACTIVE:
                raise ApiError("1029", "Job already queued")
            if job["status"] != "Created":
                raise ApiError("1003", f"Job {export_id} is {job['status']}: only a job in "
                                       "Created state can be enqueued")
            queued = db.conn.execute(f'SELECT count(*) FROM "{EXPORT_JOBS}" '
                                     "WHERE status = 'Queued'").fetchone()[0]
            if queued >= self.settings.max_queued:
                raise ApiError("1029", f"Too many jobs ({self.settings.max_queued}) in queue")
            if self._bytes_today(db, now) >= self.settings.daily_quota_bytes:
                quota = self.settings.daily_quota_bytes // (1024 * 1024)
                raise ApiError("1029", f"Export daily quota {quota}MB exceeded")
            db.conn.execute(f'UPDATE "{EXPORT_JOBS}" SET status = ?, queuedAt = ? '
                            "WHERE exportId = ?", ["Queued", now, export_id])
            self._refresh(db, now)
            return self._job(db, export_id)

    def status(self, export_id: str) -> dict:
        with self.store.transaction() as db:
            self._refresh(db, self.clock.timestamp())
            self._row(db, export_id)
            return self._job(db, export_id)

    def cancel(self, export_id: str) -> dict:
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            self._refresh(db, now)
            job = self._row(db, export_id)
            if job["status"] not in ("Created", *ACTIVE):
                raise ApiError("1003", f"Job {export_id} is {job['status']}: it cannot be "
                                       "cancelled")
            db.conn.execute(f'UPDATE "{EXPORT_JOBS}" SET status = ?, finishedAt = ? '
                            "WHERE exportId = ?", ["Cancelled", now, export_id])
            db.conn.execute(f'DELETE FROM "{EXPORT_FILES}" WHERE exportId = ?', [export_id])
            return self._job(db, export_id)

    def file(self, export_id: str) -> bytes:
        with self.store.transaction() as db:
            self._refresh(db, self.clock.timestamp())
            job = self._row(db, export_id)
            if job["status"] != "Completed":
                raise ApiError("1003", f"Job {export_id} is {job['status']}: its file is "
                                       "ready once it is Completed")
            row = db.conn.execute(f'SELECT content FROM "{EXPORT_FILES}" WHERE exportId = ?',
                                  [export_id]).fetchone()
        if row is None:
            raise ApiError("1003", f"The file of job {export_id} has expired")
        return bytes(row[0])

    def list_jobs(self, statuses: list[str] | None, batch: int,
                  token: str | None) -> tuple[list, str | None]:
        now = self.clock.timestamp()
        after = 0
        if token:
            try:
                after = read_position_token(token)
            except BadToken:
                raise ApiError("1003", "Invalid nextPageToken") from None
        with self.store.transaction() as db:
            self._refresh(db, now)
            where, params = ["seq > ?", "createdAt >= ?"], [after,
                                                            now - self.settings.keep_days * 86400]
            if statuses:
                where.append(f"status IN ({','.join('?' * len(statuses))})")
                params += statuses
            rows = db.conn.execute(
                f'SELECT exportId, seq FROM "{EXPORT_JOBS}" WHERE {" AND ".join(where)} '
                "ORDER BY seq LIMIT ?", [*params, batch + 1]).fetchall()
            jobs = [self._job(db, export_id) for export_id, _seq in rows[:batch]]
        more = len(rows) > batch
        return jobs, position_token(rows[batch - 1][1]) if more else None

    # --- validation ---------------------------------------------------------------------
    def _check_fields(self, body: dict) -> tuple[list[str], dict]:
        catalogue: FieldCatalogue = self._catalogue()
        fields = body.get("fields")
        if fields is None or fields == []:
            raise blank("fields")
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise ApiError("1003", "fields must be a list of field names")
        names = []
        for name in fields:
            field = catalogue.get(name)
            if field is None:
                raise ApiError("1006", f"Field '{name}' not found")
            names.append(field.name)
        headers = body.get("columnHeaderNames") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str)
                                                    for v in headers.values()):
            raise ApiError("1003", "columnHeaderNames must map field names to column names")
        for key in headers:
            if key not in fields and (catalogue.get(key) is None
                                      or catalogue.get(key).name not in names):
                raise ApiError("1003", f"columnHeaderNames names '{key}', which is not one of "
                                       "the exported fields")
        return names, {catalogue.get(k).name: v for k, v in headers.items()}

    def _check_filter(self, spec) -> dict:
        if not spec:
            raise blank("filter")
        if not isinstance(spec, dict):
            raise ApiError("1003", "filter must be a JSON object")
        if len(spec) != 1:
            raise ApiError("1003", "Only one filter type may be given per export job")
        (kind, value), = spec.items()
        if kind in LIST_FILTERS:
            raise ApiError("1003", f"{kind} '{value}' not found")
        if kind not in DATE_FILTERS:
            raise ApiError("1035", f"Unsupported filter type for target subscription: {kind}")
        if not isinstance(value, dict):
            raise ApiError("1003", f"{kind} takes an object with startAt and endAt")
        bounds = []
        for edge in ("startAt", "endAt"):
            text = value.get(edge)
            if not text:
                raise blank(f"{kind}.{edge}")
            try:
                bounds.append(parse_instant(str(text)))
            except ValueError:
                raise ApiError("1003", f"Invalid {kind}.{edge} '{text}': an ISO 8601 "
                                       "datetime is expected") from None
        start, end = bounds
        if end <= start:
            raise ApiError("1003", f"{kind}.endAt must be after {kind}.startAt")
        if end - start > timedelta(days=self.settings.max_days):
            raise ApiError("1003", f"The {kind} date range exceeds {self.settings.max_days} "
                                   "days")
        return {"type": kind, "startAt": _text(start), "endAt": _text(end)}

    # --- the queue ----------------------------------------------------------------------
    def _row(self, db, export_id: str) -> dict:
        row = db.conn.execute(f'SELECT {", ".join(_JOB_COLUMNS)} FROM "{EXPORT_JOBS}" '
                              "WHERE exportId = ?", [export_id]).fetchone()
        if row is None:
            raise ApiError("1003", f"Export job '{export_id}' not found")
        return dict(zip(_JOB_COLUMNS, row, strict=True))

    def _job(self, db, export_id: str) -> dict:
        job = self._row(db, export_id)
        item = {"exportId": job["exportId"], "format": job["format"], "status": job["status"],
                "createdAt": _stamp(job["createdAt"])}
        for key in ("queuedAt", "startedAt", "finishedAt"):
            if job[key] is not None and (key != "finishedAt"
                                         or job["status"] in ("Completed", "Cancelled",
                                                              "Failed")):
                item[key] = _stamp(job[key])
        if job["status"] == "Completed":
            item.update(numberOfRecords=job["numberOfRecords"], fileSize=job["fileSize"],
                        fileChecksum=job["fileChecksum"])
        if job["errorMsg"]:
            item["errorMsg"] = job["errorMsg"]
        return item

    def _bytes_today(self, db, now: float) -> int:
        midnight = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0,
                                                            microsecond=0).timestamp()
        return db.conn.execute(f'SELECT coalesce(sum(fileSize), 0) FROM "{EXPORT_JOBS}" '
                               "WHERE startedAt >= ?", [midnight]).fetchone()[0]

    def refresh(self) -> None:
        with self.store.transaction() as db:
            self._refresh(db, self.clock.timestamp())

    def _refresh(self, db, now: float) -> None:
        """Replay the queue's events up to ``now``: finishes first, then starts, in time."""
        s = self.settings
        conn = db.conn
        active = conn.execute(
            f'SELECT exportId, status, queuedAt, startedAt, finishedAt FROM "{EXPORT_JOBS}" '
            "WHERE status IN ('Queued', 'Processing') ORDER BY queuedAt, seq").fetchall()
        if not active:
            return
        processing = {r[0]: r[4] for r in active if r[1] == "Processing"}  # id -> finish
        queue = [(r[0], r[2]) for r in active if r[1] == "Queued"]
        last_event = -math.inf
        while True:
            done_id, done_at = min(processing.items(), key=lambda kv: kv[1],
                                   default=(None, math.inf))
            start_at = math.inf
            if queue and len(processing) < s.max_processing:
                start_at = max(queue[0][1] + s.start_delay, last_event)
            if min(done_at, start_at) > now:
                break
            if done_at <= start_at:
                conn.execute(f'UPDATE "{EXPORT_JOBS}" SET status = ? WHERE exportId = ?',
                             ["Completed", done_id])
                del processing[done_id]
                last_event = done_at
            else:
                export_id, _queued = queue.pop(0)
                processing[export_id] = self._start(db, export_id, start_at)
                last_event = start_at

    def _start(self, db, export_id: str, started: float) -> float:
        """Cut the file and schedule the end; returns when processing finishes."""
        job = self._row(db, export_id)
        content, count = self._cut(db, job)
        finish = started + self.settings.min_seconds + count / self.settings.rows_per_second
        db.conn.execute(
            f'UPDATE "{EXPORT_JOBS}" SET status = ?, startedAt = ?, finishedAt = ?, '
            "numberOfRecords = ?, fileSize = ?, fileChecksum = ? WHERE exportId = ?",
            ["Processing", started, finish, count, len(content),
             "sha256:" + hashlib.sha256(content).hexdigest(), export_id])
        db.conn.execute(f'INSERT OR REPLACE INTO "{EXPORT_FILES}" (exportId, content) '
                        "VALUES (?, ?)", [export_id, content])
        return finish

    def _cut(self, db, job: dict) -> tuple[bytes, int]:
        catalogue: FieldCatalogue = self._catalogue()
        names = json.loads(job["fields"])
        headers = json.loads(job["columnHeaderNames"] or "{}")
        window = json.loads(job["filter"])
        column = window["type"]
        # null as "null" and booleans as true/false in SQLite itself, so that the csv
        # module writes every row from the cursor without a Python step per row
        selected = []
        for name in names:
            field = catalogue.get(name)
            if field is not None and field.data_type == "boolean":
                selected.append(f"""CASE WHEN "{name}" IS NULL THEN 'null' """
                                f"""WHEN "{name}" THEN 'true' ELSE 'false' END""")
            else:
                selected.append(f"""coalesce("{name}", 'null')""")
        count = db.conn.execute(
            f'SELECT count(*) FROM "leads" WHERE "{column}" >= ? AND "{column}" < ?',
            [window["startAt"], window["endAt"]]).fetchone()[0]
        cursor = db.conn.execute(
            f'SELECT {", ".join(selected)} FROM "leads" WHERE "{column}" >= ? AND "{column}" < ? '
            "ORDER BY id", [window["startAt"], window["endAt"]])
        out = io.StringIO()
        writer = csv.writer(out, delimiter=FORMATS[job["format"]], lineterminator="\n")
        writer.writerow([headers.get(n, n) for n in names])
        writer.writerows(cursor)
        return out.getvalue().encode("utf-8"), count

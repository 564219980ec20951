"""Bulk export jobs: create, enqueue, status, file, cancel, list; and the lead export.

Every bulk export of Marketo (leads, activities, program members, custom objects) is the
same queue with a different file. A job moves on its own, on the mock's clock, the way
Marketo's queue moves it: Created, then Queued when enqueued, Processing once one of the
two processing slots of its kind is free (and at least ``start_delay`` after the enqueue),
Completed after a time that grows with the file. Nothing runs in the background: every
call first brings the jobs up to the clock's "now" (:meth:`Exports.refresh`), replaying
the queue's events in time order. The file is cut when processing starts (the data as it
is then), streamed to a file beside the store (memory stays flat whatever its size), and
its figures are shown once Completed.

What differs between kinds (which fields and filters a job takes, how a row is written)
is an :class:`ExportKind`; :class:`LeadExport` is the lead one. Filters: ``createdAt`` or
``updatedAt`` windows of at most 31 days, half open (a person created exactly at
``endAt`` belongs to the next window, so windows laid end to end cover a database once),
or a static list.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Protocol, TextIO

from mocks.core.clock import Clock, parse_instant
from mocks.core.store import Store
from mocks.marketo.config import ExportSettings
from mocks.marketo.envelope import ApiError, blank
from mocks.marketo.fields import FieldCatalogue
from mocks.marketo.paging import BadToken, position_token, read_position_token
from mocks.marketo.schema import EXPORT_JOBS

FORMATS = {"CSV": ",", "TSV": "\t", "SSV": " "}
DATE_FILTERS = ("createdAt", "updatedAt")
LIST_FILTERS = ("staticListId", "staticListName", "smartListId", "smartListName")
ACTIVE = ("Queued", "Processing")
_JOB_COLUMNS = ("seq", "exportId", "entity", "format", "status", "fields",
                "columnHeaderNames", "filter", "createdAt", "queuedAt", "startedAt",
                "finishedAt", "numberOfRecords", "fileSize", "fileChecksum", "errorMsg")
_HASH_CHUNK = 1 << 20


def _stamp(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ExportKind(Protocol):
    """One kind of bulk export: what a job of it takes, and how its file is written."""

    entity: str  # the ``entity`` column of its jobs: "leads", "activities", ...

    def check(self, body: dict) -> tuple[list[str], dict, dict]:
        """``(fields, columnHeaderNames, filter)`` of a create call, or ``ApiError``."""

    def write(self, conn, fields: list[str], headers: dict, spec: dict, out: TextIO,
              delimiter: str) -> int:
        """Write the header and every row of the file into ``out``; the number of rows."""


# --- what the kinds share -------------------------------------------------------------------

def check_window(kind: str, value, max_days: int) -> dict:
    """A ``{startAt, endAt}`` window of at most ``max_days``, as stored in a job."""
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
    if end - start > timedelta(days=max_days):
        raise ApiError("1003", f"The {kind} date range exceeds {max_days} days")
    return {"type": kind, "startAt": instant_text(start), "endAt": instant_text(end)}


def check_headers(headers, fields: list[str], canonical: Callable[[str], str | None]) -> dict:
    """``columnHeaderNames``: exported field names mapped to column names."""
    headers = headers or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ApiError("1003", "columnHeaderNames must map field names to column names")
    checked = {}
    for key, value in headers.items():
        name = canonical(key)
        if name is None or name not in fields:
            raise ApiError("1003", f"columnHeaderNames names '{key}', which is not one of "
                                   "the exported fields")
        checked[name] = value
    return checked


def one_filter(spec) -> dict:
    if not spec:
        raise blank("filter")
    if not isinstance(spec, dict):
        raise ApiError("1003", "filter must be a JSON object")
    return spec


def writer_for(out: TextIO, delimiter: str):
    return csv.writer(out, delimiter=delimiter, lineterminator="\n")


class LeadExport:
    """Bulk lead export: the catalogue's fields, a date window or a static list."""

    entity = "leads"

    def __init__(self, catalogue: Callable[[], FieldCatalogue], settings: ExportSettings,
                 static_list: Callable[[object, str], int] | None = None) -> None:
        self._catalogue = catalogue  # the live field catalogue (custom fields come and go)
        self.settings = settings
        self._static_list = static_list  # (value, "id"|"name") -> list id, or ApiError

    def check(self, body: dict) -> tuple[list[str], dict, dict]:
        catalogue = self._catalogue()
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

        def canonical(key: str) -> str | None:
            field = catalogue.get(str(key))
            return field.name if field else None

        headers = check_headers(body.get("columnHeaderNames"), names, canonical)
        spec = one_filter(body.get("filter"))
        if len(spec) != 1:
            raise ApiError("1003", "Only one filter type may be given per export job")
        (kind, value), = spec.items()
        if kind in ("staticListId", "staticListName") and self._static_list is not None:
            list_id = self._static_list(value, "id" if kind == "staticListId" else "name")
            return names, headers, {"type": "staticList", "listId": list_id}
        if kind in LIST_FILTERS:
            raise ApiError("1003", f"{kind} '{value}' not found")
        if kind not in DATE_FILTERS:
            raise ApiError("1035", f"Unsupported filter type for target subscription: {kind}")
        return names, headers, check_window(kind, value, self.settings.max_days)

    def write(self, conn, fields: list[str], headers: dict, spec: dict, out: TextIO,
              delimiter: str) -> int:
        catalogue = self._catalogue()
        # null as "null" and booleans as true/false made by SQLite, so that the csv module
        # writes the rows straight from the cursor, without a Python step per row
        selected = []
        for name in fields:
            field = catalogue.get(name)
            if field is not None and field.data_type == "boolean":
                selected.append(f"""CASE WHEN l."{name}" IS NULL THEN 'null' """
                                f"""WHEN l."{name}" THEN 'true' ELSE 'false' END""")
            else:
                selected.append(f"""coalesce(l."{name}", 'null')""")
        cols = ", ".join(selected)
        if spec["type"] == "staticList":
            cursor = conn.execute(
                f'SELECT {cols} FROM "leads" l JOIN "list_members" m ON m."leadId" = l.id '
                'WHERE m."listId" = ? ORDER BY l.id', [spec["listId"]])
        else:
            column = spec["type"]
            cursor = conn.execute(
                f'SELECT {cols} FROM "leads" l WHERE l."{column}" >= ? AND l."{column}" < ? '
                "ORDER BY l.id", [spec["startAt"], spec["endAt"]])
        writer = writer_for(out, delimiter)
        writer.writerow([headers.get(n, n) for n in fields])
        counter = itertools.count()
        # the counter counts the rows as they go by
        writer.writerows(map(itemgetter(0), zip(cursor, counter, strict=False)))
        return next(counter)


# --- the queue ----------------------------------------------------------------------------------

class Exports:
    def __init__(self, store: Store, clock: Clock, settings: ExportSettings,
                 kinds: list[ExportKind]) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.kinds: dict[str, ExportKind] = {k.entity: k for k in kinds}
        #: kinds made on demand from their entity (a custom object type's: "co:<apiName>")
        self.resolver: Callable[[str], ExportKind | None] = lambda entity: None

    def kind(self, entity: str) -> ExportKind:
        kind = self.kinds.get(entity) or self.resolver(entity)
        if kind is None:
            raise ApiError("1013", f"No bulk export of '{entity}'")
        return kind

    def _file(self, export_id: str) -> Path:
        return self.store.files_dir / f"export-{export_id}.csv"

    # --- the calls ----------------------------------------------------------------------
    def create(self, entity: str, body: dict) -> dict:
        kind = self.kind(entity)
        fmt = body.get("format", "CSV")
        if fmt is None:
            fmt = "CSV"
        if not isinstance(fmt, str) or fmt.upper() not in FORMATS:
            raise ApiError("1003", f"Invalid format '{fmt}': one of {', '.join(FORMATS)}")
        fields, headers, spec = kind.check(body)
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            self._refresh(db, now)
            seq = db.conn.execute(f'SELECT coalesce(max(seq), 0) + 1 FROM "{EXPORT_JOBS}"'
                                  ).fetchone()[0]
            export_id = str(uuid.uuid4())
            db.conn.execute(
                f'INSERT INTO "{EXPORT_JOBS}" (seq, exportId, entity, format, status, fields, '
                'columnHeaderNames, filter, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                [seq, export_id, entity, fmt.upper(), "Created", json.dumps(fields),
                 json.dumps(headers), json.dumps(spec), now])
            return self._job(db, entity, export_id)

    def enqueue(self, entity: str, export_id: str) -> dict:
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            self._refresh(db, now)
            job = self._row(db, entity, export_id)
            if job["status"] in ACTIVE:
                raise ApiError("1029", "Job already queued")
            if job["status"] != "Created":
                raise ApiError("1003", f"Job {export_id} is {job['status']}: only a job in "
                                       "Created state can be enqueued")
            queued = db.conn.execute(f'SELECT count(*) FROM "{EXPORT_JOBS}" '
                                     "WHERE status = 'Queued' AND entity = ?",
                                     [entity]).fetchone()[0]
            if queued >= self.settings.max_queued:
                raise ApiError("1029", f"Too many jobs ({self.settings.max_queued}) in queue")
            if self._bytes_today(db, now) >= self.settings.daily_quota_bytes:
                quota = self.settings.daily_quota_bytes // (1024 * 1024)
                raise ApiError("1029", f"Export daily quota {quota}MB exceeded")
            db.conn.execute(f'UPDATE "{EXPORT_JOBS}" SET status = ?, queuedAt = ? '
                            "WHERE exportId = ?", ["Queued", now, export_id])
            self._refresh(db, now)
            return self._job(db, entity, export_id)

    def status(self, entity: str, export_id: str) -> dict:
        with self.store.transaction() as db:
            self._refresh(db, self.clock.timestamp())
            return self._job(db, entity, export_id)

    def cancel(self, entity: str, export_id: str) -> dict:
        now = self.clock.timestamp()
        with self.store.transaction() as db:
            self._refresh(db, now)
            job = self._row(db, entity, export_id)
            if job["status"] not in ("Created", *ACTIVE):
                raise ApiError("1003", f"Job {export_id} is {job['status']}: it cannot be "
                                       "cancelled")
            db.conn.execute(f'UPDATE "{EXPORT_JOBS}" SET status = ?, finishedAt = ? '
                            "WHERE exportId = ?", ["Cancelled", now, export_id])
            self._file(export_id).unlink(missing_ok=True)
            return self._job(db, entity, export_id)

    def file(self, entity: str, export_id: str) -> Path:
        """The path of a completed job's file (read it as a stream)."""
        with self.store.transaction() as db:
            self._refresh(db, self.clock.timestamp())
            job = self._row(db, entity, export_id)
            if job["status"] != "Completed":
                raise ApiError("1003", f"Job {export_id} is {job['status']}: its file is "
                                       "ready once it is Completed")
        path = self._file(export_id)
        if not path.exists():
            raise ApiError("1003", f"The file of job {export_id} has expired")
        return path

    def list_jobs(self, entity: str, statuses: list[str] | None, batch: int,
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
            where = ["seq > ?", "createdAt >= ?", "entity = ?"]
            params: list = [after, now - self.settings.keep_days * 86400, entity]
            if statuses:
                where.append(f"status IN ({','.join('?' * len(statuses))})")
                params += statuses
            rows = db.conn.execute(
                f'SELECT exportId, seq FROM "{EXPORT_JOBS}" WHERE {" AND ".join(where)} '
                "ORDER BY seq LIMIT ?", [*params, batch + 1]).fetchall()
            jobs = [self._job(db, entity, export_id) for export_id, _seq in rows[:batch]]
        more = len(rows) > batch
        return jobs, position_token(rows[batch - 1][1]) if more else None

    # --- the queue ----------------------------------------------------------------------
    def _row(self, db, entity: str, export_id: str) -> dict:
        row = db.conn.execute(f'SELECT {", ".join(_JOB_COLUMNS)} FROM "{EXPORT_JOBS}" '
                              "WHERE exportId = ? AND entity = ?",
                              [export_id, entity]).fetchone()
        if row is None:
            raise ApiError("1003", f"Export job '{export_id}' not found")
        return dict(zip(_JOB_COLUMNS, row, strict=True))

    def _job(self, db, entity: str, export_id: str) -> dict:
        job = self._row(db, entity, export_id)
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
        # Marketo's daily allowance is shared by every kind of export
        midnight = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0,
                                                            microsecond=0).timestamp()
        return db.conn.execute(f'SELECT coalesce(sum(fileSize), 0) FROM "{EXPORT_JOBS}" '
                               "WHERE startedAt >= ?", [midnight]).fetchone()[0]

    def refresh(self) -> None:
        with self.store.transaction() as db:
            self._refresh(db, self.clock.timestamp())

    def _refresh(self, db, now: float) -> None:
        """Replay each kind's queue up to ``now``: finishes first, then starts, in time."""
        active = db.conn.execute(
            f'SELECT exportId, status, queuedAt, startedAt, finishedAt, entity '
            f'FROM "{EXPORT_JOBS}" WHERE status IN (\'Queued\', \'Processing\') '
            "ORDER BY queuedAt, seq").fetchall()
        for entity in sorted({r[5] for r in active}):
            self._replay(db, now, [r for r in active if r[5] == entity])

    def _replay(self, db, now: float, active: list) -> None:
        s = self.settings
        conn = db.conn
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
        row = db.conn.execute(f'SELECT entity, format, fields, columnHeaderNames, filter '
                              f'FROM "{EXPORT_JOBS}" WHERE exportId = ?', [export_id]).fetchone()
        entity, fmt, fields, headers, spec = row
        kind = self.kind(entity)
        path = self._file(export_id)
        partial = path.with_suffix(".part")
        with open(partial, "w", encoding="utf-8", newline="", buffering=_HASH_CHUNK) as out:
            count = kind.write(db.conn, json.loads(fields), json.loads(headers or "{}"),
                               json.loads(spec), out, FORMATS[fmt])
        partial.replace(path)
        size, checksum = _size_and_checksum(path)
        finish = started + self.settings.min_seconds + count / self.settings.rows_per_second
        db.conn.execute(
            f'UPDATE "{EXPORT_JOBS}" SET status = ?, startedAt = ?, finishedAt = ?, '
            "numberOfRecords = ?, fileSize = ?, fileChecksum = ? WHERE exportId = ?",
            ["Processing", started, finish, count, size, f"sha256:{checksum}", export_id])
        return finish


def _size_and_checksum(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()

"""People from Marketo to SIA: the initial sync and the incremental sync (P-*, S-INITIATE).

Initial sync: Marketo's bulk lead export, in windows of ``createdAt``. The REST route
(leads by filter, 300 a page) tops out at 1,500 people/s under Marketo's limit of 100
calls per 20 s, and cannot list "everyone" without a filter; one export returns every
person created in a window of up to 31 days in one file, whatever their number. The oldest
person is found from the lowest Marketo ids (Marketo numbers persons as it creates them),
and the windows run from there to now.

Incremental sync: Marketo's lead-change feed, from a paging token taken *before* the
initial export began, so a change made while the export ran is replayed, never missed.
Replaying a change is harmless: changes apply in order, and the last one wins.

Every batch of writes lands in one transaction with the cursor it advances (the window
marked done, the feed token moved on), so a sync killed at any point and started again
ends with exactly the right people: none lost, none twice (people are keyed by Marketo ID).
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from engine.clients.marketo import MarketoClient
from engine.db import PEOPLE_INDEXES, EngineDB
from engine.errors import RemoteError, SyncNotInitiated
from engine.fields import (
    BY_MARKETO,
    COLUMNS,
    MARKETO_READ_FIELDS,
    QUALIFYING_FIELDS,
    SYNCED_FIELDS,
    qualifies,
    to_row,
)
from engine.sync.export_file import UPSERT as UPSERT_EXPORTED
from engine.sync.export_file import people_upsert, read_batches
from engine.sync.prefetch import Prefetch
from engine.timestamps import now_stamp as now_iso
from engine.timestamps import parse as _parse
from engine.timestamps import stamp as _stamp

log = logging.getLogger("siasim.engine.people")

WINDOW = timedelta(days=31) - timedelta(seconds=1)  # Marketo allows at most 31 days
PROBE_BATCH = 300  # ids per probe for the oldest person
PROBE_LIMIT = 40  # probes before falling back to FALLBACK_HISTORY
FALLBACK_HISTORY = timedelta(days=3 * 365)
FEED_MARGIN = timedelta(minutes=5)  # the feed starts a little before the export
IN_FLIGHT = ("Created", "Queued", "Processing")
EXPORTS_AHEAD = 6  # queued ahead: Marketo processes two at a time and queues ten
QUICK_POLL = 0.02  # the first pause of an unpaced client's wait for an export
BATCH = 2_000  # rows per transaction
NEW_LEAD, CHANGE_DATA_VALUE = 12, 13

INITIATED = "people.initiated"
INITIAL_DONE = "people.initial_done"
FEED = "people.changes"
DELETED_FEED = "people.deleted"

Progress = Callable[[str, dict], None]

_UPSERT = people_upsert(lambda column: "?")


@dataclass
class SyncResult:
    kind: str
    added: int = 0
    updated: int = 0
    removed: int = 0
    ignored: int = 0
    pages: int = 0
    seconds: float = 0.0
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "added": self.added, "updated": self.updated,
                "removed": self.removed, "ignored": self.ignored, "pages": self.pages,
                "seconds": round(self.seconds, 3), **self.details}




class PeopleSync:
    def __init__(self, db: EngineDB, marketo: MarketoClient,
                 progress: Progress | None = None, poll: float = 0.5) -> None:
        self.db = db
        self.marketo = marketo
        self.progress = progress or (lambda event, info: None)
        self.poll = poll
        self._in_flight: tuple[float, set[str]] | None = None  # (when, job ids) last seen

    # --- S-INITIATE --------------------------------------------------------------------------
    def fields(self) -> list[dict]:
        """What an admin sees before starting the sync: the 13 fields and their sources."""
        return [{"field": f.label, "marketoField": f.marketo} for f in SYNCED_FIELDS]

    @property
    def initiated(self) -> bool:
        return self.db.cursor(INITIATED) is not None

    @property
    def initial_done(self) -> bool:
        return self.db.cursor(INITIAL_DONE) is not None

    def initiate(self) -> SyncResult:
        """The admin action: start the data sync, copy every qualified person, catch up."""
        started = time.perf_counter()
        if not self.initiated:
            self._plan()
        result = self._export_windows()
        with self.db.transaction() as db:
            self.db.set_cursor(db, INITIAL_DONE, now_iso())
        catch_up = self.changes()
        result.added += catch_up.added
        result.updated += catch_up.updated
        result.removed += catch_up.removed
        result.seconds = time.perf_counter() - started
        result.details["changesReplayed"] = catch_up.pages
        return result

    def _plan(self) -> None:
        now = datetime.now(UTC)
        feed = self.marketo.paging_token(now - FEED_MARGIN)
        oldest = self._oldest_person() or (now - FALLBACK_HISTORY)
        start = oldest - timedelta(seconds=1)
        end = now + timedelta(days=1)
        windows = []
        while start < end:
            stop = min(start + WINDOW, end)
            windows.append((_stamp(start), _stamp(stop)))
            start = stop
        with self.db.transaction() as db:
            db.execute("DELETE FROM export_windows")
            db.conn.executemany("INSERT INTO export_windows (start_at, end_at) VALUES (?, ?)",
                                windows)
            self.db.set_cursor(db, FEED, feed)
            self.db.set_cursor(db, DELETED_FEED, feed)
            self.db.set_cursor(db, INITIATED, now_iso())
        self.progress("planned", {"windows": len(windows), "from": windows[0][0]})

    def _oldest_person(self) -> datetime | None:
        for probe in range(PROBE_LIMIT):
            ids = range(probe * PROBE_BATCH + 1, (probe + 1) * PROBE_BATCH + 1)
            found = self.marketo.leads_by_filter("id", list(ids), ["id", "createdAt"])
            stamps = [_parse(p["createdAt"]) for p in found if p.get("createdAt")]
            if stamps:
                return min(stamps)
        return None

    def _export_windows(self) -> SyncResult:
        """Every window not yet done, in order: the exports are started ahead and their
        files downloaded in a thread (:class:`Prefetch`) while the last one is written."""
        result = SyncResult("initial")
        pending = self.db.query("SELECT * FROM export_windows WHERE status != 'done' "
                                "ORDER BY start_at")
        total = self.db.query("SELECT COUNT(*) AS n FROM export_windows")[0]["n"]
        done = total - len(pending)
        indexed_later = self._unindex_if_empty()
        try:
            self._copy_windows(pending, done, total, result)
        finally:
            if indexed_later:
                with self.db.transaction() as db:
                    for statement in PEOPLE_INDEXES:
                        db.execute(statement)
        return result

    def _unindex_if_empty(self) -> bool:
        """Into an empty ``people``, copy first and index after (one sort per index costs
        less than updating three indexes row by row). A sync killed before the end leaves
        no index behind for long: the database makes the missing ones when it is opened."""
        with self.db.transaction() as db:
            if db.execute("SELECT 1 FROM people LIMIT 1").fetchone():
                return False
            for statement in PEOPLE_INDEXES:
                db.execute(f"DROP INDEX IF EXISTS {statement.split(' ON ')[0].split()[-1]}")
        return True

    def _copy_windows(self, pending: list[dict], done: int, total: int,
                      result: SyncResult) -> None:
        with Prefetch(lambda put, stopped: self._fetch_windows(pending, put, stopped),
                      discard=lambda window: window["file"].close(),
                      name="initial-sync-files") as windows:
            for window in windows:
                try:
                    added, removed = self._load_export(window)
                finally:
                    window["file"].close()
                result.added += added
                result.removed += removed
                done += 1
                self.progress("window", {"done": done, "total": total, "rows": added})

    def _fetch_windows(self, pending: list[dict], put, stopped) -> None:
        """In the thread: keep EXPORTS_AHEAD exports going, and hand each window over, in
        order, once its file is here."""
        started: list[dict] = []
        while (pending or started) and not stopped.is_set():
            while pending and len(started) < EXPORTS_AHEAD:
                started.append(self._start_export(pending.pop(0)))
            window = started.pop(0)
            self._wait_for(window)
            if not put({**window, "file": self._download(window)}):
                return

    def _start_export(self, window: dict) -> dict:
        if window["export_id"]:
            try:  # an export made before a restart may still be there
                status = self.marketo.export_status(window["export_id"])["status"]
                if status in ("Created", "Queued", "Processing", "Completed"):
                    if status == "Created":
                        self.marketo.enqueue_export(window["export_id"])
                    return {**window, "enqueued": time.monotonic()}
            except RemoteError:
                pass
        export_id = self.marketo.create_export(list(MARKETO_READ_FIELDS),
                                               _parse(window["start_at"]),
                                               _parse(window["end_at"]))
        with self.db.transaction() as db:
            db.execute("UPDATE export_windows SET export_id = ?, status = 'exporting' "
                       "WHERE start_at = ?", (export_id, window["start_at"]))
        self._enqueue(export_id)
        return {**window, "export_id": export_id, "enqueued": time.monotonic()}

    def _enqueue(self, export_id: str) -> None:
        delay = self.poll
        while True:
            try:
                self.marketo.enqueue_export(export_id)
                return
            except RemoteError as exc:
                if exc.remote_code != "1029":  # the queue is full: wait for room
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _wait_for(self, window: dict) -> None:
        """Wait until the window's export has left Marketo's queue.

        One call lists every job still queued or processing, so all the exports in
        flight are watched for the price of one call, not one each. A client with a call
        budget (Marketo's limits) polls every ``poll`` s at first; one without polls
        sooner, so that a quick export is not waited for longer than it took.
        """
        delay = self.poll if self.marketo.pacer.calls else min(self.poll, QUICK_POLL)
        seen = self._in_flight
        # a poll made after this job was enqueued, which no longer lists it: it is done
        if seen is not None and seen[0] >= window["enqueued"] \
                and window["export_id"] not in seen[1]:
            return
        while True:
            polled_at = time.monotonic()
            jobs = self.marketo.export_jobs(IN_FLIGHT)
            self._in_flight = (polled_at, {job["exportId"] for job in jobs})
            if window["export_id"] not in self._in_flight[1]:
                return
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    def _failed(self, window: dict) -> RemoteError:
        status = self.marketo.export_status(window["export_id"])
        return RemoteError("Marketo", "export",
                           f"export {window['export_id']} {status.get('status', '?').lower()}: "
                           f"{status.get('errorMsg', '')}")

    def _download(self, window: dict) -> BinaryIO:
        """The window's export file, in a temporary file (memory stays flat whatever its
        size; a file this short-lived rarely leaves the page cache)."""
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (returned open; the caller closes it)
        try:
            for piece in self.marketo.export_file(window["export_id"]):
                spool.write(piece)
        except RemoteError as exc:
            spool.close()
            failed = self._failed(window)
            raise (exc if "completed" in failed.message else failed) from None
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool

    def _load_export(self, window: dict) -> tuple[int, int]:
        """Upsert the window's qualified persons, retire the others; the window is marked
        done with its last batch."""
        file = window.get("file") or self._download(window)
        added = removed = 0
        batches = read_batches(file, BATCH, now_iso)
        keep, drop = next(batches)
        for following in batches:
            a, r = self._store(keep, drop=drop)
            added, removed = added + a, removed + r
            keep, drop = following
        a, r = self._store(keep, window=window, drop=drop, rows=added + len(keep))
        return added + a, removed + r

    def _store(self, keep: list[tuple], window: dict | None = None,
               drop: list[tuple[int]] | None = None, rows: int | None = None) -> tuple[int, int]:
        """Upsert the qualified persons (rows for ``export_file.UPSERT``), retire the ones
        no longer qualified; with the last batch of a window, mark the window done in the
        same transaction."""
        with self.db.transaction() as db:
            if keep:
                db.conn.executemany(UPSERT_EXPORTED, keep)
            removed = 0
            if drop:
                before = db.conn.total_changes
                db.conn.executemany("UPDATE people SET status = 'unqualified' "
                                    "WHERE marketo_id = ? AND status = 'active'", drop)
                removed = db.conn.total_changes - before
            if window is not None:
                db.execute("UPDATE export_windows SET status = 'done', rows = ? "
                           "WHERE start_at = ?",
                           (len(keep) if rows is None else rows, window["start_at"]))
        return len(keep), removed

    # --- P-INCREMENTAL -----------------------------------------------------------------------
    def changes(self, max_pages: int | None = None) -> SyncResult:
        """One pass over the lead-change feed, from the saved token to its end."""
        if not self.initiated:
            raise SyncNotInitiated("the data sync has not been started: an admin starts it "
                                   "first (S-INITIATE)")
        started = time.perf_counter()
        result = SyncResult("changes")
        token = self.db.cursor(FEED)
        fields = list(MARKETO_READ_FIELDS)
        while max_pages is None or result.pages < max_pages:
            page = self.marketo.lead_changes(token, fields)
            result.pages += 1
            self._apply_changes(page.result, page.next_page_token or token, result)
            token = page.next_page_token or token
            if not page.more_result:
                break
        self._apply_deletions(result)
        result.seconds = time.perf_counter() - started
        return result

    def _apply_changes(self, items: list[dict], next_token: str, result: SyncResult) -> None:
        updates: dict[int, dict[str, object]] = {}
        to_fetch: set[int] = set()
        for item in items:
            lead_id = int(item["leadId"])
            kind = item.get("activityTypeId")
            if kind == NEW_LEAD:
                to_fetch.add(lead_id)
                continue
            if kind != CHANGE_DATA_VALUE:
                continue
            touched = False
            for change in item.get("fields") or []:
                name = change.get("name")
                if name in QUALIFYING_FIELDS or name in ("sfdcLeadId", "sfdcContactId"):
                    to_fetch.add(lead_id)  # who owns it decides whether it is in SIA
                    touched = True
                if name in BY_MARKETO and name != "id":
                    updates.setdefault(lead_id, {})[BY_MARKETO[name].column] = \
                        _value(change.get("newValue"))
                    touched = True
            if not touched:
                result.ignored += 1  # a field SIA does not sync: nothing to do
        fetched = self._fetch(sorted(to_fetch))
        stamp = now_iso()
        with self.db.transaction() as db:
            conn = db.conn
            for lead_id, columns in updates.items():
                sets = ", ".join(f"{c} = ?" for c in columns)
                cur = conn.execute(f"UPDATE people SET {sets}, synced_at = ? "
                                   f"WHERE marketo_id = ? AND status = 'active'",
                                   (*columns.values(), stamp, lead_id))
                result.updated += cur.rowcount
            for lead_id in to_fetch:
                person = fetched.get(lead_id)
                existing = conn.execute("SELECT status FROM people WHERE marketo_id = ?",
                                        (lead_id,)).fetchone()
                if person is not None and qualifies(person):
                    row = to_row(person)
                    conn.execute(_UPSERT, (*[row[c] for c in COLUMNS], stamp))
                    if existing is None or existing[0] != "active":
                        result.added += 1
                elif existing is not None and existing[0] == "active":
                    # reference choice: a person that loses its sales owner leaves SIA's
                    # list (kept in the database, marked, with its history)
                    conn.execute("UPDATE people SET status = 'unqualified', synced_at = ? "
                                 "WHERE marketo_id = ?", (stamp, lead_id))
                    result.removed += 1
            self.db.set_cursor(db, FEED, next_token)

    def _fetch(self, lead_ids: list[int]) -> dict[int, dict]:
        people = self.marketo.leads_by_filter("id", lead_ids, list(MARKETO_READ_FIELDS))
        return {int(person["id"]): person for person in people}

    def _apply_deletions(self, result: SyncResult) -> None:
        """Reference choice: a person deleted in Marketo leaves SIA's list."""
        token = self.db.cursor(DELETED_FEED)
        if token is None:
            return
        while True:
            page = self.marketo.deleted_leads(token)
            ids = [(int(item["leadId"]),) for item in page.result if item.get("leadId")]
            with self.db.transaction() as db:
                if ids:
                    before = db.conn.total_changes
                    db.conn.executemany("UPDATE people SET status = 'deleted' "
                                        "WHERE marketo_id = ? AND status != 'deleted'", ids)
                    result.removed += db.conn.total_changes - before
                self.db.set_cursor(db, DELETED_FEED, page.next_page_token or token)
            token = page.next_page_token or token
            if not page.more_result:
                return


def _value(value: object) -> object:
    return None if value in ("", None) else value

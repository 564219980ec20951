"""Delivering SIA's activity log to Marketo as native activities, exactly once.

Each activity is stored in SIA's database first (``delivery = 'pending'``), then sent in
batches through ``activities/external.json``, following ``engine.sync.attempts`` (attempt,
then settle). A batch is marked ``'unknown'`` before it is sent, with the time until which
it may still land (``attempt_until``: the client's write horizon). When its answer is lost
(a timeout, a dropped connection, the engine killed mid-call), SIA reads the persons'
activities back from Marketo before anything is sent again and marks the ones already
there as delivered. One not there is sent again only once its attempt can no longer land
(at once when Marketo answered or closed the connection; after the horizon when SIA gave
up waiting, as Marketo may still be working on it): Marketo has no idempotent way to add
an activity, so a write that lands after the client's timeout must never meet a second.

An activity is recognised by person, type, date and primary value. SIA gives each of its
activities of one type and person a date of its own, to the second (``Actions._occurred``),
and the primary value of an email activity carries the email's unique marker.

Deliveries hold the database's ``marketo`` lock (``engine.locks``), so an ``'unknown'``
row found under it belongs to no live delivery.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from engine.clients.marketo import MarketoClient
from engine.db import EngineDB
from engine.errors import AmbiguousWrite, RemoteError
from engine.sync.attempts import Attempt, State, settle
from engine.timestamps import parse as _parse

log = logging.getLogger("siasim.engine.to_marketo")
BATCH = 300  # Marketo's most records per call
ROUNDS = 5  # sends per flush; what is left waits for the next action or sync pass
LEADS_PER_READ = 30  # Marketo's most leadIds per activities.json call
TYPES_PER_READ = 10  # and its most activityTypeIds
READ_MARGIN = timedelta(minutes=1)


class ActivityDelivery:
    def __init__(self, db: EngineDB, marketo: MarketoClient) -> None:
        self.db = db
        self.marketo = marketo
        self._type_ids: dict[str, int] | None = None

    def type_ids(self) -> dict[str, int]:
        """Activity type ids by name: type metadata, read once (never activity data)."""
        if self._type_ids is None:
            self._type_ids = {t["name"]: t["id"] for t in self.marketo.activity_types()}
        return self._type_ids

    def type_id(self, name: str) -> int:
        ids = self.type_ids()
        if name not in ids:
            raise RemoteError("Marketo", "1013", f"Marketo has no activity type '{name}'")
        return ids[name]

    def waiting(self) -> int:
        return self.db.query("SELECT COUNT(*) AS n FROM activities WHERE delivery IN "
                             "('pending', 'unknown')")[0]["n"]

    def flush(self) -> dict:
        """Deliver every activity not yet in Marketo; returns counts.

        Raises :class:`RemoteError` when Marketo cannot be reached; nothing is lost, the
        next flush goes on from where this one stopped.
        """
        counts = {"delivered": 0, "confirmed": 0, "failed": 0, "inFlight": 0}
        with self.db.lock("marketo").hold():
            self._settle_unknown(counts)
            for _ in range(ROUNDS):
                batch = self.db.query("SELECT * FROM activities WHERE delivery = 'pending' "
                                      "ORDER BY id LIMIT ?", (BATCH,))
                if not batch:
                    break
                self._send(batch, counts)
        return counts

    def _send(self, batch: list[dict], counts: dict) -> None:
        items = [self._item(row) for row in batch]  # type ids first: a read, never lost
        ids = [row["id"] for row in batch]
        marks = ",".join("?" * len(ids))
        # marked before sending: whoever finds them so checks Marketo before sending again
        attempt = Attempt.begin(self.marketo.write_horizon)
        with self.db.transaction() as db:
            db.execute(f"UPDATE activities SET delivery = 'unknown', attempt_until = ? "
                       f"WHERE id IN ({marks})", [attempt.until, *ids])
        try:
            results = self.marketo.add_activities(items)
        except AmbiguousWrite as exc:
            log.info("activity batch answer lost (%s): checking Marketo", exc.message)
            if not exc.in_flight:  # Marketo is done with it: what is not there never will be
                with self.db.transaction() as db:
                    db.execute(f"UPDATE activities SET attempt_until = ? WHERE id IN ({marks})",
                               [attempt.ended().until, *ids])
            self._settle_unknown(counts)
            return
        except RemoteError as exc:
            # refused as a whole (a quota, a bad token ...): nothing landed, send it later
            with self.db.transaction() as db:
                db.execute(f"UPDATE activities SET delivery = 'pending', error = ? "
                           f"WHERE id IN ({marks})", [exc.message, *ids])
            raise
        with self.db.transaction() as db:
            for row, result in zip(batch, results, strict=False):
                if result.get("status") == "added":
                    db.execute("UPDATE activities SET delivery = 'done', marketo_activity_id = ?,"
                               " error = NULL WHERE id = ?", (result.get("id"), row["id"]))
                    counts["delivered"] += 1
                else:
                    reasons = result.get("reasons") or result.get("errors") or []
                    db.execute("UPDATE activities SET delivery = 'failed', error = ? "
                               "WHERE id = ?", (json.dumps(reasons), row["id"]))
                    counts["failed"] += 1

    def _item(self, row: dict) -> dict:
        return {"leadId": row["marketo_id"], "activityDate": row["occurred_at"],
                "activityTypeId": self.type_id(row["type"]),
                "primaryAttributeValue": row["primary_value"],
                "attributes": [{"name": k, "value": v}
                               for k, v in json.loads(row["attributes"]).items()
                               if v is not None]}

    def _settle_unknown(self, counts: dict) -> None:
        """Find out which activities of a lost batch reached Marketo; the rest go back to
        pending once their attempt can no longer land (until then they are in flight). A
        read that fails raises, and the rows stay unknown for the next try."""
        unknown = self.db.query("SELECT * FROM activities WHERE delivery = 'unknown' "
                                "ORDER BY marketo_id, id")
        if not unknown:
            return
        people = sorted({row["marketo_id"] for row in unknown})
        for start in range(0, len(people), LEADS_PER_READ):
            group = set(people[start:start + LEADS_PER_READ])
            rows = [row for row in unknown if row["marketo_id"] in group]
            seen = self._read_back(rows)
            with self.db.transaction() as db:
                for row in rows:
                    key = (row["marketo_id"], self.type_id(row["type"]), row["occurred_at"],
                           row["primary_value"])
                    if key in seen:
                        db.execute("UPDATE activities SET delivery = 'done', error = NULL, "
                                   "marketo_activity_id = ? WHERE id = ?",
                                   (seen[key], row["id"]))
                        counts["confirmed"] += 1
                    elif settle(Attempt.of(None, row["attempt_until"]),
                                lambda: None)[0] is State.IN_FLIGHT:
                        counts["inFlight"] += 1  # it may still land: nothing is sent
                    else:
                        db.execute("UPDATE activities SET delivery = 'pending' WHERE id = ?",
                                   (row["id"],))

    def _read_back(self, rows: list[dict]) -> dict[tuple, int]:
        since = min(_parse(r["occurred_at"]) for r in rows) - READ_MARGIN
        lead_ids = sorted({r["marketo_id"] for r in rows})
        type_ids = sorted({self.type_id(r["type"]) for r in rows})
        seen: dict[tuple, int] = {}
        for start in range(0, len(type_ids), TYPES_PER_READ):
            for item in self.marketo.all_activities(since, type_ids[start:start + TYPES_PER_READ],
                                                    lead_ids):
                seen[(item.get("leadId"), item.get("activityTypeId"), item.get("activityDate"),
                      item.get("primaryAttributeValue"))] = item.get("id")
        return seen

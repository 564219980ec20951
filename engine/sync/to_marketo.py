"""Delivering SIA's activity log to Marketo as native activities, exactly once.

Each activity is stored in SIA's database first (``delivery = 'pending'``), then sent in
batches through ``activities/external.json``. When a batch's answer is lost (a timeout, a
dropped connection, the engine killed), its activities become ``'unknown'``: before they
are sent again, SIA reads the person's activities back from Marketo and keeps the ones
already there. An activity is recognised by person, type, date and primary value; SIA
gives each of its activities of one type and person a distinct date (to the second).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from engine.clients.marketo import MarketoClient
from engine.db import EngineDB
from engine.errors import AmbiguousWrite, RemoteError

log = logging.getLogger("siasim.engine.to_marketo")
BATCH = 300
ROUNDS = 5  # sends per flush; what is left waits for the next action or sync pass


class ActivityDelivery:
    def __init__(self, db: EngineDB, marketo: MarketoClient) -> None:
        self.db = db
        self.marketo = marketo
        self._type_ids: dict[str, int] | None = None

    def type_ids(self) -> dict[str, int]:
        """Activity type ids by name (type metadata, read once; never activity data)."""
        if self._type_ids is None:
            self._type_ids = {t["name"]: t["id"] for t in self.marketo.activity_types()}
        return self._type_ids

    def type_id(self, name: str) -> int:
        if name not in self.type_ids():
            raise RemoteError("Marketo", "1013", f"Marketo has no activity type '{name}'")
        return self._type_ids[name]

    def flush(self) -> dict:
        """Deliver every activity not yet in Marketo; returns counts."""
        counts = {"delivered": 0, "confirmed": 0, "failed": 0}
        self._settle_unknown(counts)
        for _ in range(ROUNDS):
            batch = self.db.query("SELECT * FROM activities WHERE delivery = 'pending' "
                                  "ORDER BY id LIMIT ?", (BATCH,))
            if not batch:
                break
            self._send(batch, counts)
        return counts

    def _send(self, batch: list[dict], counts: dict) -> None:
        ids = [row["id"] for row in batch]
        marks = ",".join("?" * len(ids))
        # marked before sending: if we die mid-call, the next run checks before resending
        with self.db.transaction() as db:
            db.execute(f"UPDATE activities SET delivery = 'unknown' WHERE id IN ({marks})", ids)
        items = [self._item(row) for row in batch]
        try:
            results = self.marketo.add_activities(items)
        except AmbiguousWrite:
            self._settle_unknown(counts)
            return
        except RemoteError as exc:
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
        """Find out which activities of a lost batch reached Marketo; resend the rest."""
        unknown = self.db.query("SELECT * FROM activities WHERE delivery = 'unknown'")
        if not unknown:
            return
        by_person: dict[int, list[dict]] = {}
        for row in unknown:
            by_person.setdefault(row["marketo_id"], []).append(row)
        for person, rows in by_person.items():
            since = min(_parse(r["occurred_at"]) for r in rows) - timedelta(minutes=1)
            type_ids = sorted({self.type_id(r["type"]) for r in rows})
            seen = {}
            for start in range(0, len(type_ids), 10):  # Marketo takes 10 types a call
                for item in self.marketo.all_activities(since, type_ids[start:start + 10],
                                                        [person]):
                    seen[(item.get("activityTypeId"), item.get("activityDate"),
                          item.get("primaryAttributeValue"))] = item.get("id")
            with self.db.transaction() as db:
                for row in rows:
                    key = (self.type_id(row["type"]), row["occurred_at"], row["primary_value"])
                    if key in seen:
                        db.execute("UPDATE activities SET delivery = 'done', "
                                   "marketo_activity_id = ? WHERE id = ?", (seen[key], row["id"]))
                        counts["confirmed"] += 1
                    else:
                        db.execute("UPDATE activities SET delivery = 'pending' WHERE id = ?",
                                   (row["id"],))


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

"""Lead partitions: the list of them, and moving persons between them.

Every subscription has the ``Default`` partition (id 1); more are made in Marketo's admin
screens (here: ``POST /__admin__/partitions``). A person's partition is its read-only
``leadPartitionId`` field (empty means Default); ``POST /rest/v1/leads.json`` with a
``partitionName`` creates its new persons there, and ``POST /rest/v1/leads/partitions.json``
moves persons.
"""

from __future__ import annotations

from collections.abc import Sequence

from mocks.core.store import Store
from mocks.marketo.envelope import reason
from mocks.marketo.fields import is_integer

PARTITIONS = "lead_partitions"


class Partitions:
    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[dict]:
        rows = self.store.db.conn.execute(
            f'SELECT id, name, description FROM "{PARTITIONS}" ORDER BY id').fetchall()
        return [{"id": r[0], "name": r[1], **({"description": r[2]} if r[2] else {})}
                for r in rows]

    def id_of(self, name: str) -> int | None:
        row = self.store.db.conn.execute(
            f'SELECT id FROM "{PARTITIONS}" WHERE name = ?', [name]).fetchone()
        return None if row is None else row[0]

    def add(self, name: str, description: str | None) -> dict:
        with self.store.transaction() as db:
            if self.id_of(name) is not None:
                raise ValueError(f"a partition named '{name}' exists already")
            ident = db.conn.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{PARTITIONS}"'
                                    ).fetchone()[0]
            db.conn.execute(f'INSERT INTO "{PARTITIONS}" (id, name, description) '
                            "VALUES (?, ?, ?)", [ident, name, description])
        return {"id": ident, "name": name, "description": description}

    def move(self, records: Sequence) -> list[dict]:
        """``[{id, partitionName}]``: each person to its partition."""
        results = []
        with self.store.transaction() as db:
            for record in records:
                lead_id = record.get("id") if isinstance(record, dict) else None
                name = record.get("partitionName") if isinstance(record, dict) else None
                if not is_integer(lead_id):
                    results.append({"status": "skipped", "reasons": [
                        reason("1003", "id cannot be blank and must be an integer")]})
                    continue
                partition = self.id_of(str(name)) if name else None
                if partition is None:
                    results.append({"id": lead_id, "status": "skipped", "reasons": [
                        reason("1003", f"Partition '{name}' not found")]})
                    continue
                changed = db.conn.execute('UPDATE "leads" SET "leadPartitionId" = ? '
                                          "WHERE id = ?", [partition, lead_id]).rowcount
                if not changed:
                    results.append({"id": lead_id, "status": "skipped",
                                    "reasons": [reason("1004", "Lead not found")]})
                else:
                    results.append({"id": lead_id, "status": "updated"})
        return results

"""Static lists and their members: read lists, page through members, add, remove, check.

A list is a row of ``lists``; its members are rows of ``list_members`` (a person at most
once a list). Adding a person who is already a member answers ``added`` again and writes
nothing, as Marketo does; removing one who is not answers ``skipped`` with 1015. Every
change to a membership leaves an Add to List (24) or Remove from List (25) activity.
"""

from __future__ import annotations

from collections.abc import Sequence

from mocks.core.clock import Clock
from mocks.core.store import Store
from mocks.marketo import activitylog, leadstore
from mocks.marketo.activitylog import NewActivity
from mocks.marketo.envelope import ApiError, reason
from mocks.marketo.fields import LeadField, is_integer
from mocks.marketo.paging import page_of, start_after
from mocks.marketo.sqlsets import one_of

LISTS = "lists"
MEMBERS = "list_members"
ADD_TO_LIST = 24
REMOVE_FROM_LIST = 25
_COLUMNS = ("id", "name", "description", "programName", "workspaceName", "createdAt",
            "updatedAt")


def _item(row: Sequence) -> dict:
    return {k: v for k, v in zip(_COLUMNS, row, strict=True) if v is not None}


def _in(column: str, values: Sequence) -> tuple[str, list]:
    return one_of(f'"{column}"', values)


class StaticLists:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def _now(self) -> str:
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    # --- lists --------------------------------------------------------------------------
    def find(self, *, ids: Sequence[int] = (), names: Sequence[str] = (),
             programs: Sequence[str] = (), workspaces: Sequence[str] = (), batch: int = 300,
             token: str | None = None) -> tuple[list[dict], str | None]:
        where, params = ['"id" > ?'], [start_after(token)]
        for column, values in (("id", ids), ("name", names), ("programName", programs),
                               ("workspaceName", workspaces)):
            if values:
                clause, more = _in(column, values)
                where.append(clause)
                params += more
        rows = self.store.db.conn.execute(
            f'SELECT {", ".join(_COLUMNS)} FROM "{LISTS}" WHERE {" AND ".join(where)} '
            "ORDER BY id LIMIT ?", [*params, batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        return [_item(r) for r in page], next_token

    def get(self, list_id: int) -> dict:
        row = self.store.db.conn.execute(
            f'SELECT {", ".join(_COLUMNS)} FROM "{LISTS}" WHERE id = ?', [list_id]).fetchone()
        if row is None:
            raise ApiError("1013", f"Static list {list_id} not found")
        return _item(row)

    def resolve(self, value, by: str) -> int:
        """A list's id from its id or its name (the bulk export filters)."""
        conn = self.store.db.conn
        kind = "staticListName" if by == "name" else "staticListId"
        if by != "name" and isinstance(value, str) and value.strip().isdigit():
            value = int(value)  # a number in a string, as JSON readers take it
        if not (isinstance(value, str) if by == "name" else is_integer(value)):
            raise ApiError("1003", f"Invalid {kind} '{value}': a list "
                                   + ("name" if by == "name" else "id"))
        if by == "name":
            row = conn.execute(f'SELECT id FROM "{LISTS}" WHERE name = ?', [str(value)]
                               ).fetchone()
        else:
            row = conn.execute(f'SELECT id FROM "{LISTS}" WHERE id = ?', [value]).fetchone()
        if row is None:
            raise ApiError("1003", f"{kind} '{value}' not found")
        return row[0]

    # --- members ------------------------------------------------------------------------
    def members(self, list_id: int, fields: Sequence[LeadField], batch: int,
                token: str | None) -> tuple[list[str], str | None]:
        self.get(list_id)
        rows = self.store.db.conn.execute(
            f'SELECT id, {leadstore.record_sql(fields)} FROM "leads" WHERE id IN '
            f'(SELECT "leadId" FROM "{MEMBERS}" WHERE "listId" = ?) AND id > ? '
            "ORDER BY id LIMIT ?", [list_id, start_after(token), batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        return [record for _id, record in page], next_token

    def lists_of(self, lead_id: int, batch: int, token: str | None
                 ) -> tuple[list[dict], str | None]:
        conn = self.store.db.conn
        if conn.execute('SELECT 1 FROM "leads" WHERE id = ?', [lead_id]).fetchone() is None:
            raise ApiError("1004", f"Lead {lead_id} not found")
        rows = conn.execute(
            f'SELECT s.id, s.name, s.createdAt, s.updatedAt FROM "{MEMBERS}" m '
            f'JOIN "{LISTS}" s ON s.id = m."listId" WHERE m."leadId" = ? AND s.id > ? '
            "ORDER BY s.id LIMIT ?", [lead_id, start_after(token), batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        return [{"listId": r[0], "listName": r[1], "createdAt": r[2], "updatedAt": r[3]}
                for r in page], next_token

    def _state(self, conn, list_id: int, lead_ids: Sequence[int]) -> tuple[set, set]:
        existing = {r[0] for r in conn.execute(
            f'SELECT id FROM "leads" WHERE id IN ({",".join("?" * len(lead_ids))})',
            list(lead_ids))}
        members = {r[0] for r in conn.execute(
            f'SELECT "leadId" FROM "{MEMBERS}" WHERE "listId" = ? AND "leadId" IN '
            f'({",".join("?" * len(lead_ids))})', [list_id, *lead_ids])}
        return existing, members

    def add(self, list_id: int, lead_ids: Sequence[int]) -> list[dict]:
        now = self._now()
        with self.store.transaction() as db:
            name = self.get(list_id)["name"]
            existing, members = self._state(db.conn, list_id, lead_ids)
            results, added, activities = [], [], []
            for lead_id in lead_ids:
                if lead_id not in existing:
                    results.append({"id": lead_id, "status": "skipped",
                                    "reasons": [reason("1004", "Lead not found")]})
                    continue
                results.append({"id": lead_id, "status": "added"})
                if lead_id not in members:
                    members.add(lead_id)
                    added.append((list_id, lead_id, now))
                    activities.append(NewActivity(
                        leadId=lead_id, activityDate=now, activityTypeId=ADD_TO_LIST,
                        primaryAttributeValueId=list_id, primaryAttributeValue=name))
            db.conn.executemany(f'INSERT INTO "{MEMBERS}" ("listId", "leadId", "createdAt") '
                                "VALUES (?, ?, ?)", added)
            if added:
                db.conn.execute(f'UPDATE "{LISTS}" SET "updatedAt" = ? WHERE id = ?',
                                [now, list_id])
            activitylog.append(db, activities)
        return results

    def remove(self, list_id: int, lead_ids: Sequence[int]) -> list[dict]:
        now = self._now()
        with self.store.transaction() as db:
            name = self.get(list_id)["name"]
            existing, members = self._state(db.conn, list_id, lead_ids)
            results, removed, activities = [], [], []
            for lead_id in lead_ids:
                if lead_id not in existing:
                    results.append({"id": lead_id, "status": "skipped",
                                    "reasons": [reason("1004", "Lead not found")]})
                elif lead_id not in members:
                    results.append({"id": lead_id, "status": "skipped",
                                    "reasons": [reason("1015", "Lead not in list")]})
                else:
                    members.discard(lead_id)
                    removed.append(lead_id)
                    results.append({"id": lead_id, "status": "removed"})
                    activities.append(NewActivity(
                        leadId=lead_id, activityDate=now, activityTypeId=REMOVE_FROM_LIST,
                        primaryAttributeValueId=list_id, primaryAttributeValue=name))
            if removed:
                clause, params = _in("leadId", removed)
                db.conn.execute(f'DELETE FROM "{MEMBERS}" WHERE "listId" = ? AND {clause}',
                                [list_id, *params])
                db.conn.execute(f'UPDATE "{LISTS}" SET "updatedAt" = ? WHERE id = ?',
                                [now, list_id])
            activitylog.append(db, activities)
        return results

    def is_member(self, list_id: int, lead_ids: Sequence[int]) -> list[dict]:
        self.get(list_id)
        existing, members = self._state(self.store.db.conn, list_id, lead_ids)
        results = []
        for lead_id in lead_ids:
            if lead_id not in existing:
                results.append({"id": lead_id, "status": "skipped",
                                "reasons": [reason("1004", "Lead not found")]})
            else:
                results.append({"id": lead_id, "status": "memberof" if lead_id in members
                                else "notmemberof"})
        return results

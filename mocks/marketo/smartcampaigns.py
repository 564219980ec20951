"""Smart campaigns: read them, request a trigger campaign for persons, schedule a batch one.

A trigger campaign can be requested through the API only when it is active and listens
for "Campaign is Requested: Web Service API" (``triggerable``); a batch campaign can be
scheduled (``runAt``, five minutes from now by default; ``cloneToProgramName`` first
copies its program, at most 20 times a day). Each request or schedule is kept as a run in
``campaign_runs`` (with its persons and tokens), which is what the flow would act on; a
person's smart campaign memberships are the campaigns it was requested for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta

from mocks.core.clock import Clock
from mocks.core.store import Store
from mocks.marketo.envelope import ApiError
from mocks.marketo.fields import is_integer
from mocks.marketo.paging import page_of, start_after
from mocks.marketo.programs import Programs, parse_client_instant
from mocks.marketo.sqlsets import one_of

CAMPAIGNS = "campaigns"
RUNS = "campaign_runs"
MAX_TRIGGER_LEADS = 100
MAX_CLONES_A_DAY = 20
_COLUMNS = ("id", "name", "description", "type", "programId", "programName",
            "workspaceName", "active", "triggerable", "createdAt", "updatedAt")


def _item(row: Sequence) -> dict:
    c = dict(zip(_COLUMNS, row, strict=True))
    item = {"id": c["id"], "name": c["name"], "description": c["description"] or "",
            "type": c["type"]}
    for key in ("programId", "programName", "workspaceName"):
        if c[key] is not None:
            item[key] = c[key]
    item.update(createdAt=c["createdAt"], updatedAt=c["updatedAt"],
                active=bool(c["active"]))
    return item


def _tokens(tokens) -> list[dict]:
    if tokens is None:
        return []
    if not isinstance(tokens, list) or not all(
            isinstance(t, dict) and isinstance(t.get("name"), str) for t in tokens):
        raise ApiError("1003", "tokens is a list of {name, value} objects")
    for token in tokens:
        if not (token["name"].startswith("{{my.") and token["name"].endswith("}}")):
            raise ApiError("1003", f"Invalid token name '{token['name']}': a program token "
                                   "is written {{my.name}}")
    return [{"name": t["name"], "value": t.get("value")} for t in tokens]


class SmartCampaigns:
    def __init__(self, store: Store, clock: Clock, programs: Programs) -> None:
        self.store = store
        self.clock = clock
        self.programs = programs

    def find(self, *, ids: Sequence[int] = (), names: Sequence[str] = (),
             programs: Sequence[str] = (), workspaces: Sequence[str] = (),
             triggerable: bool | None = None, batch: int = 300, token: str | None = None
             ) -> tuple[list[dict], str | None]:
        where, params = ['"id" > ?'], [start_after(token)]
        for column, values in (("id", ids), ("name", names), ("programName", programs),
                               ("workspaceName", workspaces)):
            if values:
                clause, more = one_of(f'"{column}"', values)
                where.append(clause)
                params += more
        if triggerable:
            where.append('"triggerable" = 1 AND "active" = 1')
        rows = self.store.db.conn.execute(
            f'SELECT {", ".join(_COLUMNS)} FROM "{CAMPAIGNS}" WHERE {" AND ".join(where)} '
            "ORDER BY id LIMIT ?", [*params, batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        return [_item(r) for r in page], next_token

    def _row(self, campaign_id: int) -> dict:
        row = self.store.db.conn.execute(
            f'SELECT {", ".join(_COLUMNS)} FROM "{CAMPAIGNS}" WHERE id = ?',
            [campaign_id]).fetchone()
        if row is None:
            raise ApiError("1013", f"Campaign {campaign_id} not found")
        return dict(zip(_COLUMNS, row, strict=True))

    def get(self, campaign_id: int) -> dict:
        row = self._row(campaign_id)
        return _item([row[c] for c in _COLUMNS])

    def _now(self) -> str:
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def trigger(self, campaign_id: int, body: dict) -> int:
        spec = body.get("input")
        if not isinstance(spec, dict):
            raise ApiError("701", "input cannot be blank")
        leads = spec.get("leads")
        if not isinstance(leads, list) or not leads:
            raise ApiError("701", "input.leads cannot be blank")
        if len(leads) > MAX_TRIGGER_LEADS:
            raise ApiError("1003", f"Too many leads: at most {MAX_TRIGGER_LEADS} a call")
        ids = [lead.get("id") if isinstance(lead, dict) else None for lead in leads]
        if not all(is_integer(i) for i in ids):
            raise ApiError("1003", "each of input.leads is {\"id\": <lead id>}")
        tokens = _tokens(spec.get("tokens"))
        with self.store.transaction() as db:
            campaign = self._row(campaign_id)
            if campaign["type"] != "trigger":
                raise ApiError("1003", f"Campaign {campaign_id} is a batch campaign: schedule "
                                       "it instead")
            if not campaign["active"]:
                raise ApiError("1003", f"Trigger campaign {campaign_id} is not active")
            if not campaign["triggerable"]:
                raise ApiError("1003", f"Campaign {campaign_id} has no Campaign is Requested "
                                       "(Web Service API) trigger")
            found = {r[0] for r in db.conn.execute(
                f'SELECT id FROM "leads" WHERE id IN ({",".join("?" * len(ids))})', ids)}
            missing = [i for i in ids if i not in found]
            if missing:
                raise ApiError("1004", f"Lead {missing[0]} not found")
            self._run(db, campaign_id, "trigger", self._now(), sorted(set(ids)), tokens, None)
        return campaign_id

    def schedule(self, campaign_id: int, body: dict) -> int:
        spec = body.get("input") or {}
        if not isinstance(spec, dict):
            raise ApiError("1003", "input must be an object")
        tokens = _tokens(spec.get("tokens"))
        now = self.clock.now()
        run_at = now + timedelta(minutes=5)
        if spec.get("runAt"):
            try:
                run_at = parse_client_instant(str(spec["runAt"]))
            except ValueError:
                raise ApiError("1003", f"Invalid runAt '{spec['runAt']}': an ISO 8601 "
                                       "datetime is expected") from None
            if run_at < now:
                raise ApiError("1003", "runAt is in the past")
        clone = spec.get("cloneToProgramName")
        if clone is not None and (not isinstance(clone, str) or not clone.strip()):
            raise ApiError("1003", "cloneToProgramName is a program name")
        campaign = self._row(campaign_id)
        if campaign["type"] != "batch":
            raise ApiError("1003", f"Campaign {campaign_id} is a trigger campaign: request it "
                                   "instead")
        if clone:
            today = now.strftime("%Y-%m-%d")
            clones = self.store.db.conn.execute(
                f'SELECT count(*) FROM "{RUNS}" WHERE "clonedTo" IS NOT NULL AND '
                '"requestedAt" >= ?', [today]).fetchone()[0]
            if clones >= MAX_CLONES_A_DAY:
                raise ApiError("1029", f"cloneToProgramName is limited to {MAX_CLONES_A_DAY} "
                                       "calls a day")
            if campaign["programId"] is None:
                raise ApiError("1003", f"Campaign {campaign_id} belongs to no program")
            self.programs.clone(campaign["programId"], clone.strip())
        with self.store.transaction() as db:
            self._run(db, campaign_id, "schedule", run_at.strftime("%Y-%m-%dT%H:%M:%SZ"), [],
                      tokens, clone)
        return campaign_id

    def _run(self, db, campaign_id: int, kind: str, run_at: str, lead_ids: list[int],
             tokens: list[dict], clone: str | None) -> None:
        db.conn.execute(
            f'INSERT INTO "{RUNS}" ("campaignId", "kind", "requestedAt", "runAt", "leadIds", '
            '"tokens", "clonedTo") VALUES (?, ?, ?, ?, ?, ?, ?)',
            [campaign_id, kind, self._now(), run_at, json.dumps(lead_ids), json.dumps(tokens),
             clone])

    def campaigns_of(self, lead_id: int, batch: int, token: str | None,
                     earliest: str | None = None, latest: str | None = None
                     ) -> tuple[list[dict], str | None]:
        conn = self.store.db.conn
        if conn.execute('SELECT 1 FROM "leads" WHERE id = ?', [lead_id]).fetchone() is None:
            raise ApiError("1004", f"Lead {lead_id} not found")
        where, params = ["c.id > ?"], [start_after(token)]
        for bound, op in ((earliest, ">="), (latest, "<=")):
            if bound:
                where.append(f"c.updatedAt {op} ?")
                params.append(bound)
        rows = conn.execute(
            f'SELECT DISTINCT c.id, c.createdAt, c.updatedAt FROM "{RUNS}" r '
            f'JOIN "{CAMPAIGNS}" c ON c.id = r."campaignId", json_each(r."leadIds") j '
            f'WHERE j.value = ? AND {" AND ".join(where)} ORDER BY c.id LIMIT ?',
            [lead_id, *params, batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        return [{"smartCampaignId": r[0], "createdAt": r[1], "updatedAt": r[2]}
                for r in page], next_token

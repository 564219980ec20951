"""Programs and their members.

Programs are read through the Asset API (``programs.json``, by id, by name) and their
members through the Lead Database API: list, change status, change data, delete, a
person's memberships, and the bulk program member export (:class:`MemberExport`).

A program's channel gives the statuses a member can have (``STATUSES``, the first being
"Not in Program"); a status is a success or not. Changing a member's status to one it
does not have leaves a Change Status in Progression (104) activity; a person who is not
a member yet becomes one (acquired by the program) on a status change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TextIO

from fixtures.world.marketing import PROGRAMS, SUCCESS
from mocks.core.clock import Clock, parse_instant
from mocks.core.store import Store
from mocks.marketo import activitylog, leadstore
from mocks.marketo.activitylog import NewActivity
from mocks.marketo.envelope import ApiError, blank, reason
from mocks.marketo.exports import check_headers, check_window, one_filter, writer_for
from mocks.marketo.fields import FieldCatalogue, FieldValueError, LeadField, is_integer
from mocks.marketo.fieldschema import MemberFields
from mocks.marketo.paging import page_of, start_after
from mocks.marketo.sqlsets import one_of

PROGRAMS_TABLE = "programs"
MEMBERS = "program_members"
CHANGE_STATUS = 104
#: statuses by channel (Marketo's default channels of the world's programs)
STATUSES: dict[str, tuple[str, ...]] = {p[3]: p[5] for p in PROGRAMS}
DEFAULT_STATUSES = ("Not in Program", "Member", "Engaged")
_PROGRAM_COLUMNS = ("id", "name", "description", "type", "channel", "status", "workspace",
                    "folderId", "folderType", "sfdcId", "sfdcName", "startDate", "endDate",
                    "createdAt", "updatedAt")


def asset_time(stamp: str | None) -> str | None:
    """The Asset API writes instants as ``2024-01-15T10:30:00Z+0000``."""
    return None if stamp is None else f"{stamp}+0000"


def parse_client_instant(text: str) -> datetime:
    """An instant as clients send it: ``Z``, ``+0000``, ``+00:00``, microseconds, a bare
    date, or the Asset API's own ``Z+0000``; raises ``ValueError``."""
    value = text.strip()
    if value.endswith("Z+0000"):
        value = value[:-5]
    return parse_instant(value.replace(" ", "T", 1) if "T" not in value else value)


def program_item(row: Sequence, url_host: str = "") -> dict:
    p = dict(zip(_PROGRAM_COLUMNS, row, strict=True))
    item = {"id": p["id"], "name": p["name"], "description": p["description"] or "",
            "createdAt": asset_time(p["createdAt"]), "updatedAt": asset_time(p["updatedAt"]),
            "url": f"{url_host}/#PG{p['id']}A1", "type": p["type"], "channel": p["channel"],
            "folder": {"type": p["folderType"] or "Folder", "value": p["folderId"],
                       "folderName": "Marketing Activities"},
            "status": p["status"] or "", "workspace": p["workspace"] or "Default"}
    for key in ("sfdcId", "sfdcName", "startDate", "endDate"):
        if p[key] is not None:
            item[key] = p[key]
    return item


SEARCHABLE_MEMBER_FIELDS = ("leadId", "statusName", "updatedAt")


def describe_members(fields: MemberFields) -> list[dict]:
    custom = fields.custom_names()
    searchable = [*SEARCHABLE_MEMBER_FIELDS,
                  *(n for n, _d, t, _c in fields.all() if n in custom and t in _SEARCHABLE)]
    return [{"name": "API Program Member", "description": "API Program Member Map",
             "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z",
             "dedupeFields": ["leadId", "programId"],
             "searchableFields": [[f] for f in searchable],
             "fields": [{"name": n, "displayName": d, "dataType": t,
                         **({"length": 255} if t in ("string", "url") else {}),
                         "updateable": n in custom, "crmManaged": False}
                        for n, d, t, _c in fields.all()]}]


def _member_json(columns: Sequence[tuple[str, str, str, str]]) -> str:
    parts = []
    for name, _display, kind, column in columns:
        value = f'm."{column}"'
        if kind == "boolean":
            value = (f"json(CASE WHEN {value} IS NULL THEN NULL WHEN {value} THEN 'true' "
                     "ELSE 'false' END)")
        parts.append(f"'{name}', {value}")
    return f"json_patch('{{}}', json_object({', '.join(parts)}))"


#: the data types of the custom member fields a member query may filter on
_SEARCHABLE = ("string", "integer", "url")
#: the fields a member query returns when it names none
_DEFAULT_MEMBER_FIELDS = ("leadId", "programId", "statusName", "reachedSuccess", "acquiredBy",
                          "membershipDate")


class Programs:
    def __init__(self, store: Store, clock: Clock, fields: MemberFields) -> None:
        self.store = store
        self.clock = clock
        self.fields = fields

    def _now(self) -> str:
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    # --- programs -----------------------------------------------------------------------
    def _row(self, conn, program_id) -> tuple | None:
        return conn.execute(f'SELECT {", ".join(_PROGRAM_COLUMNS)} FROM "{PROGRAMS_TABLE}" '
                            "WHERE id = ?", [program_id]).fetchone()

    def get(self, program_id: int) -> tuple:
        row = self._row(self.store.db.conn, program_id)
        if row is None:
            raise ApiError("1013", f"Program {program_id} not found")
        return row

    def by_name(self, name: str) -> tuple | None:
        return self.store.db.conn.execute(
            f'SELECT {", ".join(_PROGRAM_COLUMNS)} FROM "{PROGRAMS_TABLE}" WHERE name = ?',
            [name]).fetchone()

    def browse(self, *, offset: int, limit: int, filter_type: str | None,
               values: Sequence[str], earliest: str | None = None,
               latest: str | None = None) -> list[tuple]:
        """A page of programs; ``earliest`` and ``latest`` bound ``updatedAt``
        (``2024-01-15T10:30:00Z`` text, both ends included)."""
        where, params = ["1"], []
        if filter_type:
            column = {"id": "id", "programid": "id", "folderid": "folderId",
                      "workspace": "workspace", "name": "name"}.get(filter_type.lower())
            if column is None:
                raise ApiError("1003", f"Invalid filterType '{filter_type}': one of id, "
                                       "programId, folderId, workspace, name")
            if not values:
                raise blank("filterValues")
            if column in ("id", "folderId"):
                try:
                    values = [int(v) for v in values]
                except ValueError:
                    raise ApiError("1003", f"filterValues of {filter_type} are integers"
                                   ) from None
            clause, more = one_of(f'"{column}"', values)
            where.append(clause)
            params += more
        for bound, op in ((earliest, ">="), (latest, "<=")):
            if bound is not None:
                where.append(f'"updatedAt" {op} ?')
                params.append(bound)
        return self.store.db.conn.execute(
            f'SELECT {", ".join(_PROGRAM_COLUMNS)} FROM "{PROGRAMS_TABLE}" '
            f'WHERE {" AND ".join(where)} ORDER BY id LIMIT ? OFFSET ?',
            [*params, limit, offset]).fetchall()

    def statuses(self, program: tuple) -> tuple[str, ...]:
        return STATUSES.get(program[_PROGRAM_COLUMNS.index("channel")], DEFAULT_STATUSES)

    def clone(self, program_id: int, name: str) -> int:
        """A copy of a program (a campaign scheduled with ``cloneToProgramName``)."""
        with self.store.transaction() as db:
            row = list(self.get(program_id))
            if self.by_name(name) is not None:
                raise ApiError("711", f"A program named '{name}' exists already")
            row[0] = db.conn.execute(f'SELECT coalesce(max(id), 1000) + 1 FROM '
                                     f'"{PROGRAMS_TABLE}"').fetchone()[0]
            row[1] = name
            row[-2] = row[-1] = self._now()
            db.conn.execute(f'INSERT INTO "{PROGRAMS_TABLE}" ({", ".join(_PROGRAM_COLUMNS)}) '
                            f'VALUES ({",".join("?" * len(row))})', row)
            return row[0]

    # --- members ------------------------------------------------------------------------
    def member_fields(self, names: Sequence[str]) -> list[tuple[str, str, str, str]]:
        every = self.fields.all()
        chosen = [f for f in every if f[0] in _DEFAULT_MEMBER_FIELDS]
        for name in names:
            field = next((f for f in every if f[0].lower() == name.lower()), None)
            if field is None:
                raise ApiError("1006", f"Field '{name}' not found")
            if field not in chosen:
                chosen.append(field)
        return chosen

    def members(self, program_id: int, filter_type: str, values: Sequence[str],
                fields: Sequence[str], batch: int, token: str | None,
                window: tuple[str, str] | None = None) -> tuple[list[str], str | None]:
        self.get(program_id)
        field = self.fields.get(filter_type)
        searchable = [f[0] for f in describe_members(self.fields)[0]["searchableFields"]]
        if field is None or field[0] not in searchable:
            raise ApiError("1003", f"Invalid filterType '{filter_type}': one of "
                                   f"{', '.join(searchable)}")
        where, params = ['m."programId" = ?', 'm."leadId" > ?'], [program_id,
                                                                  start_after(token)]
        if field[0] == "updatedAt":
            if window is None:
                raise blank("startAt")
            where.append('m."updatedAt" >= ? AND m."updatedAt" <= ?')
            params += list(window)
        else:
            if not values:
                raise blank("filterValues")
            if field[2] == "integer":
                try:
                    values = [int(v) for v in values]
                except ValueError:
                    raise ApiError("1001", f"Invalid value for filterType {field[0]}: "
                                           "integers expected") from None
            clause, more = one_of(f'm."{field[3]}"', values)
            where.append(clause)
            params += more
        columns = self.member_fields(fields)
        rows = self.store.db.conn.execute(
            f'SELECT m."leadId", {_member_json(columns)} FROM "{MEMBERS}" m '
            f'WHERE {" AND ".join(where)} ORDER BY m."leadId" LIMIT ?',
            [*params, batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        items = []
        for seq, (_lead, record) in enumerate(page):
            items.append(f'{{"seq":{seq},{record[1:]}' if record != "{}" else f'{{"seq":{seq}}}')
        return items, next_token

    def leads(self, program_id: int, fields: Sequence[LeadField], batch: int,
              token: str | None) -> tuple[list[str], str | None]:
        """Members as persons, each with its ``membership`` (Get Leads by Program Id)."""
        self.get(program_id)
        membership = ("json_patch('{}', json_object('acquiredBy', json(CASE WHEN m.acquiredBy "
                      "THEN 'true' ELSE 'false' END), 'isExhausted', json(CASE WHEN "
                      "m.isExhausted THEN 'true' ELSE 'false' END), 'membershipDate', "
                      "m.membershipDate, 'nurtureCadence', m.nurtureCadence, "
                      "'progressionStatus', m.progressionStatus, 'reachedSuccess', "
                      "json(CASE WHEN m.reachedSuccess THEN 'true' ELSE 'false' END), "
                      "'stream', m.stream))")
        record = leadstore.record_sql(fields)
        rows = self.store.db.conn.execute(
            f"SELECT id, json_set({record}, '$.membership', json((SELECT {membership} "
            f'FROM "{MEMBERS}" m WHERE m."programId" = ? AND m."leadId" = "leads".id))) '
            f'FROM "leads" WHERE id IN (SELECT "leadId" FROM "{MEMBERS}" '
            'WHERE "programId" = ?) AND id > ? ORDER BY id LIMIT ?',
            [program_id, program_id, start_after(token), batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        return [r for _id, r in page], next_token

    def programs_of(self, lead_id: int, batch: int, token: str | None,
                    program_ids: Sequence[int] = (), earliest: str | None = None,
                    latest: str | None = None) -> tuple[list[dict], str | None]:
        conn = self.store.db.conn
        if conn.execute('SELECT 1 FROM "leads" WHERE id = ?', [lead_id]).fetchone() is None:
            raise ApiError("1004", f"Lead {lead_id} not found")
        where, params = ['m."leadId" = ?', 'm."programId" > ?'], [lead_id, start_after(token)]
        if program_ids:
            clause, more = one_of('m."programId"', program_ids)
            where.append(clause)
            params += more
        for bound, op in ((earliest, ">="), (latest, "<=")):
            if bound:
                where.append(f'p."updatedAt" {op} ?')
                params.append(bound)
        rows = conn.execute(
            'SELECT m."programId", m.acquiredBy, m.isExhausted, m.membershipDate, '
            "m.nurtureCadence, m.progressionStatus, m.reachedSuccess, m.stream, p.updatedAt "
            f'FROM "{MEMBERS}" m JOIN "{PROGRAMS_TABLE}" p ON p.id = m."programId" '
            f'WHERE {" AND ".join(where)} ORDER BY m."programId" LIMIT ?',
            [*params, batch + 1]).fetchall()
        page, next_token = page_of(rows, batch)
        items = []
        for r in page:
            item = {"id": r[0], "acquiredBy": bool(r[1]), "isExhausted": bool(r[2]),
                    "membershipDate": r[3], "progressionStatus": r[5],
                    "reachedSuccess": bool(r[6]), "updatedAt": r[8]}
            if r[4]:
                item["nurtureCadence"] = r[4]
            if r[7]:
                item["stream"] = r[7]
            items.append(item)
        return items, next_token

    def set_status(self, program_id: int, status: str, lead_ids: Sequence,
                   members_only: bool = False) -> list[dict]:
        """Give persons a status in a program (adding them, unless ``members_only``)."""
        now = self._now()
        with self.store.transaction() as db:
            program = self.get(program_id)
            allowed = self.statuses(program)
            canonical = {s.lower(): s for s in allowed}.get(str(status).strip().lower())
            if canonical is None or canonical == allowed[0]:
                raise ApiError("1003", f"Invalid status '{status}' for program {program_id}: "
                                       f"one of {', '.join(allowed[1:])}")
            conn = db.conn
            ids = [i for i in lead_ids if is_integer(i)]
            existing = {r[0] for r in conn.execute(
                f'SELECT id FROM "leads" WHERE id IN ({",".join("?" * len(ids))})', ids)} \
                if ids else set()
            current = dict(conn.execute(
                f'SELECT "leadId", "progressionStatus" FROM "{MEMBERS}" WHERE "programId" = ? '
                f'AND "leadId" IN ({",".join("?" * len(ids))})', [program_id, *ids])) \
                if ids else {}
            results, activities = [], []
            for seq, lead_id in enumerate(lead_ids):
                if not is_integer(lead_id) or lead_id not in existing:
                    results.append({"seq": seq, "leadId": lead_id, "status": "skipped",
                                    "reasons": [reason("1004", "Lead not found")]})
                    continue
                old = current.get(lead_id)
                if old is None and members_only:
                    results.append({"seq": seq, "leadId": lead_id, "status": "skipped",
                                    "reasons": [reason("1013", "Lead is not a member of "
                                                               "the program")]})
                    continue
                if old is None:
                    conn.execute(
                        f'INSERT INTO "{MEMBERS}" ("programId", "leadId", "progressionStatus", '
                        '"reachedSuccess", "acquiredBy", "isExhausted", "membershipDate", '
                        '"createdAt", "updatedAt") VALUES (?, ?, ?, ?, 1, 0, ?, ?, ?)',
                        [program_id, lead_id, canonical, int(canonical in SUCCESS), now, now,
                         now])
                    current[lead_id] = canonical
                elif old != canonical:
                    conn.execute(
                        f'UPDATE "{MEMBERS}" SET "progressionStatus" = ?, "reachedSuccess" = '
                        '"reachedSuccess" OR ?, "updatedAt" = ? WHERE "programId" = ? '
                        'AND "leadId" = ?', [canonical, int(canonical in SUCCESS), now,
                                             program_id, lead_id])
                    current[lead_id] = canonical
                if old != canonical:
                    activities.append(NewActivity(
                        leadId=lead_id, activityDate=now, activityTypeId=CHANGE_STATUS,
                        primaryAttributeValueId=program_id, primaryAttributeValue=program[1],
                        attributes=[{"name": "New Status", "value": canonical},
                                    {"name": "Old Status", "value": old or allowed[0]},
                                    {"name": "Reason", "value": "Changed by Web Service API"},
                                    {"name": "Success", "value": canonical in SUCCESS},
                                    {"name": "Acquired By", "value": old is None}]))
                results.append({"seq": seq, "leadId": lead_id, "status": "updated"})
            activitylog.append(db, activities)
        return results

    def update_data(self, program_id: int, records: Sequence) -> list[dict]:
        """Sync Program Member Data: the custom member fields of members. A record naming
        a field that is not custom (1003) or not a field (1006), or a value that does not
        fit its field (1001), is skipped whole."""
        self.get(program_id)
        custom = self.fields.custom_names()
        results = []
        with self.store.transaction() as db:
            for seq, record in enumerate(records):
                lead_id = record.get("leadId") if isinstance(record, dict) else None
                member = is_integer(lead_id) and db.conn.execute(
                    f'SELECT 1 FROM "{MEMBERS}" WHERE "programId" = ? AND "leadId" = ?',
                    [program_id, lead_id]).fetchone()
                if not member:
                    results.append({"seq": seq, "leadId": lead_id if is_integer(lead_id)
                                    else None, "status": "skipped",
                                    "reasons": [reason("1013", "Program member not found")]})
                    continue
                try:
                    values = self._member_values(record, custom)
                except ApiError as exc:
                    results.append({"seq": seq, "leadId": lead_id, "status": "skipped",
                                    "reasons": [reason(exc.code, exc.message)]})
                    continue
                self.write_values(db.conn, program_id, lead_id, values)
                results.append({"seq": seq, "leadId": lead_id, "status": "updated"})
        return results

    def write_values(self, conn, program_id: int, lead_id: int, values: dict) -> None:
        """Store a member's custom field values (checked by :meth:`member_values`)."""
        assignments = ", ".join(f'"{column}" = ?' for column in values)
        conn.execute(f'UPDATE "{MEMBERS}" SET {assignments}, "updatedAt" = ? '
                     'WHERE "programId" = ? AND "leadId" = ?',
                     [*values.values(), self._now(), program_id, lead_id])

    def member_values(self, record: dict, custom: set[str] | None = None) -> dict:
        """A record's custom field values, as stored (column -> value); 1006 for a name
        that is no member field, 1003 for one that is not custom, 1001 for a bad value."""
        return self._member_values(record, self.fields.custom_names() if custom is None
                                   else custom, require=False)

    def _member_values(self, record: dict, custom: set[str], require: bool = True) -> dict:
        """A record's custom field values, as stored (column -> value)."""
        values = {}
        for name, value in record.items():
            if name == "leadId":
                continue
            field = self.fields.get(name)
            if field is None:
                raise ApiError("1006", f"Field '{name}' not found")
            if field[0] not in custom:
                raise ApiError("1003", f"Field '{field[0]}' is not updateable")
            try:
                values[field[3]] = self.fields.value_field(field).to_db(value)
            except FieldValueError as exc:
                raise ApiError("1001", str(exc)) from None
        if not values and require:
            raise ApiError("1003", "No field to update")
        return values

    def delete_members(self, program_id: int, lead_ids: Sequence) -> list[dict]:
        with self.store.transaction() as db:
            self.get(program_id)
            results = []
            for seq, lead_id in enumerate(lead_ids):
                gone = is_integer(lead_id) and db.conn.execute(
                    f'DELETE FROM "{MEMBERS}" WHERE "programId" = ? AND "leadId" = ?',
                    [program_id, lead_id]).rowcount
                if gone:
                    results.append({"seq": seq, "leadId": lead_id, "status": "deleted"})
                else:
                    results.append({"seq": seq, "leadId": lead_id, "status": "skipped",
                                    "reasons": [reason("1013", "Program member not found")]})
        return results


class MemberExport:
    """Bulk program member export: a program (or several), optional narrowing filters;
    fields are program member fields or person fields."""

    entity = "programMembers"

    def __init__(self, catalogue: Callable[[], FieldCatalogue], programs: Programs,
                 settings) -> None:
        self._catalogue = catalogue
        self.programs = programs
        self.settings = settings

    def _column(self, name: str) -> tuple[str, str] | None:
        member = self.programs.fields.get(name)
        if member is not None:
            return member[0], f'm."{member[3]}"'
        field = self._catalogue().get(name)
        if field is not None:
            return field.name, f'l."{field.name}"'
        return None

    def check(self, body: dict) -> tuple[list[str], dict, dict]:
        fields = body.get("fields")
        if not fields:
            raise blank("fields")
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise ApiError("1003", "fields must be a list of field names")
        names = []
        for name in fields:
            column = self._column(name)
            if column is None:
                raise ApiError("1006", f"Field '{name}' not found")
            names.append(column[0])
        headers = check_headers(body.get("columnHeaderNames"), names,
                                lambda key: (c := self._column(str(key))) and c[0])
        spec = one_filter(body.get("filter"))
        known = ("programId", "programIds", "isExhausted", "nurtureCadence", "statusNames",
                 "updatedAt")
        for key in spec:
            if key not in known:
                raise ApiError("1035", f"Unsupported filter type for target subscription: "
                                       f"{key}")
        if ("programId" in spec) == ("programIds" in spec):
            raise ApiError("1003", "The filter needs programId or programIds (one of them)")
        ids = [spec["programId"]] if "programId" in spec else spec["programIds"]
        if not isinstance(ids, list) or not ids or not all(is_integer(i) for i in ids):
            raise ApiError("1003", "programId is an integer, programIds a list of them")
        for program_id in ids:
            self.programs.get(program_id)
        checked: dict = {"programIds": sorted(set(ids))}
        if "isExhausted" in spec:
            if not isinstance(spec["isExhausted"], bool):
                raise ApiError("1003", "isExhausted is true or false")
            checked["isExhausted"] = spec["isExhausted"]
        if "nurtureCadence" in spec:
            if spec["nurtureCadence"] not in ("paused", "normal"):
                raise ApiError("1003", "nurtureCadence is 'paused' or 'normal'")
            checked["nurtureCadence"] = spec["nurtureCadence"]
        if "statusNames" in spec:
            statuses = spec["statusNames"]
            if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
                raise ApiError("1003", "statusNames is a list of status names")
            checked["statusNames"] = statuses
        if "updatedAt" in spec:
            checked["updatedAt"] = check_window("updatedAt", spec["updatedAt"],
                                                self.settings.max_days)
        return names, headers, checked

    def write(self, conn, fields: list[str], headers: dict, spec: dict, out: TextIO,
              delimiter: str) -> int:
        clause, params = one_of('m."programId"', spec["programIds"])
        where = [clause]
        if "isExhausted" in spec:
            where.append('coalesce(m."isExhausted", 0) = ?')
            params.append(int(spec["isExhausted"]))
        if "nurtureCadence" in spec:
            where.append('m."nurtureCadence" = ?')
            params.append(spec["nurtureCadence"])
        if "statusNames" in spec:
            clause, more = one_of('m."progressionStatus"', spec["statusNames"])
            where.append(clause)
            params += more
        if "updatedAt" in spec:
            where.append('m."updatedAt" >= ? AND m."updatedAt" < ?')
            params += [spec["updatedAt"]["startAt"], spec["updatedAt"]["endAt"]]
        columns = [self._column(n)[1] for n in fields]
        booleans = {i for i, n in enumerate(fields)
                    if ((m := self.programs.fields.get(n)) is not None and m[2] == "boolean")
                    or (m is None and (f := self._catalogue().get(n)) is not None
                        and f.data_type == "boolean")}
        cursor = conn.execute(
            f'SELECT {", ".join(columns)} FROM "{MEMBERS}" m JOIN "leads" l '
            f'ON l.id = m."leadId" WHERE {" AND ".join(where)} ORDER BY m."programId", l.id',
            params)
        writer = writer_for(out, delimiter)
        writer.writerow([headers.get(n, n) for n in fields])
        count = 0
        for row in cursor:
            count += 1
            writer.writerow(["null" if v is None else ("true" if v else "false")
                             if i in booleans else v for i, v in enumerate(row)])
        return count

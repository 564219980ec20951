"""Drivers that break one rule each, on purpose: the kit must fail them, on that rule.

Each is the reference driver with one fault, the kind a real integration could have: a
wrong mapping, a cut-off value, a cache, an off-by-one window, a path handled for leads
but not contacts, a switch read once. The first line of each docstring names the rule and
the bug. :data:`BROKEN` lists them all by rule, and each module attribute of the same
name in snake case is its factory, for ``--sut broken_drivers:<name>``.

A fault that has to reach inside the engine swaps one of its pieces with
:meth:`Broken.patch` for as long as the driver lives: :meth:`Broken.close` puts it back,
so one process can play a broken driver and then the reference.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import engine.actions as actions_module
import engine.activity_types as T
import engine.fields as fields_module
import engine.settings as settings_module
import engine.sia as sia_module
import engine.smartgrid as smartgrid
import engine.sync.people as people
import engine.sync.reminders as reminders
import engine.sync.unsubscribes as unsubscribes
from engine.actions import Actions
from engine.driver import SETTING_KEYS, ReferenceDriver
from engine.fields import COLUMNS
from engine.settings import Settings
from engine.sync.people import PeopleSync, SyncResult
from engine.sync.reminders import Reminders
from engine.sync.to_marketo import ActivityDelivery
from engine.sync.unsubscribes import Unsubscribes
from features.contract import Outcome

_MISSING = object()

#: the pieces of the people sync that decide on one Marketo person: a fault in one of them
#: is a fault of the integration's one mapping, on the initial path as on the incremental
PERSON_MAPPING = ("qualifies", "to_row")


def read_person_by_person(file, size: int, now):
    """The initial sync's export file read one Marketo person at a time, through
    ``people.qualifies`` and ``people.to_row`` as they are at the time (a fault's own):
    the reference reads the file by column position, past those two functions."""
    reader = csv.DictReader(io.TextIOWrapper(file, encoding="utf-8", newline=""))
    keep: list[tuple] = []
    drop: list[tuple[int]] = []
    stamp = now()
    for record in reader:
        person = {name: None if value in ("null", "") else value
                  for name, value in record.items()}
        if people.qualifies(person):
            row = people.to_row(person)
            keep.append((*(row[column] for column in COLUMNS), stamp))
        else:
            drop.append((int(person["id"]),))
        if len(keep) + len(drop) >= size:
            yield keep, drop
            keep, drop, stamp = [], [], now()
    yield keep, drop


class Broken(ReferenceDriver):
    """The reference, with pieces swapped for the driver's lifetime."""

    def __init__(self, workdir) -> None:
        super().__init__(workdir)
        self._undo: list[tuple[object, str, object]] = []
        self.setup()

    def setup(self) -> None:
        """Swap the pieces this fault needs (see :meth:`patch`)."""

    def patch(self, owner, name: str, value) -> None:
        """``owner.name = value`` until :meth:`close`; a class keeps its own descriptor
        (a staticmethod stays one when put back)."""
        if isinstance(owner, type):
            old = owner.__dict__.get(name, _MISSING)
        else:
            old = getattr(owner, name, _MISSING)
        self._undo.append((owner, name, old))
        setattr(owner, name, value)
        if owner is people and name in PERSON_MAPPING and people.read_batches is not (
                read_person_by_person):
            self.patch(people, "read_batches", read_person_by_person)

    def wrap(self, owner, name: str, make) -> None:
        """Replace ``owner.name`` by ``make(original)``."""
        self.patch(owner, name, make(getattr(owner, name)))

    def close(self) -> None:
        try:
            super().close()
        finally:
            for owner, name, old in reversed(self._undo):
                if old is _MISSING:
                    delattr(owner, name)
                else:
                    setattr(owner, name, old)
            self._undo.clear()

    # --- helpers the faults share ------------------------------------------------------------
    def execute(self, sql: str, params: tuple = ()) -> None:
        with self.sia.db.transaction() as db:
            db.execute(sql, params)

    def row(self, marketo_id: int) -> dict | None:
        rows = self.sia.db.query("SELECT * FROM people WHERE marketo_id = ?", (marketo_id,))
        return rows[0] if rows else None

    def marketo_update(self, marketo_id: int, fields: dict) -> None:
        self.sia.marketo.call("POST", "/rest/v1/leads.json", json={
            "action": "updateOnly", "lookupField": "id",
            "input": [{"id": marketo_id, **fields}]})


def _activity_wrapper(change):
    """A wrapper of ``Actions._activity`` that lets ``change(actions, kind, primary,
    attributes)`` return (primary, attributes) or None (the activity is not logged)."""
    def make(original):
        def activity(actions, db, person, kind, primary, attributes, source, source_id):
            changed = change(actions, db, person, kind, primary, dict(attributes))
            if changed is None:
                row_id = original(actions, db, person, kind, primary, attributes, source,
                                  source_id)
                db.execute("UPDATE activities SET delivery = 'skipped' WHERE id = ?",
                           (row_id,))
                return row_id
            return original(actions, db, person, kind, changed[0], changed[1], source,
                            source_id)
        return activity
    return make


def _task_wrapper(change):
    """A wrapper of ``Actions._task``: ``change(actions, db, kind, person, subject,
    task_type, extra)`` returns (subject, task_type, extra, person), or None for no Task."""
    def make(original):
        def task(actions, db, kind, source_id, person, subject, task_type, description,
                 marker, extra=None):
            changed = change(actions, db, kind, person, subject, task_type, dict(extra or {}))
            if changed is None:
                return None
            subject, task_type, extra, person = changed
            return original(actions, db, kind, source_id, person, subject, task_type,
                            description, marker, extra)
        return task
    return make


class _Flag:
    """What the current call is about, for a fault deeper down to see."""

    def __init__(self) -> None:
        self.value = None


def _with_flag(flag: _Flag, value_of):
    def make(original):
        def call(*args, **kwargs):
            flag.value = value_of(*args, **kwargs)
            try:
                return original(*args, **kwargs)
            finally:
                flag.value = None
        return call
    return make


class _Switches(Settings):
    """SIA's settings with a fault in how some switch reads."""

    def __init__(self, db, read) -> None:
        super().__init__(db)
        self._read = read

    def get(self, key):
        return self._read(self, key, super().get)


def _settings(driver: Broken, read) -> None:
    driver.sia.settings = _Switches(driver.sia.db, read)


# === P-DIRECTION ===============================================================================

class WritesPeopleBack(Broken):
    """P-DIRECTION: pushes SIA's copy of a person's title back to Marketo after every sync."""

    def _push_back(self) -> None:
        for person in self.people()[:2]:
            self.marketo_update(int(person["Marketo ID"]), {"title": person["Title"]})

    def sync_changes(self):
        outcome = super().sync_changes()
        self._push_back()
        return outcome

    def sync_all(self):
        outcome = super().sync_all()
        self._push_back()
        return outcome


class MarksLeadsContacted(Broken):
    """P-DIRECTION: sets a lead's Status to "Working - Contacted" in Salesforce when a seller
    emails it."""

    def send_email(self, marketo_id, subject, body="", campaign=None):
        outcome = super().send_email(marketo_id, subject, body, campaign)
        row = self.row(marketo_id)
        if outcome.ok and row["sfdc_lead_id"] and not row["sfdc_contact_id"]:
            self.sia.salesforce.update("Lead", row["sfdc_lead_id"],
                                       {"Status": "Working - Contacted"})
        return outcome


class SendsThePersonWithTheOptOut(Broken):
    """P-DIRECTION: pushes an opt-out with the person's name and email, not the Email Opt Out
    alone."""

    def setup(self):
        def make(original):
            def push(unsubs, person):
                client = unsubs.salesforce
                real = client.update

                def update(sobject, record_id, fields):
                    return real(sobject, record_id, {
                        **fields, "FirstName": person["first_name"],
                        "LastName": person["last_name"], "Email": person["email"]})
                client.update = update
                try:
                    return original(unsubs, person)
                finally:
                    del client.update
            return push
        self.wrap(Unsubscribes, "_push", make)


class WritesThePhoneCalled(Broken):
    """P-DIRECTION: writes the number a seller called into the lead's or contact's Phone."""

    def log_call(self, marketo_id, subject, status="completed", duration=None,
                 answered_by=None, recording_url=None):
        outcome = super().log_call(marketo_id, subject, status, duration, answered_by,
                                   recording_url)
        row = self.row(marketo_id)
        target = ("Contact", row["sfdc_contact_id"]) if row["sfdc_contact_id"] else \
            ("Lead", row["sfdc_lead_id"])
        self.sia.salesforce.update(*target, {"Phone": row["phone"]})
        return outcome


class ForwardsEditsToMarketo(Broken):
    """P-DIRECTION: refuses a seller's edit of a person, but forwards it to Marketo."""

    def edit_person(self, marketo_id, fields):
        outcome = super().edit_person(marketo_id, fields)
        names = {f.label: f.marketo for f in fields_module.SYNCED_FIELDS if f.marketo != "id"}
        change = {names[k]: v for k, v in fields.items() if k in names}
        if change and isinstance(marketo_id, int):
            self.marketo_update(marketo_id, change)
        return outcome


# === P-OWNER ===================================================================================

class IgnoresOwnerFilter(Broken):
    """P-OWNER: copies every Marketo person, owner or not."""

    def setup(self):
        self.patch(people, "qualifies", lambda person: bool(person.get("id")))


class SkipsTheSyncUser(Broken):
    """P-OWNER: takes the Marketo Sync user for an integration user, not a sales owner."""

    def setup(self):
        sync_users: list = []

        def make(original):
            def qualifies(person):
                if not sync_users:
                    sync_users.append({u["Id"] for u in self.sia.salesforce.query(
                        "SELECT Id, Name FROM User") if "sync" in (u.get("Name") or "").lower()})
                return original(person) and person.get("sfdcLeadOwnerId") not in sync_users[0]
            return qualifies
        self.wrap(people, "qualifies", make)


class CopiesLeadsOnly(Broken):
    """P-OWNER: only Salesforce leads qualify; contacts with an owner are left out."""

    def setup(self):
        self.wrap(people, "qualifies", lambda original: lambda person: original(person)
                  and person.get("sfdcType") == "Lead")


class OwnerIsEnough(Broken):
    """P-OWNER: any person with a user ID as owner qualifies, Salesforce record or not."""

    def setup(self):
        self.patch(people, "qualifies", lambda person: str(
            person.get("sfdcLeadOwnerId") or "").startswith("005"))


class NewPersonsSkipTheOwnerCheck(Broken):
    """P-OWNER: the incremental sync copies every person it hears of, owner or not."""

    def setup(self):
        def make(original):
            def apply(sync, items, next_token, result):
                real = people.qualifies
                people.qualifies = lambda person: bool(person.get("id"))
                try:
                    return original(sync, items, next_token, result)
                finally:
                    people.qualifies = real
            return apply
        self.wrap(PeopleSync, "_apply_changes", make)


# === P-OWNER-LATER =============================================================================

class NeverAddsLater(Broken):
    """P-OWNER-LATER: the incremental sync updates the people SIA has and adds no one."""

    def setup(self):
        def make(original):
            def fetch(sync, lead_ids):
                known = {r["marketo_id"] for r in sync.db.query("SELECT marketo_id FROM people")}
                return {k: v for k, v in original(sync, lead_ids).items() if k in known}
            return fetch
        self.wrap(PeopleSync, "_fetch", make)


class IgnoresNewLeads(Broken):
    """P-OWNER-LATER: reads the Change Data Value items of the change feed, never New Lead."""

    def setup(self):
        self.patch(people, "NEW_LEAD", -1)


class AddsLaterLeadsOnly(Broken):
    """P-OWNER-LATER: a person who gains an owner later is added only if a lead, never a
    contact."""

    def setup(self):
        def make(original):
            def apply(sync, items, next_token, result):
                real = people.qualifies
                people.qualifies = lambda person: real(person) and \
                    person.get("sfdcType") == "Lead"
                try:
                    return original(sync, items, next_token, result)
                finally:
                    people.qualifies = real
            return apply
        self.wrap(PeopleSync, "_apply_changes", make)


# === P-FIELDS ==================================================================================

class DropsAField(Broken):
    """P-FIELDS: never keeps the LinkedIn URL."""

    def people(self):
        return [{k: v for k, v in p.items() if k != "LinkedIn URL"} for p in super().people()]


def _read_also(driver: Broken, *names: str) -> None:
    driver.patch(people, "MARKETO_READ_FIELDS", people.MARKETO_READ_FIELDS + names)


def _row_fault(driver: Broken, change) -> None:
    def make(original):
        def to_row(person):
            row = original(person)
            change(row, person)
            return row
        return to_row
    driver.wrap(people, "to_row", make)


class PhoneFallsBackToMobile(Broken):
    """P-FIELDS: fills an empty Phone Number with Marketo's mobile phone."""

    def setup(self):
        _read_also(self, "mobilePhone")
        _row_fault(self, lambda row, p: row.update(phone=row["phone"] or p.get("mobilePhone")
                                                    or None))


class CutsTitlesAt128(Broken):
    """P-FIELDS: cuts a title to 128 characters, the length of Salesforce's Title."""

    def setup(self):
        _row_fault(self, lambda row, p: row.update(title=(row["title"] or "")[:128] or None))


class LowercasesEmails(Broken):
    """P-FIELDS: keeps every email in lower case."""

    def setup(self):
        _row_fault(self, lambda row, p: row.update(email=row["email"] and row["email"].lower()))


class LeadIdFromSfdcId(Broken):
    """P-FIELDS: takes the Salesforce Lead ID from Marketo's SFDC Id, a contact's ID on a
    contact."""

    def setup(self):
        _read_also(self, "sfdcId")
        _row_fault(self, lambda row, p: row.update(sfdc_lead_id=p.get("sfdcId") or None))


class FetchesFewFieldsLater(Broken):
    """P-FIELDS: a person added by the incremental sync is fetched with a short field list:
    names, email and IDs only."""

    def setup(self):
        def make(original):
            def fetch(sync, lead_ids):
                short = ["id", "firstName", "lastName", "email", "sfdcType", "sfdcLeadOwnerId",
                         "sfdcLeadId", "sfdcContactId"]
                found = sync.marketo.leads_by_filter("id", lead_ids, short)
                return {int(p["id"]): p for p in found}
            return fetch
        self.wrap(PeopleSync, "_fetch", make)


# === P-FIELDS-FIXED ============================================================================

class AcceptsMappings(Broken):
    """P-FIELDS-FIXED: takes a field mapping and silently ignores it."""

    def configure_field_mapping(self, mapping):
        return Outcome(True)


class AcceptsStandardFieldMappings(Broken):
    """P-FIELDS-FIXED: refuses mappings from Marketo fields outside the 13 only; accepts
    the others."""

    def configure_field_mapping(self, mapping):
        if all(v in fields_module.BY_MARKETO for v in mapping.values()):
            return Outcome(True)
        return super().configure_field_mapping(mapping)


class RefusesWithoutAReason(Broken):
    """P-FIELDS-FIXED: refuses a mapping with no message."""

    def configure_field_mapping(self, mapping):
        return Outcome(False, "")


class AppliesARefusedMapping(Broken):
    """P-FIELDS-FIXED: refuses a mapping, yet applies it from the next sync on."""

    def setup(self):
        self.mapping: dict[str, str] = {}

    def configure_field_mapping(self, mapping):
        self.mapping.update({k: v for k, v in mapping.items() if v})
        return super().configure_field_mapping(mapping)

    def _apply(self) -> None:
        columns = {f.label: f.column for f in fields_module.SYNCED_FIELDS}
        wanted = {columns[k]: v for k, v in self.mapping.items() if k in columns}
        ids = [r["marketo_id"] for r in self.sia.db.query("SELECT marketo_id FROM people")]
        if not wanted or not ids:
            return
        found = self.sia.marketo.leads_by_filter("id", ids, ["id", *set(wanted.values())])
        with self.sia.db.transaction() as db:
            for person in found:
                for column, name in wanted.items():
                    db.execute(f"UPDATE people SET {column} = ? WHERE marketo_id = ?",
                               (person.get(name), int(person["id"])))

    def initiate_sync(self):
        outcome = super().initiate_sync()
        self._apply()
        return outcome

    def sync_changes(self):
        outcome = super().sync_changes()
        self._apply()
        return outcome


class AcceptsMappingsOnceRunning(Broken):
    """P-FIELDS-FIXED: refuses mappings until the data sync is started, then accepts them."""

    def configure_field_mapping(self, mapping):
        if self.sia.people_sync().initiated:
            return Outcome(True)
        return super().configure_field_mapping(mapping)


# === P-DUPLICATES ==============================================================================

class MergesDuplicates(Broken):
    """P-DUPLICATES: keeps one person per email address, whatever its case."""

    def people(self):
        merged = {}
        for person in super().people():
            merged.setdefault((person.get("Email") or "").strip().lower(), person)
        return list(merged.values())


class KeepsOnePersonPerEmail(Broken):
    """P-DUPLICATES: a unique index on the email: the last person with an address replaces
    the earlier ones (people without an email are kept)."""

    def people(self):
        kept, no_email = {}, []
        for person in super().people():
            if person.get("Email"):
                kept[person["Email"]] = person
            else:
                no_email.append(person)
        return [*kept.values(), *no_email]


class MergesPeopleWithoutEmail(Broken):
    """P-DUPLICATES: takes every person without an email for one and the same person."""

    def people(self):
        out, seen_blank = [], False
        for person in super().people():
            if not person.get("Email"):
                if seen_blank:
                    continue
                seen_blank = True
            out.append(person)
        return out


class UpdatesByEmail(Broken):
    """P-DUPLICATES: applies a change of one person to every SIA person with its email."""

    def setup(self):
        def make(original):
            def apply(sync, items, next_token, result):
                original(sync, items, next_token, result)
                changed: dict[int, set[str]] = {}
                for item in items:
                    for change in item.get("fields") or []:
                        field = people.BY_MARKETO.get(change.get("name"))
                        if field and field.column not in ("marketo_id", "email"):
                            changed.setdefault(int(item["leadId"]), set()).add(field.column)
                for lead, columns in changed.items():
                    rows = sync.db.query("SELECT * FROM people WHERE marketo_id = ?", (lead,))
                    if not rows or not rows[0]["email"]:
                        continue
                    with sync.db.transaction() as db:
                        for column in columns:
                            db.execute(f"UPDATE people SET {column} = ? WHERE email = ?",
                                       (rows[0][column], rows[0]["email"]))
            return apply
        self.wrap(PeopleSync, "_apply_changes", make)


# === P-INITIAL =================================================================================

class StopsAtTheFirstWindow(Broken):
    """P-INITIAL: copies only the first export window of the initial sync."""

    def setup(self):
        def make(original):
            def first_only(sync, window):
                done = sync.db.query("SELECT COUNT(*) AS n FROM export_windows "
                                     "WHERE status = 'done'")[0]["n"]
                if done and sync.db.query("SELECT 1 FROM people LIMIT 1"):
                    sync._store([], window=window)  # marked done, nothing copied
                    return 0, 0
                return original(sync, window)
            return first_only
        self.wrap(PeopleSync, "_load_export", make)


class KeepsTheFirst300(Broken):
    """P-INITIAL: the initial sync stops at 300 people, one page's worth."""

    def setup(self):
        def make(original):
            def store(sync, persons, window=None):
                have = sync.db.query("SELECT COUNT(*) AS n FROM people")[0]["n"]
                room, kept = 300 - have, []
                for person in persons:
                    if people.qualifies(person):
                        if room <= 0:
                            continue
                        room -= 1
                    kept.append(person)
                return original(sync, kept, window=window)
            return store
        self.wrap(PeopleSync, "_store", make)


class LooksBackOneYear(Broken):
    """P-INITIAL: exports the persons created in the last 365 days only."""

    def setup(self):
        def make(original):
            def oldest(sync):
                found = original(sync)
                year_ago = datetime.now(UTC) - timedelta(days=365)
                return max(found, year_ago) if found else year_ago
            return oldest
        self.wrap(PeopleSync, "_oldest_person", make)


class DropsTheLastWindow(Broken):
    """P-INITIAL: an off-by-one in the export windows: the newest one, up to now, is never
    exported."""

    def setup(self):
        def make(original):
            def plan(sync):
                original(sync)
                with sync.db.transaction() as db:
                    db.execute("DELETE FROM export_windows WHERE start_at = "
                               "(SELECT MAX(start_at) FROM export_windows)")
            return plan
        self.wrap(PeopleSync, "_plan", make)


class SkipsUnsubscribedPersons(Broken):
    """P-INITIAL: leaves out the persons Marketo holds as unsubscribed."""

    def setup(self):
        _read_also(self, "unsubscribed")

        def make(original):
            def store(sync, persons, window=None):
                kept = [p for p in persons
                        if str(p.get("unsubscribed")).lower() not in ("true", "1")]
                return original(sync, kept, window=window)
            return store
        self.wrap(PeopleSync, "_store", make)


# === P-INCREMENTAL =============================================================================

class MissesUpdates(Broken):
    """P-INCREMENTAL: never reads Marketo's changes after the initial sync."""

    def setup(self):
        self.patch(PeopleSync, "changes", lambda sync, max_pages=None: SyncResult("changes"))


class ReadsOnePageOfChanges(Broken):
    """P-INCREMENTAL: reads one page of the lead-change feed a pass, whatever is left."""

    def setup(self):
        self.wrap(PeopleSync, "changes", lambda original: lambda sync, max_pages=None:
                  original(sync, max_pages=1))


def _items_fault(driver: Broken, change) -> None:
    """The change feed's items as ``change(items)`` makes them, before they are applied."""
    def make(original):
        def apply(sync, items, next_token, result):
            return original(sync, change(json.loads(json.dumps(items))), next_token, result)
        return apply
    driver.wrap(PeopleSync, "_apply_changes", make)


class IgnoresClearedValues(Broken):
    """P-INCREMENTAL: a change to an empty value is taken for no change."""

    def setup(self):
        def drop_empty(items):
            for item in items:
                item["fields"] = [f for f in item.get("fields") or [] if f.get("newValue")]
            return items
        _items_fault(self, drop_empty)


class KeepsTheFirstChange(Broken):
    """P-INCREMENTAL: when a field changed twice since the last pass, keeps the first value."""

    def setup(self):
        def first_only(items):
            seen = set()
            for item in items:
                kept = []
                for change in item.get("fields") or []:
                    key = (item["leadId"], change.get("name"))
                    if key not in seen:
                        seen.add(key)
                        kept.append(change)
                item["fields"] = kept
            return items
        _items_fault(self, first_only)


class SyncsNamesEmailCompanyTitleOnly(Broken):
    """P-INCREMENTAL: applies changes to names, email, company and title; phone, LinkedIn
    URL and source changes are dropped."""

    def setup(self):
        self.patch(people, "BY_MARKETO", {k: v for k, v in people.BY_MARKETO.items()
                                          if k in ("firstName", "lastName", "email", "company",
                                                   "title", "id")})


class TrustsApiAndSalesforceOnly(Broken):
    """P-INCREMENTAL: takes changes made through the API or by Salesforce's sync, drops form
    fills and smart campaign flow steps."""

    def setup(self):
        def trusted(items):
            def source(item):
                return {a.get("name"): a.get("value") for a in item.get("attributes") or []} \
                    .get("Source")
            return [i for i in items if i.get("activityTypeId") != people.CHANGE_DATA_VALUE
                    or source(i) in ("Web service API", "Salesforce.com")]
        _items_fault(self, trusted)


class MobileChangesIntoPhone(Broken):
    """P-INCREMENTAL: takes a change of the mobile phone for a change of the phone."""

    def setup(self):
        _read_also(self, "mobilePhone")
        self.patch(people, "BY_MARKETO", {**people.BY_MARKETO,
                                          "mobilePhone": people.BY_MARKETO["phone"]})


# === P-READONLY ================================================================================

_COLUMNS = {f.label: f.column for f in fields_module.SYNCED_FIELDS}


class AllowsEdits(Broken):
    """P-READONLY: lets sellers create and edit people in SIA."""

    def create_person(self, fields):
        # a local person of SIA's own, numbered past any Marketo ID
        self.execute("INSERT INTO people (marketo_id, first_name, last_name, email) "
                     "SELECT MAX(COALESCE(MAX(marketo_id), 0), 999999999) + 1, ?, ?, ? "
                     "FROM people", (fields.get("First Name"), fields.get("Last Name"),
                                     fields.get("Email")))
        return Outcome(True)

    def edit_person(self, marketo_id, fields):
        for label, value in fields.items():
            if label in _COLUMNS:
                self.execute(f"UPDATE people SET {_COLUMNS[label]} = ? WHERE marketo_id = ?",
                             (value, marketo_id))
        return Outcome(True)


class EditsSellerFields(Broken):
    """P-READONLY: sellers may edit a person's title, phone, company, LinkedIn URL and
    source; names, email and IDs stay read-only."""

    EDITABLE = ("Title", "Phone Number", "Company", "LinkedIn URL", "Source")

    def edit_person(self, marketo_id, fields):
        if fields and all(label in self.EDITABLE for label in fields):
            AllowsEdits.edit_person(self, marketo_id, fields)
            return Outcome(True)
        return super().edit_person(marketo_id, fields)


class WritesBeforeRefusing(Broken):
    """P-READONLY: checks an edit after writing it: refused, but in SIA's database."""

    def edit_person(self, marketo_id, fields):
        AllowsEdits.edit_person(self, marketo_id, fields)
        return super().edit_person(marketo_id, fields)


class AcceptsUnchangedValues(Broken):
    """P-READONLY: answers an edit that changes nothing with success."""

    def edit_person(self, marketo_id, fields):
        row = self.row(marketo_id) if isinstance(marketo_id, int) else None
        if row and all(label in _COLUMNS and row[_COLUMNS[label]] == value
                       for label, value in fields.items()):
            return Outcome(True)
        return super().edit_person(marketo_id, fields)


class CreatesFromAMarketoId(Broken):
    """P-READONLY: a create that names a Marketo ID copies that person from Marketo."""

    def create_person(self, fields):
        marketo_id = fields.get("Marketo ID")
        if not isinstance(marketo_id, int):
            return super().create_person(fields)
        [person] = self.sia.marketo.leads_by_filter("id", [marketo_id],
                                                    list(fields_module.MARKETO_READ_FIELDS))
        row = fields_module.to_row(person)
        self.execute(f"INSERT OR REPLACE INTO people ({', '.join(row)}) VALUES "
                     f"({', '.join('?' for _ in row)})", tuple(row.values()))
        return Outcome(True)


class UnsubscribeBlanksTheEmail(Broken):
    """P-READONLY: an unsubscribe in SIA clears the person's email, so that nothing is sent
    to it."""

    def unsubscribe(self, marketo_id):
        outcome = super().unsubscribe(marketo_id)
        self.execute("UPDATE people SET email = NULL WHERE marketo_id = ?", (marketo_id,))
        return outcome


# === P-OWN-DB ==================================================================================

class AsksMarketoForPeople(Broken):
    """P-OWN-DB: reads people from Marketo instead of its own database."""

    def people(self):
        listed = super().people()
        self.sia.marketo.call("GET", "/rest/v1/leads.json", params={
            "filterType": "id", "filterValues": ",".join(str(p["Marketo ID"]) for p in listed)})
        return listed


class AsksMarketoForActivities(Broken):
    """P-OWN-DB: reads a person's activity from Marketo instead of its own record."""

    def activities(self, marketo_id):
        from engine.clients.retry import NO_RETRY
        from engine.errors import EngineError

        self.sia.marketo.retry = NO_RETRY
        try:
            self.sia.smart_grid(marketo_id)
        except EngineError:
            pass
        return super().activities(marketo_id)


class RecordsEmailsAndCallsOnly(Broken):
    """P-OWN-DB: SIA's own record keeps sent emails and calls; opens, clicks, replies,
    bounces and campaigns only go to Marketo."""

    def activities(self, marketo_id):
        return [a for a in super().activities(marketo_id)
                if a["type"] in (T.SEND_EMAIL, T.CALL)]


class ListsDeliveredActivitiesOnly(Broken):
    """P-OWN-DB: SIA's own record lists an activity once Marketo has it, not before."""

    def activities(self, marketo_id):
        return [a for a in super().activities(marketo_id) if a.get("delivery") == "done"]


class RecordsMarketoSubjects(Broken):
    """P-OWN-DB: SIA's own record shows an email's subject as logged to Marketo, with its
    marker, not as the seller wrote it."""

    def activities(self, marketo_id):
        return [{**a, "subject": a.get("primary")} for a in super().activities(marketo_id)]


# === A-GRID ====================================================================================

class CachesSmartGrid(Broken):
    """A-GRID: serves a person's Smart Grid from its first load on."""

    def setup(self):
        self._grid = {}

    def smart_grid(self, marketo_id):
        if marketo_id not in self._grid:
            self._grid[marketo_id] = super().smart_grid(marketo_id)
        return self._grid[marketo_id]


class OneGridCacheForEveryone(Broken):
    """A-GRID: caches the Smart Grid under one key: every person gets the first one loaded."""

    def setup(self):
        self._grid = None

    def smart_grid(self, marketo_id):
        if self._grid is None:
            self._grid = super().smart_grid(marketo_id)
        return self._grid


class GridReadsOnePage(Broken):
    """A-GRID: reads one page of the person's activities: the oldest 300."""

    def setup(self):
        def load(marketo, marketo_id, type_ids, now=None):
            wanted = {type_ids[n]: n for n in smartgrid.GRID_TYPES if n in type_ids}
            since = (now or datetime.now(UTC)) - smartgrid.HISTORY
            page = marketo.activities(marketo.paging_token(since), sorted(wanted), [marketo_id])
            return [{"date": a.get("activityDate"), "type": wanted[a["activityTypeId"]],
                     "category": smartgrid.GRID_TYPES[wanted[a["activityTypeId"]]],
                     "primary": a.get("primaryAttributeValue"), "attributes": {},
                     "marketoActivityId": a.get("id")}
                    for a in page.result if a.get("activityTypeId") in wanted]
        self.patch(smartgrid, "load", load)


class GridShowsTheLastMonth(Broken):
    """A-GRID: the Smart Grid reads the last 30 days of activity only."""

    def setup(self):
        self.patch(smartgrid, "HISTORY", timedelta(days=30))


class GridShowsSalesActivityOnly(Broken):
    """A-GRID: the Smart Grid shows SIA's sales emails and calls, not Marketo's web, email
    and interesting moment activity."""

    def setup(self):
        self.patch(smartgrid, "GRID_TYPES", {k: v for k, v in smartgrid.GRID_TYPES.items()
                                             if k in T.SALES_TYPES})


# === A-TO-MARKETO ==============================================================================

class LogsRemovalsAsAdds(Broken):
    """A-TO-MARKETO: logs a removal from a sales campaign as another "Add to Sales Campaign"."""

    def setup(self):
        self.patch(T, "REMOVED_FROM_CAMPAIGN", T.ADD_TO_CAMPAIGN)


class SwapsOpensAndClicks(Broken):
    """A-TO-MARKETO: logs an open as a click and a click as an open."""

    def setup(self):
        self.patch(T, "EMAIL_EVENTS", {**T.EMAIL_EVENTS, "open": T.CLICK_EMAIL,
                                       "click": T.OPEN_EMAIL})


class LogsCompletedCallsOnly(Broken):
    """A-TO-MARKETO: logs only completed calls to Marketo; no answer, cancelled and failed
    calls are left out."""

    def setup(self):
        def change(actions, db, person, kind, primary, attributes):
            if kind == T.CALL and attributes.get("Sales Call Status") != "completed":
                return None
            return primary, attributes
        self.wrap(Actions, "_activity", _activity_wrapper(change))


class StopsMarketoLoggingWithSalesforce(Broken):
    """A-TO-MARKETO: reads the Salesforce logging switches for Marketo too: with email or
    call logging off, nothing reaches Marketo."""

    def setup(self):
        def change(actions, db, person, kind, primary, attributes):
            key = "salesforce.log_calls" if kind == T.CALL else "salesforce.log_emails"
            if kind not in (T.ADD_TO_CAMPAIGN, T.REMOVED_FROM_CAMPAIGN) and \
                    not actions.settings.get(key):
                return None
            return primary, attributes
        self.wrap(Actions, "_activity", _activity_wrapper(change))


class ResendsActivitiesOnSync(Broken):
    """A-TO-MARKETO: every periodic sync sends SIA's whole activity log to Marketo again."""

    def sync_all(self):
        self.execute("UPDATE activities SET delivery = 'pending' WHERE delivery = 'done'")
        return super().sync_all()


class LogsOnTheFirstPersonWithTheEmail(Broken):
    """A-TO-MARKETO: logs an activity on the first Marketo person with the recipient's email."""

    def setup(self):
        def make(original):
            def item(delivery, row):
                out = original(delivery, row)
                found = delivery.db.query(
                    "SELECT MIN(p.marketo_id) AS first FROM people p JOIN people q "
                    "ON p.email = q.email WHERE q.marketo_id = ?", (row["marketo_id"],))
                if found and found[0]["first"]:
                    out["leadId"] = found[0]["first"]
                return out
            return item
        self.wrap(ActivityDelivery, "_item", make)


class DedupesRepeatedEmails(Broken):
    """A-TO-MARKETO: an email with the subject of an earlier one to the same person is taken
    for a resend and not logged again."""

    def setup(self):
        def change(actions, db, person, kind, primary, attributes):
            if kind == T.SEND_EMAIL:
                subject = (primary or "").rsplit(" (SIA-", 1)[0]
                earlier = db.execute("SELECT COUNT(*) FROM activities WHERE marketo_id = ? "
                                     "AND type = ? AND primary_value LIKE ?",
                                     (person["marketo_id"], kind, subject + " (SIA-%"))
                if earlier.fetchone()[0]:
                    return None
            return primary, attributes
        self.wrap(Actions, "_activity", _activity_wrapper(change))


# === A-ATTRIBUTES ==============================================================================

class DropsCampaignAttributes(Broken):
    """A-ATTRIBUTES: leaves the sales campaign out of email activities."""

    def setup(self):
        def make(original):
            def without_campaign(actions, email, campaign):
                attributes = original(actions, email, campaign)
                attributes.pop("Sales Campaign Name", None)
                return attributes
            return without_campaign
        self.wrap(Actions, "_email_attributes", make)


class SourceIsTheProductName(Broken):
    """A-ATTRIBUTES: gives "Sales Insight Actions" as the Source, not "Sales App"."""

    def setup(self):
        self.patch(T, "SOURCE", "Sales Insight Actions")


class CallDurationInMinutes(Broken):
    """A-ATTRIBUTES: logs a call's duration in minutes, not seconds."""

    def log_call(self, marketo_id, subject, status="completed", duration=None,
                 answered_by=None, recording_url=None):
        minutes = round(duration / 60) if duration else duration
        return super().log_call(marketo_id, subject, status, minutes, answered_by,
                                recording_url)


class CallStatusInTitleCase(Broken):
    """A-ATTRIBUTES: logs the call status as the seller's screen shows it ("No Answer")."""

    def setup(self):
        def change(actions, db, person, kind, primary, attributes):
            if kind == T.CALL:
                attributes["Sales Call Status"] = attributes["Sales Call Status"].title()
            return primary, attributes
        self.wrap(Actions, "_activity", _activity_wrapper(change))


class ClicksWithoutTheLink(Broken):
    """A-ATTRIBUTES: a click activity does not say which link was clicked."""

    def setup(self):
        def change(actions, db, person, kind, primary, attributes):
            attributes.pop("Link", None)
            return primary, attributes
        self.wrap(Actions, "_activity", _activity_wrapper(change))


class EventsWithoutTheMarker(Broken):
    """A-ATTRIBUTES: logs opens and clicks with the email's bare subject and no campaign, so
    Marketo cannot tie them to their email."""

    def setup(self):
        def change(actions, db, person, kind, primary, attributes):
            if kind in (T.OPEN_EMAIL, T.CLICK_EMAIL):
                bare = (primary or "").rsplit(" (SIA-", 1)[0]
                attributes.update({"Email Subject": bare, "Sales Campaign Name": None,
                                   "Sales Campaign URL": None})
                return bare, attributes
            return primary, attributes
        self.wrap(Actions, "_activity", _activity_wrapper(change))


class CutsMarketoSubjectsAt100(Broken):
    """A-ATTRIBUTES: cuts an email's subject, marker and all, to 100 characters for Marketo."""

    def setup(self):
        def change(actions, db, person, kind, primary, attributes):
            if "Email Subject" in attributes:
                primary = (primary or "")[:100]
                attributes["Email Subject"] = (attributes["Email Subject"] or "")[:100]
            return primary, attributes
        self.wrap(Actions, "_activity", _activity_wrapper(change))


# === A-TO-SALESFORCE ===========================================================================

class LogsNoTasks(Broken):
    """A-TO-SALESFORCE: never creates the Tasks it queues for Salesforce."""

    def setup(self):
        class Nowhere:
            def __init__(self, db, salesforce):
                pass

            def flush(self):
                return {"created": 0}

        self.patch(sia_module, "TaskDelivery", Nowhere)


class LogsTasksForContactsOnly(Broken):
    """A-TO-SALESFORCE: logs Tasks on contacts; a lead's emails and calls get none."""

    def setup(self):
        self.wrap(Actions, "_task", _task_wrapper(
            lambda actions, db, kind, person, subject, task_type, extra:
            (subject, task_type, extra, person) if person["sfdc_contact_id"] else None))


class LogsCompletedCallsOnlyToSalesforce(Broken):
    """A-TO-SALESFORCE: logs a Task for a completed call only; other calls get none."""

    def setup(self):
        self.wrap(Actions, "_task", _task_wrapper(
            lambda actions, db, kind, person, subject, task_type, extra:
            None if kind == "call" and extra.get("CallDisposition") != "completed"
            else (subject, task_type, extra, person)))


class LeavesLoggedTasksOpen(Broken):
    """A-TO-SALESFORCE: logs emails and calls as open Tasks ("Not Started") with no date, so
    activity reports miss them."""

    def setup(self):
        self.wrap(Actions, "_task", _task_wrapper(
            lambda actions, db, kind, person, subject, task_type, extra:
            (subject, task_type, {**extra, "Status": "Not Started", "ActivityDate": None},
             person)))


class LooksUpWhoByEmail(Broken):
    """A-TO-SALESFORCE: links a Task to the first SIA person with the recipient's email."""

    def setup(self):
        def change(actions, db, kind, person, subject, task_type, extra):
            if person["email"]:
                first = db.execute("SELECT sfdc_contact_id, sfdc_lead_id FROM people WHERE "
                                   "email = ? ORDER BY marketo_id LIMIT 1",
                                   (person["email"],)).fetchone()
                person = {**person, "sfdc_contact_id": first[0], "sfdc_lead_id": first[1]}
            return subject, task_type, extra, person
        self.wrap(Actions, "_task", _task_wrapper(change))


class SkipsCampaignEmailTasks(Broken):
    """A-TO-SALESFORCE: an email sent in a sales campaign gets no Task."""

    def setup(self):
        flag = _Flag()
        self.wrap(Actions, "send_email", _with_flag(
            flag, lambda actions, marketo_id, subject, body="", campaign=None, *a, **k: campaign))
        self.wrap(Actions, "_task", _task_wrapper(
            lambda actions, db, kind, person, subject, task_type, extra:
            None if kind == "email" and flag.value else (subject, task_type, extra, person)))


# === A-SF-CONFIG ===============================================================================

class LogsDisabledKinds(Broken):
    """A-SF-CONFIG: logs emails and calls to Salesforce whatever their switches say."""

    def setup(self):
        _settings(self, lambda s, key, get: True if key in (
            "salesforce.log_emails", "salesforce.log_calls") else get(key))


class OneSwitchForEmailsAndCalls(Broken):
    """A-SF-CONFIG: the email logging switch decides for calls too; the call switch does
    nothing."""

    def setup(self):
        _settings(self, lambda s, key, get: get("salesforce.log_emails")
                  if key == "salesforce.log_calls" else get(key))


class SwapsTheLoggingSwitches(Broken):
    """A-SF-CONFIG: the email switch decides for calls and the call switch for emails."""

    def setup(self):
        swap = {"salesforce.log_emails": "salesforce.log_calls",
                "salesforce.log_calls": "salesforce.log_emails"}
        _settings(self, lambda s, key, get: get(swap.get(key, key)))


class RepliesIgnoreTheSwitch(Broken):
    """A-SF-CONFIG: replies are logged to Salesforce with email logging off."""

    def setup(self):
        flag = _Flag()
        self.wrap(Actions, "record_email_event", _with_flag(
            flag, lambda actions, email_id, event, *a, **k: event))
        _settings(self, lambda s, key, get: True if key == "salesforce.log_emails"
                  and flag.value == "reply" else get(key))


class CampaignEmailsIgnoreTheSwitch(Broken):
    """A-SF-CONFIG: emails sent in a sales campaign are logged with email logging off."""

    def setup(self):
        flag = _Flag()
        self.wrap(Actions, "send_email", _with_flag(
            flag, lambda actions, marketo_id, subject, body="", campaign=None, *a, **k: campaign))
        _settings(self, lambda s, key, get: True if key == "salesforce.log_emails"
                  and flag.value else get(key))


class RemindersFollowEmailLogging(Broken):
    """A-SF-CONFIG: reminder tasks go to Salesforce when email logging is on, whatever the
    task sync switch says."""

    def setup(self):
        self.patch(Reminders, "setting", "salesforce.log_emails")


# === A-ONE-WAY =================================================================================

def _deleted_task_ids(driver: Broken) -> set[str]:
    return {t["Id"] for t in driver.sia.salesforce.query(
        "SELECT Id FROM Task WHERE IsDeleted = true", include_deleted=True)}


class SyncsEmailTasksBack(Broken):
    """A-ONE-WAY: takes the email and call Tasks it logged back in as reminder tasks on
    every sync."""

    def sync_all(self):
        outcome = super().sync_all()
        who = {}
        for row in self.sia.db.query("SELECT marketo_id, sfdc_contact_id, sfdc_lead_id "
                                     "FROM people"):
            who[row["sfdc_contact_id"] or row["sfdc_lead_id"]] = row["marketo_id"]
        tasks = self.sia.salesforce.query("SELECT Id, Subject, WhoId FROM Task WHERE Type IN "
                                          "('Email', 'Call', 'Reply')")
        with self.sia.db.transaction() as db:
            for task in tasks:
                db.execute("INSERT OR IGNORE INTO reminder_tasks (marketo_id, name, origin, "
                           "sf_task_id, created_at, updated_at) VALUES (?, ?, 'salesforce', ?, "
                           "'', '')", (who.get(task["WhoId"], 0), task["Subject"], task["Id"]))
        return outcome


class ForgetsActivitiesDeletedInSalesforce(Broken):
    """A-ONE-WAY: an email or call whose Task was deleted in Salesforce leaves SIA's own
    record."""

    def sync_all(self):
        outcome = super().sync_all()
        gone = _deleted_task_ids(self)
        for row in self.sia.db.query("SELECT kind, source_id, sf_task_id FROM logged_tasks"):
            if row["sf_task_id"] in gone:
                source = {"email": "email", "call": "call", "reply": "email_event"}[row["kind"]]
                self.execute("DELETE FROM activities WHERE source = ? AND source_id = ?",
                             (source, row["source_id"]))
        return outcome


class TakesSubjectEditsBack(Broken):
    """A-ONE-WAY: a logged email's Task renamed in Salesforce renames the email in SIA."""

    def sync_all(self):
        outcome = super().sync_all()
        for row in self.sia.db.query("SELECT source_id, sf_task_id, fields, marker FROM "
                                     "logged_tasks WHERE kind = 'email' AND sf_task_id IS NOT "
                                     "NULL"):
            [task] = list(self.sia.salesforce.query(
                f"SELECT Subject FROM Task WHERE Id = '{row['sf_task_id']}'",
                include_deleted=True)) or [{}]
            if task.get("Subject") and task["Subject"] != json.loads(row["fields"])["Subject"]:
                self.execute("UPDATE activities SET primary_value = ? WHERE source = 'email' "
                             "AND source_id = ?", (f"{task['Subject']} ({row['marker']})",
                                                    row["source_id"]))
        return outcome


class RecreatesDeletedTasks(Broken):
    """A-ONE-WAY: the periodic sync makes again the logged Tasks deleted in Salesforce."""

    def sync_all(self):
        gone = _deleted_task_ids(self)
        for row in self.sia.db.query("SELECT id, sf_task_id FROM logged_tasks"):
            if row["sf_task_id"] in gone:
                self.execute("UPDATE logged_tasks SET delivery = 'pending', sf_task_id = NULL, "
                             "attempted_at = NULL, attempt_until = NULL WHERE id = ?",
                             (row["id"],))
        return super().sync_all()


# === A-TASK-SHAPE ==============================================================================

class IgnoresSubjectTemplates(Broken):
    """A-TASK-SHAPE: logs the bare subject, whatever the admin's template."""

    def setup(self):
        self.patch(Actions, "_subject",
                   lambda actions, key, person, subject, kind, campaign: subject)


class CutsSubjectsAt254(Broken):
    """A-TASK-SHAPE: cuts a Task's subject to 254 characters, one short."""

    def setup(self):
        self.patch(actions_module, "SUBJECT_LIMIT", 254)


class CutsSubjectsByBytes(Broken):
    """A-TASK-SHAPE: cuts a Task's subject to 255 bytes of UTF-8, not 255 characters."""

    def setup(self):
        self.wrap(Actions, "_task", _task_wrapper(
            lambda actions, db, kind, person, subject, task_type, extra:
            (subject.encode()[:255].decode("utf-8", "ignore"), task_type, extra, person)))


class RepliesUseTheEmailTemplate(Broken):
    """A-TASK-SHAPE: a reply's Task takes the email subject template, not "Reply: "."""

    def setup(self):
        def change(actions, db, kind, person, subject, task_type, extra):
            if kind == "reply":
                subject = actions._subject("salesforce.email_subject_template", person,
                                           subject.removeprefix("Reply: "), "Email", None)
            return subject, task_type, extra, person
        self.wrap(Actions, "_task", _task_wrapper(change))


class RepliesTypedAsEmails(Broken):
    """A-TASK-SHAPE: logs a reply as a Task of Type "Email"."""

    def setup(self):
        self.wrap(Actions, "_task", _task_wrapper(
            lambda actions, db, kind, person, subject, task_type, extra:
            (subject, "Email" if task_type == "Reply" else task_type, extra, person)))


class RemindersTypedOther(Broken):
    """A-TASK-SHAPE: gives reminder tasks the Type "Other"."""

    def setup(self):
        self.wrap(reminders, "create_task_once", lambda original:
                  lambda salesforce, key, fields, *rest: original(
                      salesforce, key, {**fields, "Type": "Other"}, *rest))


class NamesByFirstNameOnly(Broken):
    """A-TASK-SHAPE: fills a template's {name} with the first name only."""

    def setup(self):
        self.wrap(Actions, "_subject", lambda original: lambda actions, key, person, subject,
                  kind, campaign: original(actions, key, {**person, "last_name": None},
                                           subject, kind, campaign))


# === U-SF-TWO-WAY ==============================================================================

class KeepsUnsubscribesToItself(Broken):
    """U-SF-TWO-WAY: unsubscribes in SIA only, and never reads Salesforce's opt-outs."""

    def setup(self):
        self.patch(Unsubscribes, "sync", lambda unsubs: {})

    def unsubscribe(self, marketo_id):
        self.execute("UPDATE people SET unsubscribed = 1 WHERE marketo_id = ?", (marketo_id,))
        return Outcome(True)


class PushesLeadsOnly(Broken):
    """U-SF-TWO-WAY: pushes an unsubscribe to the person's lead only; contacts never hear."""

    def setup(self):
        self.patch(unsubscribes, "_target", lambda person: ("Lead", person["sfdc_lead_id"])
                   if person["sfdc_lead_id"] else None)


def _filtered_queries(driver: Broken, cls, name: str, keep) -> None:
    """While ``cls.name`` runs, Salesforce queries answer only the records ``keep(soql)``
    allows (``keep`` returns False to answer nothing)."""
    def make(original):
        def run(sync, *args, **kwargs):
            client = sync.salesforce
            real = client.query
            client.query = lambda soql, **kw: real(soql, **kw) if keep(soql) else iter(())
            try:
                return original(sync, *args, **kwargs)
            finally:
                del client.query
        return run
    driver.wrap(cls, name, make)


class PullsLeadsOnly(Broken):
    """U-SF-TWO-WAY: the periodic pass reads the opt-outs of Salesforce leads, not contacts."""

    def setup(self):
        _filtered_queries(self, Unsubscribes, "sync", lambda soql: "FROM Contact" not in soql)


class PullsOnTheFirstPassOnly(Broken):
    """U-SF-TWO-WAY: takes in Salesforce's opt-outs on the first pass only."""

    def setup(self):
        def make(original):
            def sync(unsubs):
                if unsubs.db.cursor(unsubscribes.CURSOR):
                    return unsubs.push_pending()
                return original(unsubs)
            return sync
        self.wrap(Unsubscribes, "sync", make)


class PushesAtNightOnly(Broken):
    """U-SF-TWO-WAY: an unsubscribe in SIA waits for the nightly sync to reach Salesforce."""

    def setup(self):
        def make(original):
            def unsubscribe(unsubs, person):
                unsubs.push_pending = lambda: {"pushed": 0, "failed": 0}
                try:
                    return original(unsubs, person)
                finally:
                    del unsubs.push_pending
            return unsubscribe
        self.wrap(Unsubscribes, "unsubscribe", make)


class RemembersOptOutsForever(Broken):
    """U-SF-TWO-WAY: once it saw a person opted out in Salesforce, it never takes in a new
    opt-out of theirs."""

    def setup(self):
        self.wrap(Unsubscribes, "_take_in", lambda original: lambda unsubs, seen, cursor:
                  original(unsubs, {k: v for k, v in seen.items() if v}, cursor))


class OptOutsByEmail(Broken):
    """U-SF-TWO-WAY: an opt-out from Salesforce unsubscribes every SIA person with its email."""

    def setup(self):
        def make(original):
            def take_in(unsubs, seen, cursor):
                count = original(unsubs, seen, cursor)
                with unsubs.db.transaction() as db:
                    for record_id, opted_out in seen.items():
                        if opted_out:
                            db.execute("UPDATE people SET unsubscribed = 1 WHERE email IN "
                                       "(SELECT email FROM people WHERE sfdc_contact_id = ? OR "
                                       "sfdc_lead_id = ?)", (record_id, record_id))
                return count
            return take_in
        self.wrap(Unsubscribes, "_take_in", make)


# === U-NO-RESUBSCRIBE ==========================================================================

class PushesResubscribes(Broken):
    """U-NO-RESUBSCRIBE: clears the opt-out in Salesforce when a person re-subscribes in SIA."""

    def resubscribe(self, marketo_id):
        outcome = super().resubscribe(marketo_id)
        row = self.row(marketo_id)
        target = ("Contact", row["sfdc_contact_id"]) if row["sfdc_contact_id"] else \
            ("Lead", row["sfdc_lead_id"])
        self.sia.salesforce.update(*target, {"HasOptedOutOfEmail": False})
        return outcome


class PullsOptIns(Broken):
    """U-NO-RESUBSCRIBE: an opt-out cleared in Salesforce re-subscribes the person in SIA."""

    def setup(self):
        def make(original):
            def take_in(unsubs, seen, cursor):
                count = original(unsubs, seen, cursor)
                with unsubs.db.transaction() as db:
                    for record_id, opted_out in seen.items():
                        if not opted_out:
                            db.execute("UPDATE people SET unsubscribed = 0 WHERE "
                                       "sfdc_contact_id = ? OR sfdc_lead_id = ?",
                                       (record_id, record_id))
                return count
            return take_in
        self.wrap(Unsubscribes, "_take_in", make)


class PullsOptInsOfSalesforceOptOuts(Broken):
    """U-NO-RESUBSCRIBE: re-subscribes a person in SIA when Salesforce clears an opt-out that
    came from Salesforce (SIA's own unsubscribes stay)."""

    def setup(self):
        def make(original):
            def take_in(unsubs, seen, cursor):
                count = original(unsubs, seen, cursor)
                with unsubs.db.transaction() as db:
                    for record_id, opted_out in seen.items():
                        if not opted_out:
                            db.execute("UPDATE people SET unsubscribed = 0 WHERE "
                                       "unsubscribe_push IS NULL AND (sfdc_contact_id = ? OR "
                                       "sfdc_lead_id = ?)", (record_id, record_id))
                return count
            return take_in
        self.wrap(Unsubscribes, "_take_in", make)


class UndoesResubscribes(Broken):
    """U-NO-RESUBSCRIBE: forgets what it knew of Salesforce's opt-out when a person
    re-subscribes, so the next pass takes the old opt-out in again."""

    def resubscribe(self, marketo_id):
        outcome = super().resubscribe(marketo_id)
        self.execute("UPDATE people SET sf_opted_out = NULL WHERE marketo_id = ?",
                     (marketo_id,))
        self.execute("DELETE FROM cursors WHERE name = ?", (unsubscribes.CURSOR,))
        return outcome


# === U-NOT-TO-MARKETO ==========================================================================

class WritesUnsubscribesToMarketo(Broken):
    """U-NOT-TO-MARKETO: also unsubscribes the person in Marketo."""

    def unsubscribe(self, marketo_id):
        outcome = super().unsubscribe(marketo_id)
        self.marketo_update(marketo_id, {"unsubscribed": True})
        return outcome


class FallsBackToMarketo(Broken):
    """U-NOT-TO-MARKETO: with Unsubscribe Sync off, records the unsubscribe in Marketo
    instead."""

    def unsubscribe(self, marketo_id):
        outcome = super().unsubscribe(marketo_id)
        if not self.sia.settings.get(unsubscribes.SETTING):
            self.marketo_update(marketo_id, {"unsubscribed": True})
        return outcome


class WritesResubscribesToMarketo(Broken):
    """U-NOT-TO-MARKETO: a re-subscribe in SIA clears Marketo's unsubscribed."""

    def resubscribe(self, marketo_id):
        outcome = super().resubscribe(marketo_id)
        self.marketo_update(marketo_id, {"unsubscribed": False})
        return outcome


class TellsMarketoAtNight(Broken):
    """U-NOT-TO-MARKETO: the periodic sync marks SIA's unsubscribed people unsubscribed in
    Marketo."""

    def _tell(self):
        ids = [r["marketo_id"] for r in self.sia.db.query(
            "SELECT marketo_id FROM people WHERE unsubscribed = 1")]
        if ids:
            self.sia.marketo.call("POST", "/rest/v1/leads.json", json={
                "action": "updateOnly", "lookupField": "id",
                "input": [{"id": i, "unsubscribed": True} for i in ids]})

    def sync_unsubscribes(self):
        outcome = super().sync_unsubscribes()
        self._tell()
        return outcome

    def sync_all(self):
        outcome = super().sync_all()
        self._tell()
        return outcome


class SuspendsInMarketo(Broken):
    """U-NOT-TO-MARKETO: marks a person unsubscribed in SIA as "Marketing Suspended" in
    Marketo."""

    def unsubscribe(self, marketo_id):
        outcome = super().unsubscribe(marketo_id)
        self.marketo_update(marketo_id, {"marketingSuspended": True})
        return outcome


# === U-MARKETO-CHECK ===========================================================================

class SkipsUnsubscribeCheck(Broken):
    """U-MARKETO-CHECK: sends without asking Marketo, check on or off."""

    def setup(self):
        self.sia._unsubscribed_in_marketo = lambda email: False


class CachesTheCheck(Broken):
    """U-MARKETO-CHECK: asks Marketo once per address and keeps the answer."""

    def setup(self):
        ask, answers = self.sia._unsubscribed_in_marketo, {}

        def check(email):
            if email not in answers:
                answers[email] = ask(email)
            return answers[email]
        self.sia._unsubscribed_in_marketo = check


class AsksTwice(Broken):
    """U-MARKETO-CHECK: asks Marketo by email, then reads the person again by ID."""

    def setup(self):
        ask = self.sia._unsubscribed_in_marketo

        def check(email):
            answer = ask(email)
            ids = [r["marketo_id"] for r in self.sia.db.query(
                "SELECT marketo_id FROM people WHERE email = ?", (email,))]
            if ids:
                self.sia.marketo.leads_by_filter("id", ids, ["id", "unsubscribed"])
            return answer
        self.sia._unsubscribed_in_marketo = check


class BlocksContactsOnly(Broken):
    """U-MARKETO-CHECK: heeds Marketo's answer for contacts; a lead's send goes anyway."""

    def setup(self):
        ask = self.sia._unsubscribed_in_marketo

        def check(email):
            answer = ask(email)
            contact = self.sia.db.query("SELECT 1 FROM people WHERE email = ? AND "
                                        "sfdc_contact_id IS NOT NULL", (email,))
            return answer and bool(contact)
        self.sia._unsubscribed_in_marketo = check


class CampaignSendsUnchecked(Broken):
    """U-MARKETO-CHECK: emails sent in a sales campaign skip the check."""

    def send_email(self, marketo_id, subject, body="", campaign=None):
        if not campaign:
            return super().send_email(marketo_id, subject, body, campaign)
        ask = self.sia._unsubscribed_in_marketo
        self.sia._unsubscribed_in_marketo = lambda email: False
        try:
            return super().send_email(marketo_id, subject, body, campaign)
        finally:
            self.sia._unsubscribed_in_marketo = ask


class AsksWhenOff(Broken):
    """U-MARKETO-CHECK: asks Marketo before every send even with the check off (and then
    sends anyway)."""

    def send_email(self, marketo_id, subject, body="", campaign=None):
        row = self.row(marketo_id)
        if row and row["email"] and not self.sia.settings.get("marketo.unsubscribe_check"):
            self.sia._unsubscribed_in_marketo(row["email"])
        return super().send_email(marketo_id, subject, body, campaign)


class LogsBlockedSends(Broken):
    """U-MARKETO-CHECK: blocks the send, but logs it to Marketo and Salesforce all the same."""

    def send_email(self, marketo_id, subject, body="", campaign=None):
        outcome = super().send_email(marketo_id, subject, body, campaign)
        if not outcome.ok and "Marketo" in (outcome.error or ""):
            self.sia.actions.send_email(marketo_id, subject, body, campaign)
            self.sia.flush()
        return outcome


# === T-TWO-WAY =================================================================================

class PullsNothing(Broken):
    """T-TWO-WAY: pushes reminder tasks to Salesforce, never takes Salesforce's in."""

    def setup(self):
        self.patch(Reminders, "_pull", lambda reminders_: {})


class TaskSyncOnByDefault(Broken):
    """T-TWO-WAY: task sync is on until an admin switches it off."""

    def setup(self):
        old = settings_module.BY_KEY["salesforce.sync_tasks"]
        on = settings_module.Setting(old.key, True, old.kind, old.description)
        self.patch(settings_module, "SETTINGS", tuple(
            on if s.key == old.key else s for s in settings_module.SETTINGS))
        self.patch(settings_module, "BY_KEY", {**settings_module.BY_KEY, old.key: on})


class LeadTasksStayInSIA(Broken):
    """T-TWO-WAY: pushes the reminder tasks of contacts; a lead's stay in SIA."""

    def setup(self):
        def make(original):
            def who(reminders_, marketo_id):
                rows = reminders_.db.query("SELECT sfdc_contact_id FROM people WHERE "
                                           "marketo_id = ?", (marketo_id,))
                return rows[0]["sfdc_contact_id"] if rows else None
            return who
        self.wrap(Reminders, "_who", make)


class DeletionsStayInSIA(Broken):
    """T-TWO-WAY: a reminder task deleted in SIA stays in Salesforce."""

    def setup(self):
        self.wrap(Reminders, "_queue", lambda original: lambda r, db, row, op, fields:
                  None if op == "delete" else original(r, db, row, op, fields))


class PushesCreatesOnly(Broken):
    """T-TWO-WAY: a reminder task reaches Salesforce when made; its edits and completion do
    not."""

    def setup(self):
        self.wrap(Reminders, "_queue", lambda original: lambda r, db, row, op, fields:
                  None if op == "update" else original(r, db, row, op, fields))


class PullsTheLastDayOnly(Broken):
    """T-TWO-WAY: every pass reads the Salesforce tasks of the last 24 hours, not all those
    changed since the last pass."""

    def setup(self):
        def make(original):
            def pull(reminders_):
                with reminders_.db.transaction() as db:
                    db.execute("DELETE FROM cursors WHERE name = ?", (reminders.PULLED,))
                return original(reminders_)
            return pull
        self.wrap(Reminders, "_pull", make)


class IgnoresSalesforceDeletions(Broken):
    """T-TWO-WAY: never reads the Tasks deleted in Salesforce."""

    def setup(self):
        _filtered_queries(self, Reminders, "_pull", lambda soql: "IsDeleted = true" not in soql)


# === T-MAPPING =================================================================================

class SyncsSubjectsBack(Broken):
    """T-MAPPING: renames SIA's task after the Salesforce Task's subject."""

    def setup(self):
        def make(original):
            def with_subject(reminders_, db, task, marketo_id, counts):
                original(reminders_, db, task, marketo_id, counts)
                db.execute("UPDATE reminder_tasks SET name = ? WHERE sf_task_id = ?",
                           (task.get("Subject"), task["Id"]))
            return with_subject
        self.wrap(Reminders, "_apply", make)


class _EveryStatus(dict):
    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return "Complete" if key == "Completed" else "Open"


class OtherStatusesAreOpen(Broken):
    """T-MAPPING: any Salesforce status but "Completed" makes the task Open."""

    def setup(self):
        self.patch(reminders, "STATUS_FROM_SF", _EveryStatus())


def _task_in(driver: Broken, change) -> None:
    """Salesforce's Task as ``change(task, current row)`` makes it, before SIA applies it."""
    def make(original):
        def apply(reminders_, db, task, marketo_id, counts):
            current = db.execute("SELECT details FROM reminder_tasks WHERE sf_task_id = ?",
                                 (task["Id"],)).fetchone()
            return original(reminders_, db, change(dict(task), current), marketo_id, counts)
        return apply
    driver.wrap(Reminders, "_apply", make)


class LowIsNormal(Broken):
    """T-MAPPING: takes Salesforce's "Low" priority for "Normal"."""

    def setup(self):
        _task_in(self, lambda task, current: {**task, "Priority": "Normal"}
                 if task.get("Priority") == "Low" else task)


class KeepsDetailsClearedInSalesforce(Broken):
    """T-MAPPING: a Description cleared in Salesforce leaves SIA's details as they were."""

    def setup(self):
        _task_in(self, lambda task, current: {**task, "Description": current[0]}
                 if current and not task.get("Description") else task)


def _fields_out(driver: Broken, change) -> None:
    def make(original):
        return staticmethod(lambda row, names: change(original(row, names)))
    driver.wrap(Reminders, "_sf_fields", make)


class DueDatesADayEarly(Broken):
    """T-MAPPING: sends the due date a day early (midnight local time read as UTC)."""

    def setup(self):
        def earlier(fields):
            if fields.get("ActivityDate"):
                day = datetime.fromisoformat(fields["ActivityDate"]) - timedelta(days=1)
                fields["ActivityDate"] = day.date().isoformat()
            return fields
        _fields_out(self, earlier)


class CutsDetailsAt255(Broken):
    """T-MAPPING: cuts a task's details to 255 characters on their way to Description."""

    def setup(self):
        _fields_out(self, lambda fields: {**fields, "Description": fields["Description"][:255]}
                    if fields.get("Description") else fields)


# === T-FIRST-SYNC ==============================================================================

class ImportsAMonth(Broken):
    """T-FIRST-SYNC: on switching on, imports the Salesforce tasks of the last 30 days."""

    def setup(self):
        self.patch(reminders, "FIRST_IMPORT", timedelta(days=30))


class ImportsHalfADay(Broken):
    """T-FIRST-SYNC: on switching on, imports the Salesforce tasks of the last 12 hours."""

    def setup(self):
        self.patch(reminders, "FIRST_IMPORT", timedelta(hours=12))


class ImportsByCreationDate(Broken):
    """T-FIRST-SYNC: the first sync imports tasks created in the last 24 hours, not those
    only updated then."""

    def _after_first(self, run):
        first = self.sia.settings.get(reminders.SETTING) and \
            self.sia.db.cursor(reminders.PULLED) is None
        outcome = run()
        if first:
            since = self.sia.salesforce.server_now() - timedelta(hours=24)
            for row in self.sia.db.query("SELECT id, sf_task_id FROM reminder_tasks WHERE "
                                         "origin = 'salesforce'"):
                [task] = list(self.sia.salesforce.query(
                    f"SELECT CreatedDate FROM Task WHERE Id = '{row['sf_task_id']}'"))
                created = datetime.fromisoformat(task["CreatedDate"].replace("Z", "+00:00")
                                                 .replace("+0000", "+00:00"))
                if created < since:
                    self.execute("DELETE FROM reminder_tasks WHERE id = ?", (row["id"],))
        return outcome

    def sync_tasks(self):
        return self._after_first(super().sync_tasks)

    def sync_all(self):
        return self._after_first(super().sync_all)


class PushesExistingTasks(Broken):
    """T-FIRST-SYNC: switching task sync on pushes the tasks SIA already had."""

    def set_setting(self, name, value):
        outcome = super().set_setting(name, value)
        if name == "task_sync" and outcome.ok and self.sia.settings.get(reminders.SETTING):
            self.execute("UPDATE reminder_tasks SET pending = ? WHERE sf_task_id IS NULL AND "
                         "deleted = 0 AND pending IS NULL", (json.dumps({"op": "create"}),))
        return outcome


class AppliesAWeekOfDeletions(Broken):
    """T-FIRST-SYNC: on switching on, applies the Salesforce deletions of the last 7 days."""

    def setup(self):
        self.patch(reminders, "FIRST_DELETIONS", timedelta(days=7))


class AppliesAMonthOfDeletions(Broken):
    """T-FIRST-SYNC: on switching on, applies the Salesforce deletions of the last 30 days."""

    def setup(self):
        self.patch(reminders, "FIRST_DELETIONS", timedelta(days=30))


class FirstSyncOnlyOnce(Broken):
    """T-FIRST-SYNC: switching task sync on again carries on from where it stopped, not with
    a first sync."""

    def setup(self):
        self.patch(Reminders, "switched", lambda reminders_, on: None)


# === S-INITIATE ================================================================================

class SyncsBeforeInitiation(Broken):
    """S-INITIATE: the incremental sync starts copying people before the admin starts the
    sync."""

    def sync_changes(self):
        if not self.sia.people_sync().initiated:
            return self.initiate_sync()
        return super().sync_changes()


class PeriodicSyncStartsTheSync(Broken):
    """S-INITIATE: the periodic sync runs the initial sync when no admin has started it."""

    def sync_all(self):
        if not self.sia.people_sync().initiated:
            self.initiate_sync()
        return super().sync_all()


class ShowsTwelveFields(Broken):
    """S-INITIATE: the set-up shows the fields without Source."""

    def sync_fields(self):
        return [f for f in super().sync_fields() if f != "Source"]


class OpeningTheSetUpStartsTheSync(Broken):
    """S-INITIATE: opening the data sync set-up starts the sync."""

    def sync_fields(self):
        fields = super().sync_fields()
        self.initiate_sync()
        return fields


# === S-SETTINGS ================================================================================

def _remembering(keys):
    seen: dict = {}

    def read(settings, key, get):
        if keys is not None and key not in keys:
            return get(key)
        if key not in seen:
            seen[key] = get(key)
        return seen[key]
    return read


class CachesSettings(Broken):
    """S-SETTINGS: reads each switch once and keeps the first value it read."""

    def setup(self):
        _settings(self, _remembering(None))


class ReadsUnsubscribeSyncOnce(Broken):
    """S-SETTINGS: reads Unsubscribe Sync at the first unsubscribe and keeps that value."""

    def setup(self):
        _settings(self, _remembering({"salesforce.sync_unsubscribes"}))


class ReadsTaskSyncOnce(Broken):
    """S-SETTINGS: reads the task sync switch at the first task and keeps that value."""

    def setup(self):
        _settings(self, _remembering({"salesforce.sync_tasks"}))


class CheckStuckOn(Broken):
    """S-SETTINGS: once the Marketo Unsubscribe Check was on, switching it off does not
    stop it."""

    def setup(self):
        was_on = []

        def read(settings, key, get):
            value = get(key)
            if key == "marketo.unsubscribe_check":
                if value:
                    was_on.append(True)
                return value or bool(was_on)
            return value
        _settings(self, read)


class ShowsDefaultSettings(Broken):
    """S-SETTINGS: the settings page shows every switch at its default, whatever was set."""

    def settings(self):
        return {name: settings_module.BY_KEY[key].default for name, key in SETTING_KEYS.items()}


# === the catalogue =============================================================================

def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _rule(cls) -> str:
    return cls.__doc__.split(":", 1)[0].strip()


#: Every broken driver, by its factory's name: (rule it breaks, class).
BROKEN: dict[str, tuple[str, type]] = {
    _snake(cls.__name__): (_rule(cls), cls)
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, Broken) and cls is not Broken
}


def _factory(cls):
    return lambda workdir: cls(workdir)


globals().update({name: _factory(cls) for name, (_rule_id, cls) in BROKEN.items()})

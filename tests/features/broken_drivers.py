"""Drivers that break one rule each, on purpose: the kit must fail them, on that rule.

Each is the reference driver with one fault, the kind a real integration could have.
"""

from __future__ import annotations

from engine.driver import ReferenceDriver
from features.contract import Outcome


class IgnoresOwnerFilter(ReferenceDriver):
    """Copies every Marketo person, owner or not (breaks P-OWNER)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        import engine.sync.people as people

        people.qualifies = lambda person: bool(person.get("id"))


class DropsAField(ReferenceDriver):
    """Never keeps the LinkedIn URL (breaks P-FIELDS)."""

    def people(self):
        return [{k: v for k, v in p.items() if k != "LinkedIn URL"} for p in super().people()]


class MergesDuplicates(ReferenceDriver):
    """Keeps one person per email address (breaks P-DUPLICATES)."""

    def people(self):
        merged = {}
        for person in super().people():
            merged.setdefault((person.get("Email") or "").strip().lower(), person)
        return list(merged.values())


class AllowsEdits(ReferenceDriver):
    """Lets sellers create and edit people in SIA (breaks P-READONLY)."""

    def create_person(self, fields):
        with self.sia.db.transaction() as db:
            db["people"].insert({"marketo_id": 10**9, "first_name": fields.get("First Name"),
                                 "last_name": fields.get("Last Name"),
                                 "email": fields.get("Email")})
        return Outcome(True)

    def edit_person(self, marketo_id, fields):
        columns = {"Title": "title", "Email": "email", "First Name": "first_name"}
        with self.sia.db.transaction() as db:
            for label, value in fields.items():
                db.execute(f"UPDATE people SET {columns[label]} = ? WHERE marketo_id = ?",
                           (value, marketo_id))
        return Outcome(True)


class MissesUpdates(ReferenceDriver):
    """Never reads Marketo's changes after the initial sync (breaks P-INCREMENTAL)."""

    def sync_changes(self):
        return Outcome(True)


class AcceptsMappings(ReferenceDriver):
    """Takes a field mapping and silently ignores it (breaks P-FIELDS-FIXED)."""

    def configure_field_mapping(self, mapping):
        return Outcome(True)


class SyncsBeforeInitiation(ReferenceDriver):
    """Starts copying people before the admin starts the sync (breaks S-INITIATE)."""

    def sync_changes(self):
        if not self.sia.people_sync().initiated:
            return self.initiate_sync()
        return super().sync_changes()


class WritesPeopleBack(ReferenceDriver):
    """Pushes SIA's copy of a person back to Marketo on every sync (breaks P-DIRECTION)."""

    def sync_changes(self):
        outcome = super().sync_changes()
        for person in self.people()[:1]:
            self.sia.marketo.call("POST", "/rest/v1/leads.json", json={
                "action": "updateOnly", "lookupField": "id",
                "input": [{"id": int(person["Marketo ID"]), "title": person["Title"]}]})
        return outcome


class AsksMarketoForPeople(ReferenceDriver):
    """Reads people from Marketo instead of its own database (breaks P-OWN-DB)."""

    def people(self):
        listed = super().people()
        self.sia.marketo.call("GET", "/rest/v1/leads.json", params={
            "filterType": "id", "filterValues": ",".join(str(p["Marketo ID"]) for p in listed)})
        return listed


def factory(cls):
    return lambda workdir: cls(workdir)


ignores_owner_filter = factory(IgnoresOwnerFilter)
drops_a_field = factory(DropsAField)
merges_duplicates = factory(MergesDuplicates)
allows_edits = factory(AllowsEdits)
misses_updates = factory(MissesUpdates)
accepts_mappings = factory(AcceptsMappings)
syncs_before_initiation = factory(SyncsBeforeInitiation)
writes_people_back = factory(WritesPeopleBack)
asks_marketo_for_people = factory(AsksMarketoForPeople)

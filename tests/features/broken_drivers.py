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


# --- sales activities, unsubscribes, reminder tasks, settings ---------------------------------

class LogsRemovalsAsAdds(ReferenceDriver):
    """Logs a removal from a sales campaign as another "Add to Sales Campaign" (breaks
    A-TO-MARKETO)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        import engine.activity_types as types

        types.REMOVED_FROM_CAMPAIGN = types.ADD_TO_CAMPAIGN


class DropsCampaignAttributes(ReferenceDriver):
    """Leaves the sales campaign out of email activities (breaks A-ATTRIBUTES)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        from engine.actions import Actions

        original = Actions._email_attributes

        def without_campaign(actions, email, campaign):
            attributes = original(actions, email, campaign)
            attributes.pop("Sales Campaign Name", None)
            return attributes

        Actions._email_attributes = without_campaign


class LogsNoTasks(ReferenceDriver):
    """Never creates the Tasks it queues for Salesforce (breaks A-TO-SALESFORCE)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        import engine.sia

        class Nowhere:
            def __init__(self, db, salesforce):
                pass

            def flush(self):
                return {"created": 0}

        engine.sia.TaskDelivery = Nowhere


class LogsDisabledKinds(ReferenceDriver):
    """Logs emails and calls to Salesforce whatever their switches say (breaks
    A-SF-CONFIG)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        from engine.settings import Settings

        class AlwaysLogging(Settings):
            def get(self, key):
                if key in ("salesforce.log_emails", "salesforce.log_calls"):
                    return True
                return super().get(key)

        self.sia.settings = AlwaysLogging(self.sia.db)


class SyncsEmailTasksBack(ReferenceDriver):
    """Takes the email and call Tasks it logged back in as reminder tasks on every sync
    (breaks A-ONE-WAY)."""

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


class IgnoresSubjectTemplates(ReferenceDriver):
    """Logs the bare subject, whatever the admin's template (breaks A-TASK-SHAPE)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        from engine.actions import Actions

        Actions._subject = lambda actions, key, person, subject, kind, campaign: subject


class CachesSmartGrid(ReferenceDriver):
    """Serves the Smart Grid from the first load on (breaks A-GRID)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        self._grid = {}

    def smart_grid(self, marketo_id):
        if marketo_id not in self._grid:
            self._grid[marketo_id] = super().smart_grid(marketo_id)
        return self._grid[marketo_id]


class KeepsUnsubscribesToItself(ReferenceDriver):
    """Unsubscribes in SIA only, and never reads Salesforce's opt-outs (breaks
    U-SF-TWO-WAY)."""

    def unsubscribe(self, marketo_id):
        with self.sia.db.transaction() as db:
            db.execute("UPDATE people SET unsubscribed = 1 WHERE marketo_id = ?", (marketo_id,))
        return Outcome(True)

    def sync_unsubscribes(self):
        return Outcome(True)


class PushesResubscribes(ReferenceDriver):
    """Clears the opt-out in Salesforce when a person re-subscribes in SIA (breaks
    U-NO-RESUBSCRIBE)."""

    def resubscribe(self, marketo_id):
        outcome = super().resubscribe(marketo_id)
        person = self.sia.person(marketo_id)
        sobject, record = (("Contact", person["Salesforce Contact ID"])
                           if person["Salesforce Contact ID"]
                           else ("Lead", person["Salesforce Lead ID"]))
        self.sia.salesforce.update(sobject, record, {"HasOptedOutOfEmail": False})
        return outcome


class WritesUnsubscribesToMarketo(ReferenceDriver):
    """Also unsubscribes the person in Marketo (breaks U-NOT-TO-MARKETO)."""

    def unsubscribe(self, marketo_id):
        outcome = super().unsubscribe(marketo_id)
        self.sia.marketo.call("POST", "/rest/v1/leads.json", json={
            "action": "updateOnly", "lookupField": "id",
            "input": [{"id": marketo_id, "unsubscribed": True}]})
        return outcome


class SkipsUnsubscribeCheck(ReferenceDriver):
    """Sends without asking Marketo, check on or off (breaks U-MARKETO-CHECK)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        self.sia._unsubscribed_in_marketo = lambda email: False


class PullsNothing(ReferenceDriver):
    """Pushes reminder tasks to Salesforce, never takes Salesforce's in (breaks T-TWO-WAY)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        from engine.sync.reminders import Reminders

        Reminders._pull = lambda reminders: {}


class SyncsSubjectsBack(ReferenceDriver):
    """Renames SIA's task after the Salesforce Task's subject (breaks T-MAPPING)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        from engine.sync.reminders import Reminders

        original = Reminders._apply

        def with_subject(reminders, db, task, marketo_id, counts):
            original(reminders, db, task, marketo_id, counts)
            db.execute("UPDATE reminder_tasks SET name = ? WHERE sf_task_id = ?",
                       (task.get("Subject"), task["Id"]))

        Reminders._apply = with_subject


class ImportsAMonth(ReferenceDriver):
    """Imports the Salesforce tasks of the last 30 days on switching on, not of the last 24
    hours (breaks T-FIRST-SYNC)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        from datetime import timedelta

        import engine.sync.reminders as reminders

        reminders.FIRST_IMPORT = timedelta(days=30)


class CachesSettings(ReferenceDriver):
    """Reads each switch once and keeps the first value it read (breaks S-SETTINGS)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        from engine.settings import Settings

        class Remembering(Settings):
            def __init__(self, db):
                super().__init__(db)
                self.seen = {}

            def get(self, key):
                if key not in self.seen:
                    self.seen[key] = super().get(key)
                return self.seen[key]

        self.sia.settings = Remembering(self.sia.db)


class AsksMarketoForActivities(ReferenceDriver):
    """Reads a person's activity from Marketo instead of its own record (breaks P-OWN-DB)."""

    def activities(self, marketo_id):
        from engine.clients.retry import NO_RETRY
        from engine.errors import EngineError

        self.sia.marketo.retry = NO_RETRY
        try:
            self.sia.smart_grid(marketo_id)
        except EngineError:
            pass
        return super().activities(marketo_id)


class StopsAtTheFirstWindow(ReferenceDriver):
    """Copies only the first export window of the initial sync (breaks P-INITIAL)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        from engine.sync.people import PeopleSync

        original = PeopleSync._load_export

        def first_only(sync, window):
            done = sync.db.query("SELECT COUNT(*) AS n FROM export_windows WHERE status = "
                                 "'done'")[0]["n"]
            if done and sync.db.query("SELECT 1 FROM people LIMIT 1"):
                sync._store([], window=window)  # marked done, nothing copied
                return 0, 0
            return original(sync, window)

        PeopleSync._load_export = first_only


stops_at_the_first_window = factory(StopsAtTheFirstWindow)
logs_removals_as_adds = factory(LogsRemovalsAsAdds)
drops_campaign_attributes = factory(DropsCampaignAttributes)
logs_no_tasks = factory(LogsNoTasks)
logs_disabled_kinds = factory(LogsDisabledKinds)
syncs_email_tasks_back = factory(SyncsEmailTasksBack)
ignores_subject_templates = factory(IgnoresSubjectTemplates)
caches_smart_grid = factory(CachesSmartGrid)
keeps_unsubscribes_to_itself = factory(KeepsUnsubscribesToItself)
pushes_resubscribes = factory(PushesResubscribes)
writes_unsubscribes_to_marketo = factory(WritesUnsubscribesToMarketo)
skips_unsubscribe_check = factory(SkipsUnsubscribeCheck)
pulls_nothing = factory(PullsNothing)
syncs_subjects_back = factory(SyncsSubjectsBack)
imports_a_month = factory(ImportsAMonth)
caches_settings = factory(CachesSettings)
asks_marketo_for_activities = factory(AsksMarketoForActivities)

"""The rules the kit encodes: every rule of RULES.md, with its ID, level and topic.

The kit carries its own copy so that vendors can run it without the project's shared
folder; a test checks the copy against RULES.md where that file is present.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    level: str  # "must", "should", or "simulated" (the mocks' own behaviour)
    topic: str
    summary: str


RULES: tuple[Rule, ...] = (
    Rule("P-DIRECTION", "must", "people", "People flow one way, Marketo to SIA; SIA never "
         "writes a person's fields to Marketo or Salesforce."),
    Rule("P-OWNER", "must", "people", "Only Salesforce leads and contacts with a user as "
         "owner are synced; any user counts; no owner or Marketo-only persons are not."),
    Rule("P-OWNER-LATER", "must", "people", "A person that gains an owner later appears in "
         "SIA through incremental sync."),
    Rule("P-FIELDS", "must", "people", "Exactly the 13 listed fields are synced per person."),
    Rule("P-FIELDS-FIXED", "must", "people", "Which fields sync, and how they map, cannot be "
         "configured; an attempt is refused with a clear error."),
    Rule("P-DUPLICATES", "must", "people", "Two Marketo persons with the same email become "
         "two SIA people; nothing is merged or dropped."),
    Rule("P-INITIAL", "must", "people", "Once an admin starts the sync, the initial sync "
         "copies every qualified person."),
    Rule("P-INCREMENTAL", "must", "people", "Every change to a synced field in Marketo "
         "reaches SIA, whatever made it; other changes change nothing."),
    Rule("P-READONLY", "must", "people", "SIA users and admins cannot create or edit people; "
         "the request is refused clearly and changes nothing."),
    Rule("P-OWN-DB", "must", "people", "SIA keeps its own database of people and activities."),
    Rule("A-GRID", "must", "activities", "The Smart Grid reads a person's activity from "
         "Marketo on every load; nothing from a cache."),
    Rule("A-TO-MARKETO", "must", "activities", "SIA logs its sales activity to Marketo as "
         "native activities of exactly the 8 types."),
    Rule("A-ATTRIBUTES", "should", "activities", "Each activity carries its attributes, and "
         "Marketo can select people by them."),
    Rule("A-TO-SALESFORCE", "must", "activities", "SIA logs sales activities to Salesforce "
         "as native Tasks."),
    Rule("A-SF-CONFIG", "must", "activities", "Emails, calls and reminder tasks are each "
         "switched on or off for Salesforce; a kind switched off creates no Task."),
    Rule("A-ONE-WAY", "must", "activities", "Email and call Tasks go one way: Salesforce "
         "changes or deletions never flow back."),
    Rule("A-TASK-SHAPE", "should", "activities", "Type Email, Call or Reply; Subject from the "
         "template, cut to 255; WhoId the person; reminder tasks carry no Type."),
    Rule("U-SF-TWO-WAY", "must", "unsubscribes", "SIA unsubscribes and Salesforce's Email Opt "
         "Out are kept in step both ways when Unsubscribe Sync is on."),
    Rule("U-NO-RESUBSCRIBE", "should", "unsubscribes", "A re-subscribe is never synced, in "
         "either direction."),
    Rule("U-NOT-TO-MARKETO", "must", "unsubscribes", "An unsubscribe in SIA never reaches "
         "Marketo's unsubscribed field."),
    Rule("U-MARKETO-CHECK", "must", "unsubscribes", "With the check on, every send asks "
         "Marketo once and a send to an unsubscribed address is blocked; off, no call."),
    Rule("T-TWO-WAY", "must", "tasks", "With task sync on (off by default), reminder tasks "
         "sync both ways: create, edit, complete, delete."),
    Rule("T-MAPPING", "should", "tasks", "Name to Subject one way; Open/Complete; Normal and "
         "High; Due Date is ActivityDate; Details is Description."),
    Rule("T-FIRST-SYNC", "should", "tasks", "On switching on: SF tasks of the last 24 h "
         "imported, existing SIA tasks not pushed, SF deletions of 15 days applied."),
    Rule("S-INITIATE", "must", "setup", "An admin starts the data sync, after being shown "
         "the fields that will sync; nothing syncs before."),
    Rule("S-SETTINGS", "must", "setup", "Each Salesforce sync and the Marketo Unsubscribe "
         "Check is switched in SIA's settings, effective on the next action."),
    Rule("M-SF-SYNC", "simulated", "marketo-salesforce", "Marketo's own Salesforce sync: "
         "leads and contacts with owner, account and opportunity become Marketo persons; "
         "unsubscribed and HasOptedOutOfEmail follow each other."),
)

BY_ID = {rule.id: rule for rule in RULES}
#: Tags that are not rules: ``@reference`` marks what the reference engine chose where the
#: sources are silent.
OTHER_TAGS = {"reference": "Where the sources are silent: the reference engine's choice."}

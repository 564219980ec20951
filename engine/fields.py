"""The 13 person fields SIA syncs from Marketo (P-FIELDS), and how they map.

One table, fixed (P-FIELDS-FIXED): a SIA field, its column in SIA's database, and the
standard Marketo field (REST name) it comes from. Nothing else from Marketo reaches SIA.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SyncedField:
    label: str  # the name SIA shows
    column: str  # SIA's own column
    marketo: str  # the Marketo REST field


SYNCED_FIELDS: tuple[SyncedField, ...] = (
    SyncedField("First Name", "first_name", "firstName"),
    SyncedField("Last Name", "last_name", "lastName"),
    SyncedField("Salesforce Contact ID", "sfdc_contact_id", "sfdcContactId"),
    SyncedField("Salesforce Lead ID", "sfdc_lead_id", "sfdcLeadId"),
    SyncedField("Salesforce Account ID", "sfdc_account_id", "sfdcAccountId"),
    SyncedField("Salesforce Opportunity ID", "sfdc_opportunity_id", "sfdcOpptyId"),
    SyncedField("Marketo ID", "marketo_id", "id"),
    SyncedField("Company", "company", "company"),
    SyncedField("Title", "title", "title"),
    SyncedField("Email", "email", "email"),
    SyncedField("Phone Number", "phone", "phone"),
    SyncedField("LinkedIn URL", "linkedin_url", "linkedInProfileURL"),
    SyncedField("Source", "source", "leadSource"),
)

BY_MARKETO = {f.marketo: f for f in SYNCED_FIELDS}
BY_LABEL = {f.label: f for f in SYNCED_FIELDS}
COLUMNS = tuple(f.column for f in SYNCED_FIELDS)

#: Marketo fields read to decide whether a person qualifies (P-OWNER), never stored.
QUALIFYING_FIELDS = ("sfdcType", "sfdcLeadOwnerId")
#: What SIA asks Marketo for: the synced fields and the qualifying ones.
MARKETO_READ_FIELDS = tuple(f.marketo for f in SYNCED_FIELDS) + QUALIFYING_FIELDS

USER_KEY_PREFIX = "005"  # a Salesforce User; a queue (00G) is not a sales owner


def qualifies(person: dict) -> bool:
    """P-OWNER: a Salesforce lead or contact with a user in its owner field."""
    owner = person.get("sfdcLeadOwnerId") or ""
    kind = person.get("sfdcType")
    has_sfdc_id = bool(person.get("sfdcLeadId") or person.get("sfdcContactId"))
    return kind in ("Lead", "Contact") and has_sfdc_id and owner.startswith(USER_KEY_PREFIX)


def to_row(person: dict) -> dict:
    """SIA's columns from a Marketo person (absent or empty values become None)."""
    row = {}
    for f in SYNCED_FIELDS:
        value = person.get(f.marketo)
        row[f.column] = None if value in ("", None) else value
    row["marketo_id"] = int(person["id"])
    return row


def to_labels(row: dict) -> dict:
    """A person as SIA shows it: the 13 fields by their labels."""
    return {f.label: row.get(f.column) for f in SYNCED_FIELDS}

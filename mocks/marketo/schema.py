"""The Marketo store's tables and indexes, created or completed when a store opens.

A world writes the columns of ``fixtures.world.tables``; the mock completes ``leads``
with every field of its catalogue (standard and custom) and adds its own tables. The
indexes are the ones the API's queries walk: a filter value, a lead's activities in
date order, one activity type in date order (the change feed and the paging tokens), so
a page costs the same on a world of a thousand persons or of a million.
"""

from __future__ import annotations

import sqlite_utils

from fixtures.world import MARKETO_TABLES, TableSpec
from mocks.core.schema import ensure_tables
from mocks.marketo.fields import FieldCatalogue, LeadField
from mocks.marketo.fieldschema import TABLES as FIELD_TABLES
from mocks.marketo.fieldschema import read_metadata
from mocks.marketo.objects import KINDS, LIST_MEMBERS_SPEC

LEADS = "leads"
ACTIVITIES = "activities"
CUSTOM_FIELDS = "lead_fields"
EXPORT_JOBS = "export_jobs"
CAMPAIGN_RUNS = "campaign_runs"
PARTITIONS = "lead_partitions"
CUSTOM_ACTIVITY_TYPES = "custom_activity_types"
#: the world's tables beside persons and activities: lists, programs, campaigns, ...
MARKETING_TABLES = tuple(t for t in MARKETO_TABLES if t not in (LEADS, ACTIVITIES))

OWN_TABLES: dict[str, TableSpec] = {
    CUSTOM_FIELDS: TableSpec(CUSTOM_FIELDS, (("id", "INTEGER"), ("name", "TEXT"),
                                             ("displayName", "TEXT"), ("dataType", "TEXT"),
                                             ("length", "INTEGER")), "id"),
    EXPORT_JOBS: TableSpec(EXPORT_JOBS, (
        ("seq", "INTEGER"), ("exportId", "TEXT"), ("entity", "TEXT"), ("format", "TEXT"),
        ("status", "TEXT"), ("fields", "TEXT"), ("columnHeaderNames", "TEXT"),
        ("filter", "TEXT"), ("createdAt", "REAL"), ("queuedAt", "REAL"),
        ("startedAt", "REAL"), ("finishedAt", "REAL"), ("numberOfRecords", "INTEGER"),
        ("fileSize", "INTEGER"), ("fileChecksum", "TEXT"), ("errorMsg", "TEXT")), "seq"),
    CAMPAIGN_RUNS: TableSpec(CAMPAIGN_RUNS, (
        ("id", "INTEGER"), ("campaignId", "INTEGER"), ("kind", "TEXT"), ("requestedAt", "TEXT"),
        ("runAt", "TEXT"), ("leadIds", "TEXT"), ("tokens", "TEXT"), ("clonedTo", "TEXT")),
        "id"),
    CUSTOM_ACTIVITY_TYPES: TableSpec(CUSTOM_ACTIVITY_TYPES, (
        ("id", "INTEGER"), ("apiName", "TEXT"), ("status", "TEXT"), ("live", "TEXT"),
        ("draft", "TEXT"), ("createdAt", "TEXT"), ("updatedAt", "TEXT")), "id"),
    "custom_object_types": TableSpec("custom_object_types", (
        ("apiName", "TEXT"), ("live", "TEXT"), ("draft", "TEXT"), ("createdAt", "TEXT"),
        ("updatedAt", "TEXT")), "apiName"),
    "import_batches": TableSpec("import_batches", (
        ("batchId", "INTEGER"), ("kind", "TEXT"), ("status", "TEXT"), ("processed", "INTEGER"),
        ("failed", "INTEGER"), ("warned", "INTEGER"), ("failures", "TEXT"),
        ("warnings", "TEXT"), ("format", "TEXT"), ("createdAt", "TEXT")), "batchId"),
    PARTITIONS: TableSpec(PARTITIONS, (("id", "INTEGER"), ("name", "TEXT"),
                                       ("description", "TEXT")), "id"),
    **FIELD_TABLES,  # field metadata, program member custom fields
}

#: the tables a world does not write, dropped when a world replaces the state
NOT_IN_WORLDS: tuple[str, ...] = (
    *OWN_TABLES, *(k.table for k in KINDS.values() if k.table not in MARKETO_TABLES),
    LIST_MEMBERS_SPEC.name)

INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    LEADS: (("sfdcLeadId",), ("sfdcContactId",), ("sfdcAccountId",), ("sfdcOpptyId",),
            ("sfdcLeadOwnerId",), ("linkedInId",), ("cookies",), ("updatedAt",),
            ("createdAt",)),
    ACTIVITIES: (("leadId", "activityDate", "id"), ("activityTypeId", "activityDate", "id")),
    EXPORT_JOBS: (("exportId",), ("status",)),
    "list_members": (("listId", "leadId"), ("leadId",)),
    "program_members": (("programId", "leadId"), ("leadId",)),
    "opportunity_roles": (("externalOpportunityId",), ("leadId",)),
    "opportunities": (("externalOpportunityId",), ("marketoGUID",)),
}
# Marketo matches emails without regard to case, and so must the index
_EXTRA_SQL = ('CREATE INDEX IF NOT EXISTS "idx_leads_email_nocase" '
              'ON "leads" ("email" COLLATE NOCASE)',)


def custom_fields(db: sqlite_utils.Database) -> tuple[LeadField, ...]:
    if CUSTOM_FIELDS not in db.table_names():
        return ()
    rows = db.execute(f'SELECT id, name, displayName, dataType, length FROM "{CUSTOM_FIELDS}" '
                      "ORDER BY id").fetchall()
    return tuple(FieldCatalogue.custom_field(*row) for row in rows)


def read_catalogue(db: sqlite_utils.Database) -> FieldCatalogue:
    """The person fields: standard and custom, with what updates set on them."""
    return FieldCatalogue(custom_fields(db), read_metadata(db.conn, "leads"))


def leads_spec(catalogue: FieldCatalogue) -> TableSpec:
    world = dict(MARKETO_TABLES[LEADS].columns)
    columns = [(name, world.get(name, kind)) for name, kind in catalogue.columns()]
    return TableSpec(LEADS, tuple(columns), "id")


def ensure_schema(db: sqlite_utils.Database) -> FieldCatalogue:
    """Create or complete every table and index; the field catalogue they now hold."""
    ensure_tables(db, OWN_TABLES, {})
    catalogue = read_catalogue(db)
    specs = {LEADS: leads_spec(catalogue), ACTIVITIES: MARKETO_TABLES[ACTIVITIES],
             **{t: MARKETO_TABLES[t] for t in MARKETING_TABLES}, **OWN_TABLES}
    ensure_tables(db, specs, {})
    # the objects' own columns complete the world's tables (opportunities, roles) or make
    # theirs (companies, sales persons, named accounts and their lists)
    specs.update({k.table: k.spec() for k in KINDS.values()})
    specs[LIST_MEMBERS_SPEC.name] = LIST_MEMBERS_SPEC
    indexes = dict(INDEXES)
    indexes[LEADS] = INDEXES[LEADS] + tuple((f.name,) for f in catalogue.fields
                                            if f.custom and f.searchable)
    ensure_tables(db, specs, indexes)
    for sql in _EXTRA_SQL:
        db.execute(sql)
    if not db.execute(f'SELECT count(*) FROM "{PARTITIONS}"').fetchone()[0]:
        db.execute(f'INSERT INTO "{PARTITIONS}" (id, name, description) VALUES '
                   "(1, 'Default', 'Initial system lead partition')")
    return catalogue

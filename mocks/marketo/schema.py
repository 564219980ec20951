"""The Marketo store's tables and indexes, created or completed when a store opens."""

from __future__ import annotations

import sqlite_utils

from fixtures.world import MARKETO_TABLES
from mocks.core.schema import ensure_tables

INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "leads": (("email",), ("sfdcLeadId",), ("sfdcContactId",), ("sfdcAccountId",),
              ("sfdcOpptyId",), ("sfdcLeadOwnerId",), ("updatedAt",), ("createdAt",)),
    "activities": (("leadId",), ("activityDate",), ("activityTypeId", "id")),
}


def ensure_schema(db: sqlite_utils.Database) -> None:
    ensure_tables(db, MARKETO_TABLES, INDEXES)

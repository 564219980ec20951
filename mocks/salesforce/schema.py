"""The Salesforce store's tables and indexes, created or completed when a store opens."""

from __future__ import annotations

import sqlite_utils

from fixtures.world import SALESFORCE_TABLES
from mocks.core.schema import ensure_tables

INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "User": (("Email",), ("Username",)),
    "Account": (("Name",), ("OwnerId",)),
    "Opportunity": (("AccountId",),),
    "Contact": (("Email",), ("OwnerId",), ("AccountId",), ("LastModifiedDate",)),
    "Lead": (("Email",), ("OwnerId",), ("LastModifiedDate",)),
    "Task": (("WhoId",), ("WhatId",), ("OwnerId",), ("LastModifiedDate",)),
}


def ensure_schema(db: sqlite_utils.Database) -> None:
    ensure_tables(db, SALESFORCE_TABLES, INDEXES)

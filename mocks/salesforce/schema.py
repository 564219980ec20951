"""The Salesforce store's tables and indexes, created or completed when a store opens.

A world (``fixtures.world``) writes the columns its generator knows; the mock adds one
column per field of ``metadata`` it lacks (CreatedById, Task's call fields, External_Id__c
...), so a store from any source ends up with every field the API offers.

Text that SOQL compares case-insensitively (``Email = 'X'``, as Salesforce does) is
indexed with ``COLLATE NOCASE``; IDs are compared exactly and indexed as they are.
"""

from __future__ import annotations

import functools

import sqlite_utils

from fixtures.world import SALESFORCE_TABLES, TableSpec
from mocks.core.schema import ensure_tables
from mocks.salesforce import metadata

#: (columns, collation) per table; collation None means exact comparison.
INDEXES: dict[str, tuple[tuple[tuple[str, ...], str | None], ...]] = {
    "User": ((("Email",), "NOCASE"), (("Username",), "NOCASE"), (("LastModifiedDate",), None)),
    "Group": ((("Name",), "NOCASE"),),
    "Account": ((("Name",), "NOCASE"), (("OwnerId",), None), (("LastModifiedDate",), None),
                (("External_Id__c",), None)),
    "Opportunity": ((("AccountId",), None), (("OwnerId",), None),
                    (("LastModifiedDate",), None), (("External_Id__c",), None)),
    "Contact": ((("Email",), "NOCASE"), (("OwnerId",), None), (("AccountId",), None),
                (("LastModifiedDate",), None), (("SystemModstamp",), None),
                (("External_Id__c",), None)),
    "Lead": ((("Email",), "NOCASE"), (("OwnerId",), None), (("LastModifiedDate",), None),
             (("SystemModstamp",), None), (("ConvertedContactId",), None),
             (("External_Id__c",), None)),
    "Task": ((("WhoId",), None), (("WhatId",), None), (("OwnerId",), None),
             (("LastModifiedDate",), None), (("SystemModstamp",), None),
             (("External_Id__c",), None), (("SIA_Id__c",), None)),
}

_SQL_TYPES = {"boolean": "INTEGER", "int": "INTEGER", "double": "REAL", "currency": "REAL",
              "percent": "REAL"}


def column_type(field: metadata.Field) -> str:
    return _SQL_TYPES.get(field.type, "TEXT")


@functools.cache
def table_specs() -> dict[str, TableSpec]:
    """The world's tables, completed with every field the metadata declares."""
    specs = {}
    for name, obj in metadata.objects().items():
        base = SALESFORCE_TABLES[name]
        have = set(base.column_names)
        extra = tuple((f.name, column_type(f)) for f in obj.fields if f.name not in have)
        specs[name] = TableSpec(name, base.columns + extra, "Id")
    return specs


def ensure_schema(db: sqlite_utils.Database) -> None:
    ensure_tables(db, table_specs(), {})
    for table, indexes in INDEXES.items():
        for columns, collation in indexes:
            suffix = "_nocase" if collation else ""
            index = f"idx_sf_{table}_{'_'.join(columns)}{suffix}"
            cols = ", ".join(f'"{c}"' + (f" COLLATE {collation}" if collation else "")
                             for c in columns)
            db.execute(f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ({cols})')

"""Creating or completing a store's tables from their specs (idempotent).

A store may come from a world file, an older version, or nothing at all: missing tables
are created, missing columns added, and indexes made, without touching existing rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlite_utils

from fixtures.world import TableSpec


def ensure_tables(db: sqlite_utils.Database, specs: Mapping[str, TableSpec],
                  indexes: Mapping[str, tuple[tuple[str, ...], ...]]) -> None:
    existing = set(db.table_names())
    for name, spec in specs.items():
        if name not in existing:
            db.execute(spec.create_sql())
        else:
            have = {c.name for c in db[name].columns}
            for column, kind in spec.columns:
                if column not in have:
                    db.execute(f'ALTER TABLE "{name}" ADD COLUMN "{column}" {kind}')
        for columns in indexes.get(name, ()):
            index = f"idx_{name}_{'_'.join(columns)}"
            cols = ", ".join(f'"{c}"' for c in columns)
            db.execute(f'CREATE INDEX IF NOT EXISTS "{index}" ON "{name}" ({cols})')

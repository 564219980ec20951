"""Bulk lead import: a CSV, TSV or SSV file of persons, its batch status, and the files of
its failed rows and of its rows with warnings.

A file is imported as soon as it is received (the batch is ``Complete`` when its status is
first read): every row goes through the one write path, as a list import (source
"List import"), ``createOrUpdate`` by ``lookupField``, 300 rows a write. A row the write
path skips is a failure, written back with its reason in an ``Import Failure Reason``
column; an empty row is a warning (``Import Warning Reason``). A header naming a field the
catalogue does not have refuses the whole file (1006) and imports nothing.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from mocks.marketo.envelope import ApiError

if TYPE_CHECKING:
    from mocks.marketo.models import MarketoModel

TABLE = "import_batches"
MAX_FILE_BYTES = 10 * 1024 * 1024  # Marketo's 10 MB a file
DELIMITERS = {"csv": ",", "tsv": "\t", "ssv": " "}
CHUNK = 300


def _csv(header: list[str], rows: list[list[str]], extra: str, delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([*header, extra])
    writer.writerows(rows)
    return out.getvalue()


def import_file(model: MarketoModel, content: bytes, fmt: str, lookup: str | None,
                partition: str | None, list_id: int | None) -> dict:
    fmt = (fmt or "").lower()
    if fmt not in DELIMITERS:
        raise ApiError("1003", f"Invalid format '{fmt}': csv, tsv or ssv")
    if len(content) > MAX_FILE_BYTES:
        raise ApiError("1003", f"The file exceeds {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError("1003", "The file is not UTF-8 text") from None
    delimiter = DELIMITERS[fmt]
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ApiError("1003", "The file has no header row")
    names = []
    for column in header:
        field = model.catalogue.get(column.strip())
        if field is None:
            raise ApiError("1006", f"Field '{column}' not found")
        names.append(field.name)
    field = model.catalogue.get(lookup or "email")
    if field is None or not field.searchable:
        raise ApiError("1003", f"Invalid lookupField '{lookup}'")
    partition_id = None
    if partition:
        partition_id = model.partitions.id_of(partition)
        if partition_id is None:
            raise ApiError("1003", f"Partition '{partition}' not found")
    if list_id is not None:
        model.lists.get(list_id)
    rows = list(reader)
    failures, warnings, imported = [], [], []
    with model.store.transaction() as db:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            records, kept = [], []
            for row in chunk:
                record = {n: v for n, v in zip(names, row, strict=False) if v != ""}
                if not record:
                    warnings.append([*row, "Empty row"])
                    continue
                records.append(record)
                kept.append(row)
            if not records:
                continue
            results = model.write_leads(records, action="createOrUpdate", lookup=field.name,
                                        source="import", partition=partition_id, system=False)
            for row, result in zip(kept, results, strict=True):
                if result.get("status") == "skipped":
                    failures.append([*row, result["reasons"][0]["message"]])
                else:
                    imported.append(result["id"])
        if list_id is not None and imported:
            model.lists.add(list_id, sorted(set(imported)))
        batch_id = db.conn.execute(f'SELECT coalesce(max("batchId"), 1000) + 1 FROM "{TABLE}"'
                                   ).fetchone()[0]
        db.conn.execute(
            f'INSERT INTO "{TABLE}" ("batchId", status, processed, failed, warned, failures, '
            'warnings, format, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [batch_id, "Queued", len(imported), len(failures), len(warnings),
             _csv(header, failures, "Import Failure Reason", delimiter),
             _csv(header, warnings, "Import Warning Reason", delimiter), fmt,
             model.now_text()])
    return {"batchId": batch_id, "importId": str(batch_id), "status": "Queued"}


def _row(model: MarketoModel, batch_id: int) -> dict:
    keys = ("batchId", "status", "processed", "failed", "warned", "failures", "warnings")
    row = model.store.db.conn.execute(f'SELECT {", ".join(keys)} FROM "{TABLE}" '
                                      'WHERE "batchId" = ?', [batch_id]).fetchone()
    if row is None:
        raise ApiError("1013", f"Import batch {batch_id} not found")
    return dict(zip(keys, row, strict=True))


def status(model: MarketoModel, batch_id: int) -> dict:
    row = _row(model, batch_id)
    if row["status"] == "Queued":  # imported on receipt: complete once looked at
        with model.store.transaction() as db:
            db.conn.execute(f'UPDATE "{TABLE}" SET status = \'Complete\' WHERE "batchId" = ?',
                            [batch_id])
    return {"batchId": batch_id, "importId": str(batch_id), "status": "Complete",
            "numOfLeadsProcessed": row["processed"] + row["failed"],
            "numOfRowsFailed": row["failed"], "numOfRowsWithWarning": row["warned"],
            "message": f"Import completed{' with errors' if row['failed'] else ''}, "
                       f"{row['processed']} records imported, {row['failed']} failed records"}


def rows_file(model: MarketoModel, batch_id: int, which: str) -> str:
    return _row(model, batch_id)[which]

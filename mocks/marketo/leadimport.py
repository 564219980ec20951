"""Bulk imports: a CSV, TSV or SSV file of persons, of program members or of custom object
records; its batch status; and the files of its failed rows and of its rows with warnings.

A file is imported as soon as it is received (the batch is ``Complete`` when its status is
first read), 300 rows a write: persons through the one write path as a list import
(source "List import", ``createOrUpdate`` by ``lookupField``), program members the same
and then given the import's status in the program, custom object records through the
object shape (``createOrUpdate`` by their dedupe fields). A row that is skipped is a
failure, written back with its reason in an ``Import Failure Reason`` column; an empty row
is a warning (``Import Warning Reason``). A header naming a field the object does not have
refuses the whole file (1006) and imports nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from mocks.marketo.envelope import ApiError

if TYPE_CHECKING:
    from mocks.marketo.models import MarketoModel

TABLE = "import_batches"
MAX_FILE_BYTES = 10 * 1024 * 1024  # Marketo's 10 MB a file
DELIMITERS = {"csv": ",", "tsv": "\t", "ssv": " "}
CHUNK = 300
#: writes one chunk of records; the status of each ("skipped" with reasons, or written)
Writer = Callable[[list[dict]], list[dict]]


def _csv(header: list[str], rows: list[list[str]], extra: str, delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([*header, extra])
    writer.writerows(rows)
    return out.getvalue()


def _read(content: bytes, fmt: str) -> tuple[str, list[str], list[list[str]]]:
    fmt = (fmt or "").lower()
    if fmt not in DELIMITERS:
        raise ApiError("1003", f"Invalid format '{fmt}': csv, tsv or ssv")
    if len(content) > MAX_FILE_BYTES:
        raise ApiError("1003", f"The file exceeds {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError("1003", "The file is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text), delimiter=DELIMITERS[fmt])
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ApiError("1003", "The file has no header row")
    return fmt, header, list(reader)


def _run(model: MarketoModel, kind: str, fmt: str, header: list[str], names: list[str],
         rows: list[list[str]], write: Writer, after: Callable[[list], None] | None = None
         ) -> dict:
    failures, warnings, written = [], [], []
    delimiter = DELIMITERS[fmt]
    with model.store.transaction() as db:
        for start in range(0, len(rows), CHUNK):
            records, kept = [], []
            for row in rows[start:start + CHUNK]:
                record = {n: v for n, v in zip(names, row, strict=False) if v != ""}
                if not record:
                    warnings.append([*row, "Empty row"])
                    continue
                records.append(record)
                kept.append(row)
            if not records:
                continue
            for row, result in zip(kept, write(records), strict=True):
                if result.get("status") == "skipped":
                    failures.append([*row, result["reasons"][0]["message"]])
                else:
                    written.append(result)
        if after is not None and written:
            after(written)
        batch_id = db.conn.execute(f'SELECT coalesce(max("batchId"), 1000) + 1 FROM "{TABLE}"'
                                   ).fetchone()[0]
        db.conn.execute(
            f'INSERT INTO "{TABLE}" ("batchId", kind, status, processed, failed, warned, '
            'failures, warnings, format, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [batch_id, kind, "Queued", len(written), len(failures), len(warnings),
             _csv(header, failures, "Import Failure Reason", delimiter),
             _csv(header, warnings, "Import Warning Reason", delimiter), fmt,
             model.now_text()])
    return {"batchId": batch_id, "importId": str(batch_id), "status": "Queued"}


def _lead_columns(model: MarketoModel, header: list[str]) -> list[str]:
    names = []
    for column in header:
        field = model.catalogue.get(column.strip())
        if field is None:
            raise ApiError("1006", f"Field '{column}' not found")
        names.append(field.name)
    return names


def import_file(model: MarketoModel, content: bytes, fmt: str, lookup: str | None,
                partition: str | None, list_id: int | None) -> dict:
    """Persons (``POST /bulk/v1/leads.json``)."""
    fmt, header, rows = _read(content, fmt)
    names = _lead_columns(model, header)
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

    def write(records: list[dict]) -> list[dict]:
        return model.write_leads(records, action="createOrUpdate", lookup=field.name,
                                 source="import", partition=partition_id)

    def into_list(written: list) -> None:
        if list_id is not None:
            model.lists.add(list_id, sorted({r["id"] for r in written}))

    return _run(model, "leads", fmt, header, names, rows, write, into_list)


def import_members(model: MarketoModel, program_id: int, status: str, content: bytes,
                   fmt: str) -> dict:
    """Program members (``POST /bulk/v1/program/{id}/members/import.json``): persons by
    email, made members with ``programMemberStatus``; a column may also be a custom
    program member field, whose value the new member gets (a bad one fails the row)."""
    program = model.programs.get(program_id)
    allowed = model.programs.statuses(program)
    if not status or status.lower() not in {s.lower() for s in allowed[1:]}:
        raise ApiError("1003", f"Invalid programMemberStatus '{status}': one of "
                               f"{', '.join(allowed[1:])}")
    fmt, header, rows = _read(content, fmt)
    custom = model.programs.fields.custom_names()
    names = []
    for column in header:
        member = model.programs.fields.get(column.strip())
        if member is not None and member[0] in custom:
            names.append(member[0])
        else:
            names.extend(_lead_columns(model, [column]))
    if "email" not in names:
        raise ApiError("1003", "The file needs an email column")
    member_values: dict[int, dict] = {}  # lead id -> its custom member values, stored form

    def write(records: list[dict]) -> list[dict]:
        results: list[dict | None] = [None] * len(records)
        persons, values, places = [], [], []
        for n, record in enumerate(records):
            try:
                checked = model.programs.member_values(
                    {k: v for k, v in record.items() if k in custom}, custom)
            except ApiError as exc:
                results[n] = {"status": "skipped", "reasons": [{"code": exc.code,
                                                                "message": exc.message}]}
                continue
            persons.append({k: v for k, v in record.items() if k not in custom})
            values.append(checked)
            places.append(n)
        written = model.write_leads(persons, action="createOrUpdate", lookup="email",
                                    source="import") if persons else []
        for n, checked, result in zip(places, values, written, strict=True):
            results[n] = result
            if result.get("status") != "skipped" and checked:
                member_values[result["id"]] = checked
        return results

    def into_program(written: list) -> None:
        model.programs.set_status(program_id, status, sorted({r["id"] for r in written}))
        conn = model.store.db.conn
        for lead_id, checked in member_values.items():
            model.programs.write_values(conn, program_id, lead_id, checked)

    return _run(model, "programMembers", fmt, header, names, rows, write, into_program)


def import_objects(model: MarketoModel, api_name: str, content: bytes, fmt: str) -> dict:
    """Custom object records (``POST /bulk/v1/customobjects/{apiName}/import.json``)."""
    kind = model.custom_objects.kind(api_name)
    fmt, header, rows = _read(content, fmt)
    names = []
    for column in header:
        field = kind.field(column.strip())
        if field is None:
            raise ApiError("1006", f"Field '{column}' not found")
        names.append(field.name)

    def write(records: list[dict]) -> list[dict]:
        return model.objects.sync(kind, "createOrUpdate", "dedupeFields", records)

    return _run(model, f"co:{api_name}", fmt, header, names, rows, write)


def _row(model: MarketoModel, kind: str, batch_id: int) -> dict:
    keys = ("batchId", "status", "processed", "failed", "warned", "failures", "warnings")
    row = model.store.db.conn.execute(f'SELECT {", ".join(keys)} FROM "{TABLE}" '
                                      'WHERE "batchId" = ? AND kind = ?',
                                      [batch_id, kind]).fetchone()
    if row is None:
        raise ApiError("1013", f"Import batch {batch_id} not found")
    return dict(zip(keys, row, strict=True))


def status(model: MarketoModel, batch_id: int, kind: str = "leads") -> dict:
    row = _row(model, kind, batch_id)
    if row["status"] == "Queued":  # imported on receipt: complete once looked at
        with model.store.transaction() as db:
            db.conn.execute(f'UPDATE "{TABLE}" SET status = \'Complete\' WHERE "batchId" = ?',
                            [batch_id])
    message = (f"Import completed{' with errors' if row['failed'] else ''}, "
               f"{row['processed']} records imported, {row['failed']} failed records")
    processed = row["processed"] + row["failed"]
    if kind.startswith("co:"):
        return {"batchId": batch_id, "operation": "import", "status": "Complete",
                "objectApiName": kind[3:], "numOfObjectsProcessed": processed,
                "numOfRowsFailed": row["failed"], "numOfRowsWithWarning": row["warned"],
                "importTime": "0 second(s)", "message": message}
    return {"batchId": batch_id, "importId": str(batch_id), "status": "Complete",
            "numOfLeadsProcessed": processed, "numOfRowsFailed": row["failed"],
            "numOfRowsWithWarning": row["warned"], "message": message}


def rows_file(model: MarketoModel, batch_id: int, which: str, kind: str = "leads") -> str:
    return _row(model, kind, batch_id)[which]

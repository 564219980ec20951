"""A bulk lead export's CSV file read into SIA's rows: who to upsert, who to retire.

The initial sync reads every person through these files, so the reading is lean: the
stdlib's C ``csv.reader`` gives lists of strings, the columns SIA keeps are picked by
position (``operator.itemgetter``), and the export's empty values ("null" or nothing)
become NULL in SQLite itself (``NULLIF`` in :data:`UPSERT`), not one Python test per cell.
Whether a person qualifies (P-OWNER) is decided on the same strings, as
:func:`engine.fields.qualifies` decides on a person from the REST API.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import BinaryIO

from engine.errors import RemoteError
from engine.fields import COLUMNS, MARKETO_READ_FIELDS, SYNCED_FIELDS, USER_KEY_PREFIX

#: what an export writes for an empty value
EMPTY = ("null", "")


def people_upsert(value: Callable[[str], str]) -> str:
    """Insert or update one person of SIA's ``people`` (active, synced now): the 13 columns
    in ``COLUMNS`` order, each given by the SQL ``value(column)``, then ``synced_at``."""
    return (f"INSERT INTO people ({', '.join(COLUMNS)}, status, synced_at) "
            f"VALUES ({', '.join(value(c) for c in COLUMNS)}, 'active', ?) "
            "ON CONFLICT(marketo_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "marketo_id")
            + ", status = 'active', synced_at = excluded.synced_at")


#: one person from an export file, as read (the id as digits, an empty value as "null"
#: or nothing)
UPSERT = people_upsert(lambda c: "?" if c == "marketo_id" else "NULLIF(NULLIF(?, 'null'), '')")

Batch = tuple[list[tuple], list[tuple[int]]]  # (rows for UPSERT, (marketo id,) to retire)


def _malformed(detail: str) -> RemoteError:
    return RemoteError("Marketo", "export", f"the export file is malformed: {detail}")


def read_batches(file: BinaryIO, size: int, now: Callable[[], str]) -> Iterator[Batch]:
    """The file's persons in batches of about ``size``; the last batch may be empty."""
    reader = csv.reader(io.TextIOWrapper(file, encoding="utf-8", newline=""))
    try:
        header = next(reader, None)
        if header is None:  # an empty file: nobody in the window
            yield [], []
            return
        index = {name: i for i, name in enumerate(header)}
        missing = [name for name in MARKETO_READ_FIELDS if name not in index]
        if missing:
            raise _malformed(f"no column {missing[0]}")
        pick = itemgetter(*(index[f.marketo] for f in SYNCED_FIELDS))
        at_id, at_type, at_owner = index["id"], index["sfdcType"], index["sfdcLeadOwnerId"]
        at_lead, at_contact = index["sfdcLeadId"], index["sfdcContactId"]
        width = len(header)
        keep: list[tuple] = []
        drop: list[tuple[int]] = []
        stamp = now()
        count = 0
        for row in reader:
            if len(row) != width:
                if not row:
                    continue
                raise _malformed(f"line {reader.line_num} has {len(row)} fields, not {width}")
            count += 1
            marketo_id = row[at_id]
            if not marketo_id.isdigit():
                raise _malformed(f"line {reader.line_num}: id '{marketo_id[:20]}'")
            kind = row[at_type]
            if ((kind == "Lead" or kind == "Contact")
                    and row[at_owner].startswith(USER_KEY_PREFIX)
                    and (row[at_lead] not in EMPTY or row[at_contact] not in EMPTY)):
                keep.append((*pick(row), stamp))
            else:
                drop.append((int(marketo_id),))
            if count == size:
                yield keep, drop
                keep, drop, stamp, count = [], [], now(), 0
        yield keep, drop
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _malformed(str(exc)) from None

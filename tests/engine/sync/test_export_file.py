"""Reading a bulk export file into SIA's rows: qualification, empty values, batches, and
files that are not what an export writes."""

from __future__ import annotations

import io
import sqlite3

import pytest

from engine.db import SCHEMA
from engine.errors import RemoteError
from engine.fields import MARKETO_READ_FIELDS, qualifies, to_row
from engine.sync.export_file import UPSERT, read_batches

HEADER = ",".join(MARKETO_READ_FIELDS)


def person(**fields) -> dict:
    base = dict.fromkeys(MARKETO_READ_FIELDS, "null")
    base.update(id="1", firstName="Ana", lastName="Núñez", email="ana@example.com",
                sfdcType="Lead", sfdcLeadId="00Q000000000001AAA",
                sfdcLeadOwnerId="005000000000001AAA")
    base.update(fields)
    return base


def csv_file(*persons: dict, header: str = HEADER) -> io.BytesIO:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for p in persons:
        writer.writerow([p[name] for name in header.split(",")])
    return io.BytesIO((header + "\n" + out.getvalue()).encode())


def batches(file, size=100):
    return list(read_batches(file, size, lambda: "2026-01-05T09:00:00Z"))


def stored(rows) -> dict:
    conn = sqlite3.connect(":memory:")
    for statement in SCHEMA:
        conn.execute(statement)
    conn.executemany(UPSERT, rows)
    conn.row_factory = sqlite3.Row
    return {r["marketo_id"]: dict(r) for r in conn.execute("SELECT * FROM people")}


def test_qualified_persons_are_kept_the_others_retired():
    people = [
        person(id="1"),
        person(id="2", sfdcType="Contact", sfdcLeadId="null",
               sfdcContactId="003000000000001AAA"),
        person(id="3", sfdcLeadOwnerId="00G000000000001AAA"),  # a queue
        person(id="4", sfdcType="null", sfdcLeadId="null"),  # Marketo only
        person(id="5", sfdcLeadId="null"),  # a Lead with no Salesforce ID
        person(id="6", sfdcLeadOwnerId="null"),
    ]
    [(keep, drop)] = batches(csv_file(*people))
    assert sorted(stored(keep)) == [1, 2]
    assert drop == [(3,), (4,), (5,), (6,)]
    # the same verdicts as for a person read from the REST API
    for p in people:
        as_rest = {k: None if v == "null" else v for k, v in p.items()}
        assert qualifies(as_rest) == (int(p["id"]) in (1, 2))


def test_rows_are_what_to_row_makes_of_the_same_person():
    p = person(id="7", title="", phone="null", company='Acme, "Intl"\nEurope',
               linkedInProfileURL="https://www.linkedin.com/in/ana")
    [(keep, _)] = batches(csv_file(p))
    row = stored(keep)[7]
    expected = to_row({k: None if v == "null" else v for k, v in p.items()})
    assert {c: row[c] for c in expected} == expected
    assert row["status"] == "active" and row["synced_at"] == "2026-01-05T09:00:00Z"


def test_batches_of_the_size_asked():
    people = [person(id=str(n)) for n in range(1, 8)]
    sizes = [len(k) + len(d) for k, d in batches(csv_file(*people), size=3)]
    assert sizes == [3, 3, 1]


def test_an_empty_file_and_a_header_alone_are_no_persons():
    assert batches(io.BytesIO(b"")) == [([], [])]
    assert batches(csv_file()) == [([], [])]


@pytest.mark.parametrize("content, message", [
    (HEADER.replace(",sfdcType", "") + "\n", "no column sfdcType"),
    (HEADER + "\n1,2,3\n", "fields"),
    (HEADER + "\n" + ",".join(["x"] * len(MARKETO_READ_FIELDS)) + "\n", "id"),
    (HEADER + '\n"unterminated\n', "malformed"),
])
def test_a_file_that_is_not_an_export_is_refused(content, message):
    with pytest.raises(RemoteError, match=message):
        batches(io.BytesIO(content.encode()))


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(RemoteError, match="malformed"):
        batches(io.BytesIO(HEADER.encode() + b"\n\xff\xfe\n"))

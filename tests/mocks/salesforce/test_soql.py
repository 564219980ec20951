"""The SOQL module on its own: parsing, checking, evaluating on SQLite, and every refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fixtures.sfid import IdFactory
from mocks.salesforce import soql
from mocks.salesforce.soql import SoqlError, date_range

NOW = datetime(2026, 1, 7, 12, 0, 0, tzinfo=UTC)  # a Wednesday
IDS = IdFactory("5cn")
REP, SYNC, GONE = (IDS.make("User", n) for n in (1, 2, 3))
QUEUE = IDS.make("Group", 1)
ACME = IDS.make("Account", 1)
CARLA = IDS.make("Contact", 1)
LENA, SAM, INES, QUINN = (IDS.make("Lead", n) for n in (1, 2, 3, 4))
TASK_IDS = IdFactory("5cn")


def _task(n: int, **fields) -> dict:
    row = {"Id": TASK_IDS.make("Task", n), "Subject": f"Task {n}", "Status": "Not Started",
           "Priority": "Normal", "OwnerId": REP, "IsDeleted": 0, "IsClosed": 0,
           "CreatedDate": "2026-01-01T10:00:00.000+0000",
           "LastModifiedDate": "2026-01-01T10:00:00.000+0000",
           "SystemModstamp": "2026-01-01T10:00:00.000+0000"}
    row.update(fields)
    return row


TASKS = [
    _task(1, WhoId=LENA, Subject="Call Lena", Type="Call", ActivityDate="2026-01-07",
          CreatedDate="2026-01-07T08:00:00.000+0000", CallDurationInSeconds=30),
    _task(2, WhoId=CARLA, WhatId=ACME, Subject="Email: Quarterly review", Type="Email",
          Status="Completed", IsClosed=1, ActivityDate="2026-01-06",
          CreatedDate="2026-01-06T23:59:59.000+0000", CallDurationInSeconds=120),
    _task(3, WhoId=SAM, Subject="100% done_ok", OwnerId=SYNC, ActivityDate="2025-12-31",
          CreatedDate="2025-12-31T12:00:00.000+0000"),
    _task(4, WhoId=None, Subject=None, OwnerId=QUEUE, ActivityDate=None,
          CreatedDate="2025-11-15T12:00:00.000+0000"),
    _task(5, WhoId=INES, Subject="Réunion à Núñez", OwnerId=GONE, ActivityDate="2026-02-01",
          CreatedDate="2026-01-08T00:00:00.000+0000"),
    _task(6, WhoId=LENA, Subject="deleted one", IsDeleted=1),
]


@pytest.fixture
def conn(soql_db):
    return soql_db({"Task": TASKS})


def run(conn, text: str, all_rows: bool = False) -> tuple[int, list[dict]]:
    plan = soql.compile(text, NOW, include_deleted=all_rows)
    total = plan.count(conn)
    if plan.kind == "count":
        return total, []
    if plan.kind == "aggregate":
        return total, plan.aggregate(conn)
    return total, plan.records(plan.rows(conn, 2000))


def ids(conn, text: str, all_rows: bool = False) -> list[str]:
    return [r["Id"] for r in run(conn, text, all_rows)[1]]


def refused(text: str) -> SoqlError:
    with pytest.raises(SoqlError) as info:
        soql.compile(text, NOW)
    return info.value


# --- records ------------------------------------------------------------------------------

def test_records_have_attributes_and_fields_in_select_order(conn):
    total, records = run(conn, f"SELECT Email, Id, IsConverted FROM Lead WHERE Id = '{LENA}'")
    assert total == 1
    assert records == [{"attributes": {"type": "Lead",
                                       "url": f"/services/data/v59.0/sobjects/Lead/{LENA}"},
                        "Email": "lena@leadco.example", "Id": LENA, "IsConverted": False}]
    assert list(records[0]) == ["attributes", "Email", "Id", "IsConverted"]


def test_field_object_and_keyword_names_are_case_insensitive(conn):
    records = run(conn, f"select email, ID from LEAD where id = '{LENA}' order by EMAIL")[1]
    assert records[0]["Email"] == "lena@leadco.example" and records[0]["Id"] == LENA


def test_types_come_back_as_json_types(conn):
    record = run(conn, f"SELECT CallDurationInSeconds, IsClosed, ActivityDate, CreatedDate "
                       f"FROM Task WHERE Id = '{TASKS[1]['Id']}'")[1][0]
    assert record["CallDurationInSeconds"] == 120 and record["IsClosed"] is True
    assert record["ActivityDate"] == "2026-01-06"
    assert record["CreatedDate"] == "2026-01-06T23:59:59.000+0000"


def test_parent_lookup_is_a_nested_record(conn):
    record = run(conn, f"SELECT Name, Account.Name, Owner.Email FROM Contact "
                       f"WHERE Id = '{CARLA}'")[1][0]
    assert record["Account"] == {
        "attributes": {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{ACME}"},
        "Name": "Acme Corp"}
    assert record["Owner"]["attributes"]["type"] == "User"
    assert record["Owner"]["Email"] == "rita.rep@acme.example"


def test_missing_parent_is_null(conn):
    record = run(conn, f"SELECT Who.Name, What.Name FROM Task WHERE Id = '{TASKS[0]['Id']}'")[1][0]
    assert record["What"] is None and record["Who"]["Name"] == "Lena Lead"


def test_polymorphic_owner_user_or_queue(conn):
    records = {r["Id"]: r for r in run(
        conn, "SELECT Id, Owner.Type, Owner.Name, Owner.Email, Owner.IsActive FROM Lead")[1]}
    lena, quinn, ines = records[LENA]["Owner"], records[QUINN]["Owner"], records[INES]["Owner"]
    assert lena["attributes"] == {"type": "Name",
                                  "url": f"/services/data/v59.0/sobjects/User/{REP}"}
    assert (lena["Type"], lena["Name"], lena["Email"], lena["IsActive"]) == (
        "User", "Rita Rep", "rita.rep@acme.example", True)
    assert quinn["attributes"]["url"].endswith(f"/Group/{QUEUE}")
    assert (quinn["Type"], quinn["Name"], quinn["IsActive"]) == ("Queue", "Inbound Leads", None)
    assert ines["IsActive"] is False


def test_filter_on_polymorphic_type(conn):
    assert ids(conn, "SELECT Id FROM Lead WHERE Owner.Type = 'Queue'") == [QUINN]
    assert sorted(ids(conn, "SELECT Id FROM Lead WHERE Owner.Type = 'User'")) == sorted(
        [LENA, SAM, INES])
    assert ids(conn, "SELECT Id FROM Lead WHERE Owner.IsActive = false") == [INES]


def test_polymorphic_who_gives_the_name_object_fields(conn):
    records = {r["Id"]: r for r in run(
        conn, "SELECT Id, Who.Type, Who.Name, Who.FirstName, Who.Email FROM Task")[1]}
    carla = records[TASKS[1]["Id"]]["Who"]
    assert carla["attributes"]["url"].endswith(f"/Contact/{CARLA}")
    assert carla["attributes"]["type"] == "Name"
    assert (carla["Type"], carla["Name"], carla["FirstName"]) == ("Contact", "Carla Contact",
                                                                  "Carla")
    # Salesforce documents the Name object's Email as a user's or a queue's only
    assert carla["Email"] is None
    assert records[TASKS[0]["Id"]]["Who"]["Type"] == "Lead"
    assert records[TASKS[3]["Id"]]["Who"] is None


def test_typeof_reaches_the_fields_of_each_type(conn):
    records = {r["Id"]: r for r in run(
        conn, "SELECT Id, TYPEOF Who WHEN Lead THEN Email, Company WHEN Contact THEN Email, "
              "AccountId ELSE Name END FROM Task")[1]}
    lead = records[TASKS[0]["Id"]]["Who"]
    contact = records[TASKS[1]["Id"]]["Who"]
    assert lead == {"attributes": {"type": "Lead",
                                   "url": f"/services/data/v59.0/sobjects/Lead/{LENA}"},
                    "Email": "lena@leadco.example", "Company": "Lead Co"}
    assert contact["attributes"]["type"] == "Contact"
    assert contact["Email"] == "carla@acme.example" and contact["AccountId"] == ACME


def test_object_name_and_alias_prefixes(conn):
    assert ids(conn, f"SELECT l.Id FROM Lead l WHERE l.Id = '{LENA}'") == [LENA]
    assert ids(conn, "SELECT Lead.Id FROM Lead WHERE Lead.Email = 'lena@leadco.example'") == [
        LENA]


# --- counting ----------------------------------------------------------------------------

def test_count(conn):
    assert run(conn, "SELECT COUNT() FROM Lead") == (4, [])
    assert run(conn, "SELECT COUNT() FROM Task") == (5, [])
    assert run(conn, "SELECT COUNT() FROM Task", all_rows=True) == (6, [])
    assert run(conn, "SELECT COUNT() FROM Lead WHERE Owner.Type = 'User' LIMIT 2") == (2, [])


def test_count_of_a_field_is_an_aggregate_result(conn):
    total, records = run(conn, "SELECT COUNT(WhoId) FROM Task")
    assert total == 1
    assert records == [{"attributes": {"type": "AggregateResult"}, "expr0": 4}]
    assert run(conn, "SELECT COUNT(Id) n FROM Lead")[1][0]["n"] == 4


# --- WHERE ------------------------------------------------------------------------------

def test_equality_on_text_is_case_insensitive(conn):
    assert ids(conn, "SELECT Id FROM Lead WHERE Email = 'LENA@LeadCo.Example'") == [LENA]
    assert ids(conn, "SELECT Id FROM Lead WHERE LastName = 'NÚÑEZ'") == [INES]
    assert ids(conn, "SELECT Id FROM Lead WHERE Email IN ('SAM@SYNCCO.EXAMPLE', 'x')") == [SAM]


def test_ids_compare_in_15_or_18_characters(conn):
    assert ids(conn, f"SELECT Id FROM Lead WHERE Id = '{LENA[:15]}'") == [LENA]
    assert ids(conn, f"SELECT Id FROM Lead WHERE OwnerId IN ('{QUEUE[:15]}')") == [QUINN]


def test_not_equal_and_not_in_keep_nulls(conn):
    # as in Salesforce, a null field is "not equal" to a value
    got = ids(conn, "SELECT Id FROM Task WHERE Subject != 'Call Lena'")
    assert TASKS[3]["Id"] in got and TASKS[0]["Id"] not in got and len(got) == 4
    got = ids(conn, "SELECT Id FROM Task WHERE Subject NOT IN ('Call Lena')")
    assert len(got) == 4 and TASKS[3]["Id"] in got
    got = ids(conn, "SELECT Id FROM Task WHERE Subject NOT IN ('Call Lena', null)")
    assert len(got) == 3 and TASKS[3]["Id"] not in got
    assert ids(conn, "SELECT Id FROM Task WHERE Subject <> null AND WhoId = null") == []


def test_null_and_in_with_null(conn):
    assert ids(conn, "SELECT Id FROM Task WHERE WhoId = null") == [TASKS[3]["Id"]]
    assert len(ids(conn, "SELECT Id FROM Task WHERE WhoId != null")) == 4
    got = ids(conn, f"SELECT Id FROM Task WHERE WhoId IN ('{LENA}', null)")
    assert got == [TASKS[0]["Id"], TASKS[3]["Id"]]


def test_like_is_case_insensitive_with_wildcards_and_escapes(conn):
    assert ids(conn, "SELECT Id FROM Lead WHERE Email LIKE '%@LEADCO.%'") == [LENA]
    assert ids(conn, "SELECT Id FROM Lead WHERE FirstName LIKE 's_m'") == [SAM]
    assert ids(conn, "SELECT Id FROM Task WHERE Subject LIKE '100\\% done\\_ok'") == [
        TASKS[2]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE Subject LIKE '100_ done%'") == [TASKS[2]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE Subject LIKE '%NÚÑEZ'") == [TASKS[4]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE NOT Subject LIKE 'Call%'") == [
        t["Id"] for t in TASKS[1:5]]


def test_and_or_not_and_parentheses(conn):
    q = ("SELECT Id FROM Task WHERE (Type = 'Call' OR Type = 'Email') AND "
         "CallDurationInSeconds > 60")
    assert ids(conn, q) == [TASKS[1]["Id"]]
    q = "SELECT Id FROM Task WHERE Type = 'Call' OR (Status = 'Completed' AND IsClosed = true)"
    assert ids(conn, q) == [TASKS[0]["Id"], TASKS[1]["Id"]]
    q = "SELECT Id FROM Task WHERE NOT (Type = 'Call' OR Type = 'Email')"
    assert ids(conn, q) == [t["Id"] for t in TASKS[2:5]]
    q = "SELECT Id FROM Task WHERE WhoId != null AND (NOT Status = 'Completed')"
    assert ids(conn, q) == [TASKS[0]["Id"], TASKS[2]["Id"], TASKS[4]["Id"]]


def test_comparisons_on_numbers_dates_and_datetimes(conn):
    assert ids(conn, "SELECT Id FROM Task WHERE CallDurationInSeconds >= 30") == [
        TASKS[0]["Id"], TASKS[1]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE CallDurationInSeconds < 100.5") == [
        TASKS[0]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE ActivityDate <= 2025-12-31") == [TASKS[2]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate > 2026-01-06T23:59:58Z") == [
        TASKS[0]["Id"], TASKS[1]["Id"], TASKS[4]["Id"]]
    # a zone offset is converted to UTC
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate = 2026-01-07T09:00:00+01:00") == [
        TASKS[0]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate = 2026-01-07T08:00:00.000+0000") \
        == [TASKS[0]["Id"]]


def test_date_literals_on_datetime_and_date_fields(conn):
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate = TODAY") == [TASKS[0]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate = YESTERDAY") == [TASKS[1]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate > TODAY") == [TASKS[4]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate < YESTERDAY") == [
        TASKS[2]["Id"], TASKS[3]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate = LAST_N_DAYS:1") == [
        TASKS[0]["Id"], TASKS[1]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate >= LAST_N_DAYS:7") == [
        t["Id"] for t in (TASKS[0], TASKS[1], TASKS[2], TASKS[4])]
    assert ids(conn, "SELECT Id FROM Task WHERE ActivityDate = THIS_WEEK") == [
        TASKS[0]["Id"], TASKS[1]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE ActivityDate = LAST_MONTH") == [TASKS[2]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE ActivityDate = NEXT_N_DAYS:30") == [
        TASKS[4]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE CreatedDate = N_DAYS_AGO:1") == [TASKS[1]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE ActivityDate != THIS_YEAR") == [
        TASKS[2]["Id"], TASKS[3]["Id"]]


@pytest.mark.parametrize("literal,n,expected", [
    ("TODAY", None, ("2026-01-07", "2026-01-08")),
    ("YESTERDAY", None, ("2026-01-06", "2026-01-07")),
    ("TOMORROW", None, ("2026-01-08", "2026-01-09")),
    ("THIS_WEEK", None, ("2026-01-04", "2026-01-11")),
    ("LAST_WEEK", None, ("2025-12-28", "2026-01-04")),
    ("NEXT_WEEK", None, ("2026-01-11", "2026-01-18")),
    ("THIS_MONTH", None, ("2026-01-01", "2026-02-01")),
    ("LAST_MONTH", None, ("2025-12-01", "2026-01-01")),
    ("NEXT_MONTH", None, ("2026-02-01", "2026-03-01")),
    ("LAST_90_DAYS", None, ("2025-10-09", "2026-01-08")),
    ("NEXT_90_DAYS", None, ("2026-01-08", "2026-04-08")),
    ("THIS_QUARTER", None, ("2026-01-01", "2026-04-01")),
    ("LAST_QUARTER", None, ("2025-10-01", "2026-01-01")),
    ("NEXT_QUARTER", None, ("2026-04-01", "2026-07-01")),
    ("THIS_YEAR", None, ("2026-01-01", "2027-01-01")),
    ("LAST_YEAR", None, ("2025-01-01", "2026-01-01")),
    ("NEXT_YEAR", None, ("2027-01-01", "2028-01-01")),
    ("THIS_FISCAL_YEAR", None, ("2026-01-01", "2027-01-01")),
    ("LAST_N_DAYS", 15, ("2025-12-23", "2026-01-08")),
    ("NEXT_N_DAYS", 2, ("2026-01-08", "2026-01-10")),
    ("N_DAYS_AGO", 3, ("2026-01-04", "2026-01-05")),
    ("LAST_N_WEEKS", 2, ("2025-12-21", "2026-01-04")),
    ("NEXT_N_WEEKS", 1, ("2026-01-11", "2026-01-18")),
    ("N_WEEKS_AGO", 1, ("2025-12-28", "2026-01-04")),
    ("LAST_N_MONTHS", 2, ("2025-11-01", "2026-01-01")),
    ("NEXT_N_MONTHS", 2, ("2026-02-01", "2026-04-01")),
    ("N_MONTHS_AGO", 1, ("2025-12-01", "2026-01-01")),
    ("LAST_N_QUARTERS", 1, ("2025-10-01", "2026-01-01")),
    ("NEXT_N_QUARTERS", 2, ("2026-04-01", "2026-10-01")),
    ("LAST_N_YEARS", 2, ("2024-01-01", "2026-01-01")),
    ("NEXT_N_YEARS", 1, ("2027-01-01", "2028-01-01")),
    ("N_YEARS_AGO", 1, ("2025-01-01", "2026-01-01")),
])
def test_date_literal_ranges(literal, n, expected):
    start, end = date_range(literal, n, date(2026, 1, 7))
    assert (start.isoformat(), end.isoformat()) == expected


# --- ORDER BY, LIMIT, OFFSET ------------------------------------------------------------

def test_order_by_with_nulls_first_and_last(conn):
    asc = ids(conn, "SELECT Id FROM Task ORDER BY ActivityDate")
    assert asc[0] == TASKS[3]["Id"]  # ASC puts nulls first by default
    desc = ids(conn, "SELECT Id FROM Task ORDER BY ActivityDate DESC")
    assert desc == [TASKS[4]["Id"], TASKS[0]["Id"], TASKS[1]["Id"], TASKS[2]["Id"],
                    TASKS[3]["Id"]]
    assert ids(conn, "SELECT Id FROM Task ORDER BY ActivityDate ASC NULLS LAST")[-1] == \
        TASKS[3]["Id"]
    assert ids(conn, "SELECT Id FROM Task ORDER BY ActivityDate DESC NULLS FIRST")[0] == \
        TASKS[3]["Id"]


def test_order_by_text_ignores_case_and_parent_fields_sort(conn):
    names = [r["LastName"] for r in run(conn, "SELECT LastName FROM Lead ORDER BY LastName")[1]]
    assert names == ["Lead", "Núñez", "Queue", "Synced"]
    owners = [r["Owner"]["Name"] for r in run(
        conn, "SELECT Owner.Name FROM Lead ORDER BY Owner.Name DESC, Name")[1]]
    assert owners == ["Rita Rep", "Marketo Sync", "Ivan Inactive", "Inbound Leads"]


def test_limit_and_offset(conn):
    everything = ids(conn, "SELECT Id FROM Task ORDER BY CreatedDate")
    assert ids(conn, "SELECT Id FROM Task ORDER BY CreatedDate LIMIT 2") == everything[:2]
    assert ids(conn, "SELECT Id FROM Task ORDER BY CreatedDate LIMIT 2 OFFSET 2") == \
        everything[2:4]
    assert ids(conn, "SELECT Id FROM Task ORDER BY CreatedDate OFFSET 3") == everything[3:]
    assert run(conn, "SELECT Id FROM Task LIMIT 2 OFFSET 2")[0] == 2
    assert run(conn, "SELECT Id FROM Task OFFSET 4")[0] == 1


def test_fields_function(conn):
    record = run(conn, f"SELECT FIELDS(STANDARD) FROM Lead WHERE Id = '{LENA}'")[1][0]
    assert "External_Id__c" not in record and record["Company"] == "Lead Co"
    record = run(conn, f"SELECT FIELDS(ALL) FROM Lead WHERE Id = '{LENA}' LIMIT 1")[1][0]
    assert "External_Id__c" in record
    record = run(conn, "SELECT FIELDS(CUSTOM) FROM Lead LIMIT 1")[1][0]
    assert list(record) == ["attributes", "External_Id__c"]


def test_deleted_rows_only_with_query_all(conn):
    assert TASKS[5]["Id"] not in ids(conn, "SELECT Id FROM Task")
    assert ids(conn, "SELECT Id FROM Task WHERE IsDeleted = true", all_rows=True) == [
        TASKS[5]["Id"]]
    assert ids(conn, "SELECT Id FROM Task WHERE IsDeleted = true") == []


def test_paging_helpers_walk_a_snapshot(conn):
    plan = soql.compile("SELECT Id FROM Task ORDER BY CreatedDate", NOW)
    first = plan.rows(conn, 2)
    rest = plan.rowids(conn, 2)
    assert len(first) == 2 and len(rest) == 3
    again = plan.records(plan.rows_by_rowid(conn, rest))
    assert [r["Id"] for r in again] == ids(conn, "SELECT Id FROM Task ORDER BY CreatedDate")[2:]


def test_an_indexed_filter_is_pushed_down_to_sqlite(conn):
    plan = soql.compile(f"SELECT Id FROM Task WHERE WhoId = '{LENA}'", NOW)
    detail = " ".join(r[3] for r in conn.execute(
        f"EXPLAIN QUERY PLAN SELECT 1 {plan.from_sql} WHERE {plan.where_sql}", plan.params))
    assert "USING INDEX" in detail and "WhoId" in detail
    plan = soql.compile("SELECT Id FROM Lead WHERE Email = 'X@y.example'", NOW)
    detail = " ".join(r[3] for r in conn.execute(
        f"EXPLAIN QUERY PLAN SELECT 1 {plan.from_sql} WHERE {plan.where_sql}", plan.params))
    assert "USING INDEX" in detail and "Email" in detail


# --- refusals ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,code,words", [
    ("", "MALFORMED_QUERY", "unexpected token"),
    ("SELECT", "MALFORMED_QUERY", "unexpected token: '<EOF>'"),
    ("SELECT Id FORM Lead", "MALFORMED_QUERY", "unexpected token: 'FORM'"),
    ("SELECT Id, FROM Lead", "MALFORMED_QUERY", "unexpected token: 'FROM'"),
    ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY", "'<EOF>'"),
    ("SELECT Id FROM Lead WHERE Email = 'x' AND Name = 'y' OR Name = 'z'", "MALFORMED_QUERY",
     "unexpected token: 'OR'"),
    ("SELECT Id FROM Lead WHERE Email = 'x' AND NOT Name = 'y'", "MALFORMED_QUERY",
     "unexpected token: 'NOT'"),
    ("SELECT Id FROM Lead WHERE Email = 'unterminated", "MALFORMED_QUERY", "mismatched"),
    ("SELECT Id FROM Lead WHERE Email = 'bad \\q escape'", "MALFORMED_QUERY",
     "Illegal character sequence"),
    ("SELECT Id FROM Lead WHERE Email # 'x'", "MALFORMED_QUERY", "no viable alternative"),
    ("SELECT Id FROM Lead WHERE Email = 'x' LIMIT -1", "MALFORMED_QUERY", "unexpected token"),
    ("SELECT Id FROM Lead LIMIT 5 LIMIT 6", "MALFORMED_QUERY", "unexpected token: 'LIMIT'"),
    ("SELECT Id FROM Lead OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE",
     "Maximum SOQL offset allowed is 2000"),
    ("SELECT Id FROM Lead WHERE CreatedDate > LAST_N_DAYS", "MALFORMED_QUERY",
     "unexpected token"),
    ("SELECT Id FROM Lead WHERE CreatedDate > 2026-02-30", "MALFORMED_QUERY",
     "no viable alternative"),
    ("SELECT Id FROM Lead WHERE Email = foo", "MALFORMED_QUERY", "unexpected token: 'foo'"),
    ("SELECT COUNT(), Id FROM Lead", "MALFORMED_QUERY", "COUNT() must be the only element"),
    ("SELECT COUNT(Id), Email FROM Lead", "MALFORMED_QUERY",
     "Field must be grouped or aggregated: Email"),
    ("SELECT FIELDS(ALL) FROM Lead", "MALFORMED_QUERY", "must have a LIMIT of at most 200"),
    ("SELECT Id FROM Lead GROUP BY Email", "MALFORMED_QUERY",
     "Field must be grouped or aggregated: Id"),
    ("SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)", "MALFORMED_QUERY",
     "Entity 'Task' is not supported for semi join inner selects"),
    ("SELECT Id FROM Leed", "INVALID_TYPE", "sObject type 'Leed' is not supported"),
    ("SELECT Idd FROM Lead", "INVALID_FIELD", "No such column 'Idd' on entity 'Lead'"),
    ("SELECT Id FROM Lead WHERE Emale = 'x'", "INVALID_FIELD", "No such column 'Emale'"),
    ("SELECT Id FROM Lead ORDER BY Nom", "INVALID_FIELD", "No such column 'Nom'"),
    ("SELECT Foo.Name FROM Lead", "INVALID_FIELD", "Didn't understand relationship 'Foo'"),
    ("SELECT Who.AccountId FROM Task", "INVALID_FIELD", "No such column 'AccountId' on entity "
                                                        "'Name'"),
    ("SELECT Account.Nom FROM Contact", "INVALID_FIELD", "No such column 'Nom' on entity "
                                                         "'Account'"),
    ("SELECT Id, id FROM Lead", "INVALID_FIELD", "duplicate field selected: Id"),
    ("SELECT Id FROM Lead WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR",
     "invalid ID field: abc"),
    ("SELECT Id FROM Task WHERE WhoId IN ('00Q000000000000', 'nope')",
     "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: nope"),
    ("SELECT Id FROM Lead WHERE Email = 5", "INVALID_FIELD",
     "must be of type string and should be enclosed in quotes"),
    ("SELECT Id FROM Lead WHERE IsConverted = 'true'", "INVALID_FIELD",
     "must be of type boolean and should not be enclosed in quotes"),
    ("SELECT Id FROM Lead WHERE CreatedDate > '2024-01-01'", "INVALID_FIELD",
     "must be of type dateTime and should not be enclosed in quotes"),
    ("SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01", "INVALID_FIELD",
     "must be of type dateTime"),
    ("SELECT Id FROM Task WHERE ActivityDate > 2024-01-01T00:00:00Z", "INVALID_FIELD",
     "must be of type date "),
    ("SELECT Id FROM Task WHERE CallDurationInSeconds > '5'", "INVALID_FIELD",
     "must be of type integer"),
    ("SELECT Id FROM Lead WHERE Email = TODAY", "INVALID_FIELD", "must be of type string"),
    ("SELECT Id FROM Lead WHERE Id LIKE '00Q%'", "INVALID_FIELD", "invalid operator on id field"),
    ("SELECT Id FROM Lead WHERE Description = 'x'", "INVALID_FIELD", "can not be filtered"),
    ("SELECT Id FROM Lead ORDER BY Description", "INVALID_FIELD", "can not be sorted"),
    ("SELECT Id FROM Lead WHERE Email < null", "INVALID_FIELD", "invalid operator"),
    ("SELECT Owner.Manager.Email FROM Lead", "INVALID_FIELD", "one level"),
    ("SELECT TYPEOF Account WHEN Account THEN Name END FROM Contact", "INVALID_FIELD",
     "polymorphic"),
    ("SELECT TYPEOF Who WHEN Account THEN Name END FROM Task", "INVALID_FIELD",
     "not a valid type"),
    ("SELECT TYPEOF Who WHEN Lead THEN Nom END FROM Task", "INVALID_FIELD",
     "No such column 'Nom' on entity 'Lead'"),
])
def test_refusals_carry_salesforce_codes_and_messages(text, code, words):
    error = refused(text)
    assert error.code == code, error.message
    assert words in error.message


def test_refusal_points_at_the_spot():
    error = refused("SELECT Id,\n  Nope FROM Lead")
    assert error.message == (
        "\n  Nope FROM Lead\n  ^\nERROR at Row:2:Column:3\nNo such column 'Nope' on entity "
        "'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after "
        "the custom field name. Please reference your WSDL or the describe call for the "
        "appropriate names.")


def test_garbage_never_crashes():
    for text in ("'", "(((", "SELECT (", "SELECT Id FROM Lead WHERE (Email = 'x'",
                 "SELECT Id FROM Lead WHERE Email IN ()", "SELECT Id FROM Lead ORDER",
                 "SELECT Id FROM Lead ORDER BY Email NULLS", "SELECT TYPEOF Who END FROM Task",
                 "SELECT Id FROM Lead WHERE Email = 'x' FOR", "SELECT COUNT( FROM Lead",
                 "SELECT Id FROM Lead x y", "\u0000", "SELECT Id FROM Lead.Owner",
                 "SELECT Id FROM Lead WHERE CreatedDate > 2024-13-01T00:00:00Z",
                 "SELECT Id FROM Lead WHERE N = -", "SELECT 5 FROM Lead"):
        with pytest.raises(SoqlError) as info:
            soql.compile(text, NOW)
        assert info.value.code == "MALFORMED_QUERY", (text, info.value.message)


def test_string_escapes():
    tokens = soql.tokenize(r"'it\'s \"q\" \\ \n \u00e9 100\%'")
    assert tokens[0].value == "it's \"q\" \\ \n é 100%"
    assert tokens[0].like == "it's \"q\" \\\\ \n é 100\\%"


def test_non_ascii_text_compares_without_case_with_every_operator(conn):
    assert ids(conn, "SELECT Id FROM Lead WHERE LastName != 'NÚÑEZ'") == [LENA, SAM, QUINN]
    assert ids(conn, "SELECT Id FROM Lead WHERE LastName > 'NÚ'") == [SAM, INES, QUINN]
    assert ids(conn, "SELECT Id FROM Lead WHERE LastName NOT IN ('núñez', 'LEAD')") == [
        SAM, QUINN]


def test_an_18_character_id_in_the_wrong_case_is_set_right(conn):
    assert ids(conn, f"SELECT Id FROM Lead WHERE Id = '{LENA.lower()}'") == [LENA]

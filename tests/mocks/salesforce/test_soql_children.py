"""SOQL parent-to-child subqueries: ``SELECT Name, (SELECT LastName FROM Contacts) FROM ...``."""

from __future__ import annotations

import pytest

from fixtures.sfid import IdFactory
from mocks.salesforce import soql

IDS = IdFactory("5cn")
ACME, GLOBEX, INITECH = (IDS.make("Account", n) for n in (1, 2, 3))
CARLA, DAN, ERIN, FRED, GIL = (IDS.make("Contact", n) for n in range(1, 6))
LENA = IDS.make("Lead", 1)
V = "/services/data/v59.0/sobjects"


def by_name(records: list[dict]) -> dict[str, dict]:
    return {r["Name"]: r for r in records}


def test_children_are_a_nested_query_result_or_null(sales):
    records = by_name(sales.records(
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account"))
    assert records["Acme Corp"] == {
        "attributes": {"type": "Account", "url": f"{V}/Account/{ACME}"},
        "Name": "Acme Corp",
        "Contacts": {"totalSize": 1, "done": True, "records": [
            {"attributes": {"type": "Contact", "url": f"{V}/Contact/{CARLA}"},
             "LastName": "Contact"}]}}
    globex = records["Globex"]["Contacts"]
    assert globex["totalSize"] == 2 and [c["LastName"] for c in globex["records"]] == [
        "Dole", "Dunn"]
    assert records["Initech"]["Contacts"] is None


def test_a_subquery_filters_sorts_limits_and_reaches_parents(sales):
    record = sales.records(
        "SELECT Id, (SELECT Id, Owner.Name FROM Contacts WHERE FirstName LIKE '%n' "
        "ORDER BY FirstName DESC LIMIT 1) FROM Account WHERE Name = 'Globex'")[0]
    assert record["Contacts"]["totalSize"] == 1
    erin = record["Contacts"]["records"][0]
    assert erin["Id"] == ERIN and erin["Owner"]["Name"] == "Rita Rep"
    assert erin["Owner"]["attributes"]["type"] == "User"


def test_several_subqueries_keep_select_order(sales):
    record = sales.records(
        "SELECT (SELECT Name FROM Opportunities ORDER BY Name), Name, "
        "(SELECT Subject FROM Tasks), (SELECT Id FROM contacts) FROM Account "
        f"WHERE Id = '{ACME}'")[0]
    assert list(record) == ["attributes", "Opportunities", "Name", "Tasks", "Contacts"]
    assert [o["Name"] for o in record["Opportunities"]["records"]] == ["Acme big", "Acme small"]
    assert record["Tasks"]["records"][0]["Subject"] == "Call Carla"


def test_tasks_of_a_lead_and_of_a_contact(sales):
    lead = sales.records(f"SELECT Id, (SELECT Subject FROM Tasks) FROM Lead WHERE Id = '{LENA}'")
    assert lead[0]["Tasks"]["records"][0]["Subject"] == "Call Lena"
    contact = sales.records(f"SELECT (SELECT Subject, Who.Name FROM Tasks) FROM Contact "
                            f"WHERE Id = '{DAN}'")[0]
    assert contact["Tasks"]["records"][0]["Who"]["Name"] == "Dan Dole"


def test_deleted_children_only_with_query_all(sales):
    q = f"SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Id = '{ACME}'"
    assert [c["Id"] for c in sales.records(q)[0]["Contacts"]["records"]] == [CARLA]
    everything = sales.records(q, all_rows=True)[0]["Contacts"]["records"]
    assert sorted(c["Id"] for c in everything) == [CARLA, GIL]


def test_nested_subqueries_from_version_58(sales):
    q = ("SELECT Name, (SELECT LastName, (SELECT Subject FROM Tasks) FROM Contacts) "
         f"FROM Account WHERE Id = '{GLOBEX}'")
    record = sales.records(q)[0]
    dan = next(c for c in record["Contacts"]["records"] if c["LastName"] == "Dole")
    erin = next(c for c in record["Contacts"]["records"] if c["LastName"] == "Dunn")
    assert dan["Tasks"]["records"][0]["Subject"] == "Email Dan" and erin["Tasks"] is None
    error = sales.refused(q, version="57.0")
    assert error.code == "MALFORMED_QUERY" and "58.0" in error.message


def test_count_and_filters_of_the_parent_query_ignore_the_children(sales):
    total, records = sales.run("SELECT Id, (SELECT Id FROM Contacts) FROM Account "
                               "WHERE Name != 'Initech' ORDER BY Name LIMIT 5")
    assert total == 2 and [r["Id"] for r in records] == [ACME, GLOBEX]


def test_pages_after_the_first_carry_their_children(sales):
    plan = soql.compile("SELECT Id, (SELECT Id FROM Contacts WHERE LastName != 'x') "
                        "FROM Account ORDER BY Name", sales.NOW)
    rest = plan.rowids(sales.conn, 1)
    again = plan.records(plan.rows_by_rowid(sales.conn, rest))
    assert [r["Id"] for r in again] == [GLOBEX, INITECH]
    assert again[0]["Contacts"]["totalSize"] == 2


@pytest.mark.parametrize("text,code,words", [
    ("SELECT Id, (SELECT Id FROM Contactz) FROM Account", "INVALID_TYPE",
     "Didn't understand relationship 'Contactz' in FROM part of query call"),
    ("SELECT Id, (SELECT Id FROM Contact) FROM Account", "INVALID_TYPE",
     "Didn't understand relationship 'Contact'"),
    ("SELECT Id, (SELECT Nope FROM Contacts) FROM Account", "INVALID_FIELD",
     "No such column 'Nope' on entity 'Contact'"),
    ("SELECT Id, (SELECT COUNT(Id) FROM Contacts) FROM Account", "MALFORMED_QUERY",
     "only root queries support aggregate expressions"),
    ("SELECT Id, (SELECT COUNT() FROM Contacts) FROM Account", "MALFORMED_QUERY",
     "only root queries support aggregate expressions"),
    ("SELECT Id, (SELECT Id FROM Contacts), (SELECT Id FROM Contacts) FROM Account",
     "INVALID_FIELD", "duplicate field selected: Contacts"),
    ("SELECT Id, (SELECT FIELDS(ALL) FROM Contacts) FROM Account LIMIT 10",
     "MALFORMED_QUERY", "must have a LIMIT of at most 200"),
    ("SELECT Id, (SELECT Id FROM Contacts FROM Account", "MALFORMED_QUERY",
     "unexpected token"),
    ("SELECT Id, (SELECT Id, (SELECT Id, (SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) "
     "FROM Contacts) FROM Contacts) FROM Contacts) FROM Contacts) FROM Account",
     "INVALID_TYPE", "Didn't understand relationship 'Contacts'"),
])
def test_refusals(sales, text, code, words):
    error = sales.refused(text)
    assert error.code == code, error.message
    assert words in error.message, error.message

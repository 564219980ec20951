"""SOQL semi-joins (``WHERE Id IN (SELECT ...)``) and anti-joins (``NOT IN (SELECT ...)``)."""

from __future__ import annotations

import pytest

from fixtures.sfid import IdFactory

IDS = IdFactory("5cn")
ACME, GLOBEX, INITECH = (IDS.make("Account", n) for n in (1, 2, 3))
CARLA, DAN, ERIN, FRED = (IDS.make("Contact", n) for n in range(1, 5))
LENA, SAM, INES, QUINN = (IDS.make("Lead", n) for n in range(1, 5))


def test_semi_join_on_id(sales):
    assert sales.ids("SELECT Id FROM Account WHERE Id IN "
                     "(SELECT AccountId FROM Contact WHERE LastName LIKE 'D%')") == [GLOBEX]
    assert sales.ids("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity "
                     "WHERE IsWon = true)") == [ACME]


def test_anti_join_on_id_ignores_children_without_a_parent(sales):
    # Fred has no account: his null AccountId must not empty the anti-join
    assert sales.ids("SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)") \
        == [INITECH]


def test_semi_and_anti_join_on_a_reference_field(sales):
    assert sales.ids("SELECT Id FROM Contact WHERE AccountId IN "
                     "(SELECT Id FROM Account WHERE Name = 'Globex')") == [DAN, ERIN]
    # an anti-join keeps the records whose reference is empty
    assert sales.ids("SELECT Id FROM Contact WHERE AccountId NOT IN "
                     "(SELECT Id FROM Account WHERE Name = 'Globex')") == [CARLA, FRED]
    assert sales.ids("SELECT Id FROM Lead WHERE OwnerId IN "
                     "(SELECT Id FROM User WHERE IsActive = false)") == [INES]


def test_inner_select_reaches_parents_and_joins_with_other_filters(sales):
    q = ("SELECT Id FROM Account WHERE Name != 'Initech' AND Id IN "
         "(SELECT AccountId FROM Opportunity WHERE Owner.Name = 'Rita Rep') AND Id NOT IN "
         "(SELECT AccountId FROM Contact WHERE FirstName = 'Carla')")
    assert sales.ids(q) == [GLOBEX]


def test_deleted_inner_rows_do_not_count(sales):
    # Gil (deleted) belongs to Acme: without him, Acme has no contact named Gone
    assert sales.ids("SELECT Id FROM Account WHERE Id IN "
                     "(SELECT AccountId FROM Contact WHERE LastName = 'Gone')") == []


def test_semi_joins_in_a_child_subquery(sales):
    record = sales.records(
        "SELECT Id, (SELECT Id FROM Contacts WHERE OwnerId IN (SELECT Id FROM User WHERE "
        f"Name = 'Rita Rep')) FROM Account WHERE Id = '{GLOBEX}'")[0]
    assert [c["Id"] for c in record["Contacts"]["records"]] == [ERIN]


@pytest.mark.parametrize("text,code,words", [
    ("SELECT Id FROM Contact WHERE Id IN (SELECT WhoId FROM Task)", "MALFORMED_QUERY",
     "Entity 'Task' is not supported for semi join inner selects"),
    ("SELECT Id FROM Account WHERE Name = 'x' OR Id IN (SELECT AccountId FROM Contact)",
     "MALFORMED_QUERY", "Semi join sub-selects are not allowed with the 'OR' operator"),
    ("SELECT Id FROM Account WHERE NOT Id IN (SELECT AccountId FROM Contact)",
     "MALFORMED_QUERY", "only allowed at the top level WHERE expressions"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE OwnerId IN "
     "(SELECT Id FROM User))", "MALFORMED_QUERY", "Nesting of semi join sub-selects"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) AND Id IN "
     "(SELECT AccountId FROM Opportunity) AND OwnerId IN (SELECT Id FROM User)",
     "MALFORMED_QUERY", "Maximum 2 semi join sub-selects are allowed"),
    ("SELECT Id FROM Account WHERE Name IN (SELECT Name FROM Contact)", "MALFORMED_QUERY",
     "semi join sub selects can only query id fields, cannot use: 'Name'"),
    ("SELECT Id FROM Account WHERE Name IN (SELECT AccountId FROM Contact)", "MALFORMED_QUERY",
     "semi join sub selects can only query id fields, cannot use: 'Name'"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT Id, AccountId FROM Contact)",
     "MALFORMED_QUERY", "can only select one field"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT Account.Id FROM Contact)",
     "MALFORMED_QUERY", "can only query id fields, cannot use: 'Account.Id'"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT Id FROM Account)", "MALFORMED_QUERY",
     "The inner and outer selects should not be on the same object type"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact ORDER BY Name)",
     "MALFORMED_QUERY", "unexpected token: 'ORDER'"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact LIMIT 5)",
     "MALFORMED_QUERY", "unexpected token: 'LIMIT'"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact GROUP BY AccountId)",
     "MALFORMED_QUERY", "unexpected token: 'GROUP'"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contakt)", "INVALID_TYPE",
     "sObject type 'Contakt' is not supported"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT Nope FROM Contact)", "INVALID_FIELD",
     "No such column 'Nope' on entity 'Contact'"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact", "MALFORMED_QUERY",
     "unexpected token: '<EOF>'"),
    ("SELECT Id, (SELECT Id FROM Contacts WHERE Id IN (SELECT WhoId FROM Opportunity)) "
     "FROM Account", "INVALID_FIELD", "No such column 'WhoId' on entity 'Opportunity'"),
])
def test_refusals(sales, text, code, words):
    error = sales.refused(text)
    assert error.code == code, error.message
    assert words in error.message, error.message

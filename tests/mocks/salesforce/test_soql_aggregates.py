"""SOQL aggregate queries: GROUP BY, HAVING, aggregate functions, date functions, ROLLUP."""

from __future__ import annotations

import pytest

from fixtures.sfid import IdFactory

IDS = IdFactory("5cn")
ACME, GLOBEX = IDS.make("Account", 1), IDS.make("Account", 2)
AGG = {"type": "AggregateResult"}


def test_group_by_with_count_gives_aggregate_results(sales):
    total, rows = sales.run("SELECT LeadSource, COUNT(Id) FROM Lead GROUP BY LeadSource")
    # groups of text ignore case ("Web" and "web"); null is a group of its own, first
    assert total == 3
    assert rows[0] == {"attributes": AGG, "LeadSource": None, "expr0": 1}
    assert rows[1] == {"attributes": AGG, "LeadSource": "Phone Inquiry", "expr0": 1}
    assert rows[2]["LeadSource"].lower() == "web" and rows[2]["expr0"] == 2
    assert list(rows[0]) == ["attributes", "LeadSource", "expr0"]


def test_aliases_and_expr_numbering_count_only_the_unaliased(sales):
    rows = sales.records(
        "SELECT StageName, COUNT(Id) n, SUM(Amount), AVG(Amount), MIN(CloseDate) first, "
        "MAX(Amount) FROM Opportunity GROUP BY StageName ORDER BY StageName")
    assert rows == [
        {"attributes": AGG, "StageName": "Closed Won", "n": 1, "expr0": 250.5, "expr1": 250.5,
         "first": "2025-11-02", "expr2": 250.5},
        {"attributes": AGG, "StageName": "Prospecting", "n": 3, "expr0": 1100.0,
         "expr1": 550.0, "first": "2026-01-02", "expr2": 1000.0},
    ]


def test_aggregates_without_group_by_give_one_row(sales):
    assert sales.run("SELECT COUNT(Id), COUNT(Amount), COUNT_DISTINCT(AccountId), "
                     "SUM(Amount), MAX(CloseDate) FROM Opportunity") == (1, [
        {"attributes": AGG, "expr0": 4, "expr1": 3, "expr2": 2, "expr3": 1350.5,
         "expr4": "2026-03-15"}])
    # nothing to aggregate: counts are 0, the rest null
    assert sales.records("SELECT COUNT(Id), SUM(Amount) FROM Opportunity WHERE Name = 'x'") \
        == [{"attributes": AGG, "expr0": 0, "expr1": None}]


def test_sum_of_integers_stays_an_integer_and_min_max_take_text(sales):
    row = sales.records("SELECT SUM(NumberOfEmployees), MIN(Name), MAX(Name) FROM Account")[0]
    assert row == {"attributes": AGG, "expr0": None, "expr1": "Acme Corp", "expr2": "Initech"}


def test_grouping_by_a_parent_field_names_it_by_the_field(sales):
    rows = sales.records("SELECT Account.Name, COUNT(Id) c FROM Contact "
                         "GROUP BY Account.Name ORDER BY Account.Name")
    assert rows == [{"attributes": AGG, "Name": None, "c": 1},
                    {"attributes": AGG, "Name": "Acme Corp", "c": 1},
                    {"attributes": AGG, "Name": "Globex", "c": 2}]


def test_group_by_without_aggregates_lists_distinct_values(sales):
    rows = sales.records("SELECT StageName FROM Opportunity GROUP BY StageName")
    assert [r["StageName"] for r in rows] == ["Closed Won", "Prospecting"]


def test_having_filters_groups(sales):
    rows = sales.records("SELECT AccountId, COUNT(Id) c FROM Contact GROUP BY AccountId "
                         "HAVING COUNT(Id) > 1")
    assert rows == [{"attributes": AGG, "AccountId": GLOBEX, "c": 2}]
    rows = sales.records("SELECT AccountId FROM Contact GROUP BY AccountId "
                         "HAVING AccountId != null AND COUNT(Id) < 5")
    assert [r["AccountId"] for r in rows] == [ACME, GLOBEX]
    assert sales.records("SELECT StageName FROM Opportunity GROUP BY StageName "
                         "HAVING MAX(CloseDate) > 2026-02-01") == [
        {"attributes": AGG, "StageName": "Prospecting"}]


def test_order_by_an_aggregate_and_limit_the_groups(sales):
    rows = sales.records("SELECT AccountId, COUNT(Id) FROM Opportunity GROUP BY AccountId "
                         "ORDER BY COUNT(Id) DESC, AccountId DESC LIMIT 1")
    assert rows == [{"attributes": AGG, "AccountId": GLOBEX, "expr0": 2}]
    assert sales.run("SELECT AccountId FROM Opportunity GROUP BY AccountId OFFSET 1")[0] == 1


def test_date_functions_group_and_filter(sales):
    rows = sales.records("SELECT CALENDAR_YEAR(CloseDate) y, CALENDAR_MONTH(CloseDate), "
                         "COUNT(Id) FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate), "
                         "CALENDAR_MONTH(CloseDate)")
    assert [(r["y"], r["expr0"], r["expr1"]) for r in rows] == [
        (2025, 11, 1), (2026, 1, 2), (2026, 3, 1)]
    rows = sales.records("SELECT DAY_ONLY(CreatedDate) d, COUNT(Id) FROM Contact "
                         "GROUP BY DAY_ONLY(CreatedDate)")
    # Carla has no CreatedDate in this world: the null group
    assert [(r["d"], r["expr0"]) for r in rows] == [
        (None, 1), ("2025-12-31", 1), ("2026-01-05", 1), ("2026-01-06", 1)]
    assert sales.ids("SELECT Id FROM Contact WHERE HOUR_IN_DAY(CreatedDate) = 23") == [
        IDS.make("Contact", 2)]
    assert sales.ids("SELECT Id FROM Opportunity WHERE CALENDAR_QUARTER(CloseDate) = 4") == [
        IDS.make("Opportunity", 2)]
    assert sales.ids("SELECT Id FROM Contact WHERE DAY_ONLY(CreatedDate) = YESTERDAY") == [
        IDS.make("Contact", 2)]
    assert sales.ids("SELECT Id FROM Contact WHERE DAY_ONLY(CreatedDate) >= 2026-01-05") == [
        IDS.make("Contact", 2), IDS.make("Contact", 4)]


@pytest.mark.parametrize("function,expected", [
    ("CALENDAR_YEAR", 2026), ("CALENDAR_MONTH", 1), ("CALENDAR_QUARTER", 1),
    ("DAY_IN_MONTH", 20), ("DAY_IN_WEEK", 3),  # 2026-01-20 is a Tuesday; Sunday is 1
    ("DAY_IN_YEAR", 20), ("WEEK_IN_MONTH", 3), ("WEEK_IN_YEAR", 3), ("FISCAL_YEAR", 2026),
    ("FISCAL_QUARTER", 1), ("FISCAL_MONTH", 1),
])
def test_each_date_function(sales, function, expected):
    rows = sales.records(f"SELECT {function}(CloseDate) v FROM Opportunity "
                         f"WHERE Name = 'Acme big' GROUP BY {function}(CloseDate)")
    assert rows == [{"attributes": AGG, "v": expected}]


def test_convert_timezone_inside_a_date_function_is_utc(sales):
    rows = sales.records("SELECT HOUR_IN_DAY(convertTimezone(CreatedDate)) h, COUNT(Id) "
                         "FROM Contact GROUP BY HOUR_IN_DAY(convertTimezone(CreatedDate))")
    assert [(r["h"], r["expr0"]) for r in rows] == [(None, 1), (8, 1), (9, 1), (23, 1)]


def test_rollup_adds_subtotals_and_a_grand_total(sales):
    rows = sales.records("SELECT StageName, COUNT(Id) c, GROUPING(StageName) g "
                         "FROM Opportunity GROUP BY ROLLUP(StageName)")
    assert rows == [
        {"attributes": AGG, "StageName": "Closed Won", "c": 1, "g": 0},
        {"attributes": AGG, "StageName": "Prospecting", "c": 3, "g": 0},
        {"attributes": AGG, "StageName": None, "c": 4, "g": 1},
    ]
    rows = sales.records("SELECT AccountId, StageName, COUNT(Id) FROM Opportunity "
                         "GROUP BY ROLLUP(AccountId, StageName)")
    assert [(r["AccountId"], r["StageName"], r["expr0"]) for r in rows] == [
        (ACME, "Closed Won", 1), (ACME, "Prospecting", 1), (ACME, None, 2),
        (GLOBEX, "Prospecting", 2), (GLOBEX, None, 2), (None, None, 4)]


def test_cube_totals_every_combination(sales):
    rows = sales.records("SELECT AccountId, StageName, COUNT(Id) FROM Opportunity "
                         "GROUP BY CUBE(AccountId, StageName)")
    got = {(r["AccountId"], r["StageName"]): r["expr0"] for r in rows}
    assert got == {(ACME, "Closed Won"): 1, (ACME, "Prospecting"): 1, (ACME, None): 2,
                   (GLOBEX, "Prospecting"): 2, (GLOBEX, None): 2,
                   (None, "Closed Won"): 1, (None, "Prospecting"): 3, (None, None): 4}
    assert len(rows) == 8


def test_queryall_aggregates_deleted_rows_too(sales):
    assert sales.records("SELECT COUNT(Id) FROM Contact")[0]["expr0"] == 4
    assert sales.records("SELECT COUNT(Id) FROM Contact", all_rows=True)[0]["expr0"] == 5


@pytest.mark.parametrize("text,code,words", [
    ("SELECT SUM(Name) FROM Account", "MALFORMED_QUERY",
     "field Name does not support aggregate operator SUM"),
    ("SELECT AVG(CloseDate) FROM Opportunity", "MALFORMED_QUERY",
     "field CloseDate does not support aggregate operator AVG"),
    ("SELECT COUNT(IsWon) FROM Opportunity", "MALFORMED_QUERY",
     "field IsWon does not support aggregate operator COUNT"),
    ("SELECT MAX(Description) FROM Account", "MALFORMED_QUERY",
     "field Description does not support aggregate operator MAX"),
    ("SELECT CreatedDate, COUNT(Id) FROM Contact GROUP BY CreatedDate", "MALFORMED_QUERY",
     "field 'CreatedDate' can not be grouped in a query call"),
    ("SELECT Amount FROM Opportunity GROUP BY Amount", "MALFORMED_QUERY",
     "field 'Amount' can not be grouped in a query call"),
    ("SELECT Name, COUNT(Id) FROM Account GROUP BY Industry", "MALFORMED_QUERY",
     "Field must be grouped or aggregated: Name"),
    ("SELECT Industry FROM Account GROUP BY Industry ORDER BY Name", "MALFORMED_QUERY",
     "Ordered field must be grouped or aggregated: Name"),
    ("SELECT Industry FROM Account GROUP BY Industry HAVING Name = 'x'", "MALFORMED_QUERY",
     "Field must be grouped or aggregated: Name"),
    ("SELECT CALENDAR_YEAR(CloseDate) FROM Opportunity", "MALFORMED_QUERY",
     "Field must be grouped or aggregated: CALENDAR_YEAR(CloseDate)"),
    ("SELECT COUNT() FROM Lead GROUP BY LeadSource", "MALFORMED_QUERY",
     "COUNT() cannot be used with GROUP BY"),
    ("SELECT COUNT(Id) n, MAX(Name) n FROM Account", "MALFORMED_QUERY", "duplicate alias: n"),
    ("SELECT CALENDAR_YEAR(Name) FROM Account GROUP BY CALENDAR_YEAR(Name)", "MALFORMED_QUERY",
     "CALENDAR_YEAR cannot be used with field 'Name' of type string"),
    ("SELECT HOUR_IN_DAY(CloseDate) FROM Opportunity GROUP BY HOUR_IN_DAY(CloseDate)",
     "MALFORMED_QUERY", "HOUR_IN_DAY cannot be used with field 'CloseDate' of type date"),
    ("SELECT Id FROM Opportunity WHERE DAY_ONLY(CloseDate) = 2026-01-02", "MALFORMED_QUERY",
     "DAY_ONLY cannot be used"),
    ("SELECT GROUPING(Industry) FROM Account GROUP BY Industry", "MALFORMED_QUERY",
     "GROUPING() can only be used with GROUP BY ROLLUP or CUBE"),
    ("SELECT Id FROM Account WHERE COUNT(Id) > 1", "MALFORMED_QUERY",
     "aggregate functions can only be used"),
    ("SELECT Name n FROM Account", "MALFORMED_QUERY", "unexpected token: 'n'"),
    ("SELECT Industry, (SELECT Id FROM Contacts) FROM Account GROUP BY Industry",
     "MALFORMED_QUERY", "only root queries support aggregate expressions"),
    ("SELECT Id FROM Account HAVING COUNT(Id) > 1", "MALFORMED_QUERY",
     "unexpected token: 'HAVING'"),
    ("SELECT CALENDAR_YEAR(CloseDate) y FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate) "
     "HAVING CALENDAR_YEAR(CloseDate) = '2026'", "INVALID_FIELD", "must be of type integer"),
    ("SELECT NOPE(Name) FROM Account", "MALFORMED_QUERY", "Unknown function: NOPE"),
])
def test_refusals(sales, text, code, words):
    error = sales.refused(text)
    assert error.code == code, error.message
    assert words in error.message, error.message

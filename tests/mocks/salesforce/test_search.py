"""SOSL over REST: ``search/?q=FIND ...`` and ``parameterizedSearch``, answers and refusals."""

from __future__ import annotations

import pytest

from fixtures.sfid import IdFactory
from mocks.salesforce.sosl import terms

IDS = IdFactory("5cn")
ACME = IDS.make("Account", 1)
CARLA = IDS.make("Contact", 1)
LENA, SAM, INES, QUINN = (IDS.make("Lead", n) for n in (1, 2, 3, 4))
USERS = [IDS.make("User", n) for n in (1, 2, 3)]


def found(api, sosl: str) -> list[dict]:
    response = api.get("search/", q=sosl)
    assert response.status_code == 200, response.json
    assert list(response.json) == ["searchRecords"]
    return response.json["searchRecords"]


def ids(api, sosl: str) -> list[str]:
    return [r["Id"] for r in found(api, sosl)]


def test_find_without_returning_gives_ids_of_every_object(api):
    records = found(api, "FIND {acme}")
    # Carla's and the users' emails are at acme.example
    assert [(r["attributes"]["type"], r["Id"]) for r in records] == [
        ("Account", ACME), ("Contact", CARLA), *(("User", u) for u in USERS)]
    assert records[0] == {"attributes": {"type": "Account",
                                         "url": f"/services/data/v59.0/sobjects/Account/{ACME}"},
                          "Id": ACME}


def test_returning_fields_filters_order_and_limits(api):
    records = found(api, "FIND {co*} IN NAME FIELDS RETURNING Lead(Company, Owner.Name "
                         "WHERE Owner.Type = 'User' ORDER BY Company DESC LIMIT 2), Account")
    assert [r["attributes"]["type"] for r in records] == ["Lead", "Lead", "Account"]
    assert [r["Company"] for r in records[:2]] == ["Sync Co", "Lead Co"]
    assert records[0]["Owner"]["Name"] == "Marketo Sync"
    assert list(records[0]) == ["attributes", "Company", "Owner"]
    assert len(found(api, "FIND {co*} RETURNING Lead(Id) LIMIT 3")) == 3


def test_field_groups(api):
    assert ids(api, "FIND {lena@leadco.example} IN EMAIL FIELDS RETURNING Lead") == [LENA]
    assert ids(api, "FIND {leadco} IN NAME FIELDS RETURNING Lead") == []  # only in the email
    assert ids(api, "FIND {leadco} IN ALL FIELDS RETURNING Lead") == [LENA]
    assert ids(api, "FIND {lead} IN NAME FIELDS RETURNING Lead") == [LENA]  # "Lena Lead", "Lead Co"


def test_phone_fields_match_by_digits(api, app):
    response = api.patch(f"sobjects/Lead/{SAM}", json={"Phone": "(415) 555-0123"})
    assert response.status_code == 204
    assert ids(api, "FIND {4155550123} IN PHONE FIELDS RETURNING Lead") == [SAM]
    assert ids(api, "FIND {555-0123} IN PHONE FIELDS RETURNING Lead") == [SAM]
    assert ids(api, "FIND {4155550123} IN NAME FIELDS RETURNING Lead") == []


def test_operators_phrases_and_wildcards(api):
    q = "FIND {{{}}} RETURNING Lead(Name ORDER BY Name)"
    names = lambda term: [r["Name"] for r in found(api, q.format(term))]  # noqa: E731
    assert names('"Lena Lead" OR Quinn') == ["Lena Lead", "Quinn Queue"]
    assert names("lead AND NOT lena") == []
    assert names("co AND NOT (lead OR sync)") == ["Inés Núñez", "Quinn Queue"]
    assert names("q?inn") == ["Quinn Queue"]
    assert names("NÚÑEZ") == ["Inés Núñez"]  # case folds beyond ASCII
    assert names("queue co") == ["Quinn Queue"]  # side by side: both must match
    assert names('"co queue"') == []  # a phrase keeps its order


def test_deleted_records_are_not_found(api):
    assert api.delete(f"sobjects/Lead/{QUINN}").status_code == 204
    assert ids(api, "FIND {quinn} RETURNING Lead") == []


def test_parameterized_search_get(api):
    response = api.get("parameterizedSearch/", q="co*", sobject="Lead",
                       **{"Lead.fields": "Id,Company", "Lead.limit": "2", "in": "NAME"})
    assert response.status_code == 200
    records = response.json["searchRecords"]
    assert len(records) == 2 and set(records[0]) == {"attributes", "Id", "Company"}
    everywhere = api.get("parameterizedSearch/", q="acme").json["searchRecords"]
    assert [r["Id"] for r in everywhere] == [ACME, CARLA, *USERS]


def test_parameterized_search_post(api):
    response = api.post("parameterizedSearch/", json={
        "q": "co*", "in": "NAME", "fields": ["Id"], "overallLimit": 10, "sobjects": [
            {"name": "Lead", "fields": ["Company"], "where": "Owner.Type = 'User'",
             "orderBy": "Company", "limit": 5}, {"name": "Account"}]})
    assert response.status_code == 200
    records = response.json["searchRecords"]
    assert [r["Company"] for r in records[:3]] == ["Gone Co", "Lead Co", "Sync Co"]
    assert records[3] == {"attributes": {"type": "Account", "url": records[3]["attributes"][
        "url"]}, "Id": ACME}  # "fields" applies where an object names none


@pytest.mark.parametrize("sosl,code,words", [
    ("FIND {x}", "INVALID_SEARCH", "search term must be longer than one character"),
    ("FIND {*}", "INVALID_SEARCH", "search term must be longer than one character"),
    ("FIND Lena", "MALFORMED_SEARCH", "The search term must be enclosed in braces"),
    ("SELECT Id FROM Lead", "MALFORMED_SEARCH", "enclosed in braces"),
    ("FIND {Lena", "MALFORMED_SEARCH", "expecting '}'"),
    ('FIND {"Lena}', "MALFORMED_SEARCH", "expecting '\"'"),
    ("FIND {(Lena}", "MALFORMED_SEARCH", "unbalanced parentheses"),
    ("FIND {OR Lena}", "MALFORMED_SEARCH", "cannot start with 'OR'"),
    ("FIND {Lena} IN BOGUS FIELDS", "MALFORMED_SEARCH", "unexpected token: 'BOGUS'"),
    ("FIND {Lena} RETURNING Lead(Name", "MALFORMED_SEARCH", "unexpected token: '<EOF>'"),
    ("FIND {Lena} RETURNING Lead(Name WHERE)", "MALFORMED_SEARCH", "unexpected token: ')'"),
    ("FIND {Lena} RETURNING Leed", "INVALID_TYPE", "sObject type 'Leed' is not supported"),
    ("FIND {Lena} RETURNING Group", "INVALID_TYPE", "entity type Group does not support search"),
    ("FIND {Lena} RETURNING Lead(Nope)", "INVALID_FIELD", "No such column 'Nope' on entity"),
    ("FIND {Lena} RETURNING Lead(Id WHERE Email = 5)", "INVALID_FIELD", "must be of type string"),
    ("FIND {Lena} RETURNING Lead(COUNT(Id))", "MALFORMED_SEARCH", "Aggregate functions"),
    ("FIND {Lena} LIMIT 0", "MALFORMED_SEARCH", "LIMIT must be between 1 and 2000"),
    ("FIND {Lena} WITH SNIPPET", "MALFORMED_SEARCH", "not supported"),
    ("FIND {Lena} RETURNING Lead junk", "MALFORMED_SEARCH", "unexpected token: 'junk'"),
])
def test_refusals(api, sosl, code, words):
    response = api.get("search/", q=sosl)
    assert response.status_code == 400
    error = response.json[0]
    assert error["errorCode"] == code, error
    assert words in error["message"], error


def test_search_needs_q_and_a_session(api):
    assert api.get("search/").json[0]["errorCode"] == "MALFORMED_SEARCH"
    assert api.client.get("/services/data/v59.0/search/?q=FIND%20%7BLena%7D").status_code == 401
    response = api.get("parameterizedSearch/")
    assert response.status_code == 400 and response.json[0]["errorCode"] == "MISSING_ARGUMENT"
    response = api.post("parameterizedSearch/", json={"q": "Lena", "sobjects": "Lead"})
    assert response.json[0]["errorCode"] == "INVALID_SEARCH"
    response = api.post("parameterizedSearch/", json={"q": "Lena", "sobjects": [
        {"name": "Lead", "where": "Name ="}]})
    assert response.json[0]["errorCode"] == "MALFORMED_SEARCH"


def test_words_and_prefilter():
    tree = terms.parse_terms('acme* AND ("big deal" OR renewal) AND NOT lost')
    assert terms.matches(tree, [terms.words_of("Acme Corp: big deal")])
    assert not terms.matches(tree, [terms.words_of("Acme Corp: big deal lost")])
    assert not terms.matches(tree, [terms.words_of("Acme deal big")])
    assert terms.prefilter(tree) == [["acme", "big", "deal"], ["acme", "renewal"]]

"""Composite resources: /composite with references and allOrNone, /composite/batch,
/composite/tree, and the POST form of a multi-record read."""

from __future__ import annotations

V = "/services/data/v59.0"


def count(api, soql: str) -> int:
    return api.query(soql).json["totalSize"]


def sub(ref: str, method: str, url: str, body=None) -> dict:
    item = {"referenceId": ref, "method": method, "url": V + url}
    if body is not None:
        item["body"] = body
    return item


def composite(api, items, **options):
    response = api.post("composite", json={"compositeRequest": items, **options})
    assert response.status_code == 200, response.json
    return {r["referenceId"]: r for r in response.json["compositeResponse"]}


# --- /composite ---------------------------------------------------------------------------

def test_later_subrequests_use_earlier_answers_through_references(api):
    out = composite(api, [
        sub("acct", "POST", "/sobjects/Account", {"Name": "Ref Co"}),
        sub("who", "POST", "/sobjects/Contact",
            {"LastName": "Refd", "AccountId": "@{acct.id}"}),
        sub("found", "GET", "/query?q=SELECT+Id,+Name+FROM+Account+WHERE+Name='Ref+Co'"),
        sub("read", "GET", "/sobjects/Account/@{found.records[0].Id}?fields=Name"),
        sub("rename", "PATCH", "/sobjects/Account/@{acct.id}", {"Name": "@{read.Name} Ltd"}),
    ])
    assert out["acct"]["httpStatusCode"] == 201
    account = out["acct"]["body"]["id"]
    assert out["acct"]["httpHeaders"]["Location"] == f"{V}/sobjects/Account/{account}"
    assert out["who"]["httpStatusCode"] == 201
    assert out["read"]["body"]["Name"] == "Ref Co"
    assert out["rename"]["httpStatusCode"] == 204 and out["rename"]["body"] is None
    contact = api.one(f"SELECT AccountId, Account.Name FROM Contact WHERE Id = "
                      f"'{out['who']['body']['id']}'")
    assert contact["AccountId"] == account
    assert contact["Account"]["Name"] == "Ref Co Ltd"


def test_all_or_none_rolls_every_subrequest_back_at_the_first_failure(api):
    before = count(api, "SELECT COUNT() FROM Account")
    out = composite(api, [
        sub("good", "POST", "/sobjects/Account", {"Name": "Kept?"}),
        sub("bad", "POST", "/sobjects/Contact", {"LastName": "X", "Email": "not-an-email"}),
        sub("after", "POST", "/sobjects/Account", {"Name": "Never"}),
    ], allOrNone=True)
    assert out["bad"]["httpStatusCode"] == 400
    assert out["bad"]["body"][0]["errorCode"] == "INVALID_EMAIL_ADDRESS"
    for ref in ("good", "after"):
        assert out[ref]["httpStatusCode"] == 400
        assert out[ref]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert count(api, "SELECT COUNT() FROM Account") == before


def test_without_all_or_none_only_dependents_of_a_failure_are_skipped(api):
    out = composite(api, [
        sub("bad", "POST", "/sobjects/Account", {"Nope__c": 1}),
        sub("child", "POST", "/sobjects/Contact", {"LastName": "C", "AccountId": "@{bad.id}"}),
        sub("alone", "POST", "/sobjects/Account", {"Name": "Independent"}),
    ])
    assert out["bad"]["body"][0]["errorCode"] == "INVALID_FIELD"
    assert out["child"]["httpStatusCode"] == 400
    assert out["child"]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert "bad.id" in out["child"]["body"][0]["message"]
    assert out["alone"]["httpStatusCode"] == 201
    assert count(api, "SELECT COUNT() FROM Account WHERE Name = 'Independent'") == 1
    assert count(api, "SELECT COUNT() FROM Contact WHERE LastName = 'C'") == 0


def test_all_or_none_overrides_a_collection_subrequests_own_flag(api):
    before = count(api, "SELECT COUNT() FROM Account")
    out = composite(api, [
        sub("many", "POST", "/composite/sobjects", {"allOrNone": False, "records": [
            {"attributes": {"type": "Account"}, "Name": "One"},
            {"attributes": {"type": "Account"}}]}),
    ], allOrNone=True)
    results = out["many"]["body"]
    assert [r["success"] for r in results] == [False, False]
    assert count(api, "SELECT COUNT() FROM Account") == before


def test_a_malformed_composite_request_is_refused_whole(api):
    before = count(api, "SELECT COUNT() FROM Account")
    create = sub("a", "POST", "/sobjects/Account", {"Name": "Too many"})
    too_many = [{**create, "referenceId": f"a{n}"} for n in range(26)]
    for items in (too_many,
                  [create, {**create}],  # a referenceId twice
                  [create, {**create, "referenceId": "b", "method": "FETCH"}],
                  [create, {**create, "referenceId": "c", "url": "/elsewhere"}],
                  [create, sub("d", "POST", "/composite", {"compositeRequest": []})],
                  [{**create, "httpHeaders": {"Authorization": "Bearer x"}}]):
        response = api.post("composite", json={"compositeRequest": items})
        assert response.status_code == 400, response.json
        assert response.json[0]["errorCode"]
    assert api.post("composite", json={"compositeRequest": "x"}).status_code == 400
    assert count(api, "SELECT COUNT() FROM Account") == before


def test_a_composite_request_counts_once_and_is_journaled_once(api):
    api.client.delete("/__admin__/journal")
    first = api.get("limits").json["DailyApiRequests"]["Remaining"]
    composite(api, [sub("a", "GET", "/sobjects/Account/describe"),
                    sub("b", "GET", "/limits")])
    assert api.get("limits").json["DailyApiRequests"]["Remaining"] == first - 2
    paths = [e["path"] for e in api.client.get("/__admin__/journal").json["entries"]]
    assert paths.count(f"{V}/composite") == 1
    assert f"{V}/limits" in paths and f"{V}/sobjects/Account/describe" not in paths


def test_a_composite_request_needs_a_session(api):
    response = api.client.post(f"{V}/composite", json={"compositeRequest": []},
                               headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json[0]["errorCode"] == "INVALID_SESSION_ID"


# --- /composite/batch ---------------------------------------------------------------------

def test_batch_runs_independent_subrequests_and_reports_each(api):
    response = api.post("composite/batch", json={"batchRequests": [
        {"method": "POST", "url": "v59.0/sobjects/Account", "richInput": {"Name": "Batch"}},
        {"method": "GET", "url": "v59.0/sobjects/Account/001000000000000AAA"},
        {"method": "GET", "url": f"{V}/query?q=SELECT+Name+FROM+Account+WHERE+Name='Batch'"},
    ]})
    assert response.status_code == 200
    body = response.json
    assert body["hasErrors"] is True
    codes = [r["statusCode"] for r in body["results"]]
    assert codes == [201, 404, 200]
    assert body["results"][2]["result"]["totalSize"] == 1


def test_batch_halt_on_error_answers_412_for_the_rest(api):
    response = api.post("composite/batch", json={"haltOnError": True, "batchRequests": [
        {"method": "POST", "url": "v59.0/sobjects/Account", "richInput": {}},
        {"method": "POST", "url": "v59.0/sobjects/Account", "richInput": {"Name": "No"}},
    ]})
    results = response.json["results"]
    assert results[0]["statusCode"] == 400
    assert results[0]["result"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert results[1] == {"statusCode": 412, "result": [
        {"errorCode": "BATCH_PROCESSING_HALTED", "message": "Batch processing halted per request"}]}
    assert count(api, "SELECT COUNT() FROM Account WHERE Name = 'No'") == 0


# --- /composite/tree ----------------------------------------------------------------------

TREE = {"records": [
    {"attributes": {"type": "Account", "referenceId": "acct1"}, "Name": "Tree Co",
     "Contacts": {"records": [
         {"attributes": {"type": "Contact", "referenceId": "c1"}, "LastName": "Leaf",
          "Tasks": {"records": [{"attributes": {"type": "Task", "referenceId": "t1"},
                                 "Subject": "Call"}]}},
         {"attributes": {"type": "Contact", "referenceId": "c2"}, "LastName": "Leaf2"}]},
     "Opportunities": {"records": [
         {"attributes": {"type": "Opportunity", "referenceId": "o1"}, "Name": "Deal",
          "StageName": "Prospecting", "CloseDate": "2026-12-31"}]}},
]}


def test_a_tree_creates_records_and_their_children(api):
    response = api.post("composite/tree/Account", json=TREE)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["hasErrors"] is False
    ids = {r["referenceId"]: r["id"] for r in body["results"]}
    assert set(ids) == {"acct1", "c1", "c2", "o1", "t1"}
    assert api.one(f"SELECT AccountId FROM Contact WHERE Id = '{ids['c1']}'")["AccountId"] \
        == ids["acct1"]
    assert api.one(f"SELECT WhoId FROM Task WHERE Id = '{ids['t1']}'")["WhoId"] == ids["c1"]
    assert api.one(f"SELECT AccountId FROM Opportunity WHERE Id = '{ids['o1']}'")[
        "AccountId"] == ids["acct1"]


def test_a_tree_with_one_bad_record_writes_nothing(api):
    bad = {"records": [dict(TREE["records"][0], Contacts={"records": [
        {"attributes": {"type": "Contact", "referenceId": "c1"}, "LastName": "Ok"},
        {"attributes": {"type": "Contact", "referenceId": "c2"}, "Email": "x@y.example"}]})]}
    before = count(api, "SELECT COUNT() FROM Account")
    response = api.post("composite/tree/Account", json=bad)
    assert response.status_code == 400
    assert response.json["hasErrors"] is True
    assert response.json["results"] == [{"referenceId": "c2", "errors": [
        {"statusCode": "REQUIRED_FIELD_MISSING",
         "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}]}]
    assert count(api, "SELECT COUNT() FROM Account") == before
    assert count(api, "SELECT COUNT() FROM Contact WHERE LastName = 'Ok'") == 0


def test_a_tree_refuses_bad_shapes_whole(api):
    wrong_type = {"records": [{"attributes": {"type": "Contact", "referenceId": "x"},
                               "LastName": "L"}]}
    no_ref = {"records": [{"attributes": {"type": "Account"}, "Name": "N"}]}
    twice = {"records": [{"attributes": {"type": "Account", "referenceId": "r"}, "Name": "A"},
                         {"attributes": {"type": "Account", "referenceId": "r"}, "Name": "B"}]}
    too_many = {"records": [{"attributes": {"type": "Account", "referenceId": f"r{n}"},
                             "Name": "A"} for n in range(201)]}
    for body in (wrong_type, no_ref, twice, too_many, {"records": 1}):
        response = api.post("composite/tree/Account", json=body)
        assert response.status_code == 400, response.json
    assert count(api, "SELECT COUNT() FROM Account WHERE Name IN ('A', 'B', 'N')") == 0
    assert api.post("composite/tree/Nope", json=TREE).status_code == 404


# --- POST composite/sobjects/{object}: a read with the IDs in the body -------------------

def test_a_read_by_post_answers_records_in_the_order_asked(api):
    ids = [api.post("sobjects/Account", json={"Name": f"R{n}"}).json["id"] for n in range(3)]
    response = api.post("composite/sobjects/Account",
                        json={"ids": [ids[2], "001000000000000AAA", ids[0]],
                              "fields": ["Id", "Name"]})
    assert response.status_code == 200, response.json
    records = response.json
    assert [r and r["Name"] for r in records] == ["R2", None, "R0"]
    assert records[0]["attributes"]["type"] == "Account"
    assert api.post("composite/sobjects/Account", json={"ids": ids}).status_code == 400
    bad = api.post("composite/sobjects/Account", json={"ids": ids, "fields": ["Nope"]})
    assert bad.json[0]["errorCode"] == "INVALID_FIELD"

"""Garbage in, Salesforce's errors out: never a traceback, never a 500, never a half write."""

from __future__ import annotations

import json
import random
import threading

from fixtures.sfid import IdFactory

IDS = IdFactory("5cn")
LENA = IDS.make("Lead", 1)

PATHS = ["sobjects/Lead", f"sobjects/Lead/{LENA}", "sobjects/Task", "sobjects/Lead/describe",
         "sobjects/Lead/External_Id__c/x", "sobjects/Task/updated", "sobjects/Task/deleted",
         "composite/sobjects", "composite/sobjects/Lead", "composite/sobjects/Task/Subject",
         "query", "queryAll", "query/01gXX-2000", "limits", "sobjects", "sobjects/Nope/1"]
VALUES = [None, True, 0, -1, 1.5, 1e308, "", "x" * 300, "'", "\\", "\u0000", "Ωμέγα", [],
          {}, {"a": 1}, [1, 2], LENA, LENA[:15], "2026-01-01", "2026-13-45T99:99:99Z"]
FIELDS = ["LastName", "Company", "Email", "OwnerId", "WhoId", "WhatId", "Status", "Id",
          "IsConverted", "ActivityDate", "ReminderDateTime", "CallDurationInSeconds",
          "attributes", "records", "allOrNone", "Nope", "HasOptedOutOfEmail", "Amount"]
SOQL = ["SELECT", "FROM", "WHERE", "Id", "Email", "Lead", "Task", "Owner.Email", "=", "!=",
        "LIKE", "IN", "(", ")", ",", "'x'", "null", "true", "TODAY", "LAST_N_DAYS:3", "AND",
        "OR", "NOT", "ORDER BY", "LIMIT", "5", "COUNT()", "2026-01-01T00:00:00Z", "TYPEOF",
        "Who", "WHEN", "THEN", "END", "OFFSET", "NULLS", "FIRST", "DESC"]


def test_random_requests_get_salesforce_errors_not_crashes(api):
    rng = random.Random(4)
    for _ in range(600):
        path = rng.choice(PATHS)
        method = rng.choice(["get", "post", "patch", "delete"])
        params = {}
        if path.startswith("query"):
            params["q"] = " ".join(rng.choice(SOQL) for _ in range(rng.randint(0, 14)))
        if rng.random() < 0.3:
            params.update(start=str(rng.choice(VALUES)), end=str(rng.choice(VALUES)),
                          ids=str(rng.choice(VALUES)), fields=rng.choice(FIELDS))
        body = {rng.choice(FIELDS): rng.choice(VALUES) for _ in range(rng.randint(0, 5))}
        if rng.random() < 0.1:
            data = rng.choice([b"{", b"[]", b"null", b"\xff\xfe", json.dumps(body).encode()])
        else:
            data = json.dumps(body).encode()
        response = getattr(api.client, method)(
            f"/services/data/v59.0/{path}", query_string=params, data=data,
            headers={**api.headers, "Content-Type": "application/json"})
        assert response.status_code < 500, (method, path, params, data, response.data)
        assert b"Traceback" not in response.data
        if response.status_code >= 400:
            error = response.json
            assert isinstance(error, list) and error[0]["errorCode"], response.data


def test_concurrent_writers_get_distinct_ids(sf_server, api):
    import requests

    token = api.token
    made: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            for i in range(10):
                response = session.post(f"{sf_server.url}/services/data/v59.0/sobjects/Task",
                                        json={"Subject": f"{n}-{i}", "WhoId": LENA})
                assert response.status_code == 201, response.text
                with lock:
                    made.append(response.json()["id"])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 80
    assert sorted(made) == [IDS.make("Task", n) for n in range(1, 81)]
    assert api.query("SELECT COUNT() FROM Task").json["totalSize"] == 80


def test_a_lone_surrogate_in_a_batch_writes_nothing_and_is_no_500(api):
    # allOrNone false, one good record and one with a lone surrogate in a date: this
    # created the first record and then answered 500 UNKNOWN_EXCEPTION (the echo of the
    # bad value could not be encoded)
    body = ('{"allOrNone": false, "records": ['
            '{"attributes": {"type": "Lead"}, "LastName": "Surrogate", "Company": "A"},'
            '{"attributes": {"type": "Task"}, "Subject": "x", '
            '"ActivityDate": "2026-01-0\\ud800"}]}')
    for path in ("composite/sobjects", "sobjects/Lead"):
        response = api.client.post(f"/services/data/v59.0/{path}", data=body.encode(),
                                   headers={**api.headers, "Content-Type": "application/json"})
        assert response.status_code == 400, response.data
        assert response.json[0]["errorCode"] == "JSON_PARSER_ERROR"
        assert "surrogate" in response.json[0]["message"]
    assert api.records("SELECT Id FROM Lead WHERE LastName = 'Surrogate'") == []


def test_a_batch_that_fails_unexpectedly_half_way_has_written_nothing(api, monkeypatch):
    # a 500 must never hide a committed write: when the second record of an allOrNone
    # false batch breaks the mock itself, the first record it created goes too
    from mocks.salesforce.models import Org

    real, made = Org.create, []

    def create_then_break(self, conn, obj, body, actor):
        if made:
            raise RuntimeError("the mock broke on the second record")
        made.append(real(self, conn, obj, body, actor))
        return made[-1]

    monkeypatch.setattr(Org, "create", create_then_break)
    response = api.post("composite/sobjects", json={"allOrNone": False, "records": [
        {"attributes": {"type": "Lead"}, "LastName": "Halfway", "Company": "A"},
        {"attributes": {"type": "Lead"}, "LastName": "Second", "Company": "A"}]})
    assert response.status_code == 500
    assert response.json[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    assert "Traceback" not in response.get_data(as_text=True)
    assert made  # the first record was created in the transaction, then rolled back
    monkeypatch.undo()
    assert api.records("SELECT Id FROM Lead WHERE LastName IN ('Halfway', 'Second')") == []


def test_json_nested_a_thousand_levels_is_a_parser_error(api):
    for data in (b"[" * 1000 + b"]" * 1000, b'{"LastName": ' + b"[" * 500 + b"]" * 500 + b"}"):
        response = api.client.post("/services/data/v59.0/sobjects/Lead", data=data,
                                   headers={**api.headers, "Content-Type": "application/json"})
        assert response.status_code == 400 and response.json[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_a_body_over_fifty_megabytes_is_refused_as_salesforce_does(api, app):
    app.extensions["siasim"].config.max_body_bytes = 1000  # the figure, made small
    response = api.client.post("/services/data/v59.0/sobjects/Lead",
                               data=b'{"LastName": "' + b"x" * 2000 + b'"}',
                               headers={**api.headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json == [{"message": "Maximum size of request reached. Maximum size of "
                                         "request is 1000 bytes.",
                              "errorCode": "JSON_PARSER_ERROR"}]

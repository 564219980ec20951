"""The envelope and the errors: HTTP 200 with string codes, 413 and 414, never a traceback."""

from __future__ import annotations

import json
import re

from mocks.marketo import activitylog

LEADS = "/rest/v1/leads.json"


def test_envelope_shape(api):
    body = api.ok("get", f"{LEADS}?filterType=id&filterValues=1")
    assert list(body) == ["requestId", "success", "result"]
    assert re.fullmatch(r"[0-9a-f]{4}#[0-9a-f]+", body["requestId"])
    failure = api.get(f"{LEADS}?filterValues=1")
    assert failure.status_code == 200
    assert list(failure.json) == ["requestId", "success", "errors"]
    assert failure.json["errors"] == [{"code": "701", "message": "filterType cannot be blank"}]


def test_unknown_resource_and_method(api):
    assert api.error("get", "/rest/v1/nowhere.json")["code"] == "610"
    assert api.error("delete", "/rest/v1/activities/types.json")["code"] == "605"
    assert api.error("post", "/rest/v1/leads/describe.json", json={})["code"] == "605"


def test_bad_json_and_content_type(api):
    assert api.error("post", LEADS, data="{not json",
                     headers={"Content-Type": "application/json"})["code"] == "609"
    assert api.error("post", LEADS, data="[1, 2]",
                     headers={"Content-Type": "application/json"})["code"] == "609"
    assert api.error("post", LEADS, data="input=1",
                     headers={"Content-Type": "text/plain"})["code"] == "612"
    assert api.error("post", "/rest/v1/activities/external.json", data="x=1",
                     headers={"Content-Type": "application/x-www-form-urlencoded"}
                     )["code"] == "612"


def test_json_no_store_could_hold_is_609_not_611(api):
    # nested a thousand levels (RecursionError), lone surrogates (UnicodeEncodeError on the
    # write or on the echo), NaN: all were system errors
    for data in (b"[" * 1000 + b"]" * 1000, b'{"input": [{"leadId": "\\ud800"}]}',
                 b'{"input": [{"leadId": 1, "primaryAttributeValue": "\xed\xa0\x80"}]}',
                 b'{"input": [{"leadId": NaN}]}'):
        for path in (LEADS, "/rest/v1/activities/external.json"):
            assert api.error("post", path, data=data,
                             headers={"Content-Type": "application/json"})["code"] == "609"


def test_413_for_a_body_over_1_mb(api):
    records = [{"email": f"p{i}@example.com", "title": "x" * 1000} for i in range(1100)]
    response = api.post(LEADS, json={"input": records})
    assert response.status_code == 413
    assert response.json["errors"][0]["code"] == "413"


def test_414_for_a_uri_over_8_kb_and_the_post_that_dodges_it(api):
    values = ",".join(f"somebody{i}@example.com" for i in range(400))[:9000]
    response = api.get(f"{LEADS}?filterType=email&filterValues={values}")
    assert response.status_code == 414
    assert response.json["errors"][0]["code"] == "414"
    short = ",".join(values.split(",")[:300])
    dodged = api.post(LEADS, data={"_method": "GET", "filterType": "email",
                                   "filterValues": short})
    assert dodged.status_code == 200 and dodged.json["success"] is True


def test_an_internal_failure_is_611_without_a_traceback(api, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(activitylog, "read_page", boom)
    response = api.get(f"/rest/v1/activities.json?nextPageToken={api.paging_token()}"
                       "&activityTypeIds=1")
    assert response.status_code == 200
    assert response.json["errors"] == [{"code": "611", "message": "System error"}]
    assert b"Traceback" not in response.data and b"kaboom" not in response.data


def test_a_request_refused_as_a_whole_writes_nothing(api, client, monkeypatch):
    before = client.get("/__admin__/state").json["tables"]
    for body in ({"input": [{"email": "a@example.com"}] * 301},
                 {"action": "merge", "input": [{"email": "a@example.com"}]},
                 {"lookupField": "nope", "input": [{"email": "a@example.com"}]},
                 {"lookupField": "firstName", "input": [{"email": "a@example.com"}]},
                 {"partitionName": "Elsewhere", "input": [{"email": "a@example.com"}]},
                 {"input": []}, {"input": "x"}):
        assert api.error("post", LEADS, json=body)["code"] in ("1003", "1006", "1011", "701")
    # a failure half way through a batch rolls back the records written before it
    calls = []
    real = activitylog.append

    def fail_late(db, items):
        calls.append(len(items))
        raise RuntimeError("disk full")

    monkeypatch.setattr(activitylog, "append", fail_late)
    response = api.post(LEADS, json={"input": [{"email": f"n{i}@example.com"}
                                               for i in range(3)]})
    assert response.json["errors"][0]["code"] == "611" and calls == [3]
    monkeypatch.setattr(activitylog, "append", real)
    assert client.get("/__admin__/state").json["tables"] == before


def test_errors_are_journaled_with_their_codes(api, client):
    api.get(f"{LEADS}?filterType=nope&filterValues=1")
    entry = client.get("/__admin__/journal?path=/rest/v1/leads.json").json["entries"][-1]
    assert entry["status"] == 200
    assert json.loads(entry["responseBody"])["errors"][0]["code"] == "1006"
    assert "Bearer" not in json.dumps(entry) or "***" in json.dumps(entry)


def test_413_and_414_on_a_real_server(app, serve):
    """cheroot sets no URI limit of its own: the mock answers 414 itself."""
    import requests

    server = serve(app)
    long_uri = requests.get(f"{server.url}{LEADS}?filterType=email&filterValues={'a' * 70000}",
                            timeout=10)
    assert long_uri.status_code == 414 and long_uri.json()["errors"][0]["code"] == "414"
    big = requests.post(f"{server.url}{LEADS}", data=b"x" * (1024 * 1024 + 1),
                        headers={"Content-Type": "application/json"}, timeout=10)
    assert big.status_code == 413 and big.json()["errors"][0]["code"] == "413"


ODD_VALUES = [None, 0, -1, 1.5, True, "", "x", [], [None], [1, "a"], {}, {"a": {"b": 1}},
              [{"id": "x"}], [{"email": ["a"]}], [{"leadId": True, "activityTypeId": "39"}]]
WRITE_ENDPOINTS = ["/rest/v1/leads.json", "/rest/v1/leads/delete.json",
                   "/rest/v1/activities/external.json", "/bulk/v1/leads/export/create.json"]
KEYS = ["input", "action", "lookupField", "fields", "filter", "format", "columnHeaderNames",
        "partitionName"]


def test_odd_bodies_never_make_a_system_error(api):
    """Whatever the shape of the JSON, the answer is an API error or per-record reasons."""
    for path in WRITE_ENDPOINTS:
        for key in KEYS:
            for value in ODD_VALUES:
                response = api.post(path, json={key: value})
                assert response.status_code == 200, (path, key, value)
                body = response.json
                codes = [e["code"] for e in body.get("errors", [])]
                assert "611" not in codes, (path, key, value, body)
        for value in ODD_VALUES:
            response = api.post(path, json=value)
            assert "611" not in [e["code"] for e in response.json.get("errors", [])], value


def test_odd_query_parameters_never_make_a_system_error(api):
    token = api.paging_token()
    paths = [f"{LEADS}?filterType=id", "/rest/v1/lead/1.json?",
             f"/rest/v1/activities.json?nextPageToken={token}&activityTypeIds=1",
             f"/rest/v1/activities/leadchanges.json?nextPageToken={token}&fields=email",
             f"/rest/v1/activities/deletedleads.json?nextPageToken={token}",
             "/rest/v1/activities/pagingtoken.json?", "/bulk/v1/leads/export.json?"]
    odd = ["", ",", "%00", "-1", "99999999999999999999", "1,,2", "x" * 300, "é", "[]", "null"]
    for path in paths:
        for name in ("filterValues", "fields", "batchSize", "nextPageToken", "leadIds",
                     "activityTypeIds", "assetIds", "sinceDatetime", "status", "listId"):
            for value in odd:
                response = api.get(f"{path}&{name}={value}")
                assert response.status_code == 200, (path, name, value)
                codes = [e["code"] for e in response.json.get("errors", [])]
                assert "611" not in codes, (path, name, value, response.json)


def test_odd_record_values_are_record_level_reasons(api):
    values = [None, 2**70, -2**70, 1e308, True, "", "x" * 5000, [], {}, "2024-13-45"]
    fields = ["email", "leadScore", "unsubscribed", "annualRevenue", "dateOfBirth",
              "firstName"]
    for lookup in ("email", "id"):
        records = [{"email": f"odd{n}@example.com", "id": n, field: value}
                   if lookup == "id" else {"email": f"odd{n}@example.com", field: value}
                   for n, (field, value) in enumerate((f, v) for f in fields for v in values)]
        for start in range(0, len(records), 50):
            body = api.ok("post", LEADS, json={"lookupField": lookup,
                                               "input": records[start:start + 50]})
            assert all(r["status"] in ("created", "updated", "skipped") for r in body["result"])
    api.as_sia()
    types = api.ok("get", "/rest/v1/activities/types.json")["result"]
    send = next(t["id"] for t in types if t["name"] == "Send Sales Email")
    for value in values:
        body = api.ok("post", "/rest/v1/activities/external.json", json={"input": [
            {"leadId": 1, "activityTypeId": send, "activityDate": value,
             "primaryAttributeValue": value,
             "attributes": [{"name": "Template ID", "value": value},
                            {"name": "Sent By", "value": value}]}]})
        assert body["result"][0]["status"] in ("added", "skipped")

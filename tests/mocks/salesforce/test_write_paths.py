"""Every write path meets the single-record rules, word for word.

The same bad records go in through each way Salesforce takes a record: a single-record
POST (the reference), ``composite/sobjects``, a ``/composite`` subrequest, a
``composite/batch`` subrequest, ``composite/tree``, a Bulk API 2.0 CSV job and Bulk API 1.0
jobs in CSV, JSON and XML, and the admin route a UI change takes. Each must be refused
with the same code, message and fields, and the one good record must come out the same
(its derived fields, defaults and owner) whichever way it came. Updates likewise.
"""

from __future__ import annotations

import csv
import io
import json
import re
from xml.sax.saxutils import escape

import pytest

V = "/services/data/v59.0"
ASYNC = "/services/async/59.0"
NS = "http://www.force.com/2009/06/asyncapi/dataload"
PATHS = ("composite/sobjects", "composite", "composite/batch", "composite/tree",
         "bulk2 csv", "bulk1 csv", "bulk1 json", "bulk1 xml", "admin")


@pytest.fixture
def instant(api):
    api.admin("patch", "bulk", json={"startDelay": 0, "minSeconds": 0})
    return api


def _ids(api, soql: str) -> list[str]:
    return [r["Id"] for r in api.records(soql)]


def bad_opportunities(api) -> dict[str, dict]:
    """Named bodies each refused by one rule (values as text, as CSV carries them)."""
    gone = api.post("sobjects/Account", json={"Name": "Gone Co"}).json["id"]
    api.delete(f"sobjects/Account/{gone}")
    contact = _ids(api, "SELECT Id FROM Contact LIMIT 1")[0]
    inactive = _ids(api, "SELECT Id FROM User WHERE IsActive = false LIMIT 1")[0]
    api.post("sobjects/Opportunity", json={"Name": "Held", "StageName": "Prospecting",
                                           "CloseDate": "2026-06-30",
                                           "External_Id__c": "held-1"})
    base = {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-06-30"}
    return {
        "required": {"Name": "Deal", "StageName": "Prospecting"},
        "too long": {**base, "Name": "N" * 121},
        "wrong parent type": {**base, "AccountId": contact},
        "deleted parent": {**base, "AccountId": gone},
        "malformed id": {**base, "AccountId": "nope"},
        "inactive owner": {**base, "OwnerId": inactive},
        "out of range": {**base, "Probability": "1000"},
        "read-only": {**base, "IsWon": "true"},
        "duplicate": {**base, "External_Id__c": "HELD-1"},
    }


GOOD = {"Name": "Won Deal", "StageName": "Closed Won", "CloseDate": "2026-06-30",
        "External_Id__c": "won-{n}"}
KEPT = "SELECT Name, StageName, IsClosed, IsWon, Probability, OwnerId, CreatedById, " \
       "IsDeleted FROM Opportunity WHERE External_Id__c = '{ext}'"


def _triple(error: dict) -> tuple:
    return (error.get("errorCode") or error.get("statusCode"), error["message"],
            error.get("fields") or [])


def _from_text(text: str) -> tuple:
    """``CODE:message:field,field --`` as a Bulk result writes an error."""
    code, _, rest = text.partition(":")
    message, _, fields = rest.rpartition(":")
    names = fields.removesuffix(" --").strip()
    return code, message, names.split(",") if names else []


# --- one record at a time: (error triple or None, new id or None) -------------------------

def one_rest(api, body):
    response = api.post("sobjects/Opportunity", json=body)
    if response.status_code == 201:
        return None, response.json["id"]
    assert response.status_code == 400, response.json
    return _triple(response.json[0]), None


def one_collection(api, body):
    response = api.post("composite/sobjects", json={"allOrNone": False, "records": [
        {"attributes": {"type": "Opportunity"}, **body}]})
    assert response.status_code == 200, response.json
    [item] = response.json
    return (None, item["id"]) if item["success"] else (_triple(item["errors"][0]), None)


def _sub(body) -> dict:
    return {"method": "POST", "url": f"{V}/sobjects/Opportunity", "referenceId": "r",
            "body": body}


def one_composite(api, body):
    response = api.post("composite", json={"compositeRequest": [_sub(body)]})
    assert response.status_code == 200, response.json
    [item] = response.json["compositeResponse"]
    if item["httpStatusCode"] == 201:
        return None, item["body"]["id"]
    return _triple(item["body"][0]), None


def one_batch(api, body):
    response = api.post("composite/batch", json={"batchRequests": [{
        "method": "POST", "url": "v59.0/sobjects/Opportunity", "richInput": body}]})
    assert response.status_code == 200, response.json
    [item] = response.json["results"]
    if item["statusCode"] == 201:
        return None, item["result"]["id"]
    return _triple(item["result"][0]), None


def one_tree(api, body):
    response = api.post("composite/tree/Opportunity", json={"records": [
        {"attributes": {"type": "Opportunity", "referenceId": "r1"}, **body}]})
    if response.status_code == 201:
        return None, response.json["results"][0]["id"]
    assert response.status_code == 400, response.json
    return _triple(response.json["results"][0]["errors"][0]), None


def one_admin(api, body):
    response = api.admin("post", "sobjects/Opportunity", json=body)
    if response.status_code == 201:
        return None, response.json["id"]
    assert response.status_code == 400, response.json
    return _triple(response.json), None  # the admin API's own error object


# --- a whole job of records: one (error triple or None, id or None) each ------------------

def _csv(bodies: list[dict]) -> str:
    header = sorted({k for b in bodies for k in b})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for body in bodies:
        writer.writerow([body.get(k, "") for k in header])
    return out.getvalue()


def job_bulk2(api, bodies):
    job = api.post("jobs/ingest", json={"object": "Opportunity", "operation": "insert"}).json
    assert api.client.put(f"{V}/jobs/ingest/{job['id']}/batches", data=_csv(bodies).encode(),
                          headers={**api.headers, "Content-Type": "text/csv"}) \
        .status_code == 201
    api.patch(f"jobs/ingest/{job['id']}", json={"state": "UploadComplete"})
    assert api.get(f"jobs/ingest/{job['id']}").json["state"] == "JobComplete"
    results: dict[tuple, tuple] = {}
    for which in ("successfulResults", "failedResults"):
        rows = list(csv.reader(io.StringIO(api.get(
            f"jobs/ingest/{job['id']}/{which}").data.decode())))
        header = rows[0][2:]
        for row in rows[1:]:
            sent = tuple(sorted((k, v) for k, v in zip(header, row[2:], strict=True) if v))
            results[sent] = (None, row[0]) if which == "successfulResults" else (
                _from_text(row[1]), None)
    return [results[tuple(sorted((k, v) for k, v in b.items() if v))] for b in bodies]


def _v1(api, method, path, data, content_type):
    return getattr(api.client, method)(ASYNC + path, data=data, headers={
        "X-SFDC-Session": api.token, "Content-Type": content_type})


def _bulk1(api, fmt: str, data: bytes, mimetype: str):
    job = json.loads(_v1(api, "post", "/job", json.dumps({
        "operation": "insert", "object": "Opportunity", "contentType": fmt}),
        "application/json").data)
    batch = _v1(api, "post", f"/job/{job['id']}/batch", data, mimetype)
    assert batch.status_code == 201, batch.data
    batch_id = json.loads(batch.data)["id"] if fmt == "JSON" else \
        re.search(r"<id>(\w+)</id>", batch.data.decode()).group(1)
    return _v1(api, "get", f"/job/{job['id']}/batch/{batch_id}/result", None, mimetype).data


def job_bulk1_csv(api, bodies):
    rows = list(csv.reader(io.StringIO(_bulk1(api, "CSV", _csv(bodies).encode(),
                                              "text/csv").decode())))
    assert rows[0] == ["Id", "Success", "Created", "Error"]
    return [(None, r[0]) if r[1] == "true" else (_from_text(r[3]), None) for r in rows[1:]]


def job_bulk1_json(api, bodies):
    results = json.loads(_bulk1(api, "JSON", json.dumps(bodies).encode(),
                                "application/json"))
    return [(None, r["id"]) if r["success"] else (_triple(r["errors"][0]), None)
            for r in results]


def job_bulk1_xml(api, bodies):
    records = "".join("<sObject>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in b.items())
                      + "</sObject>" for b in bodies)
    body = _bulk1(api, "XML", f'<sObjects xmlns="{NS}">{records}</sObjects>'.encode(),
                  "application/xml").decode()
    out = []
    for result in re.findall(r"<result>(.*?)</result>", body):
        if "<success>true</success>" in result:
            out.append((None, re.search(r"<id>(\w+)</id>", result).group(1)))
            continue
        fields = re.findall(r"<fields>(.*?)</fields>", result)
        message = re.search(r"<message>(.*?)</message>", result).group(1)
        code = re.search(r"<statusCode>(.*?)</statusCode>", result).group(1)
        out.append(((code, message, fields), None))
    return out


ONE = {"composite/sobjects": one_collection, "composite": one_composite,
       "composite/batch": one_batch, "composite/tree": one_tree, "admin": one_admin}
JOBS = {"bulk2 csv": job_bulk2, "bulk1 csv": job_bulk1_csv, "bulk1 json": job_bulk1_json,
        "bulk1 xml": job_bulk1_xml}


@pytest.mark.parametrize("path", PATHS)
def test_a_create_meets_the_single_record_rules_on_every_path(instant, path):
    api = instant
    cases = bad_opportunities(api)
    expected = {}
    for name, body in cases.items():
        error, _ = one_rest(api, body)
        assert error is not None, name
        expected[name] = error
    good = {k: v.format(n=path) for k, v in GOOD.items()}
    assert one_rest(api, {**good, "External_Id__c": "ref"})[0] is None
    reference = api.one(KEPT.format(ext="ref"))
    before = api.query("SELECT COUNT() FROM Opportunity").json["totalSize"]
    bodies = [*cases.values(), good]
    if path in ONE:
        got = [ONE[path](api, body) for body in bodies]
    else:
        got = JOBS[path](api, bodies)
    for name, (error, new_id) in zip(cases, got, strict=False):
        assert new_id is None, (path, name)
        assert error == expected[name], (path, name)
    error, new_id = got[-1]
    assert error is None and new_id and new_id.startswith("006"), (path, got[-1])
    assert api.query("SELECT COUNT() FROM Opportunity").json["totalSize"] == before + 1
    stored = api.one(KEPT.format(ext=good["External_Id__c"]))
    assert {k: v for k, v in stored.items() if k not in ("Name", "attributes")} == \
        {k: v for k, v in reference.items() if k not in ("Name", "attributes")}
    assert (stored["IsClosed"], stored["IsWon"], stored["Probability"]) == (True, True, 100)


# --- updates ------------------------------------------------------------------------------

def _lead(api, n: int) -> str:
    return api.post("sobjects/Lead", json={"LastName": f"Upd{n}", "Company": "Co"}).json["id"]


def bad_updates(api) -> dict[str, dict]:
    """Named update bodies (with the Id) refused by one rule each."""
    converted = _lead(api, 0)
    api.admin("post", "leads/convert", json={"leadId": converted,
                                             "doNotCreateOpportunity": True})
    return {
        "cleared required": {"Id": _lead(api, 1), "LastName": None},
        "bad email": {"Id": _lead(api, 2), "Email": "nope"},
        "converted lead": {"Id": converted, "Title": "Later"},
        "read-only": {"Id": _lead(api, 3), "IsConverted": "true"},
    }


def update_rest(api, body):
    values = dict(body)
    record_id = values.pop("Id")
    response = api.patch(f"sobjects/Lead/{record_id}", json=values)
    if response.status_code == 204:
        return None
    return _triple(response.json[0])


def update_collection(api, body):
    response = api.patch("composite/sobjects", json={"allOrNone": False, "records": [
        {"attributes": {"type": "Lead"}, **body}]})
    [item] = response.json
    return None if item["success"] else _triple(item["errors"][0])


def update_bulk2(api, body):
    values = {k: ("#N/A" if v is None else v) for k, v in body.items()}
    job = api.post("jobs/ingest", json={"object": "Lead", "operation": "update"}).json
    api.client.put(f"{V}/jobs/ingest/{job['id']}/batches", data=_csv([values]).encode(),
                   headers={**api.headers, "Content-Type": "text/csv"})
    api.patch(f"jobs/ingest/{job['id']}", json={"state": "UploadComplete"})
    rows = list(csv.reader(io.StringIO(api.get(
        f"jobs/ingest/{job['id']}/failedResults").data.decode())))
    return _from_text(rows[1][1]) if len(rows) > 1 else None


def update_bulk1_json(api, body):
    job = json.loads(_v1(api, "post", "/job", json.dumps({
        "operation": "update", "object": "Lead", "contentType": "JSON"}),
        "application/json").data)
    batch = json.loads(_v1(api, "post", f"/job/{job['id']}/batch", json.dumps([body]),
                           "application/json").data)
    [result] = json.loads(_v1(api, "get", f"/job/{job['id']}/batch/{batch['id']}/result",
                              None, "application/json").data)
    return None if result["success"] else _triple(result["errors"][0])


def update_composite(api, body):
    values = dict(body)
    record_id = values.pop("Id")
    response = api.post("composite", json={"compositeRequest": [{
        "method": "PATCH", "url": f"{V}/sobjects/Lead/{record_id}", "referenceId": "r",
        "body": values}]})
    [item] = response.json["compositeResponse"]
    return None if item["httpStatusCode"] == 204 else _triple(item["body"][0])


def update_batch(api, body):
    values = dict(body)
    record_id = values.pop("Id")
    response = api.post("composite/batch", json={"batchRequests": [{
        "method": "PATCH", "url": f"v59.0/sobjects/Lead/{record_id}", "richInput": values}]})
    [item] = response.json["results"]
    return None if item["statusCode"] == 204 else _triple(item["result"][0])


def update_bulk1_csv(api, body):
    values = {k: ("#N/A" if v is None else v) for k, v in body.items()}
    job = json.loads(_v1(api, "post", "/job", json.dumps({
        "operation": "update", "object": "Lead", "contentType": "CSV"}),
        "application/json").data)
    batch = _v1(api, "post", f"/job/{job['id']}/batch", _csv([values]).encode(), "text/csv")
    batch_id = re.search(r"<id>(\w+)</id>", batch.data.decode()).group(1)
    rows = list(csv.reader(io.StringIO(_v1(
        api, "get", f"/job/{job['id']}/batch/{batch_id}/result", None, "text/csv")
        .data.decode())))
    return None if rows[1][1] == "true" else _from_text(rows[1][3])


UPDATES = {"composite/sobjects": update_collection, "composite": update_composite,
           "composite/batch": update_batch, "bulk2 csv": update_bulk2,
           "bulk1 csv": update_bulk1_csv, "bulk1 json": update_bulk1_json}


@pytest.mark.parametrize("path", UPDATES)
def test_an_update_meets_the_single_record_rules_on_every_path(instant, path):
    api = instant
    for name, body in bad_updates(api).items():
        expected = update_rest(api, body)
        assert expected is not None, name
        assert UPDATES[path](api, body) == expected, (path, name)
    record_id = _lead(api, 9)
    assert UPDATES[path](api, {"Id": record_id, "Title": "Changed"}) is None
    assert api.one(f"SELECT Title FROM Lead WHERE Id = '{record_id}'")["Title"] == "Changed"

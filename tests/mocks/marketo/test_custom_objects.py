"""Custom objects: a type's draft, fields, approval; records through the object shape;
their bulk export."""

from __future__ import annotations

import csv
import io

SCHEMA = "/rest/v1/customobjects/schema"


def make_type(api) -> None:
    api.ok("post", f"{SCHEMA}.json", json={"apiName": "car", "displayName": "Car",
                                           "pluralName": "Cars"})
    api.ok("post", f"{SCHEMA}/car/addField.json", json={"input": [
        {"name": "vin", "displayName": "VIN", "dataType": "string", "isDedupeField": True},
        {"name": "model", "displayName": "Model", "dataType": "string"},
        {"name": "year", "displayName": "Year", "dataType": "integer"},
        {"name": "owner", "displayName": "Owner", "dataType": "link",
         "relatedTo": {"name": "lead", "field": "id"}}]})


def test_a_type_is_drafted_then_approved(api):
    make_type(api)
    draft = api.ok("get", f"{SCHEMA}/car/describe.json")["result"][0]
    assert draft["state"] == "draft" and draft["dedupeFields"] == ["vin"]
    assert api.ok("get", "/rest/v1/customobjects.json")["result"] == []
    assert api.error("post", "/rest/v1/customobjects/car.json",
                     json={"input": [{"vin": "1"}]})["code"] == "1013"
    api.ok("post", f"{SCHEMA}/car/approve.json")
    live = api.ok("get", "/rest/v1/customobjects/car/describe.json")["result"][0]
    assert live["idField"] == "marketoGUID" and live["relationships"][0]["relatedTo"] == {
        "name": "lead", "field": "id"}
    api.ok("post", f"{SCHEMA}/car/addField.json", json={"input": [
        {"name": "colour", "displayName": "Colour", "dataType": "string"}]})
    assert api.ok("get", f"{SCHEMA}/car/describe.json")["result"][0]["state"] == \
        "approvedWithDraft"
    api.ok("post", f"{SCHEMA}/car/discardDraft.json")
    assert api.error("post", f"{SCHEMA}/car/addField.json", json={"input": [
        {"name": "x", "displayName": "X", "dataType": "colour"}]})["code"] == "1003"
    assert api.ok("get", f"{SCHEMA}/linkableObjects.json")["result"][0]["name"] == "lead"
    assert {"dataType": "link"} in api.ok("get", f"{SCHEMA}/fieldDataTypes.json")["result"]
    api.ok("post", f"{SCHEMA}.json", json={"apiName": "nokey", "displayName": "No key"})
    assert api.error("post", f"{SCHEMA}/nokey/approve.json")["code"] == "1003"


def test_records_and_their_export(api):
    make_type(api)
    api.ok("post", f"{SCHEMA}/car/approve.json")
    made = api.ok("post", "/rest/v1/customobjects/car.json", json={"input": [
        {"vin": "V1", "model": "Roadster", "year": 2020, "owner": 1},
        {"vin": "V2", "model": "Van", "year": "old"}]})["result"]
    assert made[0]["status"] == "created" and made[0]["marketoGUID"]
    assert made[1]["reasons"][0]["code"] == "1001"
    found = api.ok("get", "/rest/v1/customobjects/car.json?filterType=vin&filterValues=V1"
                   "&fields=model,year,owner")["result"]
    assert found[0]["model"] == "Roadster" and found[0]["owner"] == 1
    api.admin("patch", "/exports", json={"startDelay": 0, "minSeconds": 0})
    job = api.ok("post", "/bulk/v1/customobjects/car/export/create.json", json={
        "fields": ["vin", "model", "owner"],
        "filter": {"updatedAt": {"startAt": "2020-01-01T00:00:00Z",
                                 "endAt": "2020-01-31T00:00:00Z"}}})["result"][0]
    api.ok("post", f"/bulk/v1/customobjects/car/export/{job['exportId']}/enqueue.json")
    assert api.ok("get", f"/bulk/v1/customobjects/car/export/{job['exportId']}/status.json"
                  )["result"][0]["numberOfRecords"] == 0  # made now, not in 2020
    now = api.admin("get", "/clock").json["now"][:10]
    job = api.ok("post", "/bulk/v1/customobjects/car/export/create.json", json={
        "fields": ["vin", "model", "owner"],
        "filter": {"updatedAt": {"startAt": f"{now}T00:00:00Z",
                                 "endAt": f"{now}T23:59:59Z"}}})["result"][0]
    api.ok("post", f"/bulk/v1/customobjects/car/export/{job['exportId']}/enqueue.json")
    rows = list(csv.DictReader(io.StringIO(api.get(
        f"/bulk/v1/customobjects/car/export/{job['exportId']}/file.json").data.decode())))
    assert rows == [{"vin": "V1", "model": "Roadster", "owner": "1"}]
    deleted = api.ok("post", "/rest/v1/customobjects/car/delete.json",
                     json={"input": [{"vin": "V1"}]})["result"]
    assert deleted[0]["status"] == "deleted"
    api.ok("post", f"{SCHEMA}/car/delete.json")
    assert api.ok("get", f"{SCHEMA}.json")["result"] == []


def upload(api, path: str, text: str):
    return api.post(path, data={"file": (io.BytesIO(text.encode()), "rows.csv")},
                    content_type="multipart/form-data")


def test_custom_object_and_program_member_imports(api):
    make_type(api)
    api.ok("post", f"{SCHEMA}/car/approve.json")
    batch = upload(api, "/bulk/v1/customobjects/car/import.json?format=csv",
                   "vin,model,year\nV9,Coupe,2021\nV8,Sedan,soon\n").json["result"][0]
    status = api.ok("get", f"/bulk/v1/customobjects/car/import/{batch['batchId']}/status.json"
                    )["result"][0]
    assert (status["objectApiName"], status["numOfObjectsProcessed"],
            status["numOfRowsFailed"]) == ("car", 2, 1)
    failures = api.get(f"/bulk/v1/customobjects/car/import/{batch['batchId']}/failures.json")
    assert "V8" in failures.data.decode() and "Import Failure Reason" in failures.data.decode()
    assert api.ok("get", "/rest/v1/customobjects/car.json?filterType=vin&filterValues=V9"
                  )["result"]
    assert upload(api, "/bulk/v1/customobjects/car/import.json?format=csv",
                  "colour\nred\n").json["errors"][0]["code"] == "1006"

    members = upload(api, "/bulk/v1/program/1002/members/import.json?format=csv"
                     "&programMemberStatus=Registered",
                     "email,firstName\nnewmember@example.com,New\n").json["result"][0]
    status = api.ok("get", f"/bulk/v1/program/members/import/{members['batchId']}/status.json"
                    )["result"][0]
    assert status["numOfLeadsProcessed"] == 1 and status["numOfRowsFailed"] == 0
    person = api.ok("get", "/rest/v1/leads.json?filterType=email"
                    "&filterValues=newmember@example.com")["result"][0]
    mine = api.ok("get", f"/rest/v1/leads/{person['id']}/programMembership.json")["result"]
    assert [(m["id"], m["progressionStatus"]) for m in mine] == [(1002, "Registered")]
    assert upload(api, "/bulk/v1/program/1002/members/import.json?format=csv"
                  "&programMemberStatus=Engaged", "email\nx@example.com\n"
                  ).json["errors"][0]["code"] == "1003"
    # a batch is found under its own kind only
    assert api.error("get", f"/bulk/v1/leads/batch/{members['batchId']}.json")["code"] == "1013"

"""The Bulk APIs through the test client: states on the clock, CSV as Salesforce writes
it, results, errors, limits, and every write going through the single-record rules."""

from __future__ import annotations

import re

import pytest

V = "/services/data/v59.0"
ASYNC = "/services/async/40.0"
NS = "http://www.force.com/2009/06/asyncapi/dataload"
START = "2026-01-10T12:00:00Z"


@pytest.fixture
def instant(api):
    api.admin("patch", "bulk", json={"startDelay": 0, "minSeconds": 0})
    return api


def count(api, soql: str) -> int:
    return api.query(soql).json["totalSize"]


def ingest(api, obj: str, operation: str, data: str, **spec) -> str:
    job = api.post("jobs/ingest", json={"object": obj, "operation": operation, **spec})
    assert job.status_code == 200, job.json
    job_id = job.json["id"]
    upload = api.client.put(f"{V}/jobs/ingest/{job_id}/batches", data=data.encode(),
                            headers={**api.headers, "Content-Type": "text/csv"})
    assert upload.status_code == 201, upload.data
    done = api.patch(f"jobs/ingest/{job_id}", json={"state": "UploadComplete"})
    assert done.status_code == 200, done.json
    return job_id


def text(response) -> str:
    assert response.status_code == 200, response.data
    return response.data.decode()


# --- Bulk 2.0 ingest --------------------------------------------------------------------------

def test_an_ingest_job_writes_each_record_through_the_single_record_rules(instant):
    api = instant
    job_id = ingest(api, "Lead", "insert", "LastName,Company,Email,Status\n"
                    "Ok,Co,ok@x.example,\nBad,Co,not-an-email,\n,Co,c@x.example,\n"
                    "Pick,Co,p@x.example,Nope\n")
    info = api.get(f"jobs/ingest/{job_id}").json
    assert info["state"] == "JobComplete"
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (4, 2)
    ok = text(api.get(f"jobs/ingest/{job_id}/successfulResults")).splitlines()
    assert ok[0] == '"sf__Id","sf__Created",LastName,Company,Email,Status'
    lead_id = re.match(r'"(00Q\w{15})","true","Ok"', ok[1]).group(1)
    assert len(ok) == 3  # the unrestricted picklist takes any value, as in Salesforce
    failed = text(api.get(f"jobs/ingest/{job_id}/failedResults")).splitlines()
    assert failed[1] == ('"","INVALID_EMAIL_ADDRESS:Email: invalid email address: '
                         'not-an-email:Email --","Bad","Co","not-an-email",""')
    assert failed[2].startswith('"","REQUIRED_FIELD_MISSING:Required fields are missing: '
                                '[LastName]:LastName --"')
    lead = api.one(f"SELECT Name, Status, OwnerId, CreatedDate FROM Lead WHERE Id = "
                   f"'{lead_id}'")
    assert lead["Status"] == "Open - Not Contacted"  # empty: the default, as a create gives
    assert lead["Name"] == "Ok"


def test_update_upsert_and_delete_jobs(instant):
    api = instant
    first = ingest(api, "Account", "insert", "Name,External_Id__c\nOne,e1\nTwo,e2\n")
    ids = [line.split(",")[0].strip('"') for line in
           text(api.get(f"jobs/ingest/{first}/successfulResults")).splitlines()[1:]]
    ingest(api, "Account", "update", f"Id,Phone\n{ids[0]},555\n{ids[1]},#N/A\n")
    assert api.one(f"SELECT Phone FROM Account WHERE Id = '{ids[0]}'")["Phone"] == "555"
    up = ingest(api, "Account", "upsert", "External_Id__c,Name\ne2,Two bis\ne3,Three\n",
                externalIdFieldName="External_Id__c")
    lines = text(api.get(f"jobs/ingest/{up}/successfulResults")).splitlines()[1:]
    assert [line.split(",")[1] for line in lines] == ['"false"', '"true"']
    assert api.one(f"SELECT Name FROM Account WHERE Id = '{ids[1]}'")["Name"] == "Two bis"
    ingest(api, "Account", "delete", f"Id\n{ids[0]}\n")
    assert count(api, f"SELECT COUNT() FROM Account WHERE Id = '{ids[0]}'") == 0
    assert count(api, "SELECT COUNT() FROM Account WHERE Name = 'Three'") == 1


def test_a_header_naming_an_unknown_field_fails_the_job_and_writes_nothing(instant):
    api = instant
    before = count(api, "SELECT COUNT() FROM Lead")
    job_id = ingest(api, "Lead", "insert", "LastName,Company,Nope__c\nA,B,C\n")
    info = api.get(f"jobs/ingest/{job_id}").json
    assert info["state"] == "Failed"
    assert "Field name not found : Nope__c" in info["errorMessage"]
    assert text(api.get(f"jobs/ingest/{job_id}/unprocessedrecords")) == \
        "LastName,Company,Nope__c\nA,B,C\n"
    assert count(api, "SELECT COUNT() FROM Lead") == before


def test_ingest_jobs_move_on_the_mocks_clock(api):
    api.admin("post", "clock", json={"freeze": True})
    api.admin("post", "clock", json={"set": START})
    api.admin("patch", "bulk", json={"startDelay": 5, "minSeconds": 10,
                                     "rowsPerSecond": 1000})
    job_id = ingest(api, "Account", "insert", "Name\nA\nB\n")
    assert api.get(f"jobs/ingest/{job_id}").json["state"] == "UploadComplete"
    assert count(api, "SELECT COUNT() FROM Account WHERE Name IN ('A', 'B')") == 0
    api.admin("post", "clock", json={"advance": 5})
    assert api.get(f"jobs/ingest/{job_id}").json["state"] == "InProgress"
    assert count(api, "SELECT COUNT() FROM Account WHERE Name IN ('A', 'B')") == 2
    response = api.get(f"jobs/ingest/{job_id}/successfulResults")
    assert response.status_code == 400
    assert response.json[0]["errorCode"] == "INVALIDJOBSTATE"
    api.admin("post", "clock", json={"advance": 10.01})
    assert api.get(f"jobs/ingest/{job_id}").json["state"] == "JobComplete"


def test_bad_ingest_requests_are_refused(instant):
    api = instant
    for spec in ({"object": "Nope", "operation": "insert"},
                 {"object": "Lead", "operation": "merge"},
                 {"object": "Lead", "operation": "upsert"},
                 {"object": "Lead", "operation": "upsert", "externalIdFieldName": "Email"},
                 {"object": "Lead", "operation": "insert", "columnDelimiter": "SPACE"}):
        response = api.post("jobs/ingest", json=spec)
        assert response.status_code == 400, (spec, response.json)
    job_id = ingest(api, "Account", "insert", "Name\nX\n")
    again = api.client.put(f"{V}/jobs/ingest/{job_id}/batches", data=b"Name\nY\n",
                           headers={**api.headers, "Content-Type": "text/csv"})
    assert again.status_code == 400
    assert api.get("jobs/ingest/7505cn000000099AAA").status_code == 404
    assert api.client.get(f"{V}/jobs/ingest", headers={"Authorization": "Bearer x"}) \
        .status_code == 401


def test_an_aborted_job_leaves_its_records_unprocessed(api):
    api.admin("patch", "bulk", json={"startDelay": 3600})
    job_id = ingest(api, "Account", "insert", "Name\nLater\n")
    aborted = api.patch(f"jobs/ingest/{job_id}", json={"state": "Aborted"})
    assert aborted.json["state"] == "Aborted"
    assert text(api.get(f"jobs/ingest/{job_id}/unprocessedrecords")) == 'Name\n"Later"\n'
    assert api.delete(f"jobs/ingest/{job_id}").status_code == 204
    assert api.get(f"jobs/ingest/{job_id}").status_code == 404


# --- Bulk 2.0 query ---------------------------------------------------------------------------

def test_a_query_job_pages_its_csv_with_locators(instant):
    api = instant
    ingest(api, "Account", "insert", "Name\n" + "".join(f"Q{n:02d}\n" for n in range(25)))
    job = api.post("jobs/query", json={
        "operation": "query", "query": "SELECT Id, Name, Owner.Email, CreatedDate, "
                                       "NumberOfEmployees FROM Account WHERE Name LIKE 'Q%' "
                                       "ORDER BY Name"}).json
    assert job["state"] == "UploadComplete"
    assert api.get(f"jobs/query/{job['id']}").json["state"] == "JobComplete"
    names, locator, pages = [], None, 0
    while True:
        params = {"maxRecords": 10, **({"locator": locator} if locator else {})}
        page = api.get(f"jobs/query/{job['id']}/results", **params)
        lines = text(page).splitlines()
        assert lines[0] == '"Id","Name","Owner.Email","CreatedDate","NumberOfEmployees"'
        assert int(page.headers["Sforce-NumberOfRecords"]) == len(lines) - 1
        names += [line.split(",")[1].strip('"') for line in lines[1:]]
        pages += 1
        locator = page.headers["Sforce-Locator"]
        if locator == "null":
            break
    assert pages == 3 and names == [f"Q{n:02d}" for n in range(25)]
    row = text(api.get(f"jobs/query/{job['id']}/results", maxRecords=1)).splitlines()[1]
    assert re.fullmatch(r'"001\w{15}","Q00","admin@siasim.example",'
                        r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",""', row)


def test_query_jobs_refuse_what_bulk_cannot_run_and_count_down_the_limits(instant):
    api = instant
    for soql in ("SELECT COUNT() FROM Lead", "SELECT Nope FROM Lead", "SELECT Id FROM Nope",
                 "SELECT TYPEOF Owner WHEN User THEN Email END FROM Lead",
                 "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
                 "SELECT LeadSource, COUNT(Id) FROM Lead GROUP BY LeadSource"):
        response = api.post("jobs/query", json={"operation": "query", "query": soql})
        assert response.status_code == 400, (soql, response.json)
    before = api.get("limits").json["DailyBulkV2QueryJobs"]["Remaining"]
    api.post("jobs/query", json={"operation": "query", "query": "SELECT Id FROM Lead"})
    assert api.get("limits").json["DailyBulkV2QueryJobs"]["Remaining"] == before - 1
    api.admin("patch", "bulk", json={"dailyQueryJobs": 1})
    refused = api.post("jobs/query", json={"operation": "query", "query": "SELECT Id FROM Lead"})
    assert refused.status_code == 400
    assert refused.json[0]["errorCode"] == "LIMIT_EXCEEDED"


def test_query_all_includes_deleted_records(instant):
    api = instant
    gone = api.post("sobjects/Account", json={"Name": "Gone"}).json["id"]
    api.delete(f"sobjects/Account/{gone}")
    for operation, expected in (("query", 0), ("queryAll", 1)):
        job = api.post("jobs/query", json={"operation": operation,
                                           "query": "SELECT Id FROM Account WHERE Name = "
                                                    "'Gone'"}).json
        lines = text(api.get(f"jobs/query/{job['id']}/results")).splitlines()
        assert len(lines) - 1 == expected


# --- Bulk 1.0 ---------------------------------------------------------------------------------

def xml_job(operation: str, obj: str, content: str = "CSV", extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><jobInfo xmlns="{NS}"><operation>'
            f"{operation}</operation><object>{obj}</object>{extra}<contentType>{content}"
            "</contentType></jobInfo>").encode()


def v1(api, method: str, path: str, data=None, content_type="application/xml"):
    headers = {"X-SFDC-Session": api.token, "Content-Type": content_type}
    return getattr(api.client, method)(ASYNC + path, data=data, headers=headers)


def tag(body: bytes, name: str) -> str:
    return re.search(rf"<{name}>(.*?)</{name}>", body.decode()).group(1)


def test_bulk1_csv_insert_then_query_with_results(instant):
    api = instant
    job = v1(api, "post", "/job", xml_job("insert", "Contact"))
    assert job.status_code == 201 and job.headers["Content-Type"] == "application/xml"
    job_id = tag(job.data, "id")
    batch = v1(api, "post", f"/job/{job_id}/batch", b"LastName,Email\nOne,1@x.example\n"
               b"Two,two\n", "text/csv")
    batch_id = tag(batch.data, "id")
    assert tag(batch.data, "state") == "Queued"
    assert tag(v1(api, "get", f"/job/{job_id}/batch/{batch_id}").data, "state") == "Completed"
    result = v1(api, "get", f"/job/{job_id}/batch/{batch_id}/result")
    assert result.headers["Content-Type"] == "text/csv"
    lines = result.data.decode().splitlines()
    assert lines[0] == '"Id","Success","Created","Error"'
    assert re.fullmatch(r'"003\w{15}","true","true",""', lines[1])
    assert lines[2] == ('"","false","false","INVALID_EMAIL_ADDRESS:Email: invalid email '
                        'address: two:Email --"')
    closed = v1(api, "post", f"/job/{job_id}", f'<jobInfo xmlns="{NS}"><state>Closed</state>'
                                                 "</jobInfo>".encode())
    assert tag(closed.data, "state") == "Closed"
    assert tag(closed.data, "numberRecordsFailed") == "1"
    late = v1(api, "post", f"/job/{job_id}/batch", b"LastName\nX\n", "text/csv")
    assert late.status_code == 400 and tag(late.data, "exceptionCode") == "InvalidJobState"

    query = tag(v1(api, "post", "/job", xml_job("query", "Contact")).data, "id")
    qbatch = tag(v1(api, "post", f"/job/{query}/batch",
                    b"SELECT Id, LastName FROM Contact WHERE LastName = 'One'", "text/csv").data,
                 "id")
    results = v1(api, "get", f"/job/{query}/batch/{qbatch}/result")
    result_id = tag(results.data, "result")
    assert result_id.startswith("752")
    rows = v1(api, "get", f"/job/{query}/batch/{qbatch}/result/{result_id}").data.decode()
    assert rows.splitlines()[0] == '"Id","LastName"'
    assert rows.splitlines()[1].endswith(',"One"')


def test_bulk1_json_jobs_answer_json_with_epoch_dates(instant):
    api = instant
    job = v1(api, "post", "/job", b'{"operation": "insert", "object": "Account", '
                                  b'"contentType": "JSON"}', "application/json")
    assert job.headers["Content-Type"] == "application/json"
    job_id = job.json["id"]
    batch = v1(api, "post", f"/job/{job_id}/batch",
               b'[{"Name": "J1", "NumberOfEmployees": 5}, {"Name": null}]', "application/json")
    results = v1(api, "get", f"/job/{job_id}/batch/{batch.json['id']}/result").json
    assert [r["success"] for r in results] == [True, False]
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    query = v1(api, "post", "/job", b'{"operation": "query", "object": "Account", '
                                    b'"contentType": "JSON"}', "application/json").json["id"]
    qbatch = v1(api, "post", f"/job/{query}/batch",
                b"SELECT Id, Name, NumberOfEmployees, CreatedDate, Owner.Email FROM Account "
                b"WHERE Name = 'J1'", "application/json").json["id"]
    [result_id] = v1(api, "get", f"/job/{query}/batch/{qbatch}/result").json
    [record] = v1(api, "get", f"/job/{query}/batch/{qbatch}/result/{result_id}").json
    assert record["Name"] == "J1" and record["NumberOfEmployees"] == 5
    assert isinstance(record["CreatedDate"], int)
    assert record["Owner"]["Email"] == "admin@siasim.example"


def test_bulk1_xml_ingest_and_pk_chunking(instant):
    api = instant
    job_id = tag(v1(api, "post", "/job", xml_job("insert", "Account", "XML")).data, "id")
    data = (f'<sObjects xmlns="{NS}">' + "".join(
        f"<sObject><Name>PK{n:02d}</Name></sObject>" for n in range(12)) + "</sObjects>")
    batch_id = tag(v1(api, "post", f"/job/{job_id}/batch", data.encode()).data, "id")
    result = v1(api, "get", f"/job/{job_id}/batch/{batch_id}/result")
    assert result.data.decode().count("<success>true</success>") == 12
    chunked = {"X-SFDC-Session": api.token, "Content-Type": "application/xml",
               "Sforce-Enable-PKChunking": "chunkSize=5"}
    query = api.client.post(f"{ASYNC}/job", data=xml_job("query", "Account"), headers=chunked)
    query_id = tag(query.data, "id")
    original = v1(api, "post", f"/job/{query_id}/batch",
                  b"SELECT Name FROM Account WHERE Name LIKE 'PK%'", "text/csv")
    assert tag(original.data, "state") == "NotProcessed"
    listing = v1(api, "get", f"/job/{query_id}/batch").data.decode()
    ids = re.findall(r"<id>(751\w+)</id>", listing)
    total = 0
    for batch in ids[1:]:
        [rid] = re.findall(r"<result>(\w+)</result>",
                           v1(api, "get", f"/job/{query_id}/batch/{batch}/result").data.decode())
        body = v1(api, "get", f"/job/{query_id}/batch/{batch}/result/{rid}").data.decode()
        total += len(body.splitlines()) - 1
    assert len(ids) - 1 >= 3 and total == 12


def test_bulk1_errors_are_xml_and_a_bad_session_is_invalid_session_id(instant):
    api = instant
    bad = api.client.get(f"{ASYNC}/job/750000000000000AAA",
                         headers={"X-SFDC-Session": "nope"})
    assert bad.status_code == 400
    assert tag(bad.data, "exceptionCode") == "InvalidSessionId"
    unknown = v1(api, "post", "/job", xml_job("insert", "Nope"))
    assert tag(unknown.data, "exceptionCode") == "InvalidEntity"
    as_json = v1(api, "get", "/job/750000000000000AAA", content_type="application/json")
    assert as_json.json["exceptionCode"] == "InvalidJob"
    broken = v1(api, "post", "/job", b"<jobInfo><operation>")
    assert broken.status_code == 400 and tag(broken.data, "exceptionCode") == "InvalidXML"


def test_a_bulk1_batch_with_a_bad_header_fails_whole(instant):
    api = instant
    job_id = tag(v1(api, "post", "/job", xml_job("insert", "Account")).data, "id")
    batch = v1(api, "post", f"/job/{job_id}/batch", b"Name,Nope\nA,B\n", "text/csv")
    info = v1(api, "get", f"/job/{job_id}/batch/{tag(batch.data, 'id')}")
    assert tag(info.data, "state") == "Failed"
    assert "Field name not found : Nope" in tag(info.data, "stateMessage")
    assert count(api, "SELECT COUNT() FROM Account WHERE Name = 'A'") == 0


# --- errors in the job's own format ------------------------------------------------------------

def test_bulk1_errors_follow_the_format_of_the_job(instant):
    api = instant
    xml_id = tag(v1(api, "post", "/job", xml_job("insert", "Account")).data, "id")
    asked_in_json = v1(api, "get", f"/job/{xml_id}/batch/751000000000000AAA",
                       content_type="application/json")
    assert asked_in_json.status_code == 400
    assert asked_in_json.headers["Content-Type"] == "application/xml"
    assert tag(asked_in_json.data, "exceptionCode") == "InvalidBatch"
    json_id = v1(api, "post", "/job", b'{"operation": "insert", "object": "Account", '
                                      b'"contentType": "JSON"}', "application/json").json["id"]
    plain = api.client.get(f"{ASYNC}/job/{json_id}/batch/751000000000000AAA",
                           headers={"X-SFDC-Session": api.token})
    assert plain.status_code == 400 and plain.headers["Content-Type"] == "application/json"
    assert plain.json["exceptionCode"] == "InvalidBatch"
    closed = v1(api, "post", f"/job/{json_id}", b'{"state": "Closed"}', "application/json")
    assert closed.json["state"] == "Closed"
    late = v1(api, "post", f"/job/{json_id}/batch", b'[{"Name": "Late"}]', "application/json")
    assert late.status_code == 400 and late.json["exceptionCode"] == "InvalidJobState"
    bad_session = api.client.post(f"{ASYNC}/job", data=b'{"operation": "insert"}', headers={
        "X-SFDC-Session": "00D-not-a-session", "Content-Type": "application/json"})
    assert bad_session.status_code == 400
    assert bad_session.json == {"exceptionCode": "InvalidSessionId",
                                "exceptionMessage": "Invalid session id"}
    assert count(api, "SELECT COUNT() FROM Account WHERE Name = 'Late'") == 0


# --- Bulk 1.0 batches on the clock --------------------------------------------------------------

def test_bulk1_batches_move_on_the_clock_a_serial_job_one_at_a_time(api):
    api.admin("post", "clock", json={"freeze": True})
    api.admin("post", "clock", json={"set": START})
    api.admin("patch", "bulk", json={"startDelay": 2, "minSeconds": 10,
                                     "rowsPerSecond": 1000})
    job_id = tag(v1(api, "post", "/job", xml_job(
        "insert", "Account", extra="<concurrencyMode>Serial</concurrencyMode>")).data, "id")
    first = tag(v1(api, "post", f"/job/{job_id}/batch", b"Name\nS1\n", "text/csv").data, "id")
    second = tag(v1(api, "post", f"/job/{job_id}/batch", b"Name\nS2\n", "text/csv").data, "id")

    def states() -> tuple[str, str]:
        return tuple(tag(v1(api, "get", f"/job/{job_id}/batch/{b}").data, "state")
                     for b in (first, second))

    assert states() == ("Queued", "Queued")
    api.admin("post", "clock", json={"advance": 2})
    assert states() == ("InProgress", "Queued")  # serial: the second waits for the first
    assert count(api, "SELECT COUNT() FROM Account WHERE Name = 'S1'") == 1
    not_yet = v1(api, "get", f"/job/{job_id}/batch/{first}/result")
    assert not_yet.status_code == 400 and tag(not_yet.data, "exceptionCode") == "InvalidBatch"
    api.admin("post", "clock", json={"advance": 10.01})
    assert states() == ("Completed", "InProgress")
    api.admin("post", "clock", json={"advance": 10.01})
    assert states() == ("Completed", "Completed")
    info = v1(api, "get", f"/job/{job_id}").data
    assert tag(info, "numberBatchesCompleted") == "2"
    assert tag(info, "numberRecordsProcessed") == "2"


# --- the daily allowances count down; a spent one refuses whole ---------------------------------

def remaining(api, name: str) -> int:
    return api.get("limits").json[name]["Remaining"]


def test_bulk_batches_count_down_daily_bulk_api_batches(instant, monkeypatch):
    from mocks.salesforce.bulk import jobs

    api = instant
    monkeypatch.setattr(jobs, "MAX_BATCH_RECORDS", 2)  # Bulk 2.0 cuts uploads at 2 records
    start = remaining(api, "DailyBulkApiBatches")
    job_id = tag(v1(api, "post", "/job", xml_job("insert", "Account")).data, "id")
    v1(api, "post", f"/job/{job_id}/batch", b"Name\nB1\n", "text/csv")
    assert remaining(api, "DailyBulkApiBatches") == start - 1
    ingest(api, "Account", "insert", "Name\nB2\nB3\nB4\nB5\nB6\n")  # three batches
    assert remaining(api, "DailyBulkApiBatches") == start - 4
    api.post("jobs/query", json={"operation": "query", "query": "SELECT Id FROM Account"})
    assert remaining(api, "DailyBulkApiBatches") == start - 4  # Bulk 2.0 queries count apart
    storage = remaining(api, "DailyBulkV2QueryFileStorageMB")
    assert storage < api.get("limits").json["DailyBulkV2QueryFileStorageMB"]["Max"]

    api.admin("patch", "bulk", json={"dailyBatches": 15_000 - start + 5})
    assert remaining(api, "DailyBulkApiBatches") == 1
    v1(api, "post", f"/job/{job_id}/batch", b"Name\nB7\n", "text/csv")
    refused = v1(api, "post", f"/job/{job_id}/batch", b"Name\nB8\n", "text/csv")
    assert refused.status_code == 400
    assert tag(refused.data, "exceptionCode") == "ExceededQuota"
    assert len(re.findall(r"<batchInfo>", v1(api, "get", f"/job/{job_id}/batch").data
                          .decode())) == 2
    # a Bulk 2.0 job that would need more batches than are left stays Open, nothing written
    job = api.post("jobs/ingest", json={"object": "Account", "operation": "insert"}).json
    api.client.put(f"{V}/jobs/ingest/{job['id']}/batches", data=b"Name\nB9\n",
                   headers={**api.headers, "Content-Type": "text/csv"})
    spent = api.patch(f"jobs/ingest/{job['id']}", json={"state": "UploadComplete"})
    assert spent.status_code == 400 and spent.json[0]["errorCode"] == "LIMIT_EXCEEDED"
    assert api.get(f"jobs/ingest/{job['id']}").json["state"] == "Open"
    assert remaining(api, "DailyBulkApiBatches") == 0
    assert count(api, "SELECT COUNT() FROM Account WHERE Name IN ('B8', 'B9')") == 0
    assert count(api, "SELECT COUNT() FROM Account WHERE Name LIKE 'B%'") == 7


# --- a batch or an upload refused as a whole writes nothing --------------------------------------

def test_bulk1_batches_refused_whole_write_nothing(instant, monkeypatch):
    from mocks.salesforce.bulk import jobs

    api = instant
    csv_job = tag(v1(api, "post", "/job", xml_job("insert", "Account")).data, "id")
    json_job = v1(api, "post", "/job", b'{"operation": "insert", "object": "Account", '
                                       b'"contentType": "JSON"}', "application/json").json["id"]
    xml_job_id = tag(v1(api, "post", "/job", xml_job("insert", "Account", "XML")).data, "id")
    monkeypatch.setattr(jobs, "MAX_BATCH_RECORDS", 3)
    failed = {
        "Line 3": (csv_job, b"Name,Phone\nW1,1\nW2\n", "text/csv"),
        "CSV error": (csv_job, b'Name\n"W3\n', "text/csv"),
        "Invalid UTF-8": (csv_job, b"Name\nW4\xff\n", "text/csv"),
        "cannot exceed 3": (csv_job, b"Name\nW5\nW6\nW7\nW8\n", "text/csv"),
        "must be a list": (json_job, b'{"Name": "W9"}', "application/json"),
        "Field name not found : Nope": (json_job, b'[{"Name": "W10"}, {"Nope": 1}]',
                                        "application/json"),
        "not valid XML": (xml_job_id, b"<sObjects><sObject><Name>W11</Name>", "application/xml"),
    }
    for words, (job_id, data, kind) in failed.items():
        batch = v1(api, "post", f"/job/{job_id}/batch", data, kind)
        assert batch.status_code == 201, (words, batch.data)
        batch_id = batch.json["id"] if kind == "application/json" else tag(batch.data, "id")
        info = v1(api, "get", f"/job/{job_id}/batch/{batch_id}", content_type=kind)
        state, message = ((info.json["state"], info.json["stateMessage"])
                          if kind == "application/json" else
                          (tag(info.data, "state"), tag(info.data, "stateMessage")))
        assert state == "Failed" and message.startswith("InvalidBatch : "), words
        assert words in message, (words, message)
    monkeypatch.setattr(jobs, "MAX_BATCH_BYTES", 20)
    big = v1(api, "post", f"/job/{csv_job}/batch", b"Name\n" + b"W12\n" * 10, "text/csv")
    assert big.status_code == 400 and tag(big.data, "exceptionCode") == "InvalidBatch"
    assert count(api, "SELECT COUNT() FROM Account WHERE Name LIKE 'W%'") == 0


def test_bulk2_uploads_refused_whole_write_nothing(instant, monkeypatch):
    from mocks.salesforce.bulk import jobs

    api = instant
    for data, words in ((b"Name,Phone\nU1,1\nU2\n", "Line 3"),
                        (b"Name\nU3\xfe\n", "Invalid UTF-8"),
                        (None, "No data was uploaded")):
        job_id = api.post("jobs/ingest", json={"object": "Account",
                                               "operation": "insert"}).json["id"]
        if data is not None:
            api.client.put(f"{V}/jobs/ingest/{job_id}/batches", data=data,
                           headers={**api.headers, "Content-Type": "text/csv"})
        api.patch(f"jobs/ingest/{job_id}", json={"state": "UploadComplete"})
        info = api.get(f"jobs/ingest/{job_id}").json
        assert info["state"] == "Failed" and words in info["errorMessage"], (words, info)
        assert info["numberRecordsProcessed"] == 0
    second_header = api.post("jobs/ingest", json={"object": "Account",
                                                  "operation": "insert"}).json["id"]
    for data in (b"Name\nU4\n", b"Name,Phone\nU5,1\n"):
        api.client.put(f"{V}/jobs/ingest/{second_header}/batches", data=data,
                       headers={**api.headers, "Content-Type": "text/csv"})
    api.patch(f"jobs/ingest/{second_header}", json={"state": "UploadComplete"})
    assert api.get(f"jobs/ingest/{second_header}").json["state"] == "Failed"
    monkeypatch.setattr(jobs, "MAX_UPLOAD_BYTES", 30)
    job_id = api.post("jobs/ingest", json={"object": "Account", "operation": "insert"}).json["id"]
    first = api.client.put(f"{V}/jobs/ingest/{job_id}/batches", data=b"Name\nU6\nU7\n",
                           headers={**api.headers, "Content-Type": "text/csv"})
    assert first.status_code == 201
    too_big = api.client.put(f"{V}/jobs/ingest/{job_id}/batches", data=b"Name\n" + b"U8\n" * 9,
                             headers={**api.headers, "Content-Type": "text/csv"})
    assert too_big.status_code == 400
    api.patch(f"jobs/ingest/{job_id}", json={"state": "UploadComplete"})
    assert api.get(f"jobs/ingest/{job_id}").json["numberRecordsProcessed"] == 2
    assert count(api, "SELECT COUNT() FROM Account WHERE Name LIKE 'U%'") == 2  # U6, U7

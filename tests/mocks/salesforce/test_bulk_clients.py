"""The Bulk APIs and the composite resources with the Python clients, unchanged:
salesforce-bulk 2.2 (Bulk 1.0), simple-salesforce 1.12 (``sf.bulk``, ``sf.bulk2``) and
aiosalesforce 0.6 (Bulk 2.0 ingest, composite, composite batch), against a real server.

Each client loads 10,000 records and reads them back. Clients that build their own
``https://`` URLs (login.salesforce.com, ``*.my.salesforce.com``) are pointed at the mock
at their HTTP layer, as the README shows: a requests adapter, an httpx transport.
"""

from __future__ import annotations

import asyncio
import csv
import io
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.clients

N = 10_000


@pytest.fixture
def server(sf, serve):
    app = sf.make_app(scenario="owner-filter")
    api = sf.Api(app)
    api.admin("patch", "bulk", json={"startDelay": 0, "minSeconds": 0})
    handle = serve(app)
    return handle, api


def people(prefix: str, n: int = N) -> list[dict]:
    return [{"LastName": f"{prefix}{i:05d}", "Company": "Bulk Co",
             "Email": f"{prefix.lower()}{i}@bulk.example"} for i in range(n)]


def lead_count(api, prefix: str) -> int:
    return api.query(f"SELECT COUNT() FROM Lead WHERE LastName LIKE '{prefix}%'")\
        .json["totalSize"]


# --- salesforce-bulk 2.2: Bulk API 1.0 -----------------------------------------------------

def test_salesforce_bulk_loads_and_queries_ten_thousand_records(server):
    from salesforce_bulk import CsvDictsAdapter, SalesforceBulk
    from salesforce_bulk.util import IteratorBytesIO

    handle, api = server
    bulk = SalesforceBulk(sessionId=api.token, host=handle.url)
    job = bulk.create_insert_job("Lead", contentType="CSV")
    rows = people("Sb")
    batches = [bulk.post_batch(job, CsvDictsAdapter(iter(rows[start:start + 5000])))
               for start in range(0, N, 5000)]
    for batch in batches:
        bulk.wait_for_batch(job, batch, timeout=60, sleep_interval=0.2)
    bulk.close_job(job)
    results = [r for batch in batches for r in bulk.get_batch_results(batch, job)]
    assert len(results) == N and all(r.success == "true" for r in results)
    assert lead_count(api, "Sb") == N

    query_job = bulk.create_query_job("Lead", contentType="CSV")
    batch = bulk.query(query_job, "SELECT Id, LastName, Email FROM Lead WHERE "
                                  "LastName LIKE 'Sb%'")
    bulk.wait_for_batch(query_job, batch, timeout=60, sleep_interval=0.2)
    bulk.close_job(query_job)
    records = []
    for result in bulk.get_all_results_for_query_batch(batch, query_job):
        reader = csv.DictReader(io.TextIOWrapper(IteratorBytesIO(result), encoding="utf-8"))
        records += list(reader)
    assert len(records) == N
    assert {r["LastName"] for r in records} == {r["LastName"] for r in rows}


def test_salesforce_bulk_json_and_xml_jobs_and_errors(server):
    from salesforce_bulk import SalesforceBulk
    from salesforce_bulk.salesforce_bulk import BulkApiError

    handle, api = server
    bulk = SalesforceBulk(sessionId=api.token, host=handle.url)
    job = bulk.create_insert_job("Account", contentType="JSON")
    batch = bulk.post_batch(job, '[{"Name": "Json One"}, {"Phone": "123"}]')
    bulk.wait_for_batch(job, batch, timeout=30, sleep_interval=0.2)
    first, second = bulk.get_batch_results(batch, job)
    assert first.success is True and first.id.startswith("001")
    assert second.success is False
    assert second.error[0]["statusCode"] == "REQUIRED_FIELD_MISSING"

    job = bulk.create_upsert_job("Account", "External_Id__c", contentType="XML")
    data = ('<?xml version="1.0" encoding="UTF-8"?><sObjects xmlns="http://www.force.com/'
            '2009/06/asyncapi/dataload"><sObject><External_Id__c>x1</External_Id__c><Name>'
            "Xml One</Name></sObject></sObjects>")
    batch = bulk.post_batch(job, data)
    bulk.wait_for_batch(job, batch, timeout=30, sleep_interval=0.2)
    assert bulk.job_status(job)["numberRecordsProcessed"] == "1"
    assert api.one("SELECT Name FROM Account WHERE External_Id__c = 'x1'")["Name"] == "Xml One"
    bulk.abort_job(job)
    assert bulk.job_state(job) == "Aborted"

    stale = SalesforceBulk(sessionId="00D!nope", host=handle.url)
    with pytest.raises(BulkApiError) as caught:
        stale.create_insert_job("Lead")
    assert caught.value.status_code == 400 and "InvalidSessionId" in str(caught.value)


# --- simple-salesforce 1.12: sf.bulk and sf.bulk2 ------------------------------------------

def test_simple_salesforce_bulk_and_bulk2_load_and_query(server, session_to):
    from simple_salesforce import Salesforce

    handle, api = server
    sf = Salesforce(instance_url=handle.url, session_id=api.token,
                    session=session_to(handle.url))
    loaded = sf.bulk.Lead.insert(people("Ss"), batch_size=5000)
    assert len(loaded) == N and all(r["success"] for r in loaded)
    found = sf.bulk.Lead.query("SELECT Id, LastName FROM Lead WHERE LastName LIKE 'Ss%'")
    assert len(found) == N
    updated = sf.bulk.Lead.update([{"Id": r["Id"], "Title": "Bulk"} for r in found[:50]])
    assert all(r["success"] for r in updated)
    assert api.query("SELECT COUNT() FROM Lead WHERE Title = 'Bulk'").json["totalSize"] == 50

    result = sf.bulk2.Lead.insert(records=people("Sv"), wait=0.2)
    assert result[0]["numberRecordsProcessed"] == N and result[0]["numberRecordsFailed"] == 0
    pages = list(sf.bulk2.Lead.query("SELECT Id, LastName FROM Lead WHERE LastName "
                                     "LIKE 'Sv%'", max_records=4000, wait=0.2))
    assert len(pages) == 3
    rows = [row for page in pages for row in csv.DictReader(io.StringIO(page))]
    assert len(rows) == N and rows[0]["Id"].startswith("00Q")
    failed = sf.bulk2.Lead.insert(records=[{"LastName": "", "Company": "X"}], wait=0.2)
    assert failed[0]["numberRecordsFailed"] == 1
    job_id = failed[0]["job_id"]
    text = sf.bulk2.Lead.get_failed_records(job_id)
    assert "REQUIRED_FIELD_MISSING" in text


# --- aiosalesforce 0.6: Bulk 2.0 ingest, composite -----------------------------------------

class MockTransport(httpx.AsyncHTTPTransport):
    """An httpx transport that sends ``https://*.my.salesforce.com`` to the mock."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.parts = urlsplit(base_url)

    async def handle_async_request(self, request):
        request.url = request.url.copy_with(scheme=self.parts.scheme,
                                            host=self.parts.hostname, port=self.parts.port)
        request.headers["Host"] = self.parts.netloc
        return await super().handle_async_request(request)


def test_aiosalesforce_bulk2_ingest_and_composite(server, sf):
    from aiosalesforce import Salesforce, SoapLogin

    handle, api = server

    async def scenario():
        transport = MockTransport(handle.url)
        async with httpx.AsyncClient(transport=transport, timeout=120) as client:
            salesforce = Salesforce(client, base_url="https://siasim.my.salesforce.com",
                                    auth=SoapLogin(username=sf.USERNAME,
                                                   password=sf.PASSWORD,
                                                   security_token=""), version="59.0")
            result = await salesforce.bulk_v2.insert("Lead", people("Ai"))
            loaded, failed = len(result.successful_results), len(result.failed_results)
            async with salesforce.composite(all_or_none=True) as composite:
                account = composite.sobject.create("Account", {"Name": "Aio Co"})
                # str(): orjson writes a Reference (a str subclass) without its @{...}
                contact = composite.sobject.create(
                    "Contact", {"LastName": "Aio", "AccountId": str(account.reference.id)})
                query = composite.query("SELECT Id FROM Account WHERE Name = 'Aio Co'")
            async with salesforce.composite.batch(halt_on_error=True) as batch:
                read = batch.sobject.get("Account", account.id, fields=["Name"])
                missing = batch.sobject.get("Account", "001000000000000AAA")
            return loaded, failed, contact.id, query.records, read, missing

    # a thread of its own: another test of the session (the browser's) may leave an event
    # loop running in this one
    with ThreadPoolExecutor(1) as pool:
        outcome = pool.submit(asyncio.run, scenario()).result()
    loaded, failed, contact_id, records, read, missing = outcome
    assert (loaded, failed) == (N, 0)
    assert lead_count(api, "Ai") == N
    assert contact_id.startswith("003") and len(records) == 1
    assert read.record["Name"] == "Aio Co"
    assert missing.status_code == 404


def test_the_readme_redirect_sends_a_login_to_the_mock(server, monkeypatch):
    """salesforce-bulk logs in at login.salesforce.com itself: point requests there."""
    from requests.adapters import HTTPAdapter
    from salesforce_bulk import SalesforceBulk

    handle, api = server
    parts = urlsplit(handle.url)
    send = HTTPAdapter.send

    def to_mock(self, request, **kwargs):
        url = urlsplit(request.url)
        if url.scheme == "https":
            request.url = url._replace(scheme=parts.scheme, netloc=parts.netloc).geturl()
        return send(self, request, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", to_mock)
    bulk = SalesforceBulk(username=api.app.extensions["siasim"].config.username,
                          password=api.app.extensions["siasim"].config.password,
                          security_token="")
    job = bulk.create_query_job("User")
    batch = bulk.query(job, "SELECT Id FROM User")
    bulk.wait_for_batch(job, batch, timeout=30, sleep_interval=0.2)
    assert bulk.is_batch_done(batch, job)

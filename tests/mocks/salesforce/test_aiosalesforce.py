"""aiosalesforce 0.6, unchanged, against a real Salesforce mock server: the client
credentials and JWT bearer logins, queries that page, a query with a subquery, an
aggregate, a refused query. aiosalesforce only takes ``https://<domain>.my.salesforce.com``;
the test hands it an ``httpx.AsyncClient`` whose transport sends those URLs to the mock
(the HTTP layer, as a test would point any httpx client elsewhere)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from aiosalesforce import ClientCredentialsFlow, JwtBearerFlow, Salesforce
from aiosalesforce.exceptions import AuthenticationError, SalesforceError

from fixtures.sfid import IdFactory

pytestmark = pytest.mark.clients
MY_DOMAIN = "https://siasim.my.salesforce.com"
CLIENT_ID = "siasim-salesforce-client"
CLIENT_SECRET = "siasim-salesforce-secret"
IDS = IdFactory("5cn")


class ToMock(httpx.AsyncHTTPTransport):
    """Sends every request to the mock's address, path and query kept."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.target = httpx.URL(base_url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme=self.target.scheme, host=self.target.host,
                                            port=self.target.port)
        return await super().handle_async_request(request)


def run_with(server_url: str, auth, calls):
    async def main():
        async with httpx.AsyncClient(transport=ToMock(server_url)) as http:
            return await calls(Salesforce(http, MY_DOMAIN, auth, version="59.0",
                                          retry_policy=None))

    # a thread of its own: another test of the session (the browser's) may leave an event
    # loop running in this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


async def _collect(client: Salesforce, soql: str) -> list[dict]:
    return [record async for record in client.query(soql)]


def test_client_credentials_and_queries(app, serve):
    with app.extensions["siasim"].store.transaction() as db:
        db.conn.executemany(
            'INSERT INTO "Task" (Id, Subject, OwnerId, Status, Priority, IsClosed, '
            "IsHighPriority, IsDeleted) VALUES (?, ?, ?, 'Not Started', 'Normal', 0, 0, 0)",
            [(IDS.make("Task", n), f"Task {n}", IDS.make("User", 1)) for n in range(1, 2201)])
    server = serve(app)

    async def calls(client: Salesforce):
        tasks = await _collect(client, "SELECT Id, Subject FROM Task")
        accounts = await _collect(client, "SELECT Name, (SELECT Email FROM Contacts) "
                                          "FROM Account")
        groups = await _collect(client, "SELECT Status, COUNT(Id) n FROM Task GROUP BY Status")
        with pytest.raises(SalesforceError) as info:
            await _collect(client, "SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)")
        assert info.value.error_code == "MALFORMED_QUERY"
        limits = await client.get_limits()
        return tasks, accounts, groups, limits

    tasks, accounts, groups, limits = run_with(
        server.url, ClientCredentialsFlow(CLIENT_ID, CLIENT_SECRET), calls)
    assert len(tasks) == 2200 and len({t["Id"] for t in tasks}) == 2200  # two pages
    assert accounts[0]["Contacts"]["records"][0]["Email"] == "carla@acme.example"
    assert groups == [{"attributes": {"type": "AggregateResult"}, "Status": "Not Started",
                       "n": 2200}]
    assert limits["DailyApiRequests"]["Max"] == 100000


def test_bad_client_credentials(app, serve):
    server = serve(app)
    with pytest.raises(AuthenticationError):
        run_with(server.url, ClientCredentialsFlow(CLIENT_ID, "wrong"),
                 lambda client: _collect(client, "SELECT Id FROM Lead"))


def test_jwt_bearer_flow(jwt_server, jwt_keys, tmp_path):
    key_file = tmp_path / "server.key"
    key_file.write_text(jwt_keys.private_pem)
    auth = JwtBearerFlow(CLIENT_ID, "admin@siasim.example", key_file)
    leads = run_with(jwt_server.url, auth, lambda client: _collect(
        client, "SELECT Id, Name FROM Lead ORDER BY Name"))
    assert [lead["Name"] for lead in leads] == ["Inés Núñez", "Lena Lead", "Quinn Queue",
                                                "Sam Synced"]
    other = tmp_path / "other.key"
    other.write_text(jwt_keys.other_pem)
    with pytest.raises(AuthenticationError):
        run_with(jwt_server.url, JwtBearerFlow(CLIENT_ID, "admin@siasim.example", other),
                 lambda client: _collect(client, "SELECT Id FROM Lead"))

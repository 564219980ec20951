"""Marketo's own Salesforce sync: persons follow Salesforce leads and contacts (M-SF-SYNC).

Both mocks run as real servers; the Marketo mock reads the Salesforce mock over REST.
"""

from __future__ import annotations

import json
import time

import pytest
import requests

from mocks.marketo import MarketoConfig
from mocks.marketo import create_app as marketo_app
from mocks.marketo.salesforce_sync import SalesforceLink
from mocks.salesforce import SalesforceConfig
from mocks.salesforce import create_app as salesforce_app


class Server:
    def __init__(self, handle) -> None:
        self.url = handle.url

    def admin(self, method: str, path: str, expect: int = 200, **kwargs):
        response = requests.request(method, f"{self.url}/__admin__{path}", timeout=30, **kwargs)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def rows(self, table: str) -> list[dict]:
        return self.admin("GET", "/state", params={"table": table, "limit": 100000})["rows"]


@pytest.fixture
def pair(serve):
    sf_config = SalesforceConfig(world=None)
    sf = serve(salesforce_app(sf_config))
    link = SalesforceLink(sf.url, sf_config.client_id, sf_config.client_secret,
                          sf_config.username, sf_config.password)
    mk = serve(marketo_app(MarketoConfig(world=None, salesforce=link)))
    return Server(mk), Server(sf)


def person(marketo: Server, email: str) -> dict:
    found = [p for p in marketo.rows("leads") if p["email"] == email]
    assert len(found) == 1, found
    return found[0]


def record(sf: Server, sobject: str, email: str) -> dict:
    return next(r for r in sf.rows(sobject) if r.get("Email") == email)


def run(marketo: Server) -> dict:
    return marketo.admin("POST", "/salesforce-sync/run", json={})["result"]


def test_leads_and_contacts_become_persons_with_owner_account_and_opportunity(pair):
    marketo, sf = pair
    sf.admin("POST", "/seed", json={"scenario": "owner-filter"})
    acme = next(a for a in sf.rows("Account") if a["Name"] == "Acme Corp")
    opp = sf.admin("POST", "/sobjects/Opportunity", expect=201, json={
        "Name": "Acme Renewal", "AccountId": acme["Id"], "StageName": "Prospecting",
        "CloseDate": "2027-01-31"})
    counts = run(marketo)
    assert counts["leads"] == 4 and counts["contacts"] == 1
    lena, lead = person(marketo, "lena@leadco.example"), record(sf, "Lead", "lena@leadco.example")
    assert (lena["sfdcType"], lena["sfdcLeadId"], lena["sfdcLeadOwnerId"], lena["company"]) == (
        "Lead", lead["Id"], lead["OwnerId"], "Lead Co")
    carla = person(marketo, "carla@acme.example")
    contact = record(sf, "Contact", "carla@acme.example")
    assert (carla["sfdcType"], carla["sfdcContactId"], carla["sfdcAccountId"],
            carla["sfdcOpptyId"], carla["company"]) == (
        "Contact", contact["Id"], acme["Id"], opp["id"], "Acme Corp")
    quinn = person(marketo, "quinn@queueco.example")
    assert quinn.get("sfdcLeadOwnerId") is None  # a queue is not a sales owner
    news = [a for a in marketo.rows("activities") if a["activityTypeId"] == 12]
    assert len(news) == 5
    assert all('"Salesforce.com"' in a["attributes"] for a in news)


def test_a_second_run_changes_only_what_changed_and_the_feed_shows_it(pair):
    marketo, sf = pair
    sf.admin("POST", "/seed", json={"scenario": "owner-filter"})
    run(marketo)
    before = len(marketo.rows("activities"))
    again = run(marketo)  # nothing changed in Salesforce since: nothing read, nothing written
    assert (again["leads"], again["contacts"]) == (0, 0)
    assert len(marketo.rows("activities")) == before
    contact = record(sf, "Contact", "carla@acme.example")
    sf.admin("POST", "/clock", json={"advance": 5})
    sf.admin("PATCH", f"/sobjects/Contact/{contact['Id']}", expect=200,
             json={"Title": "VP Procurement"})
    run(marketo)
    changes = [a for a in marketo.rows("activities") if a["activityTypeId"] == 13]
    assert len(changes) == 1
    fields = json.loads(changes[0]["fields"])
    assert fields[0]["name"] == "title" and fields[0]["newValue"] == "VP Procurement"
    assert '"Salesforce.com"' in changes[0]["attributes"]


def test_opt_out_follows_both_ways(pair):
    marketo, sf = pair
    sf.admin("POST", "/seed", json={"scenario": "owner-filter"})
    run(marketo)
    lead = record(sf, "Lead", "lena@leadco.example")
    sf.admin("PATCH", f"/sobjects/Lead/{lead['Id']}", expect=200,
             json={"HasOptedOutOfEmail": True})
    run(marketo)
    assert person(marketo, "lena@leadco.example")["unsubscribed"] == 1
    carla = person(marketo, "carla@acme.example")
    marketo.admin("POST", "/leads", json={"input": [{"id": carla["id"], "unsubscribed": True}],
                                          "action": "updateOnly", "lookupField": "id",
                                          "source": "form"})
    assert run(marketo)["unsubscribesToSalesforce"] == 1
    assert record(sf, "Contact", "carla@acme.example")["HasOptedOutOfEmail"] == 1
    assert person(marketo, "carla@acme.example")["unsubscribed"] == 1  # not undone by the pull


def test_a_converted_lead_becomes_the_contacts_person(pair):
    marketo, sf = pair
    sf.admin("POST", "/seed", json={"scenario": "owner-filter"})
    run(marketo)
    lead = record(sf, "Lead", "lena@leadco.example")
    before = person(marketo, "lena@leadco.example")
    sf.admin("POST", "/leads/convert", json={"leadId": lead["Id"]})
    run(marketo)
    after = person(marketo, "lena@leadco.example")
    contact = record(sf, "Contact", "lena@leadco.example")
    assert after["id"] == before["id"]  # the same person, not a new one
    assert (after["sfdcType"], after["sfdcLeadId"], after["sfdcContactId"]) == (
        "Contact", lead["Id"], contact["Id"])


def test_duplicates_stay_two_persons(pair):
    marketo, sf = pair
    sf.admin("POST", "/seed", json={"scenario": "duplicates"})
    run(marketo)
    same = [p for p in marketo.rows("leads") if p["email"].lower() == "dana.dupe@acme.example"]
    assert len(same) == 3


def test_not_configured_and_bad_configuration(serve):
    marketo = Server(serve(marketo_app(MarketoConfig(world=None))))
    response = marketo.admin("POST", "/salesforce-sync/run", expect=409, json={})
    assert "not configured" in response["message"]
    assert marketo.admin("PUT", "/salesforce-sync", expect=400, json={"url": "x"})["message"]
    assert marketo.admin("GET", "/salesforce-sync")["configured"] is False


def test_configured_at_runtime_with_an_interval(pair, serve):
    _, sf = pair
    marketo = Server(serve(marketo_app(MarketoConfig(world=None))))
    sf.admin("POST", "/seed", json={"scenario": "owner-filter"})
    status = marketo.admin("PUT", "/salesforce-sync", json={
        "url": sf.url, "clientId": "siasim-salesforce-client",
        "clientSecret": "siasim-salesforce-secret", "username": "admin@siasim.example",
        "password": "siasim-password", "interval": 0.2})
    assert status["configured"] and status["interval"] == 0.2
    assert "password" not in json.dumps(status)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(marketo.rows("leads")) < 5:
        time.sleep(0.1)
    assert len(marketo.rows("leads")) == 5
    marketo.admin("PUT", "/salesforce-sync", json={**{k: "x" for k in (
        "url", "clientId", "clientSecret", "username", "password")}, "interval": None})

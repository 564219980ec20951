"""The dashboard's server side: the page, and what it reads and does through the mocks'
admin API (real mock servers on port 0, seeded with the owner-filter scenario)."""

from __future__ import annotations

import threading

import pytest
import requests

from engine.sia import SIA
from engine.worker import Worker
from mocks.core.config import WorldSpec
from mocks.marketo import MarketoConfig
from mocks.marketo import create_app as marketo_app
from mocks.salesforce import SalesforceConfig
from mocks.salesforce import create_app as salesforce_app
from siasim.dashboard import MockLink, close, create_app
from siasim.dashboard.views import call_kind


@pytest.fixture
def mocks(serve):
    world = WorldSpec(scenario="owner-filter")
    apps = {"marketo": marketo_app(MarketoConfig(world=world)),
            "salesforce": salesforce_app(SalesforceConfig(world=world))}
    handles = {name: serve(app) for name, app in apps.items()}
    yield apps, handles
    # both at once: a server takes half a second to stop
    stopping = [threading.Thread(target=h.stop) for h in handles.values()]
    for thread in stopping:
        thread.start()
    for thread in stopping:
        thread.join()
    for app in apps.values():
        app.extensions["siasim"].store.close()


@pytest.fixture
def client(mocks, tmp_path):
    _, handles = mocks
    sia = SIA(tmp_path / "sia.db")
    links = [MockLink("marketo", "Marketo mock", handles["marketo"].url),
             MockLink("salesforce", "Salesforce mock", handles["salesforce"].url)]
    app = create_app(sia, Worker(sia), links)
    yield app.test_client()
    close(app)
    sia.close()


def _rows(handle, table, **where):
    params = {"table": table, **{f"where.{k}": v for k, v in where.items()}}
    return requests.get(handle.url + "/__admin__/state", params=params, timeout=10).json()["rows"]


def test_the_page_is_served_with_its_switches_and_buttons(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-setting="salesforce.sync_tasks"' in html
    assert 'data-fault="rate-limit"' in html and 'data-clock="86400"' in html
    assert client.get("/dashboard/static/dashboard.js").status_code == 200
    assert client.get("/api/sync").status_code == 200  # SIA's API in the same app


def test_a_person_as_salesforce_and_marketo_hold_them(client, mocks):
    apps, handles = mocks
    [lena] = _rows(handles["marketo"], "leads", email="lena@leadco.example")
    lead_id = lena["sfdcLeadId"]
    with apps["salesforce"].extensions["siasim"].store.transaction() as db:
        for n, subject in enumerate(("Email: Hello", "Call: Discovery", "Deleted")):
            db["Task"].insert({"Id": f"00T000000000000{n}AA", "Subject": subject,
                               "WhoId": lead_id, "Status": "Completed",
                               "CreatedDate": f"2030-01-0{n + 1}T00:00:00.000+0000",
                               "IsDeleted": int(subject == "Deleted")})
    view = client.get(f"/dashboard/api/person/{lena['id']}").json
    assert view["marketo"]["email"] == "lena@leadco.example"
    assert all(v not in (None, "") for v in view["marketo"].values())  # blanks left out
    sf = view["salesforce"]
    assert sf["type"] == "Lead" and sf["record"]["Id"] == lead_id
    assert sf["owner"]["Name"] == "Rita Rep" and sf["owner"]["kind"] == "user"
    assert [t["Subject"] for t in view["tasks"]] == ["Call: Discovery", "Email: Hello"]
    # reading through the admin API is not traffic: the feed stays empty
    feed = client.get("/dashboard/api/feed").json
    assert feed["marketo"]["entries"] == [] and feed["salesforce"]["entries"] == []


def test_a_queue_owner_and_a_marketo_only_person(client, mocks):
    _, handles = mocks
    [quinn] = _rows(handles["marketo"], "leads", email="quinn@queueco.example")
    owner = client.get(f"/dashboard/api/person/{quinn['id']}").json["salesforce"]["owner"]
    assert owner["kind"] == "queue" and owner["Name"] == "Inbound Leads"
    nobody = client.get("/dashboard/api/person/999999").json
    assert nobody["marketo"] is None and nobody["salesforce"]["record"] is None
    assert nobody["tasks"] == []


def test_the_feed_shows_new_calls_of_both_mocks(client, mocks):
    _, handles = mocks
    first = client.get("/dashboard/api/feed").json
    requests.get(handles["marketo"].url + "/rest/v1/leads.json?filterType=id&filterValues=1",
                 timeout=10)
    requests.post(handles["salesforce"].url + "/services/oauth2/token",
                  data={"grant_type": "password", "password": "hunter2"}, timeout=10)
    after = {name: part["lastId"] for name, part in first.items()}
    feed = client.get(f"/dashboard/api/feed?marketo={after['marketo']}"
                      f"&salesforce={after['salesforce']}").json
    [marketo] = feed["marketo"]["entries"]
    assert marketo["method"] == "GET" and marketo["path"].startswith("/rest/v1/leads.json?")
    assert marketo["kind"] == "read"
    [salesforce] = feed["salesforce"]["entries"]
    assert salesforce["path"] == "/services/oauth2/token"
    assert salesforce["kind"] == "auth"  # "writes only" hides logins too
    assert "hunter2" not in salesforce["request"]  # the mocks' journal masks secrets
    again = client.get(f"/dashboard/api/feed?marketo={feed['marketo']['lastId']}"
                       f"&salesforce={feed['salesforce']['lastId']}").json
    assert again["marketo"]["entries"] == [] and again["salesforce"]["entries"] == []


def test_fault_presets_and_clock_steps(client, mocks):
    _, handles = mocks
    added = client.post("/dashboard/api/mocks/marketo/faults", json={"preset": "rate-limit"})
    assert added.status_code == 201 and added.json["error"] == "606"
    state = client.get("/dashboard/api/mocks").json
    assert [f["error"] for f in state["marketo"]["faults"]] == ["606"]
    assert state["salesforce"]["faults"] == []
    answer = requests.get(handles["marketo"].url + "/rest/v1/leads.json", timeout=10).json()
    assert answer["errors"][0]["code"] == "606"
    assert client.delete("/dashboard/api/mocks/marketo/faults", json={}).status_code == 200
    assert client.get("/dashboard/api/mocks").json["marketo"]["faults"] == []

    moved = client.post("/dashboard/api/mocks/salesforce/clock", json={"advance": 86400})
    assert moved.status_code == 200 and moved.json["offsetSeconds"] >= 86400
    assert client.post("/dashboard/api/mocks/salesforce/clock",
                       json={"reset": True}).json["offsetSeconds"] == 0
    assert client.post("/dashboard/api/mocks/salesforce/faults",
                       json={"preset": "expire-tokens"}).json == {"expired": True}


@pytest.mark.parametrize("url,body,status", [
    ("/dashboard/api/mocks/marketo/faults", {"preset": "meteor"}, 400),
    ("/dashboard/api/mocks/hubspot/faults", {"preset": "rate-limit"}, 404),
    ("/dashboard/api/mocks/marketo/clock", {"advance": -3600}, 400),
    ("/dashboard/api/mocks/marketo/clock", {"advance": 7}, 400),
    ("/dashboard/api/mocks/marketo/clock", {"set": "2030-01-01T00:00:00Z"}, 400),
    ("/dashboard/api/marketo/salesforce-sync", {}, 404),
])
def test_bad_control_requests_change_nothing(client, url, body, status):
    before = client.get("/dashboard/api/mocks").json
    response = client.post(url, json=body)
    assert response.status_code == status and response.json["message"]
    after = client.get("/dashboard/api/mocks").json
    for name in ("marketo", "salesforce"):
        assert after[name]["faults"] == before[name]["faults"]
        assert after[name]["clock"]["offsetSeconds"] == before[name]["clock"]["offsetSeconds"]


def test_controls_need_a_json_body(client):
    response = client.post("/dashboard/api/mocks/marketo/faults", data={"preset": "slow"})
    assert response.status_code == 415
    assert client.get("/dashboard/api/mocks").json["marketo"]["faults"] == []


def test_a_stopped_mock_is_a_clear_error(client, mocks):
    _, handles = mocks
    handles["salesforce"].stop()
    state = client.get("/dashboard/api/mocks").json
    assert "does not answer" in state["salesforce"]["error"]
    assert "faults" in state["marketo"]
    person = client.get("/dashboard/api/person/1")
    assert person.status_code == 502 and person.json["error"] == "MOCK_UNREACHABLE"
    assert "error" in client.get("/dashboard/api/feed").json["salesforce"]


@pytest.mark.parametrize("service,method,override,path,kind", [
    ("marketo", "GET", None, "/identity/oauth/token", "auth"),
    ("marketo", "POST", None, "/identity/oauth/token", "auth"),
    ("marketo", "POST", "GET", "/rest/v1/leads.json", "read"),  # marketorestpython's read
    ("marketo", "POST", None, "/rest/v1/leads.json", "write"),
    ("marketo", "POST", None, "/rest/v1/activities/external.json", "write"),
    ("salesforce", "POST", None, "/services/oauth2/token", "auth"),
    ("salesforce", "POST", None, "/services/Soap/u/59.0", "auth"),
    ("salesforce", "GET", None, "/services/data/v59.0/query", "read"),
    ("salesforce", "PATCH", None, "/services/data/v59.0/sobjects/Task/00T", "write"),
    ("salesforce", "DELETE", None, "/services/data/v59.0/sobjects/Task/00T", "write"),
])
def test_what_writes_only_keeps(service, method, override, path, kind):
    assert call_kind(service, {"method": method, "methodOverride": override,
                               "path": path}) == kind

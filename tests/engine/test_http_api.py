"""SIA's HTTP API over a real SIA database.

Delivery to Marketo and Salesforce is the engine's and is tested against the mocks; here
``flush`` is replaced by a recorder, so each test sees what the API stored and that it
asked for delivery, with no network.
"""

from __future__ import annotations

import json

import pytest

from engine.config import Endpoints
from engine.http_api import create_app
from engine.sia import SIA
from engine.worker import Worker

BASE = {"sfdc_account_id": None, "sfdc_opportunity_id": None, "title": None,
        "linkedin_url": None, "source": "Web", "status": "active"}
PEOPLE = [
    {**BASE, "marketo_id": 7, "first_name": "Carla", "last_name": "Contact",
     "sfdc_contact_id": "0035g0000000001AAA", "sfdc_lead_id": None, "company": "Acme",
     "email": "carla@acme.example", "phone": "+1 555 0100"},
    {**BASE, "marketo_id": 8, "first_name": "Luis", "last_name": "Lead",
     "sfdc_contact_id": None, "sfdc_lead_id": "00Q5g0000000001AAA", "company": "Globex",
     "email": "luis@globex.example", "phone": None},
    {**BASE, "marketo_id": 9, "first_name": "Nadia", "last_name": "Nobody",
     "sfdc_contact_id": None, "sfdc_lead_id": None, "company": "Initech",
     "email": "nadia@initech.example", "phone": None},
    {**BASE, "marketo_id": 10, "first_name": "Rita", "last_name": "Removed",
     "sfdc_contact_id": None, "sfdc_lead_id": "00Q5g0000000002AAA", "company": "Acme",
     "email": "rita@acme.example", "phone": None, "status": "removed"},
]


@pytest.fixture
def sia(tmp_path):
    sia = SIA(tmp_path / "sia.db")  # no endpoints: anything remote is NotConfigured
    with sia.db.transaction() as db:
        db["people"].insert_all(PEOPLE)
    sia.flushes = []
    sia.flush = lambda: sia.flushes.append(1) or {"marketo": {"delivered": 0}}
    yield sia
    sia.close()


@pytest.fixture
def client(sia):
    app = create_app(sia, Worker(sia))
    return app.test_client()


def post(client, url, body=None, method="post"):
    return getattr(client, method)(url, json={} if body is None else body)


def count(sia, table):
    return sia.db.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]


# --- people ------------------------------------------------------------------------------------
def test_people_are_listed_searched_and_paged(client):
    everyone = client.get("/api/people").json
    assert everyone["total"] == 3  # the removed person is not one of SIA's people
    assert [p["Marketo ID"] for p in everyone["people"]] == [7, 8, 9]
    assert everyone["people"][0]["Email"] == "carla@acme.example"
    assert set(everyone["people"][0]) >= {"First Name", "Salesforce Contact ID", "Source"}
    acme = client.get("/api/people?q=ACME").json
    assert [p["Marketo ID"] for p in acme["people"]] == [7]
    assert client.get("/api/people?q=luis lead").json["total"] == 1
    assert client.get("/api/people?q=8").json["people"][0]["First Name"] == "Luis"
    everyone_ever = client.get("/api/people?all=true").json
    assert [p["Marketo ID"] for p in everyone_ever["people"]] == [7, 8, 9, 10]
    assert everyone_ever["people"][3]["status"] == "removed"
    page = client.get("/api/people?limit=1&offset=1").json
    assert page["total"] == 3 and [p["Marketo ID"] for p in page["people"]] == [8]
    assert client.get("/api/people?limit=x").status_code == 400


def test_one_person_and_an_unknown_one(client):
    assert client.get("/api/people/8").json["Salesforce Lead ID"] == "00Q5g0000000001AAA"
    missing = client.get("/api/people/4242")
    assert missing.status_code == 404
    assert missing.json["error"] == "NOT_FOUND" and "4242" in missing.json["message"]


@pytest.mark.parametrize("method,url", [
    ("post", "/api/people"), ("put", "/api/people"), ("put", "/api/people/7"),
    ("patch", "/api/people/7"), ("delete", "/api/people/7"), ("post", "/api/people/7"),
])
def test_people_cannot_be_created_or_edited(client, sia, method, url):
    before = sia.db.query("SELECT * FROM people ORDER BY marketo_id")
    response = getattr(client, method)(url, json={"First Name": "Mallory", "Email": "m@x"})
    assert response.status_code == 405
    assert response.json["error"] == "PEOPLE_READ_ONLY"
    assert "Marketo" in response.json["message"] and "Salesforce" in response.json["message"]
    assert response.headers["Allow"] == "GET, HEAD"
    assert sia.db.query("SELECT * FROM people ORDER BY marketo_id") == before


# --- emails ------------------------------------------------------------------------------------
def test_send_an_email_stores_it_and_asks_for_delivery(client, sia):
    sent = post(client, "/api/people/7/emails", {"subject": "Quarterly review",
                                                 "body": "Hello", "campaign": "Q4"})
    assert sent.status_code == 201
    assert sent.json["subject"] == f"Quarterly review ({sent.json['marker']})"
    assert sia.flushes == [1]
    [email] = client.get("/api/people/7/emails").json["emails"]
    assert email["subject"] == "Quarterly review" and email["events"] == []
    [activity] = client.get("/api/people/7/activities").json["activities"]
    assert activity["type"] == "Send Sales Email" and activity["delivery"] == "pending"
    assert activity["attributes"]["Sales Campaign Name"] == "Q4"
    event = post(client, f"/api/emails/{email['id']}/events", {"event": "click",
                                                                "link": "https://x.example"})
    assert event.status_code == 201 and event.json["activity"] == "Click Sales Email"
    [email] = client.get("/api/people/7/emails").json["emails"]
    assert [e["event"] for e in email["events"]] == ["click"]


@pytest.mark.parametrize("body,status,words", [
    ({}, 400, "subject"),
    ({"subject": ""}, 400, "subject"),
    ({"subject": "x" * 201}, 400, "longer"),
    ({"subject": "Hi", "bcc": "everyone"}, 400, "unknown fields: bcc"),
    ({"subject": 5}, 400, "text"),
    ([1, 2], 400, "JSON object"),
])
def test_a_bad_email_is_refused_and_nothing_is_written(client, sia, body, status, words):
    response = client.post("/api/people/7/emails", json=body)
    assert response.status_code == status
    assert words in response.json["message"]
    assert count(sia, "emails") == count(sia, "activities") == count(sia, "logged_tasks") == 0
    assert sia.flushes == []


def test_writes_need_a_json_body(client, sia):
    form = client.post("/api/people/7/emails", data={"subject": "Hi"})
    assert form.status_code == 415 and form.json["error"] == "UNSUPPORTED_MEDIA_TYPE"
    broken = client.post("/api/people/7/emails", data="{not json",
                         content_type="application/json")
    assert broken.status_code == 400
    bare = client.post("/api/people/9/unsubscribe")  # no body and no content type
    assert bare.status_code == 415
    assert count(sia, "emails") == 0
    assert not client.get("/api/people/9").json["unsubscribed"]


def test_sends_to_unknown_or_removed_people_are_not_found(client, sia):
    for marketo_id in (4242, 10):
        response = post(client, f"/api/people/{marketo_id}/emails", {"subject": "Hi"})
        assert response.status_code == 404
    assert count(sia, "emails") == 0


def test_email_events_are_checked(client, sia):
    email_id = post(client, "/api/people/7/emails", {"subject": "Hi"}).json["emailId"]
    assert post(client, f"/api/emails/{email_id}/events", {"event": "forwarded"}
                ).status_code == 400
    assert post(client, f"/api/emails/{email_id}/events", {"event": "click"}
                ).status_code == 400  # a click needs its link
    assert post(client, "/api/emails/999/events", {"event": "open"}).status_code == 404
    assert count(sia, "email_events") == 0


def test_an_unsubscribed_person_gets_no_email(client, sia):
    assert post(client, "/api/people/9/unsubscribe").json["unsubscribed"] is True
    response = post(client, "/api/people/9/emails", {"subject": "Hi"})
    assert response.status_code == 409 and response.json["error"] == "SEND_BLOCKED"
    assert count(sia, "emails") == 0
    assert post(client, "/api/people/9/resubscribe").json == {"unsubscribed": False}
    assert post(client, "/api/people/9/emails", {"subject": "Hi"}).status_code == 201


# --- calls and campaigns -----------------------------------------------------------------------
def test_log_a_call_with_its_details(client, sia):
    logged = post(client, "/api/people/8/calls", {
        "subject": "Discovery", "status": "no answer", "duration": 0,
        "answeredBy": "voicemail", "recordingUrl": "https://rec.example/1", "notes": "later"})
    assert logged.status_code == 201 and logged.json["marker"].startswith("SIA-")
    [activity] = client.get("/api/people/8/activities").json["activities"]
    assert activity["type"] == "Sales Call Received"
    assert activity["attributes"]["Sales Call Status"] == "no answer"
    assert activity["attributes"]["Sales Call Answered By"] == "voicemail"
    [task] = sia.db.query("SELECT fields FROM logged_tasks")
    assert json.loads(task["fields"])["Description"].startswith("later")


def test_a_bad_call_writes_nothing(client, sia):
    for body in ({"subject": "x", "status": "maybe"}, {"subject": "x", "duration": -1},
                 {"subject": "x", "durationSeconds": 3}, {"status": "completed"}):
        assert post(client, "/api/people/8/calls", body).status_code == 400, body
    assert count(sia, "calls") == count(sia, "activities") == 0


def test_campaigns_add_and_remove(client):
    added = post(client, "/api/people/7/campaigns", {"campaign": "Q4 Outreach"})
    assert added.status_code == 201 and added.json["activity"] == "Add to Sales Campaign"
    removed = client.delete("/api/people/7/campaigns/Q4 Outreach", json={})
    assert removed.status_code == 200
    assert removed.json["activity"] == "Removed from Sales Campaign"
    again = client.delete("/api/people/7/campaigns/Q4 Outreach", json={})
    assert again.status_code == 400 and "not in the sales campaign" in again.json["message"]
    types = [a["type"] for a in client.get("/api/people/7/activities").json["activities"]]
    assert types == ["Add to Sales Campaign", "Removed from Sales Campaign"]


# --- reminder tasks ----------------------------------------------------------------------------
def test_reminder_tasks_from_creation_to_deletion(client):
    created = post(client, "/api/people/7/tasks", {"name": "Call back", "dueDate": "2030-01-31",
                                                   "priority": "High", "details": "re: Q4"})
    assert created.status_code == 201
    task = created.json
    assert (task["name"], task["dueDate"], task["priority"], task["status"]) == (
        "Call back", "2030-01-31", "High", "Open")
    assert client.get("/api/people/7/tasks").json["tasks"] == [task]
    other = post(client, "/api/people/8/tasks", {"name": "Other person's"}).json
    assert client.get("/api/tasks").json["tasks"] == [task, other]
    edited = client.patch(f"/api/tasks/{task['id']}", json={"name": "Call back soon"})
    assert edited.json["name"] == "Call back soon"
    done = post(client, f"/api/tasks/{task['id']}/complete")
    assert done.json["status"] == "Complete"
    assert client.get(f"/api/tasks/{task['id']}").json["status"] == "Complete"
    assert client.delete(f"/api/tasks/{task['id']}", json={}).json == {"deleted": task["id"]}
    assert client.get(f"/api/tasks/{task['id']}").status_code == 404
    assert client.get("/api/people/7/tasks").json["tasks"] == []


def test_bad_tasks_are_refused(client, sia):
    for body in ({"name": ""}, {"name": "x", "priority": "Low"},
                 {"name": "x", "dueDate": "31/01/2030"}, {"name": "x", "owner": "me"}):
        assert post(client, "/api/people/7/tasks", body).status_code == 400, body
    assert post(client, "/api/people/4242/tasks", {"name": "x"}).status_code == 404
    assert count(sia, "reminder_tasks") == 0
    task = post(client, "/api/people/7/tasks", {"name": "Keep"}).json
    assert client.patch(f"/api/tasks/{task['id']}", json={"status": "Waiting"}
                        ).status_code == 400
    assert client.patch(f"/api/tasks/{task['id']}", json={}).status_code == 400
    assert client.get(f"/api/tasks/{task['id']}").json["status"] == "Open"


# --- settings and fields -----------------------------------------------------------------------
def test_settings_are_listed_and_switched(client, sia):
    settings = {s["key"]: s for s in client.get("/api/settings").json["settings"]}
    assert settings["salesforce.sync_tasks"]["value"] is False
    assert settings["salesforce.sync_tasks"]["description"]
    changed = client.put("/api/settings/salesforce.log_calls", json={"value": False})
    assert changed.json == {"key": "salesforce.log_calls", "value": False}
    assert sia.settings.get("salesforce.log_calls") is False
    assert client.get("/api/settings/salesforce.log_calls").json["value"] is False
    post(client, "/api/people/8/calls", {"subject": "No task now"})
    assert count(sia, "logged_tasks") == 0  # takes effect on the next action


@pytest.mark.parametrize("key,body,status", [
    ("salesforce.log_calls", {"value": "perhaps"}, 400),
    ("salesforce.log_calls", {}, 400),
    ("salesforce.log_calls", {"value": True, "also": 1}, 400),
    ("salesforce.email_subject_template", {"value": "Email: {nope}"}, 400),
    ("salesforce.teleport", {"value": True}, 400),
    ("fields.email", {"value": "Email Address"}, 405),
])
def test_bad_settings_change_nothing(client, sia, key, body, status):
    before = sia.settings.all()
    response = client.put(f"/api/settings/{key}", json=body)
    assert response.status_code == status and response.json["message"]
    assert sia.settings.all() == before


def test_the_field_mapping_is_shown_and_fixed(client):
    fields = client.get("/api/fields").json["fields"]
    assert len(fields) == 13 and {"field": "Email", "marketoField": "email"} in fields
    response = client.put("/api/fields", json={"Email": "personalEmail"})
    assert response.status_code == 405 and response.json["error"] == "FIELD_MAPPING_FIXED"


# --- sync and errors ---------------------------------------------------------------------------
def test_sync_status_and_triggers(client, sia):
    # a closed port: nothing here may reach the network
    sia.configure(Endpoints("http://127.0.0.1:9", "id", "secret"))
    status = client.get("/api/sync").json
    assert status["initiated"] is None and status["people"] == {"active": 3, "removed": 1}
    assert status["worker"]["continuous"] is False and status["worker"]["passes"] == 0
    assert status["endpoints"]["marketo_client_secret"] == "***"
    refused = post(client, "/api/sync/changes")
    assert refused.status_code == 409 and refused.json["error"] == "SYNC_NOT_INITIATED"
    # each pass on its own, through the worker
    assert post(client, "/api/sync/unsubscribes").status_code == 409
    tasks = post(client, "/api/sync/tasks")
    assert tasks.status_code == 200 and tasks.json == {"skipped": "task sync is off"}
    run = post(client, "/api/sync/run")
    assert run.status_code == 409
    worker = client.get("/api/sync").json["worker"]
    assert worker["passes"] == 1 and worker["lastError"]["error"] == "SYNC_NOT_INITIATED"


def test_remote_reads_without_endpoints_are_clear_errors(client):
    grid = client.get("/api/people/7/smart-grid")
    assert grid.status_code == 409 and grid.json["error"] == "NOT_CONFIGURED"


def test_unknown_routes_and_methods_answer_json(client):
    missing = client.get("/api/nowhere")
    assert missing.status_code == 404 and missing.json["error"] == "NOT_FOUND"
    wrong = client.delete("/api/settings", json={})
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert wrong.json["error"] == "METHOD_NOT_ALLOWED"
    routes = client.get("/api").json["routes"]
    assert "POST /api/people/<int:marketo_id>/emails" in routes


def test_an_unexpected_failure_is_json_without_a_traceback(client, sia, monkeypatch):
    def broken(marketo_id):
        raise RuntimeError("disk on fire at /secret/path")

    monkeypatch.setattr(sia, "person", broken)
    response = client.get("/api/people/7")
    assert response.status_code == 500
    assert response.json["error"] == "INTERNAL"
    assert "Traceback" not in response.text and "/secret/path" not in response.text

"""Sellers' actions as SIA stores them (no network: delivery is tested against the mocks)."""

import json

import pytest

from engine.actions import Actions
from engine.db import EngineDB
from engine.errors import InvalidInput, NotFound
from engine.settings import Settings

PERSON = {"marketo_id": 7, "first_name": "Carla", "last_name": "Contact",
          "sfdc_contact_id": "0035g0000000001AAA", "sfdc_lead_id": None,
          "sfdc_account_id": None, "sfdc_opportunity_id": None, "company": "Acme",
          "title": None, "email": "carla@acme.example", "phone": "+1 555", "linkedin_url": None,
          "source": "Web", "status": "active"}


@pytest.fixture
def actions(tmp_path):
    db = EngineDB(tmp_path / "sia.db")
    with db.transaction() as conn:
        conn["people"].insert(PERSON)
    return Actions(db, Settings(db))


def rows(actions, table):
    return actions.db.query(f"SELECT * FROM {table} ORDER BY id")


def test_an_email_is_stored_with_its_activity_and_task(actions):
    sent = actions.send_email(7, "Quarterly review", "Hello", campaign="Q4 Outreach")
    assert sent["subject"] == f"Quarterly review ({sent['marker']})"
    assert len(sent["marker"]) == len("SIA-12345678")
    [activity] = rows(actions, "activities")
    assert activity["type"] == "Send Sales Email" and activity["delivery"] == "pending"
    attributes = json.loads(activity["attributes"])
    assert attributes["Sales Campaign Name"] == "Q4 Outreach"
    assert attributes["Source"] == "Sales App"
    assert attributes["Email Subject"] == sent["subject"]
    [task] = rows(actions, "logged_tasks")
    fields = json.loads(task["fields"])
    assert fields["Type"] == "Email" and fields["WhoId"] == "0035g0000000001AAA"
    assert fields["Subject"] == "Email: Quarterly review"
    assert sent["marker"] in fields["Description"]


def test_email_logging_off_logs_no_task(actions):
    actions.settings.set("salesforce.log_emails", False)
    actions.send_email(7, "No task")
    assert rows(actions, "logged_tasks") == []
    assert len(rows(actions, "activities")) == 1


def test_events_log_their_types_and_a_reply_task(actions):
    email = actions.send_email(7, "Hi")["emailId"]
    for event in ("open", "click", "reply", "bounce"):
        actions.record_email_event(email, event, link="https://x.example" if event == "click"
                                   else None)
    types = [a["type"] for a in rows(actions, "activities")]
    assert types == ["Send Sales Email", "Open Sales Email", "Click Sales Email",
                     "Replied to Sales Email", "Sales Email Bounced"]
    reply = json.loads(rows(actions, "logged_tasks")[-1]["fields"])
    assert reply["Type"] == "Reply" and reply["Subject"] == "Reply: Hi"


def test_same_type_activities_never_share_a_date(actions):
    email = actions.send_email(7, "Hi")["emailId"]
    actions.record_email_event(email, "open")
    actions.record_email_event(email, "open")
    opens = [a["occurred_at"] for a in rows(actions, "activities")
             if a["type"] == "Open Sales Email"]
    assert len(set(opens)) == 2


def test_subject_is_cut_to_255_for_salesforce(actions):
    actions.settings.set("salesforce.call_subject_template", "{subject} " + "x" * 240)
    actions.log_call(7, "Call about the renewal", duration=60)
    fields = json.loads(rows(actions, "logged_tasks")[0]["fields"])
    assert len(fields["Subject"]) == 255 and fields["Type"] == "Call"
    assert fields["CallDurationInSeconds"] == 60


def test_campaign_membership(actions):
    actions.add_to_campaign(7, "Q4 Outreach")
    actions.remove_from_campaign(7, "Q4 Outreach")
    with pytest.raises(InvalidInput, match="not in the sales campaign"):
        actions.remove_from_campaign(7, "Q4 Outreach")
    assert [a["type"] for a in rows(actions, "activities")] == [
        "Add to Sales Campaign", "Removed from Sales Campaign"]


@pytest.mark.parametrize("call", [
    lambda a: a.send_email(8, "Hi"),
    lambda a: a.send_email("7", "Hi"),
    lambda a: a.send_email(7, ""),
    lambda a: a.send_email(7, "x" * 201),
    lambda a: a.log_call(7, "Call", status="busy"),
    lambda a: a.log_call(7, "Call", duration=-1),
    lambda a: a.record_email_event(99, "open"),
    lambda a: a.add_to_campaign(7, ""),
])
def test_bad_input_is_refused_and_writes_nothing(actions, call):
    with pytest.raises((InvalidInput, NotFound)):
        call(actions)
    assert rows(actions, "activities") == [] and rows(actions, "emails") == []

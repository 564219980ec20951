"""Email and call Tasks to Salesforce: shaped by the rules, logged once, never read back."""

from __future__ import annotations

import pytest

from tests.engine.mockworld import fields, rows

CARLA, LENA = "carla@acme.example", "lena@leadco.example"


def test_emails_replies_and_calls_become_tasks_on_the_person(world):
    world.sia.set_setting("salesforce.email_subject_template", "{type} to {name} at {company}: "
                          "{subject}")
    sent = world.sia.send_email(world.id(CARLA), "Quarterly review", "Body text")
    world.sia.record_email_event(sent["emailId"], "reply", details="Sounds good")
    world.sia.log_call(world.id(LENA), "Discovery call", duration=95, status="completed")
    contact = world.salesforce.by_email("Contact", CARLA)["Id"]
    lead = world.salesforce.by_email("Lead", LENA)["Id"]
    tasks = {t["Type"]: t for t in world.tasks()}
    assert tasks["Email"]["Subject"] == "Email to Carla Contact at Acme Corp: Quarterly review"
    assert tasks["Email"]["WhoId"] == contact and tasks["Email"]["Status"] == "Completed"
    assert sent["marker"] in tasks["Email"]["Description"]
    assert "Body text" in tasks["Email"]["Description"]
    assert tasks["Reply"]["Subject"] == "Reply: Quarterly review"
    assert tasks["Reply"]["WhoId"] == contact
    assert tasks["Call"]["Subject"] == "Call: Discovery call" and tasks["Call"]["WhoId"] == lead
    assert tasks["Call"]["CallDurationInSeconds"] == 95
    assert tasks["Call"]["TaskSubtype"] == "Call" and tasks["Email"]["TaskSubtype"] == "Email"


def test_two_replies_to_one_email_are_two_tasks(world, task_write):
    sent = world.sia.send_email(world.id(CARLA), "Hi", "")
    world.fault("salesforce", **task_write, times=1, drop="after")
    world.sia.record_email_event(sent["emailId"], "reply")
    world.sia.record_email_event(sent["emailId"], "reply")
    assert [t["Type"] for t in world.tasks(CARLA)] == ["Email", "Reply", "Reply"]


@pytest.mark.parametrize("fault", [{"drop": "after"}, {"drop": "before"}, {"status": 503},
                                   {"status": 500}],
                         ids=lambda f: next(f"{k}={v}" for k, v in f.items()))
def test_a_lost_create_makes_exactly_one_task(world, fault, task_write):
    world.fault("salesforce", **task_write, times=1, **fault)
    result = world.sia.log_call(world.id(CARLA), "Discovery call", duration=10)
    [task] = world.tasks(CARLA)
    [row] = rows(world.sia, "logged_tasks")
    assert row["delivery"] == "done" and row["sf_task_id"] == task["Id"]
    expected = "found" if fault.get("drop") == "after" else "created"
    assert result["delivery"]["salesforce"][expected] == 1, result["delivery"]
    world.sia.flush()
    assert len(world.tasks(CARLA)) == 1


def test_while_salesforce_is_away_tasks_wait_and_land_once(world):
    world.fault("salesforce", path="*", status=503)
    result = world.sia.send_email(world.id(CARLA), "Quarterly review")
    assert "error" in result["delivery"]["salesforce"]
    assert world.activities(CARLA, "Send Sales Email")  # Marketo still got its activity
    world.stack.salesforce.call("DELETE", "/faults")
    world.sia.flush()
    world.sia.flush()
    assert [t["Subject"] for t in world.tasks(CARLA)] == ["Email: Quarterly review"]


def test_a_task_deleted_in_salesforce_after_a_lost_answer_is_not_made_again(world, task_write):
    if task_write["method"] == "PATCH":  # the upsert's answers are all lost: it is unsure
        world.fault("salesforce", **task_write, drop="after")
    else:
        world.fault("salesforce", **task_write, times=1, drop="after")
    world.fault("salesforce", path="*/query*", status=503)  # the search fails too
    world.sia.send_email(world.id(CARLA), "Quarterly review")
    assert rows(world.sia, "logged_tasks")[0]["delivery"] == "unknown"
    [task] = world.tasks(CARLA)
    world.salesforce.delete("Task", task["Id"])  # a user deletes it meanwhile
    world.stack.salesforce.call("DELETE", "/faults")
    assert world.sia.flush()["salesforce"] == {"created": 0, "found": 1, "failed": 0,
                                               "inFlight": 0}
    assert world.tasks(CARLA) == []


def test_a_task_salesforce_refuses_is_not_sent_again(world):
    contact = world.salesforce.by_email("Contact", CARLA)["Id"]
    world.salesforce.delete("Contact", contact)  # SIA has not heard yet
    result = world.sia.send_email(world.id(CARLA), "Quarterly review")
    assert result["delivery"]["salesforce"]["failed"] == 1
    [row] = rows(world.sia, "logged_tasks")
    assert row["delivery"] == "failed" and row["error"]
    before = len(world.calls("salesforce", method="POST"))
    world.sia.flush()
    assert len(world.calls("salesforce", method="POST")) == before


def test_logging_switches_decide_what_is_queued(world):
    world.sia.set_setting("salesforce.log_emails", False)
    sent = world.sia.send_email(world.id(CARLA), "Off")
    world.sia.record_email_event(sent["emailId"], "reply")
    world.sia.log_call(world.id(CARLA), "On", duration=1)
    world.sia.set_setting("salesforce.log_calls", "off")
    world.sia.set_setting("salesforce.log_emails", "on")
    world.sia.log_call(world.id(CARLA), "Off too", duration=1)
    world.sia.send_email(world.id(CARLA), "On too")
    assert sorted(t["Subject"] for t in world.tasks(CARLA)) == ["Call: On", "Email: On too"]


def test_changes_to_logged_tasks_in_salesforce_change_nothing_in_sia(world):
    world.sia.set_setting("salesforce.sync_tasks", True)
    world.sia.send_email(world.id(CARLA), "Quarterly review")
    world.sia.log_call(world.id(CARLA), "Discovery call", duration=5)
    email_task, call_task = world.tasks(CARLA)
    world.salesforce.update("Task", email_task["Id"], {"Subject": "Edited",
                                                       "Status": "Not Started"})
    world.salesforce.delete("Task", call_task["Id"])
    world.sia.sync_all()
    assert world.sia.tasks() == []
    assert [r["delivery"] for r in rows(world.sia, "logged_tasks")] == ["done", "done"]
    assert [a["subject"] for a in world.sia.activities(world.id(CARLA))] == [
        "Quarterly review", "Discovery call"]
    assert fields(rows(world.sia, "logged_tasks")[0])["Subject"] == "Email: Quarterly review"


def test_a_lead_converted_before_sia_heard_gets_its_tasks_on_the_contact(world):
    lead = world.salesforce.by_email("Lead", LENA)["Id"]
    contact = world.stack.salesforce.call("POST", "/leads/convert",
                                          json={"leadId": lead})["contactId"]
    world.sia.set_setting("salesforce.sync_tasks", True)
    world.sia.send_email(world.id(LENA), "Quarterly review")
    world.sia.create_task(world.id(LENA), "Call back")
    world.sia.unsubscribe(world.id(LENA))
    on_contact = world.salesforce.tasks(contact)
    assert sorted(t["Subject"] for t in on_contact) == ["Call back", "Email: Quarterly review"]
    [converted] = [c for c in world.salesforce.records("Contact") if c["Id"] == contact]
    assert converted["HasOptedOutOfEmail"] in (1, True)
    assert [r["delivery"] for r in rows(world.sia, "logged_tasks")] == ["done"]
    assert fields(rows(world.sia, "logged_tasks")[0])["WhoId"] == contact

"""Sales activities to Marketo: each action once, with its attributes, whatever fails."""

from __future__ import annotations

import pytest

from engine.actions import Actions
from tests.engine.mockworld import rows

CARLA, LENA = "carla@acme.example", "lena@leadco.example"


def _email(world, email=CARLA, subject="Quarterly review", campaign=None) -> dict:
    return world.sia.send_email(world.id(email), subject, "Hello", campaign)


ACTIONS = {
    "Send Sales Email": lambda w: _email(w),
    "Open Sales Email": lambda w: w.sia.record_email_event(_email(w)["emailId"], "open"),
    "Click Sales Email": lambda w: w.sia.record_email_event(_email(w)["emailId"], "click",
                                                            "https://acme.example/x"),
    "Replied to Sales Email": lambda w: w.sia.record_email_event(_email(w)["emailId"], "reply"),
    "Sales Email Bounced": lambda w: w.sia.record_email_event(_email(w)["emailId"], "bounce",
                                                              details="Mailbox full"),
    "Sales Call Received": lambda w: w.sia.log_call(w.id(CARLA), "Discovery call",
                                                    status="no answer", duration=0),
    "Add to Sales Campaign": lambda w: w.sia.add_to_campaign(w.id(CARLA), "Q4 Outreach"),
    "Removed from Sales Campaign": lambda w: (w.sia.add_to_campaign(w.id(CARLA), "Q4"),
                                              w.sia.remove_from_campaign(w.id(CARLA), "Q4")),
}


@pytest.mark.parametrize("kind", list(ACTIONS))
def test_each_action_logs_one_activity_of_its_type(world, kind):
    ACTIONS[kind](world)
    [activity] = world.activities(CARLA, kind)
    assert activity["attributes"].get("Source", "Sales App") == "Sales App"
    assert activity["attributes"].get("Sent By", "SIA Seller") == "SIA Seller"
    assert all(r["delivery"] == "done" for r in rows(world.sia, "activities"))
    assert {a["type"] for a in world.sales_activities()} <= set(ACTIONS)


def test_an_email_activity_carries_the_glossary_attributes(world):
    sent = _email(world, campaign="Q4 Outreach")
    [activity] = world.activities(CARLA, "Send Sales Email")
    assert activity["primaryAttributeValue"] == sent["subject"] == \
        f"Quarterly review ({sent['marker']})"
    assert activity["attributes"] == {
        "Sent By": "SIA Seller", "Source": "Sales App", "Email Subject": sent["subject"],
        "Sales Campaign Name": "Q4 Outreach", "Marketo Sales Person ID": 1,
        "Sales Campaign URL": activity["attributes"]["Sales Campaign URL"]}


@pytest.mark.parametrize("fault", [
    {"drop": "after"},  # Marketo committed, SIA never heard back
    {"drop": "before"},  # the connection dropped, nothing ran
    {"status": 503},  # a bare 503: did it run? SIA cannot know
    {"error": "606"},  # rate limit: refused before running
    {"error": "615"},  # concurrency limit: likewise
    {"error": "604"},  # Marketo's own time-out
], ids=lambda f: next(f"{k}={v}" for k, v in f.items()))
def test_a_lost_or_refused_write_lands_exactly_once(world, fault):
    world.fault("marketo", path="/rest/v1/activities/external.json", times=1, **fault)
    result = _email(world)
    assert world.activities(CARLA, "Send Sales Email")[0]["primaryAttributeValue"] == \
        result["subject"]
    assert len(world.activities(CARLA, "Send Sales Email")) == 1
    [row] = rows(world.sia, "activities")
    assert row["delivery"] == "done" and row["marketo_activity_id"]
    counts = result["delivery"]["marketo"]
    expected = "confirmed" if fault.get("drop") == "after" else "delivered"
    assert counts[expected] == 1, counts


def test_a_batch_whose_answer_is_lost_is_settled_by_reading_back(world):
    """Ten activities queued, one batch, its answer lost: all ten land once."""
    actions = Actions(world.sia.db, world.sia.settings)
    for n in range(10):
        actions.log_call(world.id(LENA), f"Call {n}", duration=n)
    world.fault("marketo", path="/rest/v1/activities/external.json", times=1, drop="after")
    counts = world.sia.flush()["marketo"]
    assert counts == {"delivered": 0, "confirmed": 10, "failed": 0, "inFlight": 0}
    assert len(world.activities(LENA, "Sales Call Received")) == 10
    assert len(world.calls("marketo", "/rest/v1/activities/external.json")) == 1


def test_while_marketo_is_away_actions_are_kept_and_delivered_later(world):
    world.sia.delivery.type_ids()  # read before: type metadata is not what is lost here
    world.fault("marketo", path="/rest/v1/activities/external.json", drop="after")
    world.fault("marketo", path="/rest/v1/activities.json", status=503)
    result = _email(world)
    assert "error" in result["delivery"]["marketo"]  # the action itself is done
    assert rows(world.sia, "activities")[0]["delivery"] == "unknown"
    world.stack.marketo.call("DELETE", "/faults")
    assert world.sia.flush()["marketo"]["confirmed"] == 1
    assert len(world.activities(CARLA, "Send Sales Email")) == 1
    assert world.sia.flush()["marketo"] == {"delivered": 0, "confirmed": 0, "failed": 0,
                                            "inFlight": 0}


def test_a_restart_settles_what_a_lost_answer_left_unknown(world):
    world.fault("marketo", path="/rest/v1/activities.json", status=503)  # no read-back
    world.fault("marketo", path="/rest/v1/activities/external.json", times=1, drop="before")
    _email(world)
    assert rows(world.sia, "activities")[0]["delivery"] == "unknown"
    world.stack.marketo.call("DELETE", "/faults")
    sia = world.reopen()
    assert sia.flush()["marketo"] == {"delivered": 1, "confirmed": 0, "failed": 0, "inFlight": 0}
    assert len(world.activities(CARLA, "Send Sales Email")) == 1


def test_a_person_marketo_no_longer_has_fails_that_activity_only(world):
    lena = world.id(LENA)
    world.stack.marketo.call("DELETE", "/leads", json={"ids": [lena]})
    world.sia.log_call(lena, "Gone", duration=1)
    assert world.sia.log_call(world.id(CARLA), "Here", duration=1)["delivery"]["marketo"][
        "delivered"] == 1
    states = {r["primary_value"]: (r["delivery"], r["error"]) for r in rows(world.sia,
                                                                            "activities")}
    assert states["Here"] == ("done", None)
    assert states["Gone"][0] == "failed" and "1004" in states["Gone"][1]

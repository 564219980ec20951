"""Unsubscribes: SIA and Salesforce's Email Opt Out in step, re-subscribes never synced,
Marketo never written, and the Marketo Unsubscribe Check."""

from __future__ import annotations

import pytest

from engine.errors import Blocked, CheckFailed
from tests.engine.mockworld import rows

CARLA, LENA, SAM = "carla@acme.example", "lena@leadco.example", "sam@syncco.example"


def opted_out(world, kind: str, email: str) -> bool:
    return bool(world.salesforce.by_email(kind, email)["HasOptedOutOfEmail"])


def unsubscribed(world, email: str) -> bool:
    return world.sia.person(world.id(email))["unsubscribed"]


def person_writes(world) -> list[dict]:
    return [e for e in world.calls("marketo", "/rest/v1/leads.json", "POST")
            if "_method=GET" not in (e["requestBody"] or "")]


def test_an_unsubscribe_is_pushed_at_once_to_the_contact_or_the_lead(world):
    assert world.sia.unsubscribe(world.id(CARLA))["pushedToSalesforce"]
    assert world.sia.unsubscribe(world.id(LENA))["pushedToSalesforce"]
    assert opted_out(world, "Contact", CARLA) and opted_out(world, "Lead", LENA)
    assert not opted_out(world, "Lead", SAM)
    assert person_writes(world) == []
    assert world.marketo.by_email(CARLA).get("unsubscribed") in (None, 0, False)


def test_salesforce_opt_outs_come_in_on_the_periodic_pass(world):
    lead = world.salesforce.by_email("Lead", LENA)["Id"]
    world.salesforce.update("Lead", lead, {"HasOptedOutOfEmail": True})
    assert world.sia.sync_unsubscribes()["unsubscribedFromSalesforce"] == 1
    assert unsubscribed(world, LENA) and not unsubscribed(world, CARLA)
    # the next pass reads only what changed since, by Salesforce's clock
    contact = world.salesforce.by_email("Contact", CARLA)["Id"]
    world.salesforce.update("Contact", contact, {"HasOptedOutOfEmail": True})
    assert world.sia.sync_unsubscribes()["unsubscribedFromSalesforce"] == 1
    queries = [e["query"] for e in world.calls("salesforce", "/query")]
    assert "LastModifiedDate" in queries[-1]
    assert unsubscribed(world, CARLA)


def test_re_subscribes_never_sync_either_way(world):
    world.sia.unsubscribe(world.id(CARLA))
    world.sia.resubscribe(world.id(CARLA))
    world.sia.sync_unsubscribes()
    assert opted_out(world, "Contact", CARLA)  # SIA's re-subscribe stayed in SIA
    assert not unsubscribed(world, CARLA)  # and Salesforce's old opt-out is not news
    contact = world.salesforce.by_email("Contact", CARLA)["Id"]
    world.sia.unsubscribe(world.id(CARLA))
    world.salesforce.update("Contact", contact, {"HasOptedOutOfEmail": False})
    world.sia.sync_unsubscribes()
    assert unsubscribed(world, CARLA)  # Salesforce's opt-in stayed in Salesforce


def test_a_new_opt_out_after_an_opt_in_is_news_again(world):
    contact = world.salesforce.by_email("Contact", CARLA)["Id"]
    world.sia.unsubscribe(world.id(CARLA))
    world.sia.resubscribe(world.id(CARLA))
    world.sia.sync_unsubscribes()
    world.salesforce.update("Contact", contact, {"HasOptedOutOfEmail": False})
    world.sia.sync_unsubscribes()
    assert not unsubscribed(world, CARLA)
    world.salesforce.update("Contact", contact, {"HasOptedOutOfEmail": True})
    world.sia.sync_unsubscribes()
    assert unsubscribed(world, CARLA)


def test_a_push_salesforce_cannot_take_now_is_kept_for_the_pass(world):
    world.fault("salesforce", path="*", status=503)
    result = world.sia.unsubscribe(world.id(CARLA))
    assert result["unsubscribed"] and not result["pushedToSalesforce"] and result["pushError"]
    assert unsubscribed(world, CARLA) and not opted_out(world, "Contact", CARLA)
    world.stack.salesforce.call("DELETE", "/faults")
    assert world.sia.sync_unsubscribes()["pushed"] == 1
    assert opted_out(world, "Contact", CARLA)


def test_a_lost_answer_to_the_push_is_sent_again_safely(world):
    world.fault("salesforce", path="*/sobjects/Contact/*", method="PATCH", times=1,
                drop="after")
    assert world.sia.unsubscribe(world.id(CARLA))["pushedToSalesforce"]
    assert opted_out(world, "Contact", CARLA)
    assert len(world.calls("salesforce", "/sobjects/Contact/", "PATCH")) == 2


def test_with_unsubscribe_sync_off_nothing_goes_either_way(world):
    world.sia.set_setting("salesforce.sync_unsubscribes", False)
    world.sia.unsubscribe(world.id(CARLA))
    lead = world.salesforce.by_email("Lead", LENA)["Id"]
    world.salesforce.update("Lead", lead, {"HasOptedOutOfEmail": True})
    assert world.sia.sync_unsubscribes() == {"skipped": "unsubscribe sync is off"}
    assert not opted_out(world, "Contact", CARLA) and not unsubscribed(world, LENA)
    assert world.calls("salesforce") == []


def test_a_person_without_a_salesforce_id_is_unsubscribed_in_sia_only(world):
    with world.sia.db.transaction() as db:  # not a person the sync brings: made by hand
        db["people"].insert({"marketo_id": 999, "first_name": "No", "last_name": "Id",
                             "email": "no.id@example.com", "status": "active"})
    result = world.sia.unsubscribe(999)
    assert result == {"unsubscribed": True, "pushedToSalesforce": False}
    assert world.calls("salesforce") == [] and person_writes(world) == []
    assert rows(world.sia, "people")[-1]["unsubscribe_push"] is None


# --- the Marketo Unsubscribe Check -----------------------------------------------------------

def test_the_check_asks_once_and_blocks_an_unsubscribed_address(world):
    world.sia.set_setting("marketo.unsubscribe_check", True)
    world.marketo.change(world.id(CARLA), {"unsubscribed": True}, "form")
    with pytest.raises(Blocked, match="unsubscribed in Marketo"):
        world.sia.send_email(world.id(CARLA), "Quarterly review")
    assert len(world.calls("marketo", "/rest/v1/leads.json")) == 1
    assert world.sales_activities() == [] and world.calls("salesforce") == []
    assert rows(world.sia, "emails") == [] and rows(world.sia, "activities") == []
    world.sia.send_email(world.id(LENA), "Quarterly review")
    assert len(world.calls("marketo", "/rest/v1/leads.json")) == 2


def test_with_the_check_off_marketo_is_not_asked(world):
    world.marketo.change(world.id(CARLA), {"unsubscribed": True}, "form")
    world.sia.send_email(world.id(CARLA), "Quarterly review")
    assert world.calls("marketo", "/rest/v1/leads.json") == []
    assert len(world.activities(CARLA, "Send Sales Email")) == 1


def test_when_marketo_cannot_be_asked_nothing_is_sent(world):
    world.sia.set_setting("marketo.unsubscribe_check", True)
    world.fault("marketo", path="/rest/v1/leads.json", status=503)
    with pytest.raises(CheckFailed, match="could not ask Marketo"):
        world.sia.send_email(world.id(CARLA), "Quarterly review")
    assert rows(world.sia, "emails") == [] and world.calls("salesforce") == []


def test_sia_own_unsubscribes_block_sends_too(world):
    world.sia.unsubscribe(world.id(CARLA))
    with pytest.raises(Blocked, match="has unsubscribed"):
        world.sia.send_email(world.id(CARLA), "Quarterly review")
    assert rows(world.sia, "emails") == []

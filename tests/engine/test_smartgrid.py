"""The Smart Grid reads Marketo on every load (A-GRID)."""

from __future__ import annotations

import pytest

from engine.errors import NotFound, RemoteError

CARLA = "carla@acme.example"


def activity_reads(world) -> list[dict]:
    return world.calls("marketo", "/rest/v1/activities.json")


def test_every_load_reads_marketo_and_shows_what_it_has_now(world):
    lead = world.id(CARLA)
    world.marketo.add_activity(lead, "Visit Webpage", "https://acme.example/pricing",
                               {"Webpage URL": "https://acme.example/pricing"})
    world.sia.send_email(lead, "Quarterly review")
    first = world.sia.smart_grid(lead)
    assert [i["type"] for i in first] == ["Send Sales Email", "Visit Webpage"]
    assert first[0]["category"] == "email" and first[1]["category"] == "web"
    assert len(activity_reads(world)) == 1
    world.marketo.add_activity(lead, "Interesting Moment", "Milestone",
                               {"Description": "Asked for a demo"})
    second = world.sia.smart_grid(lead)
    assert second[0]["type"] == "Interesting Moment"
    assert second[0]["attributes"]["Description"] == "Asked for a demo"
    assert len(activity_reads(world)) == 2
    assert all(f"leadIds={lead}" in e["query"] for e in activity_reads(world))


def test_only_the_grid_kinds_of_activity_are_shown(world):
    lead = world.id(CARLA)
    world.sia.add_to_campaign(lead, "Q4 Outreach")
    world.sia.log_call(lead, "Discovery call", duration=30)
    assert [i["type"] for i in world.sia.smart_grid(lead)] == ["Sales Call Received"]


def test_when_marketo_is_away_the_grid_says_so(world):
    world.sia.delivery.type_ids()
    world.fault("marketo", path="/rest/v1/activities*", status=503)
    with pytest.raises(RemoteError):
        world.sia.smart_grid(world.id(CARLA))


def test_a_person_sia_does_not_have_has_no_grid(world):
    with pytest.raises(NotFound):
        world.sia.smart_grid(world.marketo.by_email("mona@only.example")["id"])
    assert activity_reads(world) == []

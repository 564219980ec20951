"""A write that lands after the client gave up waiting for it is never doubled.

Latency beyond every client timeout is armed on each delivery path (Marketo's
``activities/external.json``, the Task of a call, a reminder task's Task): SIA times out,
reads back, finds nothing yet because the write is still in flight, and must not send it
again. The timeouts are made small (and the mocks' latency faults just longer), so the
tests wait a second, not 65.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from tests.engine.mockworld import QUICK, engine_endpoints, rows

CARLA = "carla@acme.example"
TIMEOUT = 1.0  # seconds without an answer before SIA gives up waiting
LATENCY_MS = 2500  # beyond every client timeout
HORIZON = 4.5  # after this a write can no longer land: longer than the mocks ever take


@pytest.fixture
def slow_world(world):
    """The world's SIA with short timeouts, retrying quickly."""
    endpoints = replace(engine_endpoints(world.stack), marketo_timeout=TIMEOUT,
                        salesforce_timeout=TIMEOUT, write_horizon=HORIZON)
    world.sia.configure(endpoints)
    world.sia.marketo.retry = QUICK
    world.sia.salesforce.retry = QUICK
    return world


def wait_past(seconds: float, since: float) -> None:
    time.sleep(max(0.0, since + seconds - time.monotonic()))


def test_an_activity_and_a_task_that_land_after_the_timeout_exist_once(slow_world, task_write):
    world = slow_world
    world.sia.set_setting("salesforce.log_calls", True)
    world.fault("marketo", path="/rest/v1/activities/external.json", times=1,
                latencyMs=LATENCY_MS)
    world.fault("salesforce", **task_write, times=1, latencyMs=LATENCY_MS)
    sent = time.monotonic()
    result = world.sia.log_call(world.id(CARLA), "Discovery call", duration=30)
    # Marketo has not added it yet: SIA read back, found nothing, and sent nothing again
    assert result["delivery"]["marketo"]["inFlight"] == 1, result
    assert world.activities(CARLA, "Sales Call Received") == []
    assert rows(world.sia, "activities")[0]["delivery"] == "unknown"
    again = world.sia.flush()  # the next pass, while both writes are still in flight
    assert again["marketo"]["inFlight"] == 1
    wait_past(LATENCY_MS / 1000 + 0.3, sent)  # both have landed now
    assert len(world.activities(CARLA, "Sales Call Received")) == 1
    wait_past(HORIZON, sent)
    settled = world.sia.flush()
    assert settled["marketo"]["confirmed"] == 1, settled
    assert {r["delivery"] for r in rows(world.sia, "activities")} == {"done"}
    assert {r["delivery"] for r in rows(world.sia, "logged_tasks")} == {"done"}
    world.sia.flush()
    assert len(world.activities(CARLA, "Sales Call Received")) == 1
    assert [t["Subject"] for t in world.tasks(CARLA)] == ["Call: Discovery call"]
    assert len(world.calls("marketo", "/rest/v1/activities/external.json", "POST")) == 1


def test_a_reminder_task_that_lands_after_the_timeout_exists_once(slow_world, task_write):
    world = slow_world
    world.sia.set_setting("salesforce.sync_tasks", True)
    world.sia.sync_tasks()
    world.fault("salesforce", **task_write, times=1, latencyMs=LATENCY_MS)
    sent = time.monotonic()
    task = world.sia.create_task(world.id(CARLA), "Call back", priority="High")
    assert task["syncPending"] or task["salesforceTaskId"]
    world.sia.sync_tasks()  # the next pass, the create still in flight
    wait_past(HORIZON, sent)
    world.sia.sync_tasks()
    world.sia.sync_tasks()
    [mine] = world.sia.tasks()
    sf_tasks = world.tasks(CARLA)
    assert [t["Subject"] for t in sf_tasks] == ["Call back"]  # one Task, not two
    assert mine["salesforceTaskId"] == sf_tasks[0]["Id"] and not mine["syncPending"]
    assert len(world.sia.tasks()) == 1  # and it did not come back as a second reminder


def test_an_in_flight_write_is_not_sent_again_by_a_restarted_engine(slow_world):
    world = slow_world
    world.sia.set_setting("salesforce.log_calls", False)
    world.fault("marketo", path="/rest/v1/activities/external.json", times=1,
                latencyMs=LATENCY_MS)
    sent = time.monotonic()
    world.sia.log_call(world.id(CARLA), "Discovery call")
    sia = world.reopen()  # another process, the same database, the write still in flight
    sia.configure(replace(sia.endpoints, marketo_timeout=TIMEOUT, write_horizon=HORIZON))
    assert sia.flush()["marketo"]["inFlight"] == 1
    wait_past(HORIZON, sent)
    assert sia.flush()["marketo"]["confirmed"] == 1
    assert len(world.activities(CARLA, "Sales Call Received")) == 1

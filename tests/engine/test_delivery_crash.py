"""SIA killed in the middle of a write (a real SIGKILL of a real process): started again on
the same database, it neither loses the write nor makes it twice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from engine.actions import Actions
from tests.engine.mockworld import HORIZON, TASK_WRITE, engine_endpoints, rows

CARLA, LENA = "carla@acme.example", "lena@leadco.example"
HELD_MS = 1500  # how long the mock holds the call: the kill lands inside it
WORKER = Path(__file__).with_name("crashing.py")


def kill_while_sending(world, what: str, watched: str) -> None:
    world.sia.close()
    endpoints = json.dumps(asdict(engine_endpoints(world.stack)))
    proc = subprocess.Popen([sys.executable, str(WORKER), str(world.db_path), endpoints, what,
                             watched], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("SENDING"):
                break
        else:
            raise AssertionError(f"the worker never sent: {''.join(seen)}")
        time.sleep(HELD_MS / 3000)  # the request is in the mock's hands now
        proc.kill()
    finally:
        proc.wait(timeout=30)
    assert proc.returncode < 0, "the worker finished before it was killed"
    # whatever the mock was doing with it, it has done; and the write can no longer land
    time.sleep(max(HELD_MS / 1000, HORIZON))


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("landed", [True, False], ids=["landed", "never-ran"])
def test_killed_while_logging_activities(world, landed):
    actions = Actions(world.sia.db, world.sia.settings)
    world.sia.settings.set("salesforce.log_calls", False)
    for n in range(20):
        actions.log_call(world.id(LENA), f"Call {n}", duration=n)
    world.sia.delivery.type_ids()
    world.fault("marketo", path="/rest/v1/activities/external.json", times=1, latencyMs=HELD_MS)
    if not landed:
        world.fault("marketo", path="/rest/v1/activities/external.json", times=1, drop="before")
    kill_while_sending(world, "flush", "/activities/external.json")
    expected = 20 if landed else 0
    wait_for(lambda: len(world.activities(LENA, "Sales Call Received")) == expected)
    assert {r["delivery"] for r in rows(world.sia, "activities")} == {"unknown"}
    sia = world.reopen()
    counts = sia.flush()["marketo"]
    assert counts == ({"delivered": 0, "confirmed": 20, "failed": 0, "inFlight": 0} if landed
                      else {"delivered": 20, "confirmed": 0, "failed": 0, "inFlight": 0})
    assert len(world.activities(LENA, "Sales Call Received")) == 20
    assert {r["delivery"] for r in rows(sia, "activities")} == {"done"}


def test_killed_while_logging_a_task(world):
    actions = Actions(world.sia.db, world.sia.settings)
    for subject in ("First", "Second", "Third"):
        actions.send_email(world.id(CARLA), subject)
    world.sia.flush()  # the activities; and the Tasks, which we then take back
    for task in world.tasks(CARLA):
        world.salesforce.delete("Task", task["Id"])
    with world.sia.db.transaction() as db:
        db.execute("UPDATE logged_tasks SET delivery = 'pending', sf_task_id = NULL, "
                   "attempted_at = NULL, attempt_until = NULL")
    world.stack.salesforce.call("DELETE", "/journal")
    world.fault("salesforce", **TASK_WRITE, times=1, latencyMs=HELD_MS)
    kill_while_sending(world, "flush", "/sobjects/Task")
    wait_for(lambda: len(world.tasks(CARLA)) == 1)
    sia = world.reopen()
    assert sia.flush()["salesforce"] == {"created": 2, "found": 1, "failed": 0, "inFlight": 0}
    assert sorted(t["Subject"] for t in world.tasks(CARLA)) == [
        "Email: First", "Email: Second", "Email: Third"]
    assert len(world.calls("salesforce", "/sobjects/Task", "PATCH")) == 3


def test_killed_while_pushing_a_reminder_task(world):
    world.sia.set_setting("salesforce.sync_tasks", True)
    world.sia.sync_tasks()
    world.fault("salesforce", **TASK_WRITE, times=1, latencyMs=HELD_MS)
    kill_while_sending(world, f"reminder:{world.id(CARLA)}", "/sobjects/Task")
    wait_for(lambda: len(world.tasks(CARLA)) == 1)
    sia = world.reopen()
    counts = sia.sync_tasks()
    assert (counts["created"], counts["imported"]) == (1, 0)
    [task] = sia.tasks()
    assert task["salesforceTaskId"] == world.tasks(CARLA)[0]["Id"]
    assert len(world.tasks(CARLA)) == 1

"""Reminder tasks both ways with Salesforce: mapping, first sync by Salesforce's clock,
conflicts, and creates that land once whatever is lost."""

from __future__ import annotations

import pytest

from engine.errors import InvalidInput, NotFound, RemoteError

CARLA, LENA = "carla@acme.example", "lena@leadco.example"
DAY = 86400


@pytest.fixture
def on(world):
    world.sia.set_setting("salesforce.sync_tasks", True)
    return world


def sf_task(world, subject: str) -> dict:
    return world.salesforce.task(subject)


def ui_task(world, subject: str, email: str = CARLA, **extra) -> str:
    who = world.salesforce.by_email("Contact" if email == CARLA else "Lead", email)["Id"]
    return world.salesforce.create("Task", {"Subject": subject, "WhoId": who,
                                            "TaskSubtype": "Task", **extra})["id"]


def sia_task(world, name: str) -> dict:
    [task] = [t for t in world.sia.tasks() if t["name"] == name]
    return task


def test_off_by_default_nothing_reaches_salesforce(world):
    task = world.sia.create_task(world.id(CARLA), "Call back")
    world.sia.edit_task(task["id"], {"status": "Complete"})
    assert world.sia.sync_tasks() == {"skipped": "task sync is off"}
    assert world.tasks() == [] and world.calls("salesforce") == []


def test_create_edit_complete_delete_reach_salesforce_with_the_mapping(on):
    task = on.sia.create_task(on.id(CARLA), "Prepare the demo", "2027-01-15", "High",
                              "Bring the slides")
    sf = sf_task(on, "Prepare the demo")
    assert (sf["WhoId"], sf["ActivityDate"], sf["Priority"], sf["Description"], sf["Status"],
            sf["Type"]) == (on.salesforce.by_email("Contact", CARLA)["Id"], "2027-01-15",
                            "High", "Bring the slides", "Not Started", None)
    on.sia.edit_task(task["id"], {"name": "Prepare the demo v2", "priority": "Normal"})
    sf = sf_task(on, "Prepare the demo v2")
    assert sf["Priority"] == "Normal" and sf["Description"] == "Bring the slides"
    patch = on.calls("salesforce", "/sobjects/Task/", "PATCH")[-1]
    assert "Description" not in patch["requestBody"]  # only what changed
    on.sia.complete_task(task["id"])
    assert sf_task(on, "Prepare the demo v2")["Status"] == "Completed"
    on.sia.delete_task(task["id"])
    assert on.tasks() == [] and on.sia.tasks() == []


def test_salesforce_changes_come_in_with_the_mapping(on):
    on.sia.sync_tasks()
    task_id = ui_task(on, "Send the contract", Priority="Low", Status="In Progress")
    on.sia.sync_tasks()
    task = sia_task(on, "Send the contract")
    assert (task["status"], task["priority"], task["origin"]) == ("Open", "Normal",
                                                                  "salesforce")
    on.salesforce.update("Task", task_id, {"Subject": "Renamed", "Description": "Two copies",
                                           "ActivityDate": "2027-02-01", "Priority": "High"})
    on.sia.sync_tasks()
    task = sia_task(on, "Send the contract")  # Subject goes SIA to Salesforce only
    assert (task["details"], task["dueDate"], task["priority"]) == ("Two copies",
                                                                     "2027-02-01", "High")
    on.salesforce.update("Task", task_id, {"Status": "Completed", "Priority": "Low"})
    on.sia.sync_tasks()
    task = sia_task(on, "Send the contract")
    assert (task["status"], task["priority"]) == ("Complete", "High")
    on.salesforce.delete("Task", task_id)
    on.sia.sync_tasks()
    assert on.sia.tasks() == []


def test_logged_and_foreign_tasks_are_not_reminders(on):
    on.sia.sync_tasks()
    on.sia.send_email(on.id(CARLA), "Quarterly review")
    ui_task(on, "Logged by hand", Type="Call")
    ui_task(on, "Not an SIA person's", email="quinn@queueco.example")
    mona_free = on.salesforce.create("Task", {"Subject": "No one"})["id"]
    on.sia.sync_tasks()
    assert on.sia.tasks() == [] and mona_free


def test_unpushed_sia_edits_win_and_deletions_win_over_edits(on):
    task = on.sia.create_task(on.id(CARLA), "Call back")
    sf_id = sf_task(on, "Call back")["Id"]
    on.sia.sync_tasks()
    on.fault("salesforce", path="*/sobjects/Task/*", method="PATCH", status=503)
    on.sia.edit_task(task["id"], {"details": "SIA's words"})
    on.salesforce.update("Task", sf_id, {"Description": "Salesforce's words",
                                         "ActivityDate": "2027-03-03"})
    with pytest.raises(RemoteError, match="503"):
        on.sia.sync_tasks()
    on.stack.salesforce.call("DELETE", "/faults")
    on.sia.sync_tasks()
    assert sf_task(on, "Call back")["Description"] == "SIA's words"
    assert sia_task(on, "Call back")["details"] == "SIA's words"
    assert sia_task(on, "Call back")["dueDate"] == "2027-03-03"  # not edited in SIA
    on.salesforce.delete("Task", sf_id)
    on.sia.edit_task(task["id"], {"details": "Too late"})
    assert on.sia.tasks() == [] and on.tasks() == []


@pytest.mark.parametrize("fault", [{"drop": "after"}, {"drop": "before"}, {"status": 503}],
                         ids=lambda f: next(f"{k}={v}" for k, v in f.items()))
def test_a_lost_create_makes_exactly_one_task(on, fault):
    on.fault("salesforce", path="*/sobjects/Task*", method="POST", times=1, **fault)
    task = on.sia.create_task(on.id(CARLA), "Call back")
    on.sia.sync_tasks()
    on.sia.sync_tasks()
    [sf] = on.tasks(CARLA)
    assert sia_task(on, "Call back")["salesforceTaskId"] == sf["Id"] and task["id"]
    assert [t["name"] for t in on.sia.tasks()] == ["Call back"]


def test_while_salesforce_is_away_changes_wait_for_the_next_pass(on):
    on.fault("salesforce", path="*", status=503)
    task = on.sia.create_task(on.id(CARLA), "Call back")
    assert task["syncPending"] and task["syncError"]
    on.sia.complete_task(task["id"])
    on.stack.salesforce.call("DELETE", "/faults")
    on.sia.sync_tasks()
    [sf] = on.tasks(CARLA)
    assert (sf["Subject"], sf["Status"]) == ("Call back", "Completed")


def test_a_task_deleted_in_sia_while_its_create_was_unsure(on):
    on.fault("salesforce", path="*/sobjects/Task*", method="POST", times=1, drop="after")
    on.fault("salesforce", path="*/query*", status=503)
    task = on.sia.create_task(on.id(CARLA), "Call back")
    on.sia.delete_task(task["id"])
    on.stack.salesforce.call("DELETE", "/faults")
    on.sia.sync_tasks()
    assert on.tasks() == [] and on.sia.tasks() == []


def test_first_sync_imports_a_day_and_applies_fifteen_days_of_deletions(world):
    """By Salesforce's clock: the mock runs ten days ahead of the machine SIA is on."""
    world.stack.salesforce.advance_clock(10 * DAY)
    world.sia.set_setting("salesforce.sync_tasks", True)
    for name in ("Old deletion", "Recent deletion"):
        world.sia.create_task(world.id(CARLA), name)
    world.sia.sync_tasks()
    world.sia.set_setting("salesforce.sync_tasks", False)
    world.salesforce.delete("Task", sf_task(world, "Old deletion")["Id"])
    world.stack.salesforce.advance_clock(16 * DAY)
    world.salesforce.delete("Task", sf_task(world, "Recent deletion")["Id"])
    ui_task(world, "Two days old")
    world.stack.salesforce.advance_clock(2 * DAY - 3600)
    ui_task(world, "An hour old")
    world.stack.salesforce.advance_clock(3600)
    world.sia.create_task(world.id(CARLA), "Made while off")
    world.sia.set_setting("salesforce.sync_tasks", True)
    counts = world.sia.sync_tasks()
    assert (counts["imported"], counts["removed"]) == (1, 1)
    assert sorted(t["name"] for t in world.sia.tasks()) == ["An hour old", "Made while off",
                                                            "Old deletion"]
    world.sia.edit_task(sia_task(world, "Made while off")["id"], {"details": "still SIA's"})
    world.sia.create_task(world.id(CARLA), "Made while on")
    assert sorted(t["Subject"] for t in world.tasks()) == ["An hour old", "Made while on",
                                                          "Two days old"]


@pytest.mark.parametrize("changes", [{"priority": "Low"}, {"status": "Waiting"},
                                     {"due_date": "15/01/2027"}, {"name": ""},
                                     {"owner": "me"}, {}])
def test_bad_edits_are_refused_and_change_nothing(on, changes):
    task = on.sia.create_task(on.id(CARLA), "Call back")
    before = on.calls("salesforce")
    with pytest.raises(InvalidInput):
        on.sia.edit_task(task["id"], changes)
    assert sia_task(on, "Call back")["priority"] == "Normal"
    assert on.calls("salesforce") == before


def test_unknown_tasks_and_people_are_not_found(on):
    with pytest.raises(NotFound):
        on.sia.edit_task(42, {"name": "x"})
    with pytest.raises(NotFound):
        on.sia.create_task(424242, "x")

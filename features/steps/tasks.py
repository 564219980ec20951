"""Steps of the reminder tasks (T-*): SIA's tasks, Salesforce's Tasks, the mocks' clocks."""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from features.steps.common import person_id, phrase, succeeded
from features.steps.people import value
from features.world import MarketoWorld, SalesforceWorld

#: A Salesforce user of the kit's worlds, for changes made in Salesforce's UI.
UI_USER = "rita.rep@acme.example"
#: The phrases of the scenarios, and the fields they name on each side.
SF_FIELDS = {"description": "Description", "status": "Status", "priority": "Priority",
             "subject": "Subject", "due date": "ActivityDate"}
SIA_FIELDS = {"details": "details", "status": "status", "priority": "priority", "name": "name",
              "due date": "due_date"}
UNITS = {"hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


@pytest.fixture
def task_ids() -> dict[str, object]:
    """Task name -> the id SIA gave it, for the tasks a seller made in this scenario."""
    return {}


def _task_id(task_ids, name: str):
    assert name in task_ids, f"no task {name!r} was created in this scenario"
    return task_ids[name]


def _sia_task(driver, task_ids, name: str) -> dict:
    """A task SIA holds: the one made in this scenario, else the one with that name."""
    tasks = driver.tasks()
    known = task_ids.get(name)
    found = [t for t in tasks if (t["id"] == known if known is not None else t["name"] == name)]
    assert len(found) == 1, f"SIA has {len(found)} tasks {name!r}: {tasks}"
    return found[0]


def advance(mocks, seconds: float) -> None:
    """Time passes for both services (SIA's own clock is the machine's)."""
    if seconds > 0:
        mocks.salesforce.advance_clock(seconds)
        mocks.marketo.advance_clock(seconds)


def who_of(mocks, known_people, name: str, who: str | None = None) -> str:
    """The Salesforce ID a Task on this person links to: its contact, else its lead (or the
    one ``who`` names)."""
    person = MarketoWorld(mocks).person_by_id(person_id(known_people, mocks, name))
    if who == "lead":
        return person["sfdcLeadId"]
    return person.get("sfdcContactId") or person["sfdcLeadId"]


# --- in SIA -----------------------------------------------------------------------------------

def _create(driver, mocks, known_people, task_ids, name, person, due=None, priority="Normal",
            details=None):
    answer = succeeded(driver.create_task(person_id(known_people, mocks, person), name, due,
                                          priority, value(details)), "creating the task")
    assert answer.detail.get("taskId") is not None, \
        "the create's outcome has no taskId (see the contract)"
    task_ids[name] = answer.detail["taskId"]
    return answer


@given(phrase('a seller creates the reminder task "{name}" for "{person}"'),
       target_fixture="outcome")
@when(phrase('a seller creates the reminder task "{name}" for "{person}"'),
      target_fixture="outcome")
def create(driver, mocks, known_people, task_ids, name, person):
    return _create(driver, mocks, known_people, task_ids, name, person)


@given(phrase('a seller creates the reminder task "{name}" for "{person}" due "{due}" with '
              'priority "{priority}" and details "{details}"'), target_fixture="outcome")
@when(phrase('a seller creates the reminder task "{name}" for "{person}" due "{due}" with '
             'priority "{priority}" and details "{details}"'), target_fixture="outcome")
def create_full(driver, mocks, known_people, task_ids, name, person, due, priority, details):
    return _create(driver, mocks, known_people, task_ids, name, person, due or None, priority,
                   details or None)


@when(phrase('the seller renames the task "{name}" to "{new}"'), target_fixture="outcome")
def rename(driver, task_ids, name, new):
    task_id = _task_id(task_ids, name)
    answer = succeeded(driver.edit_task(task_id, {"name": new}), "renaming")
    task_ids[new] = task_id
    return answer


@when(phrase('the seller changes the {field:details|due date|priority|status} of the task '
             '"{name}" to "{new}"'), target_fixture="outcome")
def change(driver, task_ids, field, name, new):
    return succeeded(driver.edit_task(_task_id(task_ids, name),
                                      {SIA_FIELDS[field]: value(new) or None}),
                     f"changing the {field}")


@given(phrase('the seller completes the task "{name}"'), target_fixture="outcome")
@when(phrase('the seller completes the task "{name}"'), target_fixture="outcome")
def complete(driver, task_ids, name):
    return succeeded(driver.edit_task(_task_id(task_ids, name), {"status": "Complete"}),
                     "completing")


@when(phrase('the seller deletes the task "{name}"'), target_fixture="outcome")
def delete(driver, mocks, task_ids, name):
    if name not in task_ids:  # a task that came from Salesforce: SIA's id by its name
        task_ids[name] = _sia_task(driver, task_ids, name)["id"]
    return succeeded(driver.delete_task(_task_id(task_ids, name)), "deleting")


@when(phrase("SIA runs the task sync"), target_fixture="outcome")
@given(phrase("SIA runs the task sync"), target_fixture="outcome")
def task_sync(driver):
    return succeeded(driver.sync_tasks(), "the task sync")


@then(phrase('SIA has the reminder task "{name}" for "{person}" with status "{status}"'))
def sia_has(driver, mocks, known_people, name, person, status):
    found = [t for t in driver.tasks() if t["name"] == name]
    assert len(found) == 1, f"SIA has {len(found)} tasks {name!r}: {driver.tasks()}"
    assert int(found[0]["marketo_id"]) == person_id(known_people, mocks, person), \
        f"the task is on person {found[0]['marketo_id']}"
    assert found[0]["status"] == status, f"its status is {found[0]['status']!r}"


@then(phrase("SIA's reminder task \"{name}\" has the "
             "{field:details|status|priority|name|due date} \"{expected}\""))
def sia_task_field(driver, task_ids, name, field, expected):
    task = _sia_task(driver, task_ids, name)
    actual = task.get(SIA_FIELDS[field])
    assert (actual or "") == (value(expected) or ""), \
        f"its {field} is {actual!r}, not {value(expected)!r}"


@then(phrase("SIA has no reminder tasks"))
def sia_no_tasks(driver):
    tasks = driver.tasks()
    assert tasks == [], f"SIA has reminder tasks: {[t['name'] for t in tasks]}"


@then(phrase('SIA has no reminder task "{name}"'))
def sia_no_task(driver, name):
    names = [t["name"] for t in driver.tasks()]
    assert name not in names, f"SIA has the task {name!r}"


@then(phrase('SIA has exactly these reminder tasks: "{names}"'))
def sia_exactly(driver, names):
    actual = sorted(t["name"] for t in driver.tasks())
    expected = sorted(n.strip() for n in names.split(",") if n.strip())
    assert actual == expected, f"SIA has the tasks {actual}"


# --- in Salesforce ----------------------------------------------------------------------------

def ui_create(mocks, subject: str, who: str) -> str:
    """A Task a user makes in Salesforce's UI (a plain task: subtype Task, no Type)."""
    return SalesforceWorld(mocks).admin.call(
        "POST", "/sobjects/Task", params={"asUser": UI_USER},
        json={"Subject": subject, "WhoId": who, "TaskSubtype": "Task",
              "Status": "Not Started", "Priority": "Normal"})["id"]


def ui_update(mocks, task_id: str, fields: dict) -> None:
    SalesforceWorld(mocks).admin.call("PATCH", f"/sobjects/Task/{task_id}",
                                      params={"asUser": UI_USER}, json=fields,
                                      expect=(200, 204))


def ui_delete(mocks, task_id: str) -> None:
    SalesforceWorld(mocks).admin.call("DELETE", f"/sobjects/Task/{task_id}",
                                      params={"asUser": UI_USER}, expect=(200, 204))


@given(phrase('in Salesforce a Task "{subject}" is created on the {who:contact|lead} "{name}"'))
@when(phrase('in Salesforce a Task "{subject}" is created on the {who:contact|lead} "{name}"'))
def sf_create(mocks, known_people, subject, who, name):
    ui_create(mocks, subject, who_of(mocks, known_people, name, who))


@given(phrase('in Salesforce a Task "{subject}" was created on the contact "{name}" '
              '{count:d} {unit:hours|hour|days|day} ago'))
def sf_created_ago(mocks, known_people, subject, name, count, unit):
    """Made now, then the clocks move on: its age grows with every later "ago" step."""
    ui_create(mocks, subject, who_of(mocks, known_people, name, "contact"))
    advance(mocks, int(count) * UNITS[unit])


@given(phrase("Salesforce users made these Tasks (ages in hours, by Salesforce's clock):"))
def sf_timeline(mocks, known_people, datatable):
    """Rows: subject, person, created, and optionally updated and deleted, each how many
    hours ago. The clocks go forward through the events, oldest first, and end at now."""
    header, *rows = datatable
    events = []
    for row in rows:
        item = dict(zip(header, row, strict=True))
        events.append((float(item["created"]), 0, "create", item))
        if item.get("updated"):
            events.append((float(item["updated"]), 1, "update", item))
        if item.get("deleted"):
            events.append((float(item["deleted"]), 2, "delete", item))
    ids: dict[str, str] = {}
    age = max(e[0] for e in events)
    for hours, _order, kind, item in sorted(events, key=lambda e: (-e[0], e[1])):
        advance(mocks, (age - hours) * 3600)
        age = hours
        if kind == "create":
            ids[item["subject"]] = ui_create(mocks, item["subject"],
                                             who_of(mocks, known_people, item["person"]))
        elif kind == "update":
            ui_update(mocks, ids[item["subject"]], {"Description": "Updated in Salesforce"})
        else:
            ui_delete(mocks, ids[item["subject"]])
    advance(mocks, age * 3600)


@when(phrase('in Salesforce the Task "{subject}" gets the '
             '{field:description|status|priority|subject|due date} "{new}"'))
def sf_change(mocks, subject, field, new):
    ui_update(mocks, SalesforceWorld(mocks).task(subject)["Id"],
              {SF_FIELDS[field]: value(new) or None})


@given(phrase('in Salesforce the Task "{subject}" is deleted'))
@when(phrase('in Salesforce the Task "{subject}" is deleted'))
def sf_delete(mocks, subject):
    ui_delete(mocks, SalesforceWorld(mocks).task(subject)["Id"])


@given(phrase("{count:d} {unit:hours|hour|days|day} pass"))
@when(phrase("{count:d} {unit:hours|hour|days|day} pass"))
def time_passes(mocks, count, unit):
    advance(mocks, int(count) * UNITS[unit])


def _sf_tasks_named(mocks, known_people, subject: str, name: str, who: str | None) -> list:
    sf = SalesforceWorld(mocks)
    return [t for t in sf.tasks(who_of(mocks, known_people, name, who))
            if t["Subject"] == subject]


@then(phrase('Salesforce has a Task "{subject}" on the {who:contact|lead} "{name}" with '
             'status "{status}"'))
def sf_has_task(mocks, known_people, subject, who, name, status):
    tasks = _sf_tasks_named(mocks, known_people, subject, name, who)
    everything = [t["Subject"] for t in SalesforceWorld(mocks).tasks()]
    assert len(tasks) == 1, f"{len(tasks)} Tasks {subject!r} on the {who} {name}; " \
                            f"Salesforce has {everything}"
    assert tasks[0]["Status"] == status, f"its status is {tasks[0]['Status']!r}"


@then(phrase('Salesforce has no Task "{subject}"'))
def sf_no_task(mocks, subject):
    subjects = [t["Subject"] for t in SalesforceWorld(mocks).tasks()]
    assert subject not in subjects, f"Salesforce has the Task {subject!r}"


@then(phrase('the Salesforce Task "{subject}" has:'))
def sf_task_fields(mocks, subject, datatable):
    task = SalesforceWorld(mocks).task(subject)
    wrong = {field: task.get(field) for field, expected in datatable[1:]
             if str(task.get(field) if task.get(field) is not None else "")
             != (value(expected) or "")}
    assert not wrong, f"the Task {subject!r} has {wrong}"

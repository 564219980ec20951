"""Steps of the reminder tasks (T-*): SIA's tasks, Salesforce's Tasks, the mocks' clocks."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from features.steps.activities import sf_person
from features.steps.common import phrase
from features.steps.people import _marketo_id
from features.world import SalesforceWorld

#: A Salesforce user of the "owner-filter" data set, for changes made in Salesforce's UI.
UI_USER = "rita.rep@acme.example"
#: The phrases of the scenarios, and the fields they name on each side.
SF_FIELDS = {"description": "Description", "status": "Status", "priority": "Priority",
             "subject": "Subject", "due date": "ActivityDate"}
SIA_FIELDS = {"details": "details", "status": "status", "priority": "priority", "name": "name",
              "due date": "due_date"}
UNITS = {"hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def _remember(state, name: str, outcome) -> None:
    task_id = outcome.detail.get("taskId")
    assert task_id is not None, "the create's outcome has no taskId (see the contract)"
    state.last.setdefault("tasks", {})[name] = task_id


def _task_id(state, name: str):
    known = state.last.get("tasks", {})
    assert name in known, f"no task {name!r} was created in this scenario"
    return known[name]


def _sia_task(driver, state, name: str) -> dict:
    """A task SIA holds: the one made in this scenario, else the one with that name."""
    tasks = driver.tasks()
    known = state.last.get("tasks", {}).get(name)
    found = [t for t in tasks if (t["id"] == known if known is not None else t["name"] == name)]
    assert len(found) == 1, f"SIA has {len(found)} tasks {name!r}: {tasks}"
    return found[0]


def _advance(mocks, seconds: float) -> None:
    """Time passes for both services (SIA's own clock is the machine's)."""
    mocks.salesforce.advance_clock(seconds)
    mocks.marketo.advance_clock(seconds)


# --- in SIA -----------------------------------------------------------------------------------

@given(phrase('a seller creates the reminder task "{name}" for "{email}"'))
@when(phrase('a seller creates the reminder task "{name}" for "{email}"'))
def create(driver, state, mocks, name, email):
    state.outcome = driver.create_task(_marketo_id(state, mocks, email), name)
    assert state.outcome.ok, f"creating the task failed: {state.outcome.error}"
    _remember(state, name, state.outcome)


@given(phrase('a seller creates the reminder task "{name}" for "{email}" due "{due}" '
                     'with priority "{priority}" and details "{details}"'))
@when(phrase('a seller creates the reminder task "{name}" for "{email}" due "{due}" '
                    'with priority "{priority}" and details "{details}"'))
def create_full(driver, state, mocks, name, email, due, priority, details):
    state.outcome = driver.create_task(_marketo_id(state, mocks, email), name, due, priority,
                                       details)
    assert state.outcome.ok, f"creating the task failed: {state.outcome.error}"
    _remember(state, name, state.outcome)


@when(phrase('the seller renames the task "{name}" to "{new}"'))
def rename(driver, state, name, new):
    task_id = _task_id(state, name)
    state.outcome = driver.edit_task(task_id, {"name": new})
    assert state.outcome.ok, f"renaming failed: {state.outcome.error}"
    state.last["tasks"][new] = task_id


@when(phrase('the seller completes the task "{name}"'))
def complete(driver, state, name):
    state.outcome = driver.edit_task(_task_id(state, name), {"status": "Complete"})
    assert state.outcome.ok, f"completing failed: {state.outcome.error}"


@when(phrase('the seller deletes the task "{name}"'))
def delete(driver, state, name):
    state.outcome = driver.delete_task(_task_id(state, name))
    assert state.outcome.ok, f"deleting failed: {state.outcome.error}"


@when("SIA runs the task sync")
@given("SIA runs the task sync")
def task_sync(driver, state):
    state.outcome = driver.sync_tasks()
    assert state.outcome.ok, f"the task sync failed: {state.outcome.error}"


@then(phrase('SIA has the reminder task "{name}" for "{email}" with status "{status}"'))
def sia_has(driver, state, mocks, name, email, status):
    found = [t for t in driver.tasks() if t["name"] == name]
    assert len(found) == 1, f"SIA has {len(found)} tasks {name!r}: {driver.tasks()}"
    assert int(found[0]["marketo_id"]) == _marketo_id(state, mocks, email), \
        f"the task is on person {found[0]['marketo_id']}"
    assert found[0]["status"] == status, f"its status is {found[0]['status']!r}"


@then(parsers.re(r"SIA's reminder task \"(?P<name>[^\"]+)\" has the "
                 r"(?P<field>details|status|priority|name|due date) \"(?P<value>[^\"]*)\""))
def sia_task_field(driver, state, name, field, value):
    task = _sia_task(driver, state, name)
    actual = task.get(SIA_FIELDS[field])
    assert actual == value, f"its {field} is {actual!r}, not {value!r}"


@then("SIA has no reminder tasks")
def sia_no_tasks(driver):
    tasks = driver.tasks()
    assert tasks == [], f"SIA has reminder tasks: {[t['name'] for t in tasks]}"


@then(phrase('SIA has no reminder task "{name}"'))
def sia_no_task(driver, name):
    names = [t["name"] for t in driver.tasks()]
    assert name not in names, f"SIA has the task {name!r}"


# --- in Salesforce ----------------------------------------------------------------------------

def _ui_create(mocks, subject: str, email: str) -> dict:
    """A Task a user makes in Salesforce's UI (a plain task: subtype Task, no Type)."""
    who = sf_person(mocks, email)["Id"]
    return SalesforceWorld(mocks).admin.call(
        "POST", "/sobjects/Task", params={"asUser": UI_USER},
        json={"Subject": subject, "WhoId": who, "TaskSubtype": "Task"})


@when(phrase('in Salesforce a Task "{subject}" is created on the contact "{email}"'))
def sf_create(mocks, subject, email):
    _ui_create(mocks, subject, email)


@given(parsers.re(r'in Salesforce a Task "(?P<subject>[^"]+)" was created on the contact '
                  r'"(?P<email>[^"]+)" (?P<count>\d+) (?P<unit>hours?|days?) ago'))
def sf_created_ago(mocks, subject, email, count, unit):
    """Made now, then the clocks move on: its age grows with every later "ago" step."""
    _ui_create(mocks, subject, email)
    _advance(mocks, int(count) * UNITS[unit])


@when(parsers.re(r'in Salesforce the Task "(?P<subject>[^"]+)" gets the '
                 r'(?P<field>description|status|priority|subject|due date) "(?P<value>[^"]*)"'))
def sf_change(mocks, subject, field, value):
    sf = SalesforceWorld(mocks)
    sf.admin.call("PATCH", f"/sobjects/Task/{sf.task(subject)['Id']}",
                  params={"asUser": UI_USER}, json={SF_FIELDS[field]: value},
                  expect=(200, 204))


@when(phrase('in Salesforce the Task "{subject}" is deleted'))
def sf_delete(mocks, subject):
    sf = SalesforceWorld(mocks)
    sf.admin.call("DELETE", f"/sobjects/Task/{sf.task(subject)['Id']}",
                  params={"asUser": UI_USER}, expect=(200, 204))


@when(phrase("{count:d} days pass"))
def days_pass(mocks, count):
    _advance(mocks, int(count) * 86400)


@then(parsers.re(r'Salesforce has a Task "(?P<subject>[^"]+)" on the contact "(?P<email>[^"]+)" '
                 r'with status "(?P<status>[^"]+)"'))
def sf_has_task(mocks, subject, email, status):
    who = sf_person(mocks, email)["Id"]
    tasks = [t for t in SalesforceWorld(mocks).tasks(who) if t["Subject"] == subject]
    assert len(tasks) == 1, (f"{len(tasks)} Tasks {subject!r} on {email}; there are "
                             f"{[t['Subject'] for t in SalesforceWorld(mocks).tasks(who)]}")
    assert tasks[0]["Status"] == status, f"its status is {tasks[0]['Status']!r}"


@then(phrase('Salesforce has no Task "{subject}"'))
def sf_no_task(mocks, subject):
    subjects = [t["Subject"] for t in SalesforceWorld(mocks).tasks()]
    assert subject not in subjects, f"Salesforce has the Task {subject!r}"


@then(phrase('the Salesforce Task "{subject}" has:'))
def sf_task_fields(mocks, subject, datatable):
    task = SalesforceWorld(mocks).task(subject)
    wrong = {field: task.get(field) for field, value in datatable[1:]
             if str(task.get(field)) != value}
    assert not wrong, f"the Task {subject!r} has {wrong}"

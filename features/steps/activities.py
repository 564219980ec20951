"""Steps of the sales activities (A-*): sellers' actions, Marketo's activities, Salesforce's
Tasks, the Smart Grid, and SIA's own record of it all (P-OWN-DB)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from pytest_bdd import given, then, when

from features import journal
from features.steps.common import person_id, phrase, succeeded
from features.steps.people import value
from features.world import MarketoWorld, SalesforceWorld
from fixtures.marketo_types import ALL_TYPES

#: The 8 native activity types of A-TO-MARKETO.
SALES_TYPES = ("Send Sales Email", "Open Sales Email", "Click Sales Email",
               "Replied to Sales Email", "Sales Email Bounced", "Sales Call Received",
               "Add to Sales Campaign", "Removed from Sales Campaign")
#: What Marketo writes itself about a person (its person feed): not SIA's activity.
MARKETO_OWN = ("New Lead", "Change Data Value")
EVENTS = {"an open": "open", "a click": "click", "a reply": "reply", "a bounce": "bounce",
          "another open": "open"}
DEFAULT_SUBJECT = "Quarterly review"
CALL_SUBJECT = "Discovery call"
CLICKED_LINK = "https://acme.example/pricing?utm_source=sia"
RECORDING = "https://calls.sia.example/recordings/42"
ANY, NONE = "(any)", "(none)"


def quoted(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


@pytest.fixture
def sent_emails() -> list[dict]:
    """Every send of the scenario: person, subject, the outcome's emailId, and the calls
    the send made to Marketo and Salesforce."""
    return []


@pytest.fixture
def grid_loads() -> list[dict]:
    return []


# --- a seller's actions ---------------------------------------------------------------------

def send(driver, mocks, known_people, sent_emails, name: str, subject: str,
         campaign: str | None = None):
    marketo_id = person_id(known_people, mocks, name)
    mark = journal.marks(mocks)
    answer = driver.send_email(marketo_id, subject, "Hello from the kit", campaign)
    sent_emails.append({"person": name, "subject": subject, "calls": journal.since(mocks, mark),
                        "id": answer.detail.get("emailId") if answer.ok else None})
    return answer


@given(phrase('a seller sends the sales email "{subject}" to "{name}"'),
       target_fixture="outcome")
@when(phrase('a seller sends the sales email "{subject}" to "{name}"'),
      target_fixture="outcome")
def send_email(driver, mocks, known_people, sent_emails, subject, name):
    return send(driver, mocks, known_people, sent_emails, name, value(subject))


@when(phrase('a seller sends the sales email "{subject}" in the sales campaign "{campaign}" '
             'to "{name}"'), target_fixture="outcome")
def send_email_in_campaign(driver, mocks, known_people, sent_emails, subject, campaign, name):
    return send(driver, mocks, known_people, sent_emails, name, value(subject), campaign)


def _event(driver, email_id, kind: str):
    assert email_id is not None, "the send's outcome has no emailId (see the contract)"
    return succeeded(driver.record_email_event(email_id, kind,
                                               CLICKED_LINK if kind == "click" else None),
                     f"recording the {kind}")


@when(phrase('a seller records {event:an open|a click|a reply|a bounce} {prep:of|in|to} a '
             'sales email to "{name}"'), target_fixture="outcome")
def record_event(driver, mocks, known_people, sent_emails, event, prep, name):
    """A sales email is sent first: an event is always of an email."""
    succeeded(send(driver, mocks, known_people, sent_emails, name, DEFAULT_SUBJECT),
              "sending the sales email")
    return _event(driver, sent_emails[-1]["id"], EVENTS[event])


@when(phrase('a seller records {event:an open|another open|a click|a reply|a bounce} of that '
             'email'), target_fixture="outcome")
def event_of_that_email(driver, sent_emails, event):
    assert sent_emails, "no email was sent before"
    return _event(driver, sent_emails[-1]["id"], EVENTS[event])


@when(phrase("a seller records a reply to that email"), target_fixture="outcome")
def reply_to_that_email(driver, sent_emails):
    return event_of_that_email(driver, sent_emails, "a reply")


@given(phrase('a seller logs a {status:completed|no answer|cancelled|failed} call of '
              '{seconds:d} seconds with "{name}"'), target_fixture="outcome")
@when(phrase('a seller logs a {status:completed|no answer|cancelled|failed} call of '
             '{seconds:d} seconds with "{name}"'), target_fixture="outcome")
def log_call(driver, mocks, known_people, status, seconds, name):
    """The person answers the call themselves (their first name as "answered by")."""
    marketo_id = person_id(known_people, mocks, name)
    person = MarketoWorld(mocks).person_by_id(marketo_id)
    return succeeded(driver.log_call(marketo_id, CALL_SUBJECT, status=status,
                                     duration=int(seconds), answered_by=person.get("firstName"),
                                     recording_url=RECORDING), "logging the call")


@when(phrase('a seller adds to the sales campaign "{campaign}" "{name}"'),
      target_fixture="outcome")
@when(phrase('a seller adds "{name}" to the sales campaign "{campaign}"'),
      target_fixture="outcome")
def add_to_campaign(driver, mocks, known_people, campaign, name):
    return succeeded(driver.add_to_campaign(person_id(known_people, mocks, name), campaign),
                     "adding to the sales campaign")


@when(phrase('a seller removes "{name}" from the sales campaign "{campaign}"'),
      target_fixture="outcome")
def remove_only(driver, mocks, known_people, campaign, name):
    return succeeded(driver.remove_from_campaign(person_id(known_people, mocks, name),
                                                 campaign), "removing from the sales campaign")


@when(phrase('a seller removes from the sales campaign "{campaign}" "{name}"'),
      target_fixture="outcome")
def remove_from_campaign(driver, mocks, known_people, campaign, name):
    """The person is added first, so that there is something to remove."""
    add_to_campaign(driver, mocks, known_people, campaign, name)
    return remove_only(driver, mocks, known_people, campaign, name)


@when(phrase('a seller sends a sales email with a subject of {length:d} characters to '
             '"{name}" and the subject template adds {more:d} more'),
      target_fixture="long_subject")
def send_long_subject(driver, mocks, known_people, sent_emails, length, name, more):
    """The template is the subject and ``more`` characters: the Task's subject would be
    ``length + more`` characters long before any cut."""
    length, more = int(length), int(more)
    template = "{subject}" + (" " + "x" * (more - 1) if more else "")
    succeeded(driver.set_setting("email_subject_template", template),
              "setting the subject template")
    subject = value(f"[{length} characters]")
    succeeded(send(driver, mocks, known_people, sent_emails, name, subject),
              "sending the sales email")
    return template.format(subject=subject)


@when(phrase("SIA runs every periodic sync"), target_fixture="outcome")
@given(phrase("SIA runs every periodic sync"), target_fixture="outcome")
def run_every_sync(driver):
    return succeeded(driver.sync_all(), "the periodic syncs")


# --- Marketo ----------------------------------------------------------------------------------

def _activities(mocks, known_people, name: str, kind: str | None = None) -> list[dict]:
    return MarketoWorld(mocks).activities(person_id(known_people, mocks, name), kind)


@then(phrase('Marketo has exactly {count:d} "{kind}" activit{s:y|ies} for "{name}"'))
def marketo_count(mocks, known_people, count, kind, s, name):
    found = _activities(mocks, known_people, name, kind)
    assert len(found) == int(count), \
        f"Marketo has {len(found)} {kind!r} activities for {name}: " \
        f"{[a['primaryAttributeValue'] for a in found]}"


@then(phrase('Marketo has no "{kind}" activity for "{name}"'))
def marketo_none(mocks, known_people, kind, name):
    marketo_count(mocks, known_people, "0", kind, "ies", name)


@then(phrase('Marketo\'s sales activities for "{name}" are of the types "{types}" only'))
def marketo_only_types(mocks, known_people, name, types):
    allowed = {t.strip() for t in types.split(",")}
    found = [a["type"] for a in _activities(mocks, known_people, name)
             if a["type"] not in MARKETO_OWN]
    assert set(found) <= allowed, f"Marketo has for {name}: {found}"


@then(phrase('Marketo has no sales activity for "{name}"'))
def marketo_no_sales(mocks, known_people, name):
    found = [a["type"] for a in _activities(mocks, known_people, name)
             if a["type"] not in MARKETO_OWN]
    assert found == [], f"Marketo has for {name}: {found}"


@then(phrase("every activity SIA logged to Marketo is one of the 8 sales activity types"))
def only_sales_types(mocks):
    logged = [a for a in MarketoWorld(mocks).activities() if a["type"] not in MARKETO_OWN]
    others = [a["type"] or a["activityTypeId"] for a in logged if a["type"] not in SALES_TYPES]
    assert not others, f"activities of other types in Marketo: {others}"
    assert len(logged) >= 4, f"only {len(logged)} sales activities for 4 actions"
    sales_ids = {t.id for t in ALL_TYPES if t.name in SALES_TYPES}
    sent = journal.external_inputs(mocks.marketo.journal())
    tried = [i.get("activityTypeId") for i in sent if i.get("activityTypeId") not in sales_ids]
    assert not tried, f"SIA asked Marketo to add activities of other types: {tried}"


def _attribute_ok(actual, wanted: str) -> bool:
    if wanted == ANY:
        return actual not in (None, "")
    if wanted == NONE:
        return actual in (None, "")
    return str(actual) == wanted


@then(phrase('the "{kind}" activity of "{name}" has the attributes:'))
@then(phrase('every "{kind}" activity of "{name}" has the attributes:'))
def has_attributes(mocks, known_people, kind, name, datatable):
    """Each row an attribute and its value: ``(any)`` is any value, ``(none)`` none."""
    found = _activities(mocks, known_people, name, kind)
    assert found, f"Marketo has no {kind!r} activity for {name}"
    wanted = {row[0]: row[1] for row in datatable[1:]}
    for activity in found:
        wrong = {n: activity["attributes"].get(n) for n, v in wanted.items()
                 if not _attribute_ok(activity["attributes"].get(n), v)}
        assert not wrong, f"{kind} of {name}: attributes {wrong}, expected {wanted}"


@then(phrase('every "{kind}" subject of "{name}" is "{subject}" followed by a marker of its '
             'own'))
def unique_markers(mocks, known_people, kind, name, subject):
    found = _activities(mocks, known_people, name, kind)
    assert len(found) >= 2, f"{len(found)} {kind!r} activities: nothing to compare"
    subject = value(subject)
    markers = []
    for activity in found:
        logged = activity["attributes"].get("Email Subject") or ""
        assert logged.startswith(subject + " ") and logged[len(subject) + 1:].strip(), \
            f"{logged!r} is not {subject!r} followed by a marker"
        markers.append(logged[len(subject) + 1:])
    assert len(set(markers)) == len(markers), f"markers repeat: {markers}"


@then(phrase('the "{kind}" activities of "{name}" carry the subject and marker of its '
             '"Send Sales Email"'))
def events_carry_marker(mocks, known_people, kind, name):
    [sent] = _activities(mocks, known_people, name, "Send Sales Email")
    found = _activities(mocks, known_people, name, kind)
    assert found, f"Marketo has no {kind!r} activity for {name}"
    for activity in found:
        assert activity["attributes"].get("Email Subject") == \
            sent["attributes"].get("Email Subject"), \
            f"{kind}: {activity['attributes'].get('Email Subject')!r}, the email: " \
            f"{sent['attributes'].get('Email Subject')!r}"


@then(phrase('Marketo selects exactly "{names}" by "{kind}" with "{attribute}" "{wanted}"'))
def selects_by_attribute(mocks, names, kind, attribute, wanted):
    selected = MarketoWorld(mocks).select_by_activity(kind, {attribute: wanted})
    expected = sorted(n.strip() for n in names.split(","))
    assert sorted(p["email"] for p in selected) == expected, \
        f"selected {[p['email'] for p in selected]}"


@then(phrase('Marketo selects exactly "{names}" by "{kind}"'))
def selects_by_type(mocks, names, kind):
    selected = MarketoWorld(mocks).select_by_activity(kind, {})
    expected = sorted(n.strip() for n in names.split(","))
    assert sorted(p["email"] for p in selected) == expected, \
        f"selected {[p['email'] for p in selected]}"


@then(phrase('Marketo selects exactly "{name}" by "{kind}" with the subject of the email to '
             '"{other}"'))
def selects_by_subject(mocks, known_people, name, kind, other):
    [activity] = _activities(mocks, known_people, other, kind)
    subject = activity["attributes"]["Email Subject"]
    selected = MarketoWorld(mocks).select_by_activity(kind, {"Email Subject": subject})
    assert sorted(p["email"] for p in selected) == [name], \
        f"selected by {subject!r}: {[p['email'] for p in selected]}"


@given(phrase('Marketo has a web visit and an interesting moment for "{name}"'))
def marketo_web_and_moment(mocks, known_people, name):
    marketo = MarketoWorld(mocks)
    lead_id = person_id(known_people, mocks, name)
    marketo.add_activity(lead_id, "Visit Webpage", "https://acme.example/pricing",
                         {"Webpage URL": "https://acme.example/pricing"})
    marketo.add_activity(lead_id, "Interesting Moment", "Web",
                         {"Description": "Looked at the pricing page", "Source": "Web"})


@given(phrase('Marketo has these activities for "{name}":'))
def marketo_has_activities(mocks, known_people, name, datatable):
    """Each row: type, primary value, days ago (the activity's age by Marketo's clock)."""
    marketo = MarketoWorld(mocks)
    lead_id = person_id(known_people, mocks, name)
    now = marketo.now()
    header, *rows = datatable
    items = []
    for row in rows:
        item = dict(zip(header, row, strict=True))
        when = now - timedelta(days=float(item.get("days ago") or 0))
        items.append({"leadId": lead_id, "activityType": item["type"],
                      "primaryAttributeValue": item["primary"],
                      "activityDate": when.strftime("%Y-%m-%dT%H:%M:%SZ")})
    marketo.add_activities(items)


@given(phrase('Marketo has {count:d} web visits of "{name}", then an interesting moment '
              '"{moment}"'))
def marketo_many_then_moment(mocks, known_people, count, name, moment):
    marketo = MarketoWorld(mocks)
    lead_id = person_id(known_people, mocks, name)
    start = marketo.now() - timedelta(days=30)
    visits = [{"leadId": lead_id, "activityType": "Visit Webpage",
               "primaryAttributeValue": f"https://acme.example/page/{n}",
               "activityDate": (start + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")}
              for n in range(int(count))]
    marketo.add_activities(visits)
    marketo.add_activity(lead_id, "Interesting Moment", moment,
                         {"Description": moment, "Source": "Web"})


@when(phrase('Marketo records an interesting moment for "{name}"'))
def marketo_moment(mocks, known_people, name):
    MarketoWorld(mocks).add_activity(person_id(known_people, mocks, name), "Interesting Moment",
                                     "Milestone", {"Description": "Asked for a demo",
                                                   "Source": "Sales"})


# --- the Smart Grid ----------------------------------------------------------------------------

@when(phrase('a seller opens the Smart Grid of "{name}"'))
def open_grid(driver, mocks, known_people, grid_loads, name):
    marketo_id = person_id(known_people, mocks, name)
    mark = journal.marks(mocks)
    items = driver.smart_grid(marketo_id)
    grid_loads.append({"items": items, "calls": journal.since(mocks, mark)["marketo"],
                       "lead": marketo_id, "name": name})


def _last_grid(grid_loads) -> list[dict]:
    assert grid_loads, "the Smart Grid was not opened"
    return grid_loads[-1]["items"]


@then(phrase("the Smart Grid has {names}"))
def grid_shows(grid_loads, names):
    shown = [item.get("type") for item in _last_grid(grid_loads)]
    for name in quoted(names):
        assert name in shown, f"the Smart Grid shows {shown}, not {name!r}"


@then(phrase('the Smart Grid shows the {kind} "{primary}"'))
def grid_shows_item(grid_loads, kind, primary):
    items = _last_grid(grid_loads)
    found = [i for i in items if i.get("primary") == primary or primary in str(i.values())]
    assert found, f"the Smart Grid does not show {kind} {primary!r}: " \
                  f"{[(i.get('type'), i.get('primary')) for i in items][:20]}"


@then(phrase('the Smart Grid shows nothing of "{name}"'))
def grid_shows_nothing_of(grid_loads, mocks, known_people, name):
    """No item of the last load is one of that person's activities in Marketo."""
    theirs = {a["primaryAttributeValue"] for a in _activities(mocks, known_people, name)
              if a["type"] not in MARKETO_OWN}
    shown = {i.get("primary") for i in _last_grid(grid_loads)}
    assert not (shown & theirs), f"the Smart Grid shows {name}'s {sorted(shown & theirs)}"


@then(phrase("every item of the Smart Grid has a date"))
def grid_dates(grid_loads):
    undated = [i for i in _last_grid(grid_loads) if not i.get("date")]
    assert not undated, f"items without a date: {undated[:3]}"


@then(phrase("{which:loading|each load of} the Smart Grid asked Marketo's activities"))
def grid_asked(grid_loads, which):
    assert grid_loads, "the Smart Grid was not opened"
    for n, load in enumerate(grid_loads, 1):
        reads = journal.activity_reads(load["calls"], load["lead"])
        assert reads, (f"load {n} of the Smart Grid read no activities from Marketo; its "
                       f"calls: {journal.describe(load['calls'])}")


# --- Salesforce -------------------------------------------------------------------------------

def sf_tasks_on(mocks, known_people, who: str, name: str) -> list[dict]:
    """The Tasks on the lead or the contact of a Marketo person."""
    person = MarketoWorld(mocks).person_by_id(person_id(known_people, mocks, name))
    record = person.get("sfdcLeadId" if who == "lead" else "sfdcContactId")
    assert record, f"{name} has no Salesforce {who}"
    return SalesforceWorld(mocks).tasks(record)


@then(phrase('Salesforce has a Task of type "{kind}" on the {who:contact|lead} "{name}"'))
def sf_task_of_type(mocks, known_people, kind, who, name):
    tasks = sf_tasks_on(mocks, known_people, who, name)
    assert [t for t in tasks if t.get("Type") == kind], \
        f"Tasks on the {who} {name}: {[(t['Type'], t['Subject']) for t in tasks]}"


@then(phrase('Salesforce has exactly {count:d} Task{s:|s} of type "{kind}" on the '
             '{who:contact|lead} "{name}"'))
def sf_count_of_type(mocks, known_people, count, s, kind, who, name):
    tasks = [t for t in sf_tasks_on(mocks, known_people, who, name) if t.get("Type") == kind]
    assert len(tasks) == int(count), \
        f"{len(tasks)} {kind} Tasks on the {who} {name}: {[t['Subject'] for t in tasks]}"


@then(phrase('Salesforce has no Task on the {who:contact|lead} "{name}"'))
def sf_no_task(mocks, known_people, who, name):
    tasks = sf_tasks_on(mocks, known_people, who, name)
    assert tasks == [], f"Tasks on the {who} {name}: {[t['Subject'] for t in tasks]}"


@then(phrase('Salesforce has {count:d} Task{s:|s} on the {who:contact|lead} "{name}"'))
def sf_task_count(mocks, known_people, count, s, who, name):
    tasks = sf_tasks_on(mocks, known_people, who, name)
    assert len(tasks) == int(count), \
        f"{len(tasks)} Tasks on the {who} {name}: {[t['Subject'] for t in tasks]}"


@then(phrase('every Task on the {who:contact|lead} "{name}" is a completed activity of today'))
def sf_tasks_native(mocks, known_people, who, name):
    """What Salesforce's activity reports read: a closed Task, dated the day it happened."""
    tasks = sf_tasks_on(mocks, known_people, who, name)
    assert tasks, f"no Task on the {who} {name}"
    today = SalesforceWorld(mocks).now().date()
    for task in tasks:
        assert task.get("Status") == "Completed" or task.get("IsClosed") in (1, True), \
            f"the Task {task['Subject']!r} is not completed: {task.get('Status')!r}"
        date = str(task.get("ActivityDate") or "")
        assert date and abs((today - _date(date)).days) <= 1, \
            f"the Task {task['Subject']!r} is dated {date!r}, not today ({today})"


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text[:10])


@then(phrase('Salesforce has these Tasks on the {who:contact|lead} "{name}":'))
def sf_these_tasks(mocks, known_people, who, name, datatable):
    header, *rows = datatable
    actual = sorted(tuple(str(t.get(col)) for col in header)
                    for t in sf_tasks_on(mocks, known_people, who, name))
    assert actual == sorted(tuple(row) for row in rows), actual


@then(phrase('the Task\'s subject on the contact "{name}" is that subject cut to 255 '
             'characters'))
def sf_subject_cut(mocks, known_people, name, long_subject):
    tasks = sf_tasks_on(mocks, known_people, "contact", name)
    assert len(tasks) == 1, f"{len(tasks)} Tasks on {name}"
    subject = tasks[0]["Subject"]
    assert subject == long_subject[:255], \
        f"a subject of {len(long_subject)} characters became {len(subject)} characters: " \
        f"{subject[-40:]!r} (expected {long_subject[:255][-40:]!r})"


@then(phrase('Salesforce has a Task "{subject}" on the {who:contact|lead} "{name}" with no '
             'Type'))
def sf_task_no_type(mocks, known_people, subject, who, name):
    tasks = [t for t in sf_tasks_on(mocks, known_people, who, name) if t["Subject"] == subject]
    assert len(tasks) == 1, f"{len(tasks)} Tasks {subject!r} on {name}"
    assert tasks[0].get("Type") in (None, ""), f"the Task has the Type {tasks[0]['Type']!r}"


LOGGED_TYPE = {"email": "Email", "call": "Call", "reply": "Reply"}
TASK_FIELD = {"subject": "Subject", "description": "Description", "status": "Status",
              "type": "Type", "due date": "ActivityDate"}


def _logged_task(mocks, kind: str, name: str) -> dict:
    sf = SalesforceWorld(mocks)
    record = sf.lead_or_contact(MarketoWorld(mocks).person(name).get("email") or name)
    tasks = [t for t in sf.tasks(record["Id"]) if t.get("Type") == LOGGED_TYPE[kind]]
    assert len(tasks) == 1, f"{len(tasks)} {kind} Tasks on {name}"
    return tasks[0]


@when(phrase('in Salesforce the {kind:email|call|reply} Task on "{name}" gets the '
             '{field:subject|description|status|type|due date} "{new}"'))
def sf_edit_logged(mocks, kind, name, field, new):
    task = _logged_task(mocks, kind, name)
    SalesforceWorld(mocks).update("Task", task["Id"], {TASK_FIELD[field]: new or None})


@when(phrase('in Salesforce the {kind:email|call|reply} Task on "{name}" is deleted'))
def sf_delete_logged(mocks, kind, name):
    SalesforceWorld(mocks).delete("Task", _logged_task(mocks, kind, name)["Id"])


@then(phrase('Salesforce has no {kind:email|call|reply} Task on "{name}"'))
def sf_no_logged(mocks, kind, name):
    sf = SalesforceWorld(mocks)
    record = sf.lead_or_contact(MarketoWorld(mocks).person(name).get("email") or name)
    tasks = [t for t in sf.tasks(record["Id"]) if t.get("Type") == LOGGED_TYPE[kind]]
    assert tasks == [], f"Salesforce has {kind} Tasks on {name}: {[t['Subject'] for t in tasks]}"


# --- SIA's own record (P-OWN-DB) ---------------------------------------------------------------

def own_record(driver, mocks, known_people, name: str) -> list[dict]:
    """SIA's record of the person, read while checking that reading it called no one."""
    mark = journal.marks(mocks)
    record = driver.activities(person_id(known_people, mocks, name))
    calls = journal.since(mocks, mark)
    made = journal.describe(calls["marketo"] + calls["salesforce"])
    assert made == [], f"reading SIA's own record called out: {made}"
    return record


def _kept(record: list[dict]) -> list[tuple]:
    return sorted((a.get("type"), str(a.get("subject"))) for a in record)


@then(phrase("SIA's own record of \"{name}\" has {names}"))
def own_record_has(driver, mocks, known_people, name, names):
    types = [a.get("type") for a in own_record(driver, mocks, known_people, name)]
    for wanted in quoted(names):
        assert wanted in types, f"SIA's record of {name}: {types}, no {wanted!r}"


@then(phrase("SIA's own record of \"{name}\" holds no email"))
def own_record_no_email(driver, mocks, known_people, name):
    types = [a.get("type") for a in own_record(driver, mocks, known_people, name)]
    assert "Send Sales Email" not in types, f"SIA's record of {name}: {types}"


@then(phrase("SIA's own record of \"{name}\" is exactly:"))
def own_record_exactly(driver, mocks, known_people, name, datatable):
    record = own_record(driver, mocks, known_people, name)
    expected = sorted((row[0], row[1]) for row in datatable[1:])
    assert _kept(record) == expected, f"SIA's record of {name}: {_kept(record)}"


@given(phrase("SIA's own record of \"{name}\" as it is now"), target_fixture="record_before")
def record_now(driver, mocks, known_people, name):
    return _kept(own_record(driver, mocks, known_people, name))


@then(phrase("SIA's own record of \"{name}\" is as it was"))
def record_unchanged(driver, mocks, known_people, name, record_before):
    now = _kept(own_record(driver, mocks, known_people, name))
    assert now == record_before, f"SIA's record of {name} was {record_before}, is {now}"

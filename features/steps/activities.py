"""Steps of the sales activities (A-*): sellers' actions, Marketo's activities, Salesforce's
Tasks, the Smart Grid, and SIA's own record of it all (P-OWN-DB)."""

from __future__ import annotations

import re

from pytest_bdd import given, parsers, then, when

from features import journal
from features.steps.common import phrase
from features.steps.people import _marketo_id
from features.world import MarketoWorld, SalesforceWorld
from fixtures.marketo_types import ALL_TYPES

#: The 8 native activity types of A-TO-MARKETO.
SALES_TYPES = ("Send Sales Email", "Open Sales Email", "Click Sales Email",
               "Replied to Sales Email", "Sales Email Bounced", "Sales Call Received",
               "Add to Sales Campaign", "Removed from Sales Campaign")
#: What Marketo writes itself about a person (its person feed): not SIA's activity.
MARKETO_OWN = ("New Lead", "Change Data Value")
EVENTS = {"an open": "open", "a click": "click", "a reply": "reply", "a bounce": "bounce"}
DEFAULT_SUBJECT = "Quarterly review"
CALL_SUBJECT = "Discovery call"
CLICKED_LINK = "https://acme.example/pricing"


def _ok(outcome, what: str) -> None:
    assert outcome.ok, f"{what} failed: {outcome.error}"


def _quoted(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


def sf_person(mocks, email: str) -> dict:
    """The Salesforce contact with this email, else the lead."""
    sf = SalesforceWorld(mocks)
    contacts = [c for c in sf.records("Contact") if c.get("Email") == email]
    return contacts[0] if contacts else sf.by_email("Lead", email)


def sf_tasks_on(mocks, kind: str, email: str) -> list[dict]:
    sf = SalesforceWorld(mocks)
    return sf.tasks(sf.person(kind, email)["Id"])


# --- a seller's actions ---------------------------------------------------------------------

def send(driver, state, mocks, email: str, subject: str, campaign: str | None = None):
    """Send, keeping the outcome and every call the send made."""
    marketo_id = _marketo_id(state, mocks, email)
    mark = journal.marks(mocks)
    state.outcome = driver.send_email(marketo_id, subject, "Hello from the kit", campaign)
    state.last["send_calls"] = journal.since(mocks, mark)
    if state.outcome.ok:
        state.last.setdefault("emails", {}).setdefault(email, []).append(
            state.outcome.detail.get("emailId"))
        state.last["last_email"] = state.outcome.detail.get("emailId")
    return state.outcome


@given(phrase('a seller sends the sales email "{subject}" to "{email}"'))
@when(phrase('a seller sends the sales email "{subject}" to "{email}"'))
def send_email(driver, state, mocks, subject, email):
    send(driver, state, mocks, email, subject)


@when(phrase('a seller sends the sales email "{subject}" in the sales campaign '
                    '"{campaign}" to "{email}"'))
def send_email_in_campaign(driver, state, mocks, subject, campaign, email):
    send(driver, state, mocks, email, subject, campaign)


@when(parsers.re(r'a seller records (?P<event>an open|a click|a reply|a bounce) '
                 r'(?:of|in|to) a sales email to "(?P<email>[^"]+)"'))
def record_event(driver, state, mocks, event, email):
    """A sales email is sent first: an event is always of an email."""
    _ok(send(driver, state, mocks, email, DEFAULT_SUBJECT), "sending the sales email")
    email_id = state.outcome.detail.get("emailId")
    assert email_id is not None, "the send's outcome has no emailId (see the contract)"
    kind = EVENTS[event]
    state.outcome = driver.record_email_event(email_id, kind,
                                              CLICKED_LINK if kind == "click" else None)
    _ok(state.outcome, f"recording {event}")


@when("a seller records a reply to that email")
def reply_to_that_email(driver, state):
    email_id = state.last.get("last_email")
    assert email_id is not None, "no email was sent before"
    state.outcome = driver.record_email_event(email_id, "reply")
    _ok(state.outcome, "recording the reply")


@when(parsers.re(r'a seller logs a (?P<status>completed|no answer|cancelled|failed) call of '
                 r'(?P<seconds>\d+) seconds with "(?P<email>[^"]+)"'))
def log_call(driver, state, mocks, status, seconds, email):
    """The person answers the call themselves (their first name as "answered by")."""
    person = MarketoWorld(mocks).by_email(email)
    state.outcome = driver.log_call(_marketo_id(state, mocks, email), CALL_SUBJECT,
                                    status=status, duration=int(seconds),
                                    answered_by=person.get("firstName"))
    _ok(state.outcome, "logging the call")


@when(phrase('a seller adds to the sales campaign "{campaign}" "{email}"'))
def add_to_campaign(driver, state, mocks, campaign, email):
    state.outcome = driver.add_to_campaign(_marketo_id(state, mocks, email), campaign)
    _ok(state.outcome, "adding to the sales campaign")


@when(phrase('a seller removes from the sales campaign "{campaign}" "{email}"'))
def remove_from_campaign(driver, state, mocks, campaign, email):
    """The person is added first, so that there is something to remove."""
    marketo_id = _marketo_id(state, mocks, email)
    _ok(driver.add_to_campaign(marketo_id, campaign), "adding to the sales campaign")
    state.outcome = driver.remove_from_campaign(marketo_id, campaign)
    _ok(state.outcome, "removing from the sales campaign")


@when(phrase('a seller sends a sales email with a subject of {length:d} characters to '
                    '"{email}" and the subject template adds {more:d} more'))
def send_long_subject(driver, state, mocks, length, email, more):
    length, more = int(length), int(more)
    template = "{subject}" + " " + "x" * (more - 1)
    _ok(driver.set_setting("email_subject_template", template), "setting the subject template")
    subject = ("Quarterly review " * 20)[:length - 1] + "!"
    _ok(send(driver, state, mocks, email, subject), "sending the sales email")


@when("SIA runs every periodic sync")
def run_every_sync(driver, state):
    state.outcome = driver.sync_all()
    _ok(state.outcome, "the periodic syncs")


# --- Marketo ----------------------------------------------------------------------------------

@then(parsers.re(r'Marketo has exactly (?P<count>\d+) "(?P<kind>[^"]+)" activit(?:y|ies) '
                 r'for "(?P<email>[^"]+)"'))
def marketo_count(state, mocks, count, kind, email):
    found = MarketoWorld(mocks).activities(_marketo_id(state, mocks, email), kind)
    assert len(found) == int(count), \
        f"Marketo has {len(found)} {kind!r} activities for {email}: " \
        f"{[a['primaryAttributeValue'] for a in found]}"


@then(phrase('Marketo has no "{kind}" activity for "{email}"'))
def marketo_none(state, mocks, kind, email):
    marketo_count(state, mocks, "0", kind, email)


@then("every activity SIA logged to Marketo is one of the 8 sales activity types")
def only_sales_types(mocks):
    logged = [a for a in MarketoWorld(mocks).activities() if a["type"] not in MARKETO_OWN]
    others = [a["type"] or a["activityTypeId"] for a in logged if a["type"] not in SALES_TYPES]
    assert not others, f"activities of other types in Marketo: {others}"
    assert len(logged) >= 4, f"only {len(logged)} sales activities for 4 actions"
    sales_ids = {t.id for t in ALL_TYPES if t.name in SALES_TYPES}
    sent = journal.external_inputs(mocks.marketo.journal())
    tried = [i.get("activityTypeId") for i in sent if i.get("activityTypeId") not in sales_ids]
    assert not tried, f"SIA asked Marketo to add activities of other types: {tried}"


@then(phrase('the "{kind}" activity of "{email}" has the attributes:'))
def has_attributes(state, mocks, kind, email, datatable):
    found = MarketoWorld(mocks).activities(_marketo_id(state, mocks, email), kind)
    assert found, f"Marketo has no {kind!r} activity for {email}"
    wanted = {row[0]: row[1] for row in datatable[1:]}
    state.last["activity"] = found[0]

    def mismatches(activity):
        return {name: activity["attributes"].get(name) for name, value in wanted.items()
                if str(activity["attributes"].get(name)) != value}

    best = min((mismatches(a) for a in found), key=len)
    assert not best, f"{kind} of {email}: attributes {best} differ from {wanted}"


@then(phrase('every "{kind}" subject of "{email}" is "{subject}" followed by a marker '
                    'of its own'))
def unique_markers(state, mocks, kind, email, subject):
    found = MarketoWorld(mocks).activities(_marketo_id(state, mocks, email), kind)
    assert len(found) >= 2, f"{len(found)} {kind!r} activities: nothing to compare"
    markers = []
    for activity in found:
        logged = activity["primaryAttributeValue"] or ""
        in_attribute = activity["attributes"].get("Email Subject")
        assert in_attribute in (None, logged), \
            f"the Email Subject attribute {in_attribute!r} is not the subject {logged!r}"
        assert logged.startswith(subject + " ") and logged[len(subject) + 1:].strip(), \
            f"{logged!r} is not {subject!r} followed by a marker"
        markers.append(logged[len(subject) + 1:])
    assert len(set(markers)) == len(markers), f"markers repeat: {markers}"


@then(phrase('Marketo selects exactly "{email}" by "{kind}" with "{attribute}" '
                    '"{value}"'))
def selects_by_attribute(mocks, email, kind, attribute, value):
    selected = MarketoWorld(mocks).select_by_activity(kind, {attribute: value})
    assert sorted(p["email"] for p in selected) == [email], \
        f"selected {[p['email'] for p in selected]}"


@then(phrase('Marketo selects exactly "{email}" by "{kind}" with the subject of the '
                    'email to "{email2}"'))
def selects_by_subject(state, mocks, email, kind, email2):
    [activity] = MarketoWorld(mocks).activities(_marketo_id(state, mocks, email2), kind)
    subject = activity["primaryAttributeValue"]
    selected = MarketoWorld(mocks).select_by_activity(kind, {"Email Subject": subject})
    assert sorted(p["email"] for p in selected) == [email], \
        f"selected by {subject!r}: {[p['email'] for p in selected]}"


@given(phrase('Marketo has a web visit and an interesting moment for "{email}"'))
def marketo_web_and_moment(state, mocks, email):
    marketo = MarketoWorld(mocks)
    lead_id = _marketo_id(state, mocks, email)
    marketo.add_activity(lead_id, "Visit Webpage", "https://acme.example/pricing",
                         {"Webpage URL": "https://acme.example/pricing"})
    marketo.add_activity(lead_id, "Interesting Moment", "Web",
                         {"Description": "Looked at the pricing page", "Source": "Web"})


@when(phrase('Marketo records an interesting moment for "{email}"'))
def marketo_moment(state, mocks, email):
    MarketoWorld(mocks).add_activity(_marketo_id(state, mocks, email), "Interesting Moment",
                                     "Milestone", {"Description": "Asked for a demo",
                                                   "Source": "Sales"})


# --- the Smart Grid ----------------------------------------------------------------------------

@when(phrase('a seller opens the Smart Grid of "{email}"'))
def open_grid(driver, state, mocks, email):
    marketo_id = _marketo_id(state, mocks, email)
    mark = journal.marks(mocks)
    items = driver.smart_grid(marketo_id)
    calls = journal.since(mocks, mark)["marketo"]
    state.last.setdefault("grid", []).append({"items": items, "calls": calls,
                                              "lead": marketo_id})


@then(parsers.re(r"the Smart Grid shows (?P<names>.+)"))
def grid_shows(state, names):
    loads = state.last.get("grid")
    assert loads, "the Smart Grid was not opened"
    shown = [item.get("type") for item in loads[-1]["items"]]
    for name in _quoted(names):
        assert name in shown, f"the Smart Grid shows {shown}, not {name!r}"


@then(parsers.re(r"(?:loading|each load of) the Smart Grid asked Marketo's activities"))
def grid_asked(state):
    loads = state.last.get("grid")
    assert loads, "the Smart Grid was not opened"
    for n, load in enumerate(loads, 1):
        reads = journal.activity_reads(load["calls"], load["lead"])
        assert reads, (f"load {n} of the Smart Grid read no activities from Marketo; its "
                       f"calls: {journal.describe(load['calls'])}")


# --- Salesforce -------------------------------------------------------------------------------

@then(parsers.re(r'Salesforce has a Task of type "(?P<kind>[^"]+)" on the '
                 r'(?P<who>contact|lead) "(?P<email>[^"]+)"'))
def sf_task_of_type(mocks, kind, who, email):
    tasks = sf_tasks_on(mocks, who, email)
    assert [t for t in tasks if t.get("Type") == kind], \
        f"Tasks on the {who} {email}: {[(t['Type'], t['Subject']) for t in tasks]}"


@then(parsers.re(r'Salesforce has no Task on the (?P<who>contact|lead) "(?P<email>[^"]+)"'))
def sf_no_task(mocks, who, email):
    tasks = sf_tasks_on(mocks, who, email)
    assert tasks == [], f"Tasks on the {who} {email}: {[t['Subject'] for t in tasks]}"


@then(parsers.re(r'Salesforce has (?P<count>\d+) Tasks? on the (?P<who>contact|lead) '
                 r'"(?P<email>[^"]+)"'))
def sf_task_count(mocks, count, who, email):
    tasks = sf_tasks_on(mocks, who, email)
    assert len(tasks) == int(count), \
        f"{len(tasks)} Tasks on the {who} {email}: {[t['Subject'] for t in tasks]}"


@then(phrase('Salesforce has these Tasks on the contact "{email}":'))
def sf_these_tasks(mocks, email, datatable):
    header, *rows = datatable
    actual = sorted(tuple(str(t.get(col)) for col in header)
                    for t in sf_tasks_on(mocks, "contact", email))
    assert actual == sorted(tuple(row) for row in rows)


@then(phrase("the Task's subject on the contact \"{email}\" has {length:d} characters"))
def sf_subject_length(mocks, email, length):
    tasks = sf_tasks_on(mocks, "contact", email)
    assert len(tasks) == 1, f"{len(tasks)} Tasks on {email}"
    assert len(tasks[0]["Subject"]) == int(length), f"{len(tasks[0]['Subject'])} characters"


@then(parsers.re(r'Salesforce has a Task "(?P<subject>[^"]+)" on the (?P<who>contact|lead) '
                 r'"(?P<email>[^"]+)" with no Type'))
def sf_task_no_type(mocks, subject, who, email):
    tasks = [t for t in sf_tasks_on(mocks, who, email) if t["Subject"] == subject]
    assert len(tasks) == 1, f"{len(tasks)} Tasks {subject!r} on {email}"
    assert tasks[0].get("Type") in (None, ""), f"the Task has the Type {tasks[0]['Type']!r}"


def _logged_task(mocks, kind: str, email: str) -> dict:
    wanted = {"email": "Email", "call": "Call"}[kind]
    tasks = [t for t in SalesforceWorld(mocks).tasks(sf_person(mocks, email)["Id"])
             if t.get("Type") == wanted]
    assert len(tasks) == 1, f"{len(tasks)} {kind} Tasks on {email}"
    return tasks[0]


@when(parsers.re(r'in Salesforce the (?P<kind>email|call) Task on "(?P<email>[^"]+)" gets the '
                 r'subject "(?P<subject>[^"]+)"'))
def sf_edit_logged(mocks, kind, email, subject):
    task = _logged_task(mocks, kind, email)
    SalesforceWorld(mocks).update("Task", task["Id"], {"Subject": subject})


@when(parsers.re(r'in Salesforce the (?P<kind>email|call) Task on "(?P<email>[^"]+)" is '
                 r'deleted'))
def sf_delete_logged(mocks, kind, email):
    SalesforceWorld(mocks).delete("Task", _logged_task(mocks, kind, email)["Id"])


# --- SIA's own record (P-OWN-DB) ---------------------------------------------------------------

def _own_record(driver, state, mocks, email: str) -> list[dict]:
    """SIA's record of the person, read while checking that reading it called no one."""
    mark = journal.marks(mocks)
    record = driver.activities(_marketo_id(state, mocks, email))
    calls = journal.since(mocks, mark)
    made = journal.describe(calls["marketo"] + calls["salesforce"])
    assert made == [], f"reading SIA's own record called out: {made}"
    return record


@then(parsers.re(r"SIA's own record of \"(?P<email>[^\"]+)\" has (?P<names>(?:an? )?\".+)"))
def own_record_has(driver, state, mocks, email, names):
    types = [a.get("type") for a in _own_record(driver, state, mocks, email)]
    for name in _quoted(names):
        assert name in types, f"SIA's record of {email}: {types}, no {name!r}"


@then(phrase("SIA's own record of \"{email}\" has no email"))
def own_record_no_email(driver, state, mocks, email):
    types = [a.get("type") for a in _own_record(driver, state, mocks, email)]
    assert "Send Sales Email" not in types, f"SIA's record of {email}: {types}"


@then(phrase("SIA's record of \"{email}\" still has the email \"{subject}\" and the call"))
def record_still_has(driver, state, mocks, email, subject):
    record = _own_record(driver, state, mocks, email)
    emails = [a for a in record if a.get("type") == "Send Sales Email"]
    assert emails, f"SIA's record of {email} has no email: {record}"
    assert all(subject in (a.get("subject") or a.get("primary") or "") for a in emails), \
        f"SIA's email of {email} changed: {[a.get('subject') for a in emails]}"
    calls = [a for a in record if a.get("type") == "Sales Call Received"]
    assert len(calls) == 1, f"SIA's record of {email} has {len(calls)} calls"

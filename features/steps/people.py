"""Steps of the people sync (P-*), its set-up (S-INITIATE) and Marketo's Salesforce sync."""

from __future__ import annotations

import json
import re

from pytest_bdd import given, parsers, then, when

from features.contract import PERSON_FIELDS
from features.world import MarketoWorld, SalesforceWorld

#: How each of the 13 SIA fields reads from a Marketo person (REST names).
MARKETO_FIELD = {
    "First Name": "firstName", "Last Name": "lastName", "Salesforce Contact ID": "sfdcContactId",
    "Salesforce Lead ID": "sfdcLeadId", "Salesforce Account ID": "sfdcAccountId",
    "Salesforce Opportunity ID": "sfdcOpptyId", "Marketo ID": "id", "Company": "company",
    "Title": "title", "Email": "email", "Phone Number": "phone",
    "LinkedIn URL": "linkedInProfileURL", "Source": "leadSource",
}
#: Marketo fields SIA must never hold (a sample of the ones outside the 13).
UNSYNCED = ("city", "country", "industry", "website", "leadScore")
SOURCES = {"the Marketo API": "api", "a Marketo form fill": "form",
           "a Marketo smart campaign": "flow"}


def _blank(value):
    return None if value in ("", None) else value


def _people_by_email(driver, email: str) -> list[dict]:
    return [p for p in driver.people() if p.get("Email") == email]


def _marketo_id(state, mocks, email: str) -> int:
    if email not in state.marketo_ids:
        state.marketo_ids[email] = MarketoWorld(mocks).by_email(email)["id"]
    return state.marketo_ids[email]


# --- S-INITIATE and the syncs ---------------------------------------------------------------

@when("the admin opens the data sync set-up")
def open_setup(driver, state):
    state.shown_fields = driver.sync_fields()


@then("the fields shown are exactly the 13 synced fields")
def shown_fields(state):
    assert sorted(state.shown_fields or []) == sorted(PERSON_FIELDS)


@given("the admin has started the data sync")
@when("the admin starts the data sync")
def start_sync(driver, state):
    state.outcome = driver.initiate_sync()
    assert state.outcome.ok, f"the data sync did not start: {state.outcome.error}"


@when("SIA runs the incremental sync")
def incremental(driver, state):
    state.outcome = driver.sync_changes()


# --- who is in SIA --------------------------------------------------------------------------

@given(parsers.parse('SIA has no person with email "{email}"'))
@then(parsers.parse('SIA has no person with email "{email}"'))
def no_person(driver, email):
    assert _people_by_email(driver, email) == []


@then(parsers.parse('SIA has a person with email "{email}"'))
def has_person(driver, email):
    assert len(_people_by_email(driver, email)) >= 1, f"no person {email} in SIA"


@then("SIA has no people")
def no_people(driver):
    assert driver.people() == []


@then(parsers.parse("SIA has {count:d} people"))
def people_count(driver, count):
    assert len(driver.people()) == count


@then("SIA has exactly these people:")
def exactly_these(driver, datatable):
    header, *rows = datatable
    expected = sorted(tuple(row) for row in rows)
    actual = sorted(tuple(p.get(col) for col in header) for p in driver.people())
    assert actual == expected


@then(parsers.parse('SIA has {count:d} people with email "{email}"'))
def people_with_email(driver, state, count, email):
    found = _people_by_email(driver, email)
    state.last["people"] = found
    assert len(found) == count, f"{len(found)} people with {email}: {found}"


@then(parsers.parse('SIA has {count:d} people whose email is "{email}" ignoring case'))
def people_with_email_folded(driver, count, email):
    found = [p for p in driver.people() if (p.get("Email") or "").strip().lower() == email]
    assert len(found) == count, f"{len(found)} people with {email} in any case"


@then("those people have different Marketo IDs")
def different_ids(state):
    ids = [p["Marketo ID"] for p in state.last["people"]]
    assert len(set(ids)) == len(ids), ids


@then("every SIA person has exactly the 13 synced fields")
def exactly_13(driver):
    people = driver.people()
    assert people, "SIA has no people"
    for person in people:
        assert sorted(person) == sorted(PERSON_FIELDS), f"fields of a SIA person: {sorted(person)}"


@then("every SIA person matches its Marketo person on the 13 fields")
def matches_marketo(driver, mocks):
    persons = {p["id"]: p for p in MarketoWorld(mocks).persons()}
    people = driver.people()
    assert people, "SIA has no people"
    for person in people:
        marketo = persons.get(int(person["Marketo ID"]))
        assert marketo is not None, f"SIA person {person['Marketo ID']} is not in Marketo"
        for label, name in MARKETO_FIELD.items():
            expected = _blank(marketo.get(name))
            actual = _blank(person.get(label))
            if label == "Marketo ID":
                actual = int(actual)
            assert actual == expected, (f"{label} of person {marketo['id']}: SIA has {actual!r}, "
                                        f"Marketo has {expected!r}")


@then("no value of a field SIA does not sync reached SIA")
def nothing_else(driver, mocks):
    persons = {p["id"]: p for p in MarketoWorld(mocks).persons()}
    for person in driver.people():
        marketo = persons[int(person["Marketo ID"])]
        held = {str(v) for v in person.values() if v not in (None, "")}
        synced = {str(marketo.get(MARKETO_FIELD[label])) for label in PERSON_FIELDS}
        for name in UNSYNCED:
            value = marketo.get(name)
            if value not in (None, "") and str(value) not in synced:
                assert str(value) not in held, f"Marketo's {name} ({value!r}) reached SIA"


@then("SIA's people are exactly the Marketo persons with a user as sales owner")
def exactly_qualified(driver, mocks):
    users = {u["Id"] for u in SalesforceWorld(mocks).records("User")}
    qualified = sorted(
        p["id"] for p in MarketoWorld(mocks).persons()
        if p.get("sfdcType") in ("Lead", "Contact") and p.get("sfdcLeadOwnerId") in users)
    assert qualified, "the world has no qualified person"
    actual = sorted(int(p["Marketo ID"]) for p in driver.people())
    assert actual == qualified, (f"{len(actual)} SIA people for {len(qualified)} qualified "
                                 f"persons; missing {sorted(set(qualified) - set(actual))[:10]}, "
                                 f"extra {sorted(set(actual) - set(qualified))[:10]}")


@then(parsers.parse('the SIA person with the Marketo ID of "{email}" has "{label}" "{value}"'))
def person_has(driver, state, mocks, email, label, value):
    marketo_id = _marketo_id(state, mocks, email)
    found = [p for p in driver.people() if int(p["Marketo ID"]) == marketo_id]
    assert len(found) == 1, f"SIA has {len(found)} people with Marketo ID {marketo_id}"
    assert found[0].get(label) == value, f"{label}: {found[0].get(label)!r}, expected {value!r}"


# --- P-FIELDS-FIXED, P-READONLY -------------------------------------------------------------

@when(parsers.parse('an admin tries to map the Marketo field "{field}" to the SIA field "{label}"'))
def try_mapping(driver, state, field, label):
    state.outcome = driver.configure_field_mapping({label: field})


@when(parsers.parse('a SIA user tries to create a person named "{name}" with email "{email}"'))
def try_create(driver, state, name, email):
    first, _, last = name.partition(" ")
    state.people_before = driver.people()
    state.outcome = driver.create_person({"First Name": first, "Last Name": last,
                                          "Email": email})


@when(parsers.parse('a SIA user tries to change the "{label}" of the person "{email}" to '
                    '"{value}"'))
def try_edit(driver, state, mocks, label, email, value):
    state.people_before = driver.people()
    state.outcome = driver.edit_person(_marketo_id(state, mocks, email), {label: value})


@then("SIA's people are as they were before the change")
def unchanged(driver, state):
    assert state.people_before is not None, "no snapshot was taken"
    key = lambda p: int(p["Marketo ID"])  # noqa: E731
    assert sorted(driver.people(), key=key) == sorted(state.people_before, key=key)


# --- changes in Marketo and Salesforce ------------------------------------------------------

@when(parsers.parse('{source} changes the field "{field}" of the person "{email}" to "{value}"'))
def marketo_change(driver, state, mocks, source, field, value, email):
    assert source in SOURCES, f"unknown source {source!r}; sources: {', '.join(SOURCES)}"
    marketo_id = _marketo_id(state, mocks, email)
    state.people_before = driver.people()
    MarketoWorld(mocks).change(marketo_id, {field: value}, SOURCES[source])


@when(parsers.parse('the Salesforce lead "{email}" is assigned to the queue "{queue}"'))
def assign_to_queue(mocks, email, queue):
    sf = SalesforceWorld(mocks)
    sf.update("Lead", sf.by_email("Lead", email)["Id"], {"OwnerId": sf.queue(queue)["Id"]})


@when(parsers.parse('the Salesforce lead "{email}" is assigned to the user "{user}"'))
def assign_to_user(mocks, email, user):
    sf = SalesforceWorld(mocks)
    sf.update("Lead", sf.by_email("Lead", email)["Id"], {"OwnerId": sf.user(user)["Id"]})


@given(parsers.parse('a Salesforce lead "{name}" at "{company}" with email "{email}" is created '
                     'for the user "{user}"'))
@when(parsers.parse('a Salesforce lead "{name}" at "{company}" with email "{email}" is created '
                    'for the user "{user}"'))
def create_lead(mocks, name, company, email, user):
    sf = SalesforceWorld(mocks)
    first, _, last = name.partition(" ")
    sf.create("Lead", {"FirstName": first, "LastName": last, "Company": company,
                       "Email": email, "OwnerId": sf.user(user)["Id"]})


@given(parsers.parse('Salesforce has the user "{name}" with email "{email}"'))
def create_user(mocks, name, email):
    first, _, last = name.partition(" ")
    SalesforceWorld(mocks).create("User", {"FirstName": first, "LastName": last,
                                           "Email": email, "Username": email,
                                           "Alias": (first[:1] + last)[:8].lower(),
                                           "IsActive": True})


@given(parsers.parse('the Salesforce account "{account}" has an opportunity "{name}"'))
def create_opportunity(mocks, account, name):
    sf = SalesforceWorld(mocks)
    acc = [a for a in sf.records("Account") if a["Name"] == account]
    assert len(acc) == 1, f"no single account {account}"
    sf.create("Opportunity", {"Name": name, "AccountId": acc[0]["Id"],
                              "StageName": "Prospecting", "CloseDate": "2026-12-31"})


@when(parsers.parse('the Salesforce contact "{email}" gets the title "{title}"'))
def contact_title(mocks, email, title):
    sf = SalesforceWorld(mocks)
    sf.update("Contact", sf.by_email("Contact", email)["Id"], {"Title": title})


@when(parsers.parse('the Salesforce lead "{email}" opts out of email'))
def lead_opts_out(mocks, email):
    sf = SalesforceWorld(mocks)
    sf.update("Lead", sf.by_email("Lead", email)["Id"], {"HasOptedOutOfEmail": True})


@when(parsers.parse('the Salesforce lead "{email}" is converted'))
def convert(mocks, state, email):
    sf = SalesforceWorld(mocks)
    lead = sf.by_email("Lead", email)
    state.last["converted_lead"] = lead["Id"]
    sf.convert_lead(lead["Id"])


@when(parsers.parse('the Marketo person "{email}" unsubscribes'))
def marketo_unsubscribes(mocks, state, email):
    MarketoWorld(mocks).change(_marketo_id(state, mocks, email), {"unsubscribed": True}, "form")


@when("Marketo's Salesforce sync runs")
def run_marketo_sync(mocks):
    MarketoWorld(mocks).run_salesforce_sync()


# --- what SIA asked of Marketo and Salesforce -----------------------------------------------

_MARKETO_PERSON_WRITES = re.compile(
    r"^/(rest/v1/leads(\.json|/.*)|rest/v1/lead/.*|bulk/v1/leads\.json)$")


def _is_marketo_person_write(entry: dict) -> bool:
    if entry["method"] == "GET" or not _MARKETO_PERSON_WRITES.match(entry["path"]):
        return False
    if entry["path"].startswith("/bulk/v1/leads/export"):
        return False
    body = entry.get("requestBody") or ""
    return "_method=GET" not in body  # a read sent as POST


@then("SIA made no call that writes a person to Marketo")
def no_marketo_person_writes(mocks):
    writes = [e for e in mocks.marketo.journal() if _is_marketo_person_write(e)]
    assert writes == [], f"person writes to Marketo: {[(e['method'], e['path']) for e in writes]}"


@then("SIA made no call that writes a lead or contact to Salesforce")
def no_salesforce_person_writes(mocks):
    writes = []
    for entry in mocks.salesforce.journal():
        if entry["method"] == "GET":
            continue
        direct = re.search(r"/sobjects/(Lead|Contact)\b", entry["path"])
        batched = "/composite" in entry["path"] and re.search(
            r'"type"\s*:\s*"(Lead|Contact)"', entry.get("requestBody") or "")
        if direct or batched:
            writes.append(entry)
    assert writes == [], f"lead/contact writes: {[(e['method'], e['path']) for e in writes]}"


@then(parsers.parse("SIA still lists {count:d} people"))
def still_lists(driver, state, mocks, count):
    before = {"marketo": mocks.marketo.journal_mark(),
              "salesforce": mocks.salesforce.journal_mark()}
    people = driver.people()
    state.last["listing_calls"] = (
        mocks.marketo.journal(after=before["marketo"])
        + mocks.salesforce.journal(after=before["salesforce"]))
    assert len(people) == count


@then("listing the people made no call to Marketo or Salesforce")
def listing_made_no_calls(state):
    calls = state.last["listing_calls"]
    assert calls == [], f"calls while listing: {[(e['method'], e['path']) for e in calls]}"


# --- Marketo's own Salesforce sync ----------------------------------------------------------

@then(parsers.parse('Marketo has a person with email "{email}" of SFDC type "{kind}"'))
def marketo_person(mocks, state, email, kind):
    person = MarketoWorld(mocks).by_email(email)
    assert person["sfdcType"] == kind, f"sfdcType {person['sfdcType']!r}"
    state.last["marketo_person"] = person


@then("that Marketo person has the Salesforce lead's ID and its owner's ID")
def marketo_lead_ids(mocks, state):
    person = state.last["marketo_person"]
    lead = SalesforceWorld(mocks).by_email("Lead", person["email"])
    assert person["sfdcLeadId"] == lead["Id"]
    assert person["sfdcLeadOwnerId"] == lead["OwnerId"]


@then("that Marketo person has the Salesforce contact's ID, account ID and opportunity ID")
def marketo_contact_ids(mocks, state):
    person = state.last["marketo_person"]
    sf = SalesforceWorld(mocks)
    contact = sf.by_email("Contact", person["email"])
    assert person["sfdcContactId"] == contact["Id"]
    assert person["sfdcAccountId"] == contact["AccountId"]
    opportunities = [o["Id"] for o in sf.records("Opportunity")
                     if o["AccountId"] == contact["AccountId"]]
    assert opportunities and person["sfdcOpptyId"] in opportunities
    assert person["sfdcLeadOwnerId"] == contact["OwnerId"]


@then("that Marketo person has no sales owner")
def marketo_no_owner(state):
    assert _blank(state.last["marketo_person"].get("sfdcLeadOwnerId")) is None


@then("that Marketo person keeps the converted lead's ID")
def keeps_lead_id(state):
    person = state.last["marketo_person"]
    assert person["sfdcLeadId"] == state.last["converted_lead"]
    assert person["sfdcContactId"]


@then(parsers.parse("Marketo's lead-change feed shows the title of \"{email}\" changed to "
                    "\"{value}\""))
def feed_shows(mocks, state, email, value):
    person = MarketoWorld(mocks).by_email(email)
    changes = MarketoWorld(mocks).lead_changes(person["id"])
    seen = [f for a in changes for f in json.loads(a.get("fields") or "[]")
            if f.get("name") == "title" and f.get("newValue") == value]
    assert seen, f"no Change Data Value of title to {value!r} for {email}"


@then(parsers.parse('the Marketo person "{email}" is unsubscribed'))
def marketo_unsubscribed(mocks, email):
    assert MarketoWorld(mocks).by_email(email)["unsubscribed"] in (1, True)


@then(parsers.parse('the Salesforce contact "{email}" has opted out of email'))
def contact_opted_out(mocks, email):
    assert SalesforceWorld(mocks).by_email("Contact", email)["HasOptedOutOfEmail"] in (1, True)

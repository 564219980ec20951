"""Steps of the people sync (P-*), its set-up (S-INITIATE) and Marketo's Salesforce sync.

Persons are named as :meth:`features.world.MarketoWorld.person` reads a name: an email,
an email and its rank among the persons that share it (``dana@acme.example#2``), or a first
and last name. A value in a step or a table may be ``[N characters]``: a text of exactly N
characters, accents and CJK included (see :func:`value`).
"""

from __future__ import annotations

import json
import re

import pytest
from pytest_bdd import given, then, when

from features import journal
from features.contract import PERSON_FIELDS
from features.steps.common import person_id, phrase, refused, succeeded
from features.world import MarketoWorld, SalesforceWorld

#: How each of the 13 SIA fields reads from a Marketo person (REST names).
MARKETO_FIELD = {
    "First Name": "firstName", "Last Name": "lastName", "Salesforce Contact ID": "sfdcContactId",
    "Salesforce Lead ID": "sfdcLeadId", "Salesforce Account ID": "sfdcAccountId",
    "Salesforce Opportunity ID": "sfdcOpptyId", "Marketo ID": "id", "Company": "company",
    "Title": "title", "Email": "email", "Phone Number": "phone",
    "LinkedIn URL": "linkedInProfileURL", "Source": "leadSource",
}
#: Marketo fields that are not a person's data (bookkeeping, the Salesforce type).
BOOKKEEPING = {"createdAt", "updatedAt", "sfdcType", "sfdcId", "sfdcLeadOwnerId", "sfdcName",
               "sfdcIsDeleted", "unsubscribed", "emailInvalid", "marketingSuspended",
               "doNotCall", "isAnonymous"}
SOURCES = {"the Marketo API": "api", "a Marketo form fill": "form",
           "a Marketo smart campaign": "flow", "Marketo's Salesforce sync": "salesforce"}
_LONG = re.compile(r"^\[(\d+) characters\]$")


def value(text: str | None):
    """A value as a scenario writes it: ``[255 characters]`` is a text of that many
    characters (with accents and CJK, so that a cut by bytes shows); an empty cell is ""."""
    if text is None:
        return None
    match = _LONG.match(text.strip())
    if match:
        return ("Ñandú é 名前 " * 100)[:int(match.group(1)) - 1] + "!"
    return text


def blank(item):
    return None if item in ("", None) else item


def sia_people(driver) -> dict[int, dict]:
    """SIA's people by Marketo ID (as a number)."""
    people = {}
    for person in driver.people():
        key = int(person["Marketo ID"])
        assert key not in people, f"SIA lists the Marketo ID {key} twice"
        people[key] = person
    return people


def mismatches(person: dict, marketo: dict) -> dict[str, tuple]:
    """The fields on which a SIA person differs from its Marketo person."""
    out = {}
    for label, name in MARKETO_FIELD.items():
        expected, actual = blank(marketo.get(name)), blank(person.get(label))
        if label == "Marketo ID":
            actual = int(actual)
        if actual != expected:
            out[label] = (actual, expected)
    return out


def assert_matches_marketo(people: dict[int, dict], mocks) -> None:
    persons = {p["id"]: p for p in MarketoWorld(mocks).persons()}
    assert people, "SIA has no people"
    for key, person in people.items():
        assert key in persons, f"SIA person {key} is not in Marketo"
        wrong = mismatches(person, persons[key])
        assert not wrong, f"person {key} ({persons[key].get('email')}): SIA has / Marketo " \
                          f"has {wrong}"


def names(datatable) -> list[str]:
    return [row[0] for row in datatable[1:]]


# --- S-INITIATE and the syncs ---------------------------------------------------------------

@when(phrase("the admin opens the data sync set-up"), target_fixture="shown_fields")
def open_setup(driver):
    return driver.sync_fields()


@then(phrase("the fields shown are exactly the 13 synced fields"))
def shown_fields_are_13(shown_fields):
    assert sorted(shown_fields or []) == sorted(PERSON_FIELDS), shown_fields


@given(phrase("the admin has started the data sync"), target_fixture="outcome")
@when(phrase("the admin starts the data sync"), target_fixture="outcome")
def start_sync(driver):
    return succeeded(driver.initiate_sync(), "starting the data sync")


@given(phrase("SIA runs the incremental sync"), target_fixture="outcome")
@when(phrase("SIA runs the incremental sync"), target_fixture="outcome")
def incremental(driver):
    return driver.sync_changes()


@when(phrase("SIA runs {sync:the incremental sync|every periodic sync|the unsubscribe sync|"
             "the task sync} before the data sync is started"), target_fixture="outcome")
def sync_before_start(driver, sync):
    """Whatever it answers: a refusal is fine, a copy of people is not."""
    return {"the incremental sync": driver.sync_changes, "every periodic sync": driver.sync_all,
            "the unsubscribe sync": driver.sync_unsubscribes,
            "the task sync": driver.sync_tasks}[sync]()


# --- who is in SIA --------------------------------------------------------------------------

@given(phrase('SIA has no person "{name}"'))
@then(phrase('SIA has no person "{name}"'))
def no_person(driver, mocks, known_people, name):
    key = person_id(known_people, mocks, name)
    assert key not in sia_people(driver), f"SIA has the person {name} ({key})"


@then(phrase('SIA has the person "{name}"'))
def has_person(driver, mocks, known_people, name):
    key = person_id(known_people, mocks, name)
    assert key in sia_people(driver), f"SIA has no person {name} ({key})"


@then(phrase("SIA has a person for each of these Marketo persons:"))
def has_each(driver, mocks, known_people, datatable):
    people = sia_people(driver)
    missing = [n for n in names(datatable) if person_id(known_people, mocks, n) not in people]
    assert not missing, f"SIA has no person for {missing}"


@then(phrase("SIA has no person for any of these Marketo persons:"))
def has_none(driver, mocks, known_people, datatable):
    people = sia_people(driver)
    extra = [n for n in names(datatable) if person_id(known_people, mocks, n) in people]
    assert not extra, f"SIA has people for {extra}"


@then(phrase("SIA has no people"))
def no_people(driver):
    people = driver.people()
    assert people == [], f"SIA has {len(people)} people"


@then(phrase("SIA has {count:d} people"))
def people_count(driver, count):
    assert len(driver.people()) == int(count)


@then(phrase('SIA has {count:d} people with email "{email}"'), target_fixture="found_people")
def people_with_email(driver, count, email):
    found = [p for p in driver.people() if p.get("Email") == email]
    assert len(found) == int(count), f"{len(found)} people with {email}: {found}"
    return found


@then(phrase('SIA has {count:d} people whose email is "{email}" ignoring case'))
def people_with_email_folded(driver, count, email):
    found = [p for p in driver.people() if (p.get("Email") or "").strip().lower() == email]
    assert len(found) == int(count), f"{len(found)} people with {email} in any case"


@then(phrase("those people have different Marketo IDs"))
def different_ids(found_people):
    ids = [p["Marketo ID"] for p in found_people]
    assert len(set(ids)) == len(ids), ids


@then(phrase("every SIA person has exactly the 13 synced fields"))
def exactly_13(driver):
    people = driver.people()
    assert people, "SIA has no people"
    for person in people:
        assert sorted(person) == sorted(PERSON_FIELDS), f"fields of a SIA person: {sorted(person)}"


@then(phrase("every SIA person matches its Marketo person on the 13 fields"))
def matches_marketo(driver, mocks):
    assert_matches_marketo(sia_people(driver), mocks)


@then(phrase("no value of a Marketo field SIA does not sync reached SIA"))
def nothing_else(driver, mocks):
    persons = {p["id"]: p for p in MarketoWorld(mocks).persons()}
    for key, person in sia_people(driver).items():
        marketo = persons[key]
        held = {str(v) for v in person.values() if v not in (None, "")}
        synced = {str(marketo.get(name)) for name in MARKETO_FIELD.values()}
        for name, item in marketo.items():
            if name in MARKETO_FIELD.values() or name in BOOKKEEPING or item in (None, ""):
                continue
            if str(item) not in synced and len(str(item)) >= 3:
                assert str(item) not in held, \
                    f"Marketo's {name} ({item!r}) of person {key} reached SIA"


@then(phrase("SIA's people are exactly the Marketo persons with a user as sales owner"))
def exactly_qualified(driver, mocks):
    """Every lead and contact owned by an active user is in SIA, and no person without a
    user as owner is; persons owned by an inactive user are the reference's choice."""
    users = {u["Id"]: u for u in SalesforceWorld(mocks).records("User")}
    persons = MarketoWorld(mocks).persons()
    owned = {p["id"]: users.get(p.get("sfdcLeadOwnerId")) for p in persons
             if p.get("sfdcType") in ("Lead", "Contact")
             and (p.get("sfdcLeadId") or p.get("sfdcContactId"))}
    required = {k for k, user in owned.items() if user and user.get("IsActive") in (1, True)}
    allowed = {k for k, user in owned.items() if user}
    assert len(required) > 300, f"the world has {len(required)} qualified persons, too few"
    actual = set(sia_people(driver))
    missing, extra = sorted(required - actual), sorted(actual - allowed)
    assert not missing and not extra, (
        f"{len(actual)} SIA people for {len(required)} qualified persons; missing "
        f"{len(missing)}: {missing[:10]}, not qualified {len(extra)}: {extra[:10]}")


@then(phrase('the SIA person "{name}" has "{label}" "{expected}"'))
def person_has(driver, mocks, known_people, name, label, expected):
    key = person_id(known_people, mocks, name)
    person = sia_people(driver).get(key)
    assert person is not None, f"SIA has no person {name} ({key})"
    assert blank(person.get(label)) == blank(value(expected)), \
        f"{label} of {name}: {person.get(label)!r}, expected {value(expected)!r}"


@then(phrase('the SIA person "{name}" matches its Marketo person on the 13 fields'))
def person_matches(driver, mocks, known_people, name):
    key = person_id(known_people, mocks, name)
    people = sia_people(driver)
    assert key in people, f"SIA has no person {name} ({key})"
    assert_matches_marketo({key: people[key]}, mocks)


# --- P-FIELDS-FIXED, P-READONLY -------------------------------------------------------------

@when(phrase("an admin tries each of these field mappings:"), target_fixture="attempts")
def try_mappings(driver, datatable):
    header, *rows = datatable
    return [(dict(zip(header, row, strict=True)),
             driver.configure_field_mapping({row[0]: row[1]})) for row in rows]


@when(phrase("an admin tries to map all of them at once:"), target_fixture="attempts")
def try_mapping_at_once(driver, datatable):
    mapping = {row[0]: row[1] for row in datatable[1:]}
    return [(mapping, driver.configure_field_mapping(mapping))]


@when(phrase('a SIA user tries to create a person named "{name}" with email "{email}"'),
      target_fixture="outcome")
def try_create(driver, name, email):
    first, _, last = name.partition(" ")
    return driver.create_person({"First Name": first, "Last Name": last, "Email": email})


@when(phrase("a SIA user tries to create each of these people:"), target_fixture="attempts")
def try_creates(driver, mocks, datatable):
    header, *rows = datatable
    attempts = []
    for row in rows:
        fields = {label: value(cell) for label, cell in zip(header, row, strict=True) if cell}
        if "Marketo ID" in fields:  # a Marketo person's ID, named by email
            fields["Marketo ID"] = MarketoWorld(mocks).person(fields["Marketo ID"])["id"]
        attempts.append((fields, driver.create_person(fields)))
    return attempts


@when(phrase('a SIA user tries to change the "{label}" of the person "{name}" to "{new}"'),
      target_fixture="outcome")
def try_edit(driver, mocks, known_people, label, name, new):
    return driver.edit_person(person_id(known_people, mocks, name), {label: value(new)})


@when(phrase("a SIA user tries each of these changes:"), target_fixture="attempts")
def try_edits(driver, mocks, known_people, datatable):
    header, *rows = datatable
    attempts = []
    for row in rows:
        item = dict(zip(header, row, strict=True))
        changes = {item["field"]: value(item["value"])}
        attempts.append((item, driver.edit_person(
            person_id(known_people, mocks, item["person"]), changes)))
    return attempts


@then(phrase("every attempt is refused with a clear error"))
def every_attempt_refused(attempts):
    assert attempts, "no attempt was made"
    for what, answer in attempts:
        refused(answer, f"the attempt {what}")


@given(phrase("SIA's people as they are now"), target_fixture="people_before")
def people_now(driver):
    return sia_people(driver)


@then(phrase("SIA's people are as they were"))
def unchanged(driver, people_before):
    assert people_before is not None, "no snapshot was taken"
    now = sia_people(driver)
    assert sorted(now) == sorted(people_before), \
        f"people added {sorted(set(now) - set(people_before))}, " \
        f"gone {sorted(set(people_before) - set(now))}"
    for key, person in now.items():
        changed = {label: (people_before[key].get(label), person.get(label))
                   for label in PERSON_FIELDS
                   if blank(person.get(label)) != blank(people_before[key].get(label))}
        assert not changed, f"person {key} changed (before, after): {changed}"


@pytest.fixture
def people_before():
    return None


@pytest.fixture
def attempts():
    return []


# --- changes in Marketo and Salesforce ------------------------------------------------------

@when(phrase('{source} changes the field "{field}" of the person "{name}" to "{new}"'))
def marketo_change(mocks, known_people, source, field, name, new):
    assert source in SOURCES, f"unknown source {source!r}; sources: {', '.join(SOURCES)}"
    MarketoWorld(mocks).change(person_id(known_people, mocks, name), {field: value(new)},
                               SOURCES[source])


@when(phrase("these changes are made in Marketo:"))
def marketo_changes(mocks, known_people, datatable):
    """One row a change: person, field, value, and who made it (source)."""
    header, *rows = datatable
    for row in rows:
        item = dict(zip(header, row, strict=True))
        source = item.get("source") or "the Marketo API"
        assert source in SOURCES, f"unknown source {source!r}; sources: {', '.join(SOURCES)}"
        MarketoWorld(mocks).change(person_id(known_people, mocks, item["person"]),
                                   {item["field"]: value(item["value"])}, SOURCES[source])


@when(phrase('the Marketo API changes the fields of the person "{name}" at once:'))
def marketo_change_at_once(mocks, known_people, name, datatable):
    fields = {row[0]: value(row[1]) for row in datatable[1:]}
    MarketoWorld(mocks).change(person_id(known_people, mocks, name), fields, "api")


@when(phrase('the Marketo API changes the "{field}" of the person "{name}" {count:d} times, '
             'last to "{last}"'))
def marketo_change_many(mocks, known_people, field, name, count, last):
    """Many changes in few calls, so that the lead-change feed has several pages."""
    lead = person_id(known_people, mocks, name)
    count = int(count)
    values = [f"{last} ({n})" for n in range(1, count)] + [last]
    marketo = MarketoWorld(mocks)
    for start in range(0, count, 300):
        marketo.change_many([{"id": lead, field: item} for item in values[start:start + 300]],
                            "api")


@when(phrase('a Marketo form fill creates the person "{first} {last}" with email "{email}"'))
def marketo_form_creates(mocks, first, last, email):
    MarketoWorld(mocks).create({"firstName": first, "lastName": last, "email": email}, "form")


@when(phrase('Marketo\'s Salesforce sync makes the person "{name}" the Salesforce lead of '
             'the user "{user}"'))
def becomes_lead(mocks, known_people, name, user):
    """A Marketo-only person synced to Salesforce: the lead is made there, and Marketo's
    sync writes its IDs and owner on the person."""
    key = person_id(known_people, mocks, name)
    person = MarketoWorld(mocks).person_by_id(key)
    sf = SalesforceWorld(mocks)
    owner = sf.user(user)["Id"]
    lead = sf.create("Lead", {"FirstName": person.get("firstName"),
                              "LastName": person.get("lastName") or "Unknown",
                              "Company": person.get("company") or "Unknown",
                              "Email": person.get("email"), "OwnerId": owner})["id"]
    MarketoWorld(mocks).change(key, {"sfdcType": "Lead", "sfdcId": lead, "sfdcLeadId": lead,
                                     "sfdcLeadOwnerId": owner}, "salesforce")


def _assign(mocks, kind: str, name: str, owner: str) -> None:
    person = MarketoWorld(mocks).person(name)
    record = person.get("sfdcLeadId" if kind == "lead" else "sfdcContactId")
    assert record, f"the Marketo person {name} is no Salesforce {kind}"
    SalesforceWorld(mocks).update(kind.capitalize(), record, {"OwnerId": owner})


@when(phrase('the Salesforce {kind:lead|contact} "{name}" is assigned to the queue "{queue}"'))
def assign_to_queue(mocks, kind, name, queue):
    _assign(mocks, kind, name, SalesforceWorld(mocks).queue(queue)["Id"])


@when(phrase('the Salesforce {kind:lead|contact} "{name}" is assigned to the user "{user}"'))
def assign_to_user(mocks, kind, name, user):
    _assign(mocks, kind, name, SalesforceWorld(mocks).user(user)["Id"])


@given(phrase('a Salesforce lead "{first} {last}" at "{company}" with email "{email}" is '
              'created for the {owner:user|queue} "{key}"'))
@when(phrase('a Salesforce lead "{first} {last}" at "{company}" with email "{email}" is '
             'created for the {owner:user|queue} "{key}"'))
def create_lead(mocks, first, last, company, email, owner, key):
    sf = SalesforceWorld(mocks)
    owner_id = (sf.user(key) if owner == "user" else sf.queue(key))["Id"]
    sf.create("Lead", {"FirstName": first, "LastName": last, "Company": company,
                       "Email": email, "Title": "New in Salesforce", "Phone": "+1 555 0142",
                       "LeadSource": "Salesforce", "OwnerId": owner_id})


@when(phrase('a Salesforce contact "{first} {last}" of the account "{account}" with email '
             '"{email}" is created for the user "{user}"'))
def create_contact(mocks, first, last, account, email, user):
    sf = SalesforceWorld(mocks)
    sf.create("Contact", {"FirstName": first, "LastName": last, "Email": email,
                          "AccountId": sf.account(account)["Id"], "Title": "New contact",
                          "Phone": "+1 555 0143", "LeadSource": "Salesforce",
                          "OwnerId": sf.user(user)["Id"]})


@given(phrase('Salesforce has the user "{first} {last}" with email "{email}"'))
def create_user(mocks, first, last, email):
    SalesforceWorld(mocks).create("User", {"FirstName": first, "LastName": last,
                                           "Email": email, "Username": email,
                                           "Alias": (first[:1] + last)[:8].lower(),
                                           "IsActive": True})


@given(phrase('the Salesforce account "{account}" has an opportunity "{name}"'))
def create_opportunity(mocks, account, name):
    sf = SalesforceWorld(mocks)
    sf.create("Opportunity", {"Name": name, "AccountId": sf.account(account)["Id"],
                              "StageName": "Prospecting", "CloseDate": "2026-12-31"})


@when(phrase('in Salesforce the {kind:lead|contact} "{email}" gets the {field:title|phone|'
             'source|company} "{new}"'))
def salesforce_change(mocks, kind, email, field, new):
    sf = SalesforceWorld(mocks)
    name = {"title": "Title", "phone": "Phone", "source": "LeadSource", "company": "Company"}
    sf.update(kind.capitalize(), sf.person(kind, email)["Id"], {name[field]: value(new)})


@when(phrase('in Salesforce the contact "{email}" moves to the account "{account}"'))
def contact_moves(mocks, email, account):
    sf = SalesforceWorld(mocks)
    sf.update("Contact", sf.person("contact", email)["Id"],
              {"AccountId": sf.account(account)["Id"]})


@when(phrase('the Salesforce contact "{email}" gets the title "{title}"'))
def contact_title(mocks, email, title):
    salesforce_change(mocks, "contact", email, "title", title)


@when(phrase('the Salesforce lead "{email}" opts out of email'))
def lead_opts_out(mocks, email):
    sf = SalesforceWorld(mocks)
    sf.update("Lead", sf.by_email("Lead", email)["Id"], {"HasOptedOutOfEmail": True})


@when(phrase('the Salesforce lead "{email}" is converted'), target_fixture="converted_lead")
def convert(mocks, email):
    sf = SalesforceWorld(mocks)
    lead = sf.by_email("Lead", email)
    sf.convert_lead(lead["Id"])
    return lead["Id"]


@when(phrase('the Marketo person "{name}" unsubscribes'))
def marketo_unsubscribes(mocks, known_people, name):
    MarketoWorld(mocks).change(person_id(known_people, mocks, name), {"unsubscribed": True},
                               "form")


@given(phrase("Marketo's Salesforce sync runs"))
@when(phrase("Marketo's Salesforce sync runs"))
def run_marketo_sync(mocks):
    MarketoWorld(mocks).run_salesforce_sync()


# --- what SIA asked of Marketo and Salesforce (P-DIRECTION) ---------------------------------

@given(phrase("the persons in Marketo and Salesforce as they are now"),
       target_fixture="persons_before")
def persons_now(mocks):
    return _persons(mocks)


def _persons(mocks) -> dict:
    sf = SalesforceWorld(mocks)
    return {"marketo": {p["id"]: p for p in MarketoWorld(mocks).persons()},
            "salesforce": {r["Id"]: r for kind in ("Lead", "Contact")
                           for r in sf.records(kind)}}


#: What may change on a person while SIA works: bookkeeping, and the opt-out (U-SF-TWO-WAY)
#: with what Marketo's own sync makes of it.
_MAY_CHANGE = {"updatedAt", "LastModifiedDate", "SystemModstamp", "HasOptedOutOfEmail",
               "LastActivityDate", "LastViewedDate", "LastReferencedDate"}


@then(phrase("no person's fields changed in Marketo or Salesforce but the Email Opt Out"))
def persons_unchanged(mocks, persons_before):
    now = _persons(mocks)
    for side in ("marketo", "salesforce"):
        assert sorted(now[side]) == sorted(persons_before[side]), \
            f"{side}'s persons were added or removed"
        for key, record in now[side].items():
            before = persons_before[side][key]
            changed = {f: (before.get(f), record.get(f)) for f in record
                       if f not in _MAY_CHANGE and record.get(f) != before.get(f)}
            assert not changed, f"{side} person {key} changed (before, after): {changed}"


@then(phrase("SIA made no call that writes a person to Marketo"))
def no_marketo_person_writes(mocks):
    writes = journal.marketo_person_writes(mocks.marketo.journal())
    assert writes == [], f"person writes to Marketo: {journal.describe(writes)}"


@then(phrase("SIA made no call that writes a lead or contact to Salesforce but an Email "
             "Opt Out"))
def no_salesforce_person_writes(mocks):
    writes = journal.salesforce_person_writes(mocks.salesforce.journal(),
                                              allowed={"HasOptedOutOfEmail"})
    assert writes == [], f"lead/contact writes: {journal.describe(writes)}"


@then(phrase("SIA still lists its people, and listing them made no call to Marketo or "
             "Salesforce"))
def still_lists(driver, mocks, people_before):
    mark = journal.marks(mocks)
    unchanged(driver, people_before)
    calls = journal.since(mocks, mark)
    made = calls["marketo"] + calls["salesforce"]
    assert made == [], f"calls while listing: {journal.describe(made)}"


# --- Marketo's own Salesforce sync ----------------------------------------------------------

@then(phrase('Marketo has a person with email "{email}" of SFDC type "{kind}"'),
      target_fixture="marketo_person")
def marketo_person(mocks, email, kind):
    person = MarketoWorld(mocks).by_email(email)
    assert person["sfdcType"] == kind, f"sfdcType {person['sfdcType']!r}"
    return person


@then(phrase("that Marketo person has the Salesforce lead's ID and its owner's ID"))
def marketo_lead_ids(mocks, marketo_person):
    lead = SalesforceWorld(mocks).by_email("Lead", marketo_person["email"])
    assert marketo_person["sfdcLeadId"] == lead["Id"]
    assert marketo_person["sfdcLeadOwnerId"] == lead["OwnerId"]


@then(phrase("that Marketo person has the Salesforce contact's ID, account ID and "
             "opportunity ID"))
def marketo_contact_ids(mocks, marketo_person):
    sf = SalesforceWorld(mocks)
    contact = sf.by_email("Contact", marketo_person["email"])
    assert marketo_person["sfdcContactId"] == contact["Id"]
    assert marketo_person["sfdcAccountId"] == contact["AccountId"]
    opportunities = [o["Id"] for o in sf.records("Opportunity")
                     if o["AccountId"] == contact["AccountId"]]
    assert opportunities and marketo_person["sfdcOpptyId"] in opportunities
    assert marketo_person["sfdcLeadOwnerId"] == contact["OwnerId"]


@then(phrase("that Marketo person has no sales owner"))
def marketo_no_owner(marketo_person):
    assert blank(marketo_person.get("sfdcLeadOwnerId")) is None


@then(phrase("that Marketo person keeps the converted lead's ID"))
def keeps_lead_id(marketo_person, converted_lead):
    assert marketo_person["sfdcLeadId"] == converted_lead
    assert marketo_person["sfdcContactId"]


@then(phrase("Marketo's lead-change feed shows the title of \"{email}\" changed to "
             "\"{new}\""))
def feed_shows(mocks, email, new):
    person = MarketoWorld(mocks).by_email(email)
    changes = MarketoWorld(mocks).lead_changes(person["id"])
    seen = [f for a in changes for f in json.loads(a.get("fields") or "[]")
            if f.get("name") == "title" and f.get("newValue") == new]
    assert seen, f"no Change Data Value of title to {new!r} for {email}"


@then(phrase('the Marketo person "{name}" is unsubscribed'))
def marketo_unsubscribed(mocks, name):
    assert MarketoWorld(mocks).person(name)["unsubscribed"] in (1, True)

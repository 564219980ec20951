"""Steps of the unsubscribes (U-*): SIA, Salesforce's Email Opt Out, Marketo's check."""

from __future__ import annotations

from pytest_bdd import given, then, when

from features import journal
from features.steps.common import person_id, phrase, refused, succeeded
from features.world import MarketoWorld, SalesforceWorld


def _record(mocks, known_people, kind: str, name: str) -> str:
    """The Salesforce lead or contact of a Marketo person."""
    person = MarketoWorld(mocks).person_by_id(person_id(known_people, mocks, name))
    record = person.get("sfdcLeadId" if kind == "lead" else "sfdcContactId")
    assert record, f"{name} has no Salesforce {kind}"
    return record


def _opted_out(mocks, known_people, kind: str, name: str) -> bool:
    record = _record(mocks, known_people, kind, name)
    [row] = [r for r in SalesforceWorld(mocks).records(kind.capitalize()) if r["Id"] == record]
    return row["HasOptedOutOfEmail"] in (1, True)


@given(phrase('"{name}" unsubscribes in SIA'), target_fixture="outcome")
@when(phrase('"{name}" unsubscribes in SIA'), target_fixture="outcome")
def unsubscribe(driver, mocks, known_people, name):
    return succeeded(driver.unsubscribe(person_id(known_people, mocks, name)),
                     "the unsubscribe")


@given(phrase('"{name}" re-subscribes in SIA'), target_fixture="outcome")
@when(phrase('"{name}" re-subscribes in SIA'), target_fixture="outcome")
def resubscribe(driver, mocks, known_people, name):
    return succeeded(driver.resubscribe(person_id(known_people, mocks, name)),
                     "the re-subscribe")


@given(phrase("SIA runs the unsubscribe sync"), target_fixture="outcome")
@when(phrase("SIA runs the unsubscribe sync"), target_fixture="outcome")
def unsubscribe_sync(driver):
    return succeeded(driver.sync_unsubscribes(), "the unsubscribe sync")


@then(phrase('"{name}" is {negated:not |}unsubscribed in SIA'))
def sia_unsubscribed(driver, mocks, known_people, name, negated):
    actual = driver.is_unsubscribed(person_id(known_people, mocks, name))
    assert actual is (not negated), f"{name} is {'' if actual else 'not '}unsubscribed in SIA"


@given(phrase('in Salesforce the {kind:contact|lead} "{name}" opts {way:out of|back in to} '
              'email'))
@when(phrase('in Salesforce the {kind:contact|lead} "{name}" opts {way:out of|back in to} '
             'email'))
def salesforce_opt(mocks, known_people, kind, name, way):
    SalesforceWorld(mocks).update(kind.capitalize(), _record(mocks, known_people, kind, name),
                                  {"HasOptedOutOfEmail": way == "out of"})


@then(phrase('the Salesforce {kind:contact|lead} "{name}" has {negated:not |}opted out of '
             'email'))
def sf_opted_out(mocks, known_people, kind, name, negated):
    actual = _opted_out(mocks, known_people, kind, name)
    assert actual is (not negated), \
        f"the Salesforce {kind} {name} has {'' if actual else 'not '}opted out"


@given(phrase('the Marketo person "{name}" is {way:unsubscribed|subscribed again} in Marketo'))
@when(phrase('the Marketo person "{name}" is {way:unsubscribed|subscribed again} in Marketo'))
def marketo_person_unsubscribed(mocks, known_people, name, way):
    MarketoWorld(mocks).change(person_id(known_people, mocks, name),
                               {"unsubscribed": way == "unsubscribed"}, "form")


@given(phrase('the Marketo-only person with email "{email}" is unsubscribed in Marketo'))
def marketo_only_unsubscribed(mocks, email):
    marketo = MarketoWorld(mocks)
    [person] = [p for p in marketo.persons() if p.get("email") == email and not p.get("sfdcType")]
    marketo.change(person["id"], {"unsubscribed": True}, "form")


@then(phrase('the Marketo person "{name}" is not unsubscribed'))
def marketo_not_unsubscribed(mocks, name):
    assert MarketoWorld(mocks).person(name).get("unsubscribed") in (0, False, None)


@then(phrase("SIA made no write to Marketo but sales activities"))
def no_marketo_writes(mocks):
    writes = journal.marketo_writes(mocks.marketo.journal())
    assert writes == [], f"writes to Marketo: {journal.describe(writes)}"


# --- the Marketo Unsubscribe Check -----------------------------------------------------------

def _send_calls(sent_emails) -> dict[str, list[dict]]:
    assert sent_emails, "no email was sent"
    return sent_emails[-1]["calls"]


@then(phrase("the send is refused with a clear error"))
def send_refused(outcome):
    refused(outcome, "the send")


@then(phrase("the send went ahead"))
def send_went(outcome):
    assert outcome is not None and outcome.ok, f"the send was refused: {outcome}"


@then(phrase('the send asked Marketo exactly once whether "{email}" is unsubscribed'))
def asked_once(sent_emails, email):
    reads = journal.person_reads(_send_calls(sent_emails)["marketo"])
    assert len(reads) == 1, f"{len(reads)} person reads in Marketo: {journal.describe(reads)}"
    assert journal.asks_about(reads[0], email), \
        f"the read does not look {email} up: {journal.describe(reads)}"


@then(phrase("the send did not ask Marketo whether anyone is unsubscribed"))
def not_asked(sent_emails):
    reads = journal.person_reads(_send_calls(sent_emails)["marketo"])
    assert reads == [], f"the send read persons in Marketo: {journal.describe(reads)}"


@then(phrase("the send made no call to Salesforce"))
def send_no_salesforce(sent_emails):
    calls = _send_calls(sent_emails)["salesforce"]
    assert calls == [], f"the send called Salesforce: {journal.describe(calls)}"

"""Steps of the unsubscribes (U-*): SIA, Salesforce's Email Opt Out, Marketo's check."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from features import journal
from features.steps.common import phrase
from features.steps.people import _marketo_id
from features.world import MarketoWorld, SalesforceWorld


@given(phrase('"{email}" unsubscribes in SIA'))
@when(phrase('"{email}" unsubscribes in SIA'))
def unsubscribe(driver, state, mocks, email):
    state.outcome = driver.unsubscribe(_marketo_id(state, mocks, email))
    assert state.outcome.ok, f"the unsubscribe failed: {state.outcome.error}"


@when(phrase('"{email}" re-subscribes in SIA'))
def resubscribe(driver, state, mocks, email):
    state.outcome = driver.resubscribe(_marketo_id(state, mocks, email))
    assert state.outcome.ok, f"the re-subscribe failed: {state.outcome.error}"


@when("SIA runs the unsubscribe sync")
def unsubscribe_sync(driver, state):
    state.outcome = driver.sync_unsubscribes()
    assert state.outcome.ok, f"the unsubscribe sync failed: {state.outcome.error}"


@then(parsers.re(r'"(?P<email>[^"]+)" is (?P<negated>not )?unsubscribed in SIA'))
def sia_unsubscribed(driver, state, mocks, email, negated):
    actual = driver.is_unsubscribed(_marketo_id(state, mocks, email))
    assert actual is (not negated), f"{email} is {'' if actual else 'not '}unsubscribed in SIA"


@when(phrase('in Salesforce the contact "{email}" opts back in to email'))
def contact_opts_in(mocks, email):
    sf = SalesforceWorld(mocks)
    sf.update("Contact", sf.by_email("Contact", email)["Id"], {"HasOptedOutOfEmail": False})


@then(phrase('the Salesforce lead "{email}" has opted out of email'))
def lead_opted_out(mocks, email):
    assert SalesforceWorld(mocks).by_email("Lead", email)["HasOptedOutOfEmail"] in (1, True)


@then(parsers.re(r'the Salesforce (?P<kind>contact|lead) "(?P<email>[^"]+)" has not opted out '
                 r'of email'))
def not_opted_out(mocks, kind, email):
    record = SalesforceWorld(mocks).person(kind, email)
    assert record["HasOptedOutOfEmail"] in (0, False), f"the {kind} {email} has opted out"


@given(phrase('the Marketo person "{email}" is unsubscribed in Marketo'))
def marketo_person_unsubscribed(mocks, state, email):
    MarketoWorld(mocks).change(_marketo_id(state, mocks, email), {"unsubscribed": True}, "form")


@given(phrase('the Marketo-only person with email "{email}" is unsubscribed in Marketo'))
def marketo_only_unsubscribed(mocks, email):
    marketo = MarketoWorld(mocks)
    [person] = [p for p in marketo.persons() if p.get("email") == email and not p.get("sfdcType")]
    marketo.change(person["id"], {"unsubscribed": True}, "form")


@then(phrase('the Marketo person "{email}" is not unsubscribed'))
def marketo_not_unsubscribed(mocks, email):
    assert MarketoWorld(mocks).by_email(email).get("unsubscribed") in (0, False, None)


# --- the Marketo Unsubscribe Check -----------------------------------------------------------

def _send_calls(state) -> dict[str, list[dict]]:
    calls = state.last.get("send_calls")
    assert calls is not None, "no email was sent"
    return calls


@then("the send is refused with a clear error")
def send_refused(state):
    outcome = state.outcome
    assert outcome is not None and not outcome.ok, \
        f"the send went ahead: {outcome.detail if outcome else None}"
    assert outcome.error and len(outcome.error.strip()) >= 10, \
        f"refused without a clear message: {outcome.error!r}"


@then(phrase('the send asked Marketo exactly once whether "{email}" is unsubscribed'))
def asked_once(state, email):
    reads = journal.person_reads(_send_calls(state)["marketo"])
    assert len(reads) == 1, f"{len(reads)} person reads in Marketo: {journal.describe(reads)}"
    assert journal.asks_about(reads[0], email), \
        f"the read does not look {email} up: {journal.describe(reads)}"


@then("the send did not ask Marketo whether anyone is unsubscribed")
def not_asked(state):
    reads = journal.person_reads(_send_calls(state)["marketo"])
    assert reads == [], f"the send read persons in Marketo: {journal.describe(reads)}"


@then("the send made no call to Salesforce")
def send_no_salesforce(state):
    calls = _send_calls(state)["salesforce"]
    assert calls == [], f"the send called Salesforce: {journal.describe(calls)}"

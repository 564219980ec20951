"""The engine's thin clients against the mocks: tokens, retries, paging, lost writes."""

from __future__ import annotations

import pytest

from engine.clients.marketo import MarketoClient, MarketoCredentials
from engine.clients.retry import Pacer, RetryPolicy
from engine.clients.salesforce import SalesforceClient, SalesforceCredentials
from engine.errors import AmbiguousWrite, QuotaReached, RemoteError

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, patience=0.3)


@pytest.fixture
def clients(stack):
    marketo, salesforce = stack(people=700)
    m, s = marketo.config, salesforce.config
    mk = MarketoClient(MarketoCredentials(marketo.url, m.sia_client_id, m.sia_client_secret),
                       retry=FAST, calls_per_window=None)
    sf = SalesforceClient(SalesforceCredentials(salesforce.url, s.client_id, s.client_secret,
                                                s.username, s.password), retry=FAST)
    return marketo, salesforce, mk, sf


@pytest.mark.parametrize("code", ["606", "615", "604", "608"])
def test_marketo_retries_what_it_refused_without_acting(clients, code):
    marketo, _, mk, _ = clients
    marketo.admin("POST", "/faults", json={"path": "/rest/v1/activities/types.json",
                                           "error": code, "times": 2})
    assert mk.activity_types()
    assert len(marketo.journal(path="/rest/v1/activities/types.json")) == 3


def test_marketo_gives_up_after_its_attempts(clients):
    marketo, _, mk, _ = clients
    marketo.admin("POST", "/faults", json={"path": "/rest/v1/activities/types.json",
                                           "error": "611"})
    with pytest.raises(RemoteError, match=r"611.*gave up after 4"):
        mk.activity_types()


def test_marketo_renews_an_expired_or_revoked_token(clients):
    marketo, _, mk, _ = clients
    first = mk.token()
    marketo.admin("POST", "/tokens/expire")
    assert mk.activity_types()
    assert mk.token() != first
    identity = marketo.journal(path="/identity/oauth/token")
    assert len(identity) == 2


def test_marketo_retries_a_dropped_read_but_not_a_dropped_write(clients):
    marketo, _, mk, _ = clients
    marketo.admin("POST", "/faults", json={"path": "/rest/v1/activities/types.json",
                                           "drop": "before", "times": 1})
    assert mk.activity_types()
    marketo.admin("POST", "/faults", json={"path": "/rest/v1/activities/external.json",
                                           "drop": "after", "times": 1})
    lead = marketo.rows("leads")[0]["id"]
    with pytest.raises(AmbiguousWrite):
        mk.add_activities([{"leadId": lead, "activityDate": "2026-01-01T00:00:00Z",
                            "activityTypeId": 100003, "primaryAttributeValue": "Q1",
                            "attributes": []}])


def test_marketo_leads_by_filter_pages(clients):
    marketo, _, mk, _ = clients
    ids = [p["id"] for p in marketo.rows("leads")]
    found = mk.leads_by_filter("id", ids, ["id", "email"], batch_size=100)
    assert sorted(p["id"] for p in found) == sorted(ids)
    assert len(marketo.journal(path="/rest/v1/leads.json")) >= 2


def test_salesforce_logs_in_again_on_an_expired_session(clients):
    _, salesforce, _, sf = clients
    assert sf.count("SELECT COUNT() FROM Lead") > 0
    salesforce.admin("POST", "/tokens/expire")
    assert sf.count("SELECT COUNT() FROM Lead") > 0
    assert len(salesforce.journal(path="/services/oauth2/token")) == 2


def test_salesforce_query_follows_next_records_url(clients):
    _, salesforce, _, sf = clients
    total = sf.count("SELECT COUNT() FROM Lead")
    assert total > 400
    records = list(sf.query("SELECT Id FROM Lead", batch_size=200))
    assert len(records) == total and len({r["Id"] for r in records}) == total
    pages = [e for e in salesforce.journal(path="/services/data/*/query*")]
    assert len(pages) >= 4  # the count, then three pages of at most 200


def test_salesforce_retries_reads_and_reports_lost_writes(clients):
    _, salesforce, _, sf = clients
    salesforce.admin("POST", "/faults", json={"path": "/services/data/*/query*",
                                              "status": 503, "times": 2})
    assert sf.count("SELECT COUNT() FROM Lead") > 0
    who = next(iter(sf.query("SELECT Id FROM Lead LIMIT 1")))["Id"]
    salesforce.admin("POST", "/faults", json={"path": "/services/data/*/sobjects/Task/",
                                              "drop": "after", "times": 1})
    with pytest.raises(AmbiguousWrite):
        sf.create("Task", {"Subject": "Lost answer", "WhoId": who})
    assert sf.count("SELECT COUNT() FROM Task WHERE Subject = 'Lost answer'") == 1


def test_salesforce_errors_carry_the_error_code(clients):
    _, _, _, sf = clients
    with pytest.raises(RemoteError) as caught:
        list(sf.query("SELECT Nope FROM Lead"))
    assert caught.value.remote_code == "INVALID_FIELD"


def test_the_pacer_keeps_under_the_limit():
    waits = []
    pacer = Pacer(3, 20.0, sleep=lambda s: waits.append(s) or pacer._sent.clear())
    for _ in range(4):
        pacer.wait()
    assert len(waits) == 1 and 19 < waits[0] <= 20.1


# --- Marketo's limits, waited out on the mock's clock -------------------------------------------

def sleeping_on(mock, slept: list[float]):
    """A sleep that moves the mock's clock instead of waiting: its 20 s rate window passes
    in no time, and the client cannot tell."""

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        mock.admin("POST", "/clock", json={"advance": seconds})

    return sleep


def limited_client(marketo, slept: list[float], **policy) -> MarketoClient:
    m = marketo.config
    retry = RetryPolicy(attempts=6, base_delay=0.2, sleep=sleeping_on(marketo, slept), **policy)
    # unpaced: it does not know about the calls of the other client that used the budget
    return MarketoClient(MarketoCredentials(marketo.url, m.client_id, m.client_secret),
                         retry=retry, calls_per_window=None)


def test_a_rate_limit_used_up_by_another_client_is_waited_out_for_a_whole_window(clients):
    marketo, _, other, _ = clients
    marketo.admin("PATCH", "/limits", json={"rate_calls": 5, "rate_window": 20})
    for _ in range(5):  # another integration spends the budget of this 20 s window
        other.activity_types()
    slept: list[float] = []
    mk = limited_client(marketo, slept)
    assert mk.activity_types()  # this used to give up after 6 tries, about 6 s
    refused = [e for e in marketo.journal(path="/rest/v1/activities/types.json")
               if '"606"' in e["responseBody"]]
    assert refused and sum(slept) >= 20 - 6.3  # more than the old 6 tries ever waited
    assert all(s <= 20 / 4 * 1.25 for s in slept)  # a quarter window at a time


def test_a_rate_limit_that_never_clears_is_given_up_after_two_windows(clients):
    marketo, _, _, _ = clients
    marketo.admin("POST", "/faults", json={"path": "/rest/v1/activities/types.json",
                                           "error": "606"})
    slept: list[float] = []
    mk = limited_client(marketo, slept)
    with pytest.raises(RemoteError, match=r"606.*gave up after waiting 4\d s"):
        mk.activity_types()
    assert 2 * 20 <= sum(slept) <= 2 * 20 + 5 + 6.25


def test_the_concurrency_limit_is_waited_out_too(clients):
    marketo, _, _, _ = clients
    marketo.admin("POST", "/faults", json={"path": "/rest/v1/activities/types.json",
                                           "error": "615", "times": 8})
    slept: list[float] = []
    assert limited_client(marketo, slept).activity_types()
    assert len(slept) == 8  # eight refusals in a row, each waited out: more than 6 tries


def test_a_spent_daily_quota_stops_at_once(clients):
    marketo, _, _, _ = clients
    marketo.admin("POST", "/faults", json={"path": "/rest/v1/activities/types.json",
                                           "error": "607"})
    slept: list[float] = []
    with pytest.raises(QuotaReached, match="midnight"):
        limited_client(marketo, slept).activity_types()
    assert slept == [] and len(marketo.journal(path="/rest/v1/activities/types.json")) == 1

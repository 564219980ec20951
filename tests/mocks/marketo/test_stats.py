"""Usage: the calls the limits count, per day and user, and the errors per code."""

from __future__ import annotations


def test_usage_counts_the_calls_the_limits_count(api):
    before = api.ok("get", "/rest/v1/stats/usage.json")["result"][0]
    assert before["total"] == 1  # this call itself
    for _ in range(3):
        api.ok("get", "/rest/v1/leads.json?filterType=id&filterValues=1")
    api.client.get(api_token_url := "/identity/oauth/token?grant_type=client_credentials"
                   "&client_id=siasim-marketo-client&client_secret=siasim-marketo-secret")
    assert api_token_url  # identity calls are free
    today = api.ok("get", "/rest/v1/stats/usage.json")["result"][0]
    assert today["total"] == 5
    assert today["users"] == [{"userId": "siasim-api@marketo.example", "count": 5}]
    usage = api.client.get("/__admin__/limits").json
    assert usage["callsToday"] == today["total"]  # what the daily limit counts
    week = api.ok("get", "/rest/v1/stats/usage/last7days.json")["result"]
    assert len(week) == 7 and week[0]["date"] == today["date"] and week[0]["total"] == 6
    assert all(day["total"] == 0 for day in week[1:])


def test_errors_are_counted_per_code(api, client):
    api.error("get", "/rest/v1/leads.json?filterType=colour&filterValues=red")
    api.error("get", "/rest/v1/leads.json?filterType=colour&filterValues=red")
    client.get("/rest/v1/leads.json?filterType=id&filterValues=1")  # no token: 600
    errors = api.ok("get", "/rest/v1/stats/errors.json")["result"][0]
    assert errors["total"] == 3
    assert errors["errors"] == [{"errorCode": "1006", "count": 2},
                                {"errorCode": "600", "count": 1}]
    week = api.ok("get", "/rest/v1/stats/errors/last7days.json")["result"]
    assert len(week) == 7 and week[0]["total"] == 3


def test_rate_limit_refusals_are_errors_not_calls(make_api):
    from mocks.core.limits import LimitSettings
    api = make_api(limits=LimitSettings(rate_calls=3, rate_window=20))
    api.admin("post", "/clock", json={"freeze": True})  # a slow machine keeps its window
    for _ in range(3):
        api.get("/rest/v1/leads.json?filterType=id&filterValues=1")
    assert api.error("get", "/rest/v1/stats/usage.json")["code"] == "606"
    api.admin("post", "/clock", json={"advance": 21})
    today = api.ok("get", "/rest/v1/stats/usage.json")["result"][0]
    assert today["total"] == 4
    errors = api.ok("get", "/rest/v1/stats/errors.json")["result"][0]
    assert errors["errors"] == [{"errorCode": "606", "count": 1}]


def test_a_new_day_starts_from_zero(api):
    api.ok("get", "/rest/v1/stats/usage.json")
    api.admin("post", "/clock", json={"advance": 86_400})
    api.login()  # the token expired overnight
    week = api.ok("get", "/rest/v1/stats/usage/last7days.json")["result"]
    assert [d["total"] for d in week[:2]] == [1, 1]


def test_stats_are_reads(api):
    assert api.error("post", "/rest/v1/stats/usage.json", json={})["code"] == "605"

"""The implementation coverage page (docs/salesforce-coverage.md) is generated from the
mock's route table, and this test fails when it is stale."""

from __future__ import annotations

from flask import Flask

from mocks.salesforce import coverage


def test_the_coverage_page_is_up_to_date():
    expected = coverage.page_text()
    current = coverage.PAGE.read_text() if coverage.PAGE.exists() else ""
    assert current == expected, ("docs/salesforce-coverage.md is stale: run "
                                 "`python -m mocks.salesforce.coverage` and commit it")


def test_a_route_counts_only_for_the_resource_it_serves(app):
    rows = coverage.Resource("x", "rows", coverage.DATA + "/sobjects/{sObject}/{id}", ("GET",))
    views = coverage.Resource("x", "views", coverage.DATA + "/sobjects/{sObject}/listviews",
                              ("GET",))
    password = coverage.Resource("x", "pw", coverage.DATA + "/sobjects/User/{userId}/password",
                                 ("GET",))
    assert coverage.served(app, rows, "GET")
    assert not coverage.served(app, rows, "PUT")
    # sobjects/X/{id} and sobjects/X/{field}/{value} match these paths, but do not serve them
    assert not coverage.served(app, views, "GET")
    assert not coverage.served(app, password, "GET")


def test_a_new_route_changes_the_page():
    bare = Flask("bare")
    before = coverage.render(bare)
    bare.add_url_rule("/services/data/v<version>/tabs", "tabs", lambda version: "")
    after = coverage.render(bare)
    assert "| Tabs | `/services/data/vXX.X/tabs` | GET no |" in before
    assert "| Tabs | `/services/data/vXX.X/tabs` | GET yes |" in after

"""The dashboard in a real browser: a seller's email goes out through the page, and the
page shows it arrive in Marketo (Smart Grid) and in Salesforce (a Task).

``SIASIM_SCREENSHOT=docs/dashboard.png`` saves the README's screenshot on the way.
"""

from __future__ import annotations

import os
import uuid

import requests

WAIT = 20_000  # ms: a continuous-mode pass, a delivery, a poll of the page


def _a_person(stack: str) -> dict:
    """Someone with a Salesforce record who can be emailed."""
    people = requests.get(stack + "/api/people?limit=500", timeout=10).json()["people"]
    for person in people:
        if person["Email"] and not person["unsubscribed"] and (
                person["Salesforce Contact ID"] or person["Salesforce Lead ID"]):
            return person
    raise AssertionError("the stack's world has nobody to email")


def _choose(page, person: dict) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("person-search").fill(person["Last Name"] or person["Email"])
    page.locator(f'#people-list button[data-person="{person["Marketo ID"]}"]').click()
    expect(page.get_by_test_id("person-title")).to_contain_text(person["Email"])


def _send(page, subject: str) -> None:
    from playwright.sync_api import expect

    form = page.get_by_test_id("send-email")
    form.locator('input[name="subject"]').fill(subject)
    form.get_by_role("button", name="Send email").click()
    # an action waits for a sync pass under way, which may be pacing itself under
    # Marketo's rate limit
    expect(page.get_by_test_id("action-result")).to_contain_text(f"Email sent: {subject}",
                                                                 timeout=WAIT)


def an_email_sent_from_the_page_shows_in_marketo_and_salesforce(page, stack):
    from playwright.sync_api import expect

    person = _a_person(stack)
    _choose(page, person)
    salesforce_id = person["Salesforce Contact ID"] or person["Salesforce Lead ID"]
    # the same person, three times: as Salesforce, Marketo and SIA hold them
    expect(page.get_by_test_id("salesforce-column")).to_contain_text(salesforce_id)
    expect(page.get_by_test_id("marketo-column")).to_contain_text(person["Email"])
    expect(page.get_by_test_id("sia-column")).to_contain_text(person["Email"])

    subject = f"Quarterly review {uuid.uuid4().hex[:6]}"
    _send(page, subject)
    grid = page.get_by_test_id("smart-grid")
    expect(grid).to_contain_text(subject, timeout=WAIT)  # "Quarterly review … (SIA-…)"
    expect(grid).to_contain_text("Send Sales Email")
    expect(page.get_by_test_id("salesforce-tasks")).to_contain_text(f"Email: {subject}",
                                                                    timeout=WAIT)
    expect(page.get_by_test_id("sia-activities")).to_contain_text("done", timeout=WAIT)
    expect(page.get_by_test_id("feed")).to_contain_text("/rest/v1/activities/external.json",
                                                        timeout=WAIT)
    if os.environ.get("SIASIM_SCREENSHOT"):
        page.screenshot(path=os.environ["SIASIM_SCREENSHOT"], full_page=True)


def a_settings_switch_takes_effect_on_the_next_send(page, stack):
    from playwright.sync_api import expect

    person = _a_person(stack)
    _choose(page, person)
    switch = page.locator('[data-setting="salesforce.log_emails"]')
    expect(switch).to_be_checked()
    switch.uncheck()
    expect(page.get_by_test_id("action-result")).to_contain_text("log_emails is now off")
    setting = requests.get(stack + "/api/settings/salesforce.log_emails", timeout=10).json()
    assert setting["value"] is False
    unlogged = f"Not logged {uuid.uuid4().hex[:6]}"
    _send(page, unlogged)
    switch.check()
    expect(page.get_by_test_id("action-result")).to_contain_text("log_emails is now on")
    logged = f"Logged {uuid.uuid4().hex[:6]}"
    _send(page, logged)
    tasks = page.get_by_test_id("salesforce-tasks")
    # deliveries go in order: once the second email's Task is there, the first had its turn
    expect(tasks).to_contain_text(f"Email: {logged}", timeout=WAIT)
    expect(tasks).not_to_contain_text(unlogged)
    expect(page.get_by_test_id("smart-grid")).to_contain_text(unlogged, timeout=WAIT)


def bad_input_is_explained_and_people_cannot_be_edited(page, stack):
    from playwright.sync_api import expect

    person = _a_person(stack)
    _choose(page, person)
    form = page.locator('form[data-action="log-call"]')
    form.locator('input[name="subject"]').fill("Discovery")
    form.locator('input[name="duration"]').fill("-5")
    # the browser's own check would stop a negative number; the API's is what matters
    form.locator('input[name="duration"]').evaluate("el => el.removeAttribute('min')")
    form.get_by_role("button", name="Log call").click()
    expect(page.get_by_test_id("action-result")).to_contain_text("duration", timeout=WAIT)
    expect(page.get_by_test_id("action-result")).to_have_class("error")
    edit = requests.patch(f"{stack}/api/people/{person['Marketo ID']}",
                          json={"First Name": "Mallory"}, timeout=10)
    assert edit.status_code == 405 and edit.json()["error"] == "PEOPLE_READ_ONLY"


def faults_and_clocks_from_the_page(page, stack):
    from playwright.sync_api import expect

    marketo = page.locator('[data-mock="marketo"]')
    clock = page.get_by_test_id("clock-marketo")
    expect(clock).not_to_have_text("…")
    before = clock.inner_text()
    marketo.get_by_role("button", name="+1 day").click()
    expect(clock).not_to_have_text(before)
    expect(clock).to_contain_text("(+24 h)")
    marketo.get_by_role("button", name="Rate limit (606), next 3 calls").click()
    # SIA's next passes meet the fault, and the feed shows it (SIA waits and retries):
    # tagged in the bad colour, whole, inside its line however long the path
    tag = page.get_by_test_id("feed-fault").first
    expect(tag).to_contain_text("error=606", timeout=WAIT)
    expect(tag).to_have_css("color", "rgb(255, 255, 255)")
    expect(tag).to_have_css("background-color", "rgb(194, 57, 52)")
    line = page.locator("#feed-list li.fault summary").first
    box, inside = tag.bounding_box(), line.bounding_box()
    assert box["width"] > 0 and box["x"] + box["width"] <= inside["x"] + inside["width"]
    # "writes only" leaves no reads and no token calls
    page.locator("#feed-writes").check()
    expect(page.locator("#feed-list li.kind-auth:visible")).to_have_count(0)
    expect(page.locator("#feed-list li.kind-read:visible")).to_have_count(0)
    page.locator("#feed-writes").uncheck()
    marketo.get_by_role("button", name="clear").click()
    expect(marketo.locator(".faults")).to_have_text("none", timeout=WAIT)
    marketo.get_by_role("button", name="reset clock").click()
    expect(clock).not_to_contain_text("(+")


# One test walks through them in order on one stack: a stack takes a while to sync, and
# pytest-xdist would give each worker its own.
STEPS = (an_email_sent_from_the_page_shows_in_marketo_and_salesforce,
         a_settings_switch_takes_effect_on_the_next_send,
         bad_input_is_explained_and_people_cannot_be_edited,
         faults_and_clocks_from_the_page)


def test_the_dashboard(open_page, stack):
    for step in STEPS:
        with open_page() as page:
            try:
                step(page, stack)
            except AssertionError as exc:
                raise AssertionError(f"{step.__name__}: {exc}") from exc

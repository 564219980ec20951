"""The kit's HTML report in a real browser: one page that needs nothing from outside, with
the verdict, each rule's text beside its verdict, and a failure's step and evidence.

``SIASIM_REPORT_SCREENSHOT=docs/report.png`` saves the vendor guide's screenshot.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from features.plugin import load_factory
from features.protocol.server import create_app
from features.rules import BY_ID

BROKEN = Path(__file__).parents[1] / "features"


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> Path:
    """A run over HTTP against a driver that lets sellers edit people (P-READONLY)."""
    from mocks.core.serving import start_server

    folder = tmp_path_factory.mktemp("report")
    sys.path.insert(0, str(BROKEN))
    try:
        handle = start_server(create_app(load_factory("broken_drivers:allows_edits"),
                                         folder / "sessions"))
    finally:
        sys.path.remove(str(BROKEN))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "siasim", "verify", "--sut", handle.url, "--rules",
             "P-READONLY or P-FIELDS-FIXED or S-SETTINGS", "--report", str(folder)],
            capture_output=True, text=True, timeout=600, cwd=folder)
    finally:
        handle.stop()
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    return folder / "report.html"


def test_the_report_shows_verdict_rules_and_evidence_from_one_file(browser, report_page):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(report_page.as_uri())
    try:
        expect(page.locator(".verdict")).to_contain_text("not conformant")
        card = page.locator("#rule-P-READONLY")
        expect(card).to_contain_text(BY_ID["P-READONLY"].text)
        expect(card.locator(".badge").first).to_have_text("fail")
        expect(card).to_contain_text("Then every attempt is refused with a clear error")
        # the evidence of the scenario that creates people (the card shows every scenario)
        evidence = card.locator("details", has_text="/create-person").first
        evidence.locator(":scope > summary").click()
        expect(evidence).to_contain_text("/create-person")
        call = evidence.locator("tr", has_text="/create-person").first
        call.locator("details > summary", has_text="request body").click()
        expect(call).to_contain_text('"First Name": "Eve"')
        expect(page.locator("#rule-S-SETTINGS .badge").first).to_have_text("pass")
        if os.environ.get("SIASIM_REPORT_SCREENSHOT"):
            # from the verdict down to the failing rule's card
            bottom = card.evaluate("e => e.getBoundingClientRect().bottom + window.scrollY")
            page.screenshot(path=os.environ["SIASIM_REPORT_SCREENSHOT"], full_page=True,
                            clip={"x": 0, "y": 0, "width": 1280, "height": bottom + 24})
    finally:
        context.close()
    assert asked == [report_page.as_uri()]  # nothing but the page itself

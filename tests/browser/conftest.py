"""Headless Chromium (Debian's package) driven by Playwright, against a real `siasim up`.

Playwright's own browser download does not work everywhere (nor is it wanted): it is
pointed at /usr/bin/chromium. Without it the tests skip and say how to get it; CI
installs it (.ci/run).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SIASIM_CHROMIUM", "/usr/bin/chromium"))
#: As the machine notes say: sandboxing is not available to root in a container, and
#: without the background-networking switches Chromium calls home at every start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
FREE_PORTS = ("--sia-port", "0", "--marketo-port", "0", "--salesforce-port", "0")


def _skip_without_a_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package "
                    "(apt-get install chromium), or point SIASIM_CHROMIUM at one")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("the playwright package is missing: pip install -e '.[test]'")
    if importlib.util.find_spec("mocks.marketo.leads") is None:
        pytest.skip("needs the Marketo and Salesforce mocks' REST APIs (not merged yet)")


@pytest.fixture(scope="package")
def browser() -> Iterator:
    _skip_without_a_browser()
    from playwright.sync_api import sync_playwright

    # Playwright gives the browser a new, empty profile of its own. Package scope, not
    # session: sync_playwright keeps an asyncio loop running in this thread while it is
    # open, and every later test of the worker that calls asyncio.run() would fail.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def stack(browser, siasim_for_session, tmp_path_factory) -> Iterator[str]:
    """One `siasim up` for the browser tests (its initial sync takes a while): its
    dashboard URL."""
    data = tmp_path_factory.mktemp("stack")
    up = siasim_for_session("up", *FREE_PORTS, "--profile", "tiny", "--data", str(data),
                            "--interval", "2")
    up.wait_for("Ctrl-C stops everything.", timeout=300)
    assert "Initial sync:" in up.output, up.output
    yield up.value("Dashboard").rstrip("/")
    assert up.stop() == 0
    assert "Traceback" not in up.output


@pytest.fixture
def open_page(browser, stack):
    """``with open_page() as page``: the dashboard in a fresh browser context; the page's
    own JavaScript errors fail the test."""

    @contextlib.contextmanager
    def open_() -> Iterator:
        context = browser.new_context(viewport={"width": 1600, "height": 1100})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(stack + "/")
        try:
            yield page
        finally:
            context.close()
        assert errors == [], f"the page's JavaScript failed: {errors}"

    return open_

"""Steps every topic uses: worlds, outcomes, and the scenario's memory."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from features.contract import Outcome


def phrase(template: str) -> parsers.re:
    """A step pattern written like parse's, in which a quoted ``"{name}"`` never runs past
    its closing quote (parse's would, and one step would swallow a longer one), and
    ``{name:d}`` is a whole number (handed to the step as text)."""
    pattern = re.escape(template)
    pattern = re.sub(r'"\\\{(\w+)\\\}"', r'"(?P<\1>[^"]*)"', pattern)
    pattern = re.sub(r"\\\{(\w+):d\\\}", r"(?P<\1>\\d+)", pattern)
    return parsers.re(pattern)


@dataclass
class ScenarioState:
    """What one scenario remembers between its steps."""

    outcome: Outcome | None = None
    people_before: list[dict] | None = None
    marketo_ids: dict[str, int] = field(default_factory=dict)  # email -> id, as first seen
    marks: dict[str, int] = field(default_factory=dict)
    shown_fields: list[str] | None = None
    last: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def state() -> ScenarioState:
    return ScenarioState()


@given(parsers.parse('the data set "{name}" in Salesforce and Marketo'))
def data_set_both(mocks, name):
    mocks.salesforce.seed_scenario(name)
    mocks.marketo.seed_scenario(name)


@given(parsers.parse('the data set "{name}" in Salesforce only'))
def data_set_salesforce(mocks, name):
    mocks.salesforce.seed_scenario(name)


@given(parsers.parse("a generated world of {people:d} persons in Salesforce and Marketo"))
def generated_world(mocks, kit_seed, people):
    mocks.salesforce.seed_world(kit_seed, "tiny", people)
    mocks.marketo.seed_world(kit_seed, "tiny", people)


@then("the request is refused with a clear error")
def refused_clearly(state):
    outcome = state.outcome
    assert outcome is not None, "no request was made"
    assert not outcome.ok, f"the request was accepted: {outcome.detail}"
    assert outcome.error and len(outcome.error.strip()) >= 10, \
        f"refused without a clear message: {outcome.error!r}"


@when("Marketo and Salesforce stop answering")
def mocks_stop_answering(mocks, state):
    mocks.marketo.add_fault(path="*", status=503)
    mocks.salesforce.add_fault(path="*", status=503)
    state.marks = {"marketo": mocks.marketo.journal_mark(),
                   "salesforce": mocks.salesforce.journal_mark()}

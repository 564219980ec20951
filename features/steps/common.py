"""Steps every topic uses (worlds, refusals, the mocks going silent), the one way step
phrases are written (:func:`phrase`), and what a scenario remembers between its steps.

A scenario's memory is pytest fixtures: a step that produces something a later step looks
at returns it under a ``target_fixture`` (``outcome``, ``people_before``, ...); what
several steps add to is a fixture of its own (``known_people``).
"""

from __future__ import annotations

import re

import pytest
from pytest_bdd import given, parsers, then, when

from features.contract import Outcome
from features.harness import MockStack
from features.world import MarketoWorld

_PART = re.compile(r'"\{(\w+)\}"|\{(\w+)(?::([^}]*))?\}|\[([^\]]*)\]')


def phrase(template: str) -> parsers.re:
    """A step pattern from a template, the one way every step of the kit is phrased:

    - ``"{name}"``: a quoted value, which never runs past its closing quote (so one step
      cannot swallow a longer one);
    - ``{name:d}``: a whole number (handed to the step as text);
    - ``{name:one|two|three}``: one of these words;
    - ``{name}``: any text;
    - ``[words]``: words that may be left out ("the setting is [still ]on").
    """
    pattern, at = [], 0
    for match in _PART.finditer(template):
        pattern.append(re.escape(template[at:match.start()]))
        quoted, name, spec, optional = match.groups()
        if quoted:
            pattern.append(f'"(?P<{quoted}>[^"]*)"')
        elif optional is not None:
            pattern.append(f"(?:{re.escape(optional)})?")
        elif spec == "d":
            pattern.append(rf"(?P<{name}>\d+)")
        elif spec:
            choices = "|".join(re.escape(c) for c in spec.split("|"))
            pattern.append(f"(?P<{name}>{choices})")
        else:
            pattern.append(f"(?P<{name}>.+?)")
        at = match.end()
    pattern.append(re.escape(template[at:]))
    return parsers.re("".join(pattern))


# --- the scenario's memory ---------------------------------------------------------------

@pytest.fixture
def outcome() -> Outcome | None:
    """The answer to the last request a step made (a step's ``target_fixture``)."""
    return None


@pytest.fixture
def known_people() -> dict[str, int]:
    """Email -> Marketo ID, as first seen: a person keeps its name when its email changes."""
    return {}


def person_id(known_people: dict[str, int], mocks: MockStack, email: str) -> int:
    """The Marketo ID of the person a step names by email (the Salesforce one when Marketo
    has several persons with that address)."""
    if email not in known_people:
        known_people[email] = MarketoWorld(mocks).person(email)["id"]
    return known_people[email]


def refused(answer: Outcome | None, what: str = "the request") -> None:
    assert answer is not None, f"{what} was not made"
    assert not answer.ok, f"{what} was accepted: {answer.detail}"
    assert answer.error and len(answer.error.strip()) >= 10, \
        f"{what} was refused without a clear message: {answer.error!r}"


def succeeded(answer: Outcome, what: str) -> Outcome:
    assert answer.ok, f"{what} failed: {answer.error}"
    return answer


# --- worlds ------------------------------------------------------------------------------

@given(phrase('the data set "{name}" in Salesforce and Marketo'))
def data_set_both(mocks, name):
    mocks.salesforce.seed_scenario(name)
    mocks.marketo.seed_scenario(name)


@given(phrase('the data set "{name}" in Salesforce only'))
def data_set_salesforce(mocks, name):
    mocks.salesforce.seed_scenario(name)


@given(phrase("a generated world of {people:d} persons in Salesforce and Marketo"))
def generated_world(mocks, kit_seed, people):
    mocks.salesforce.seed_world(kit_seed, "tiny", int(people))
    mocks.marketo.seed_world(kit_seed, "tiny", int(people))


@then(phrase("the request is refused with a clear error"))
def refused_clearly(outcome):
    refused(outcome)


@when(phrase("Marketo and Salesforce stop answering"))
def mocks_stop_answering(mocks):
    mocks.marketo.add_fault(path="*", status=503)
    mocks.salesforce.add_fault(path="*", status=503)

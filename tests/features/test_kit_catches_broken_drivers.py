"""The kit fails a driver that breaks a rule, and fails it on that rule.

Every must and should rule has at least three broken drivers (``broken_drivers.py``), each
a realistic bug; each fails its own rule, and each does something the reference does not
(``situations.py`` plays one small situation per rule with both and compares).
"""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from engine.driver import create_driver
from features.harness import start_mocks
from features.rules import BY_ID, RULES
from features.verdict import CONFORMANT, NOT_CONFORMANT, SHOULD_FAILURES

# loaded by this folder's conftest under their plain names (the kit's --sut needs them so)
broken_drivers, situations = sys.modules["broken_drivers"], sys.modules["situations"]

BROKEN = sorted(broken_drivers.BROKEN.items())
IDS = [f"{name}-{rule}" for name, (rule, _cls) in BROKEN]
RULED = [r.id for r in RULES if r.level in ("must", "should")]


def test_every_rule_has_three_broken_drivers():
    counts = Counter(rule for rule, _cls in broken_drivers.BROKEN.values())
    assert set(counts) <= set(RULED), f"broken drivers of no rule: {set(counts) - set(RULED)}"
    few = {rule: counts[rule] for rule in RULED if counts[rule] < 3}
    assert not few, f"rules with fewer than three broken drivers: {few}"


def test_every_broken_driver_says_what_it_breaks():
    for name, (rule, cls) in BROKEN:
        first = cls.__doc__.strip().splitlines()[0]
        assert first.startswith(f"{rule}: ") and len(first) > len(rule) + 12, name


def test_the_reference_passes_every_rule(run_kit):
    """The whole kit, every rule of RULES.md (and Marketo's simulated sync), passes."""
    report = run_kit("engine.driver:create_driver", None, "-n", "2")
    rules = [rule.id for rule in RULES]
    assert report["verdicts"] == dict.fromkeys(rules, "pass"), report["stdout"][-3000:]
    assert report["outcome"] == 0 and report["verdict"]["verdict"] == CONFORMANT
    assert report["stdout"].rstrip().splitlines()[-1] == CONFORMANT
    run = report["run"]
    assert run["driver"] == "engine.driver:create_driver" and run["kit"]["hash"]
    markdown = (report["folder"] / "report.md").read_text()
    assert "| P-OWNER | must | **pass** |" in markdown
    assert "| U-MARKETO-CHECK | must | **pass** |" in markdown


def test_a_should_rule_failure_leaves_an_integration_conformant(run_kit):
    report = run_kit("broken_drivers:ignores_subject_templates", "A-TASK-SHAPE or S-INITIATE")
    assert report["verdicts"]["A-TASK-SHAPE"] == "fail"
    assert report["verdict"]["verdict"] == SHOULD_FAILURES and report["outcome"] == 0
    assert report["stdout"].rstrip().splitlines()[-1] == SHOULD_FAILURES


@pytest.mark.parametrize("name,rule", [(n, r) for n, (r, _c) in BROKEN], ids=IDS)
def test_a_broken_driver_fails_its_rule(run_kit, name, rule):
    report = run_kit(f"broken_drivers:{name}", rule, "-x", inprocess=True)
    assert report["verdicts"][rule] == "fail", report["stdout"][-3000:]
    assert report["verdict"]["verdict"] == NOT_CONFORMANT and report["outcome"] == 1
    failing = [s for r in report["rules"] if r["id"] == rule for s in r["scenarios"]
               if s["outcome"] == "fail"]
    assert failing and all(s["step"] and s["message"] for s in failing)


# --- each broken driver does something the reference does not ------------------------------

@pytest.fixture(scope="module")
def stack():
    mocks = start_mocks()
    yield mocks
    mocks.stop()


@pytest.fixture(scope="module")
def reference_records(stack):
    return {}


def reference(rule, stack, records):
    if rule not in records:
        records[rule] = situations.play(rule, create_driver, stack)
    return records[rule]


@pytest.mark.parametrize("rule", RULED)
def test_the_reference_plays_each_situation_alike_twice(rule, stack, reference_records):
    """So that a difference below is the broken driver's, not noise."""
    first = reference(rule, stack, reference_records)
    assert situations.play(rule, create_driver, stack) == first


@pytest.mark.parametrize("name,rule", [(n, r) for n, (r, _c) in BROKEN], ids=IDS)
def test_a_broken_driver_differs_from_the_reference(name, rule, stack, reference_records):
    assert BY_ID[rule].level in ("must", "should")
    broken = situations.play(rule, getattr(broken_drivers, name), stack)
    expected = reference(rule, stack, reference_records)
    assert broken != expected, f"{name} does what the reference does in the {rule} situation"

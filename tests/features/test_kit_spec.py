"""The kit's specs against the rules: every rule has scenarios, every tag is a rule, and
the catalogue is exactly what ``features/RULES.md`` says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytest_bdd.parser import FeatureParser

import features
from features.rules import BY_ID, OTHER_TAGS, RULES, RULES_FILE, RulesFormatError, parse

KIT = Path(features.__file__).parent


def scenarios():
    for path in sorted(KIT.glob("*.feature")):
        feature = FeatureParser(str(KIT), path.name).parse()
        for scenario in feature.scenarios.values():
            yield path.name, scenario.name, scenario.tags | feature.tags


def test_every_rule_has_a_scenario():
    tagged = {tag for _, _, tags in scenarios() for tag in tags}
    missing = [rule.id for rule in RULES if rule.id not in tagged]
    assert missing == []


def test_every_scenario_names_rules_that_exist():
    for feature, name, tags in scenarios():
        unknown = tags - set(BY_ID) - set(OTHER_TAGS)
        assert not unknown, f"{feature}: '{name}' has unknown tags {sorted(unknown)}"
        assert tags & set(BY_ID), f"{feature}: '{name}' checks no rule"


def test_the_catalogue_matches_rules_md():
    """Every rule row of the kit's RULES.md is in the catalogue, with its level and its
    whole text, and nothing else is (found here by a plainer reading of the file)."""
    text = RULES_FILE.read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([A-Z]-[A-Z0-9-]+) \| (must|should) \| (.+) \|$", text, re.M)
    assert len(rows) >= 26
    ours = {r.id: (r.level, r.text) for r in RULES if r.level != "simulated"}
    assert ours == {rule_id: (level, rule) for rule_id, level, rule in rows}
    simulated = [r for r in RULES if r.level == "simulated"]
    assert [r.id for r in simulated] == ["M-SF-SYNC"]
    assert "sfdcLeadOwnerId" in simulated[0].text
    assert "reference" in OTHER_TAGS


def test_rules_carry_their_topic_and_a_one_line_summary():
    assert BY_ID["T-MAPPING"].topic == "Reminder tasks"
    assert BY_ID["P-READONLY"].summary == "SIA users and admins cannot create or edit people."
    assert BY_ID["P-READONLY"].text.endswith("People are created and edited in Marketo or "
                                             "Salesforce only.")


SMALL = """# Rules

## People: one way

| ID | Level | Rule |
|---|---|---|
| P-ONE | must | First. Then more. |
| P-TWO | should | Second. |

## Simulated (not SIA)

The mocks do it. Tag scenarios about it `@X-SIM`.

## Open points

Tag them `@reference`.
"""


def test_parse_reads_sections_rules_levels_and_tags():
    spec = parse(SMALL)
    assert spec.title == "Rules"
    assert [(r.id, r.level, r.topic) for r in spec.rules] == [
        ("P-ONE", "must", "People"), ("P-TWO", "should", "People"),
        ("X-SIM", "simulated", "Simulated")]
    assert spec.rules[0].text == "First. Then more."
    assert list(spec.other_tags) == ["reference"]


@pytest.mark.parametrize(("bad", "message"), [
    ("| P-ONE | must | First. |", "defined twice"),
    ("| P-THREE | may | Third. |", "level 'may'"),
    ("| p-four | must | Fourth. |", "not a rule ID"),
    ("| P-FIVE | must |", "three cells"),
])
def test_a_row_that_does_not_fit_is_an_error_naming_its_line(bad, message):
    text = SMALL.replace("| P-TWO | should | Second. |", bad)
    with pytest.raises(RulesFormatError, match=message) as caught:
        parse(text)
    assert "line 8" in str(caught.value)


def test_an_unknown_tag_is_an_error(pytester):
    """--strict-markers turns a tag that names no rule into a collection error."""
    pytester.makefile(".feature", bad="Feature: Bad\n  @P-NOPE\n  Scenario: S\n"
                                      "    Given nothing\n")
    pytester.makepyfile(test_bad="from pytest_bdd import scenarios\nscenarios('bad.feature')\n")
    pytester.makeconftest("from features.plugin import pytest_configure, pytest_addoption\n")
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*P-NOPE*not found in `markers`*"])

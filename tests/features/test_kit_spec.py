"""The kit's specs against the rules: every rule has scenarios, every tag is a rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytest_bdd.parser import FeatureParser

import features
from features.rules import BY_ID, OTHER_TAGS, RULES

KIT = Path(features.__file__).parent
SHARED_RULES = Path(__file__).parents[3] / "shared" / "RULES.md"


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


@pytest.mark.skipif(not SHARED_RULES.exists(), reason="RULES.md is not beside the checkout")
def test_the_catalogue_matches_rules_md():
    text = SHARED_RULES.read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| ([A-Z]-[A-Z0-9-]+) \| (must|should) \|", text, re.M))
    ours = {r.id: r.level for r in RULES if r.level != "simulated"}
    assert ours == listed
    assert "@M-SF-SYNC" in text


def test_an_unknown_tag_is_an_error(pytester):
    """--strict-markers turns a tag that names no rule into a collection error."""
    pytester.makefile(".feature", bad="Feature: Bad\n  @P-NOPE\n  Scenario: S\n"
                                      "    Given nothing\n")
    pytester.makepyfile(test_bad="from pytest_bdd import scenarios\nscenarios('bad.feature')\n")
    pytester.makeconftest("from features.plugin import pytest_configure, pytest_addoption\n")
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*P-NOPE*not found in `markers`*"])

"""``siasim rules``: every rule of features/RULES.md, as text and as JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner

from features.rules import RULES
from siasim.cli import main


def test_rules_prints_every_rule_with_its_level_and_whole_text():
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    for rule in RULES:
        assert f"{rule.id} {rule.level} {' '.join(rule.text.split())}" in flat
    assert "Sales Call Recording URL" in flat  # the attribute list beside A-ATTRIBUTES
    assert f"{len(RULES)} rules" in result.output


def test_rules_json_is_the_catalogue():
    result = CliRunner().invoke(main, ["rules", "--json"])
    data = json.loads(result.output)
    assert data["rules"] == [rule.to_dict() for rule in RULES]
    assert "reference" in data["otherTags"]


def test_rules_by_id_and_level():
    result = CliRunner().invoke(main, ["rules", "--json", "p-owner", "T-MAPPING"])
    assert [r["id"] for r in json.loads(result.output)["rules"]] == ["P-OWNER", "T-MAPPING"]
    result = CliRunner().invoke(main, ["rules", "--json", "--level", "should"])
    levels = {r["level"] for r in json.loads(result.output)["rules"]}
    assert levels == {"should"}


def test_an_unknown_rule_is_a_usage_error():
    result = CliRunner().invoke(main, ["rules", "P-NOPE"])
    assert result.exit_code == 2
    assert "no rule P-NOPE" in result.output

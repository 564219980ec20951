"""The kit covers every rule from more than one side: scenarios that are not only the
reference's choices, and a mutation matrix whose every row names real scenarios and
real broken drivers."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pytest_bdd.parser import FeatureParser

import features
from features.rules import RULES

KIT = Path(features.__file__).parent
MATRIX = (KIT / "MUTATIONS.md").read_text(encoding="utf-8")
RULED = [r.id for r in RULES if r.level in ("must", "should")]


def rows() -> list[list[str]]:
    """The matrix's rows: number, mutation, killed by, broken driver."""
    out = []
    for line in MATRIX.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == 4 and cells[0].isdigit():
            out.append(cells)
    return out


def scenario_names() -> dict[str, list[tuple[str, set[str]]]]:
    out = {}
    for path in sorted(KIT.glob("*.feature")):
        feature = FeatureParser(str(KIT), path.name).parse()
        out[path.stem] = [(s.name, s.tags | feature.tags) for s in feature.scenarios.values()]
    return out


def test_no_must_or_should_rule_relies_on_reference_scenarios_alone():
    tagged = {tag for found in scenario_names().values() for _name, tags in found
              if "reference" not in tags for tag in tags}
    assert [r for r in RULED if r not in tagged] == []


def test_the_mutation_matrix_has_a_section_for_every_rule():
    sections = re.findall(r"^## ([A-Z]-[A-Z0-9-]+) \((must|should)\)", MATRIX, re.M)
    assert [rule for rule, _level in sections] == RULED
    levels = {r.id: r.level for r in RULES}
    assert all(levels[rule] == level for rule, level in sections)


def test_every_scenario_the_matrix_names_exists():
    names = scenario_names()
    named = [found for row in rows() for found in re.findall(r"(\w+) › ([^;…(]+)", row[2])]
    assert len(named) > 100
    for feature, start in named:
        assert feature in names, f"MUTATIONS.md names a feature {feature!r}"
        start = start.strip().rstrip(",*").strip()
        assert any(n.startswith(start) for n, _tags in names[feature]), \
            f"MUTATIONS.md names a scenario {feature} › {start!r} that does not exist"


def test_every_broken_driver_is_in_the_matrix_and_every_one_named_exists():
    broken = {cls.__name__ for _rule, cls in sys.modules["broken_drivers"].BROKEN.values()}
    named = {name for row in rows() for name in re.findall(r"`([A-Za-z0-9]+)`", row[3])}
    assert named - broken == set(), "MUTATIONS.md names drivers that do not exist"
    assert broken - named == set(), "broken drivers the matrix does not name"

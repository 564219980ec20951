"""The kit fails a driver that breaks a rule, and fails it on that rule."""

from __future__ import annotations

import pytest

BROKEN = [
    ("ignores_owner_filter", "P-OWNER"),
    ("drops_a_field", "P-FIELDS"),
    ("merges_duplicates", "P-DUPLICATES"),
    ("allows_edits", "P-READONLY"),
    ("misses_updates", "P-INCREMENTAL"),
    ("misses_updates", "P-OWNER-LATER"),
    ("accepts_mappings", "P-FIELDS-FIXED"),
    ("syncs_before_initiation", "S-INITIATE"),
    ("writes_people_back", "P-DIRECTION"),
    ("asks_marketo_for_people", "P-OWN-DB"),
]


PEOPLE_RULES = ("P-DIRECTION", "P-OWNER", "P-OWNER-LATER", "P-FIELDS", "P-FIELDS-FIXED",
                "P-DUPLICATES", "P-INITIAL", "P-INCREMENTAL", "P-READONLY", "S-INITIATE",
                "M-SF-SYNC")


def test_the_reference_passes_every_people_rule(run_kit):
    report = run_kit("engine.driver:create_driver", " or ".join(PEOPLE_RULES), "-n", "2")
    assert {rule: report["verdicts"][rule] for rule in PEOPLE_RULES} == dict.fromkeys(
        PEOPLE_RULES, "pass"), report["stdout"][-3000:]
    assert report["outcome"] == 0
    run = report["run"]
    assert run["driver"] == "engine.driver:create_driver" and run["kit"]["hash"]
    markdown = (report["folder"] / "report.md").read_text()
    assert "| P-OWNER | must | **pass** |" in markdown


@pytest.mark.parametrize("driver,rule", BROKEN, ids=[f"{d}-{r}" for d, r in BROKEN])
def test_a_broken_driver_fails_its_rule(run_kit, driver, rule):
    report = run_kit(f"broken_drivers:{driver}", rule)
    assert report["outcome"] != 0
    assert report["verdicts"][rule] == "fail", report["stdout"][-3000:]
    failing = [s for r in report["rules"] if r["id"] == rule for s in r["scenarios"]
               if s["outcome"] == "fail"]
    assert failing and all(s["step"] and s["message"] for s in failing)

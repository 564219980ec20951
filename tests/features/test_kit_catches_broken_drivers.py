"""The kit fails a driver that breaks a rule, and fails it on that rule."""

from __future__ import annotations

import pytest

from features.rules import BY_ID, RULES
from features.verdict import NOT_CONFORMANT, SHOULD_FAILURES

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
    ("asks_marketo_for_activities", "P-OWN-DB"),
    ("stops_at_the_first_window", "P-INITIAL"),
    ("logs_removals_as_adds", "A-TO-MARKETO"),
    ("drops_campaign_attributes", "A-ATTRIBUTES"),
    ("logs_no_tasks", "A-TO-SALESFORCE"),
    ("logs_disabled_kinds", "A-SF-CONFIG"),
    ("syncs_email_tasks_back", "A-ONE-WAY"),
    ("ignores_subject_templates", "A-TASK-SHAPE"),
    ("caches_smart_grid", "A-GRID"),
    ("keeps_unsubscribes_to_itself", "U-SF-TWO-WAY"),
    ("pushes_resubscribes", "U-NO-RESUBSCRIBE"),
    ("writes_unsubscribes_to_marketo", "U-NOT-TO-MARKETO"),
    ("skips_unsubscribe_check", "U-MARKETO-CHECK"),
    ("pulls_nothing", "T-TWO-WAY"),
    ("syncs_subjects_back", "T-MAPPING"),
    ("imports_a_month", "T-FIRST-SYNC"),
    ("caches_settings", "S-SETTINGS"),
]


def test_the_reference_passes_every_rule(run_kit):
    """The whole kit, every rule of RULES.md (and Marketo's simulated sync), passes."""
    report = run_kit("engine.driver:create_driver", None, "-n", "2")
    rules = [rule.id for rule in RULES]
    assert report["verdicts"] == dict.fromkeys(rules, "pass"), report["stdout"][-3000:]
    assert report["outcome"] == 0 and report["verdict"]["verdict"] == "conformant"
    assert report["stdout"].rstrip().splitlines()[-1] == "conformant"
    run = report["run"]
    assert run["driver"] == "engine.driver:create_driver" and run["kit"]["hash"]
    markdown = (report["folder"] / "report.md").read_text()
    assert "| P-OWNER | must | **pass** |" in markdown
    assert "| U-MARKETO-CHECK | must | **pass** |" in markdown


def test_every_rule_has_a_broken_driver():
    assert {rule for _, rule in BROKEN} >= {r.id for r in RULES if r.level != "simulated"}


@pytest.mark.parametrize("driver,rule", BROKEN, ids=[f"{d}-{r}" for d, r in BROKEN])
def test_a_broken_driver_fails_its_rule(run_kit, driver, rule):
    report = run_kit(f"broken_drivers:{driver}", rule)
    assert report["verdicts"][rule] == "fail", report["stdout"][-3000:]
    if BY_ID[rule].level == "must":
        assert report["verdict"]["verdict"] == NOT_CONFORMANT and report["outcome"] == 1
    else:
        assert report["verdict"]["verdict"] == SHOULD_FAILURES and report["outcome"] == 0
    failing = [s for r in report["rules"] if r["id"] == rule for s in r["scenarios"]
               if s["outcome"] == "fail"]
    assert failing and all(s["step"] and s["message"] for s in failing)

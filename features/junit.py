"""The kit's results as JUnit XML, for the CI servers that read it (Jenkins, GitLab,
GitHub's test reporters).

One ``testsuite`` per rule, named by its ID; one ``testcase`` per scenario of the rule,
with the rule ID as ``classname`` and the scenario as ``name``, so a CI lists failures
rule by rule. A scenario that checks two rules is in both suites. A failed expectation is
a ``failure``, a scenario that could not run an ``error``, a not applicable one (or one of
a rule declared out of scope) ``skipped`` with the reason. A last suite, ``verdict``,
holds one test case: the run's verdict, failed when the integration is not conformant.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from features.verdict import NOT_CONFORMANT

_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])  # not allowed in XML 1.0


def _text(value: object) -> str:
    return str(value if value is not None else "").translate(_ILLEGAL)


def _details(scenario: dict) -> str:
    lines = []
    if scenario.get("step"):
        lines.append(f"step: {scenario['step']}")
    if scenario.get("message"):
        lines += ["", scenario["message"]]
    evidence = scenario.get("evidence") or []
    if evidence:
        lines += ["", "evidence (last calls):"]
        for entry in evidence:
            query = f"?{entry['query']}" if entry.get("query") else ""
            lines.append(f"  {entry.get('service')}: {entry.get('method')} "
                         f"{entry.get('path')}{query} -> {entry.get('status')}")
    return "\n".join(lines)


def junit_xml(data: dict) -> bytes:
    """``data``: the kit's report (``KitReport.build()``)."""
    root = ET.Element("testsuites", name="siasim conformance kit")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = 0.0
    for rule in data["rules"]:
        suite = ET.SubElement(root, "testsuite", name=rule["id"])
        properties = ET.SubElement(suite, "properties")
        for name, value in (("level", rule["level"]), ("verdict", rule["status"]),
                            ("outOfScope", str(bool(rule.get("outOfScope"))).lower()),
                            ("rule", rule.get("text", ""))):
            ET.SubElement(properties, "property", name=name, value=_text(value))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite_seconds = 0.0
        for scenario in rule["scenarios"]:
            case = ET.SubElement(suite, "testcase", classname=rule["id"],
                                 name=_text(scenario["scenario"]),
                                 time=f"{scenario.get('seconds', 0):.3f}")
            counts["tests"] += 1
            suite_seconds += scenario.get("seconds", 0)
            outcome = scenario["outcome"]
            message = _text(next(iter((scenario.get("message") or "").splitlines()), ""))
            if rule.get("outOfScope") and outcome != "pass":
                ET.SubElement(case, "skipped", message=_text(
                    f"{rule['id']} declared out of scope ({outcome})"))
                counts["skipped"] += 1
            elif outcome == "fail":
                ET.SubElement(case, "failure", message=message or "failed",
                              type="expectation").text = _text(_details(scenario))
                counts["failures"] += 1
            elif outcome == "error":
                ET.SubElement(case, "error", message=message or "error",
                              type="error").text = _text(_details(scenario))
                counts["errors"] += 1
            elif outcome == "not applicable":
                ET.SubElement(case, "skipped", message=_text(
                    f"not applicable: {scenario.get('message') or 'the driver cannot do it'}"))
                counts["skipped"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{suite_seconds:.3f}")
        seconds += suite_seconds
    verdict = data["verdict"]
    suite = ET.SubElement(root, "testsuite", name="verdict", tests="1",
                          failures="1" if verdict["verdict"] == NOT_CONFORMANT else "0",
                          errors="0", skipped="0", time="0")
    case = ET.SubElement(suite, "testcase", classname="verdict", name=verdict["verdict"],
                         time="0")
    if verdict["verdict"] == NOT_CONFORMANT:
        ET.SubElement(case, "failure", message=_text(verdict.get("explanation")),
                      type="verdict").text = _text(verdict.get("explanation"))
    ET.SubElement(case, "system-out").text = _text(
        f"driver: {data['run']['driver']}\n{verdict['verdict']}: {verdict.get('explanation')}")
    totals["tests"] += 1
    totals["failures"] += int(verdict["verdict"] == NOT_CONFORMANT)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{seconds:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_junit(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(junit_xml(data))

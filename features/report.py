"""The kit's own per-rule report: JSON for machines, Markdown and HTML for people, and
JUnit XML for CI servers (``features.junit``, ``features.htmlreport``).

Each scenario's outcome is attached to its test report (``user_properties``, which
pytest-xdist carries from the workers), and the controlling process folds them into one
verdict per rule: pass, fail, error, or not applicable. A rule fails when any of its
scenarios fails an expectation; it errs when a scenario could not run (the driver raised,
a step is undefined); it is not applicable when the driver declared it cannot do what
every scenario of the rule needs. Failures carry the failing step and evidence from the
mocks' request journals. The rules' verdicts make the run's (``features.verdict``): the
report carries it, the terminal ends with it, and in a run of the kit alone it is the exit
code.

pytest-bdd's ``--cucumberjson`` is not used: it drops undefined and skipped steps.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from features.htmlreport import html_report
from features.junit import write_junit
from features.rules import BY_ID, RULES
from features.verdict import Verdict, decide

KIT_DIR = Path(__file__).parent
SEVERITY = {"fail": 3, "error": 2, "pass": 1, "not applicable": 0}


def kit_hash() -> str:
    """A fingerprint of the specs and steps, so a report names the exact kit it ran."""
    digest = hashlib.sha256()
    for path in sorted(KIT_DIR.rglob("*")):
        if path.suffix in (".feature", ".py") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(KIT_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class ScenarioResult:
    nodeid: str
    feature: str
    scenario: str
    rules: list[str]
    outcome: str
    step: str | None = None
    message: str | None = None
    evidence: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"scenario": self.scenario, "feature": self.feature, "outcome": self.outcome,
                "step": self.step, "message": self.message, "evidence": self.evidence,
                "seconds": round(self.seconds, 3), "nodeid": self.nodeid}


class KitReport:
    """A pytest plugin, active in the controlling process only."""

    def __init__(self, config: pytest.Config, folder: Path, out_of_scope: list[str] = (),
                 kit_only: bool = True, junit: Path | None = None) -> None:
        self.config = config
        self.folder = folder
        self.junit = junit
        self.out_of_scope = list(out_of_scope)
        self.kit_only = kit_only  # the kit's verdict decides the exit code
        self.results: dict[str, ScenarioResult] = {}
        self.started = time.time()

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        kit = props.get("kit")
        if not kit:
            return
        outcome = _outcome(report, props)
        if outcome is None:
            return
        current = self.results.get(report.nodeid)
        if current is not None and SEVERITY[current.outcome] >= SEVERITY[outcome]:
            return
        failure = props.get("kit_failure") or {}
        message = failure.get("message")
        if message is None and report.failed:
            message = _short(report.longreprtext)
        if outcome == "not applicable":  # the reason the driver gave
            message = props.get("kit_not_applicable") or _skip_reason(report)
        self.results[report.nodeid] = ScenarioResult(
            nodeid=report.nodeid, feature=kit["feature"], scenario=kit["scenario"],
            rules=kit["rules"], outcome=outcome, step=failure.get("step"), message=message,
            evidence=failure.get("evidence", []), seconds=report.duration)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session):
        """Write the report; once pytest's own summary is out, end with the verdict and,
        in a run of the kit alone, make it the exit code."""
        if not self.results:
            return (yield)
        data = self.build()
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "report.json").write_text(json.dumps(data, indent=2, ensure_ascii=False),
                                                 encoding="utf-8")
        (self.folder / "report.md").write_text(markdown(data), encoding="utf-8")
        (self.folder / "report.html").write_text(html_report(data), encoding="utf-8")
        if self.junit is not None:
            write_junit(data, self.junit)
        result = yield  # the terminal reporter's summary, the last line of pytest's
        verdict = data["verdict"]
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"{verdict['verdict']}", bold=True,
                                red=verdict["exitCode"] != 0, green=verdict["exitCode"] == 0)
        if self.kit_only and session.exitstatus in (pytest.ExitCode.OK,
                                                    pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = verdict["exitCode"]
        return result

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.results:
            data = self.build()
            totals = data["totals"]
            terminalreporter.write_sep("-", "conformance kit: per-rule verdict")
            terminalreporter.write_line(
                ", ".join(f"{n} {k}" for k, n in totals.items() if n) +
                f"  (report: {self.folder / 'report.md'})")
            for rule in data["rules"]:
                if rule["status"] not in ("pass", "not run"):
                    terminalreporter.write_line(f"  {rule['status'].upper():14} "
                                                f"{rule['level']:6} {rule['id']}")
            terminalreporter.write_line(f"verdict: {data['verdict']['verdict']} "
                                        f"({data['verdict']['explanation']})")

    def build(self) -> dict:
        by_rule: dict[str, list[ScenarioResult]] = {r.id: [] for r in RULES}
        for result in self.results.values():
            for rule in result.rules:
                by_rule.setdefault(rule, []).append(result)
        rules = []
        for rule_id, results in by_rule.items():
            rule = BY_ID.get(rule_id)
            status = _rule_status(results)
            rules.append({
                "id": rule_id, "level": rule.level if rule else "unknown",
                "topic": rule.topic if rule else "", "text": rule.text if rule else "",
                "summary": rule.summary if rule else "", "status": status,
                "scenarios": [r.to_dict() for r in sorted(results, key=lambda r: r.nodeid)],
            })
        totals = {k: sum(1 for r in rules if r["status"] == k)
                  for k in ("pass", "fail", "error", "not applicable", "not run")}
        verdict: Verdict = decide(rules, self.out_of_scope)
        for rule in rules:
            rule["outOfScope"] = rule["id"] in verdict.out_of_scope
        from siasim import __version__

        return {
            "run": {
                "kit": {"version": __version__, "hash": kit_hash()},
                "driver": self.config.getoption("sut"),
                "seed": self.config.getoption("kit_seed"),
                "started": _iso(self.started), "finished": _iso(time.time()),
                "python": platform.python_version(),
                "scenarios": len(self.results),
            },
            "totals": totals,
            "verdict": {**verdict.to_dict(), "explanation": verdict.explain()},
            "rules": rules,
        }


def _outcome(report: pytest.TestReport, props: dict) -> str | None:
    if report.skipped:
        return "not applicable" if props.get("kit_not_applicable") or report.when == "call" \
            or "NotSupported" in str(report.longrepr) else "error"
    if report.failed:
        failure = props.get("kit_failure") or {}
        return "fail" if failure.get("kind") == "expectation" else "error"
    if report.when == "call":
        return "pass"
    return None


def _rule_status(results: list[ScenarioResult]) -> str:
    if not results:
        return "not run"
    outcomes = {r.outcome for r in results}
    for status in ("fail", "error"):
        if status in outcomes:
            return status
    if outcomes == {"not applicable"}:
        return "not applicable"
    return "pass"


def _skip_reason(report: pytest.TestReport) -> str | None:
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2]).removeprefix("Skipped: ").removeprefix("not applicable: ")
    return None


def _short(text: str, limit: int = 2000) -> str:
    lines = [line for line in text.splitlines() if line.startswith("E ")]
    text = "\n".join(lines) or text
    return text if len(text) <= limit else text[-limit:]


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def markdown(data: dict) -> str:
    run = data["run"]
    out = ["# Conformance report", "",
           f"- driver: `{run['driver']}`",
           f"- kit: siasim {run['kit']['version']}, specs `{run['kit']['hash']}`",
           f"- seed: {run['seed']}; {run['scenarios']} scenarios; "
           f"{run['started']} to {run['finished']}; Python {run['python']}",
           "- totals: " + ", ".join(f"{n} {k}" for k, n in data["totals"].items() if n),
           f"- **verdict: {data['verdict']['verdict']}** ({data['verdict']['explanation']})",
           "- declared out of scope: " + (", ".join(data["verdict"]["outOfScope"]) or "none"),
           "", "| rule | level | verdict | scenarios |", "|---|---|---|---|"]
    for rule in data["rules"]:
        passed = sum(1 for s in rule["scenarios"] if s["outcome"] == "pass")
        scope = " (out of scope)" if rule.get("outOfScope") else ""
        out.append(f"| {rule['id']} | {rule['level']} | **{rule['status']}**{scope} | "
                   f"{passed}/{len(rule['scenarios'])} passed |")
    for rule in data["rules"]:
        out += ["", f"## {rule['id']}: {rule['status']}", "", f"*{rule['level']}*: {rule['text']}",
                ""]
        for s in rule["scenarios"]:
            out.append(f"- {s['outcome']}: {s['feature']} / {s['scenario']}")
            if s["outcome"] in ("fail", "error", "not applicable"):
                if s["step"]:
                    out.append(f"  - step: `{s['step']}`")
                if s["message"]:
                    out.append("  - message:")
                    out += [f"    > {line}" for line in s["message"].splitlines()[:20]]
                for entry in s["evidence"][-8:]:
                    out.append(f"  - journal: {entry.get('service')} {entry.get('method')} "
                               f"{entry.get('path')} -> {entry.get('status')}")
    return "\n".join(out) + "\n"

"""The kit's verdict: conformant, conformant with should-rule failures, or not conformant,
as the last line and as the exit code; usage errors in one line, before any scenario."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from features.verdict import (
    CONFORMANT,
    NOT_CONFORMANT,
    SHOULD_FAILURES,
    decide,
    parse_out_of_scope,
)


def rules(**statuses):
    levels = {"P-OWNER": "must", "P-FIELDS": "must", "A-ATTRIBUTES": "should",
              "M-SF-SYNC": "simulated"}
    return [{"id": r, "level": levels[r], "status": s.replace("_", " ")}
            for r, s in statuses.items()]


@pytest.mark.parametrize("statuses,expected", [
    ({"P-OWNER": "pass", "P-FIELDS": "pass", "A-ATTRIBUTES": "pass"}, CONFORMANT),
    ({"P-OWNER": "pass", "P-FIELDS": "pass", "A-ATTRIBUTES": "fail"}, SHOULD_FAILURES),
    ({"P-OWNER": "pass", "P-FIELDS": "pass", "A-ATTRIBUTES": "not_applicable"},
     SHOULD_FAILURES),
    ({"P-OWNER": "fail", "P-FIELDS": "pass", "A-ATTRIBUTES": "pass"}, NOT_CONFORMANT),
    ({"P-OWNER": "error", "P-FIELDS": "pass", "A-ATTRIBUTES": "pass"}, NOT_CONFORMANT),
    ({"P-OWNER": "not_applicable", "P-FIELDS": "pass", "A-ATTRIBUTES": "pass"},
     NOT_CONFORMANT),
    ({"P-OWNER": "pass", "P-FIELDS": "pass", "M-SF-SYNC": "fail"}, CONFORMANT),
])
def test_the_verdict_follows_the_must_and_should_rules(statuses, expected):
    assert decide(rules(**statuses)).verdict == expected


def test_a_rule_declared_out_of_scope_does_not_count_and_is_listed():
    verdict = decide(rules(**{"P-OWNER": "not_applicable", "P-FIELDS": "pass"}), ["P-OWNER"])
    assert verdict.verdict == CONFORMANT and verdict.out_of_scope == ["P-OWNER"]
    assert "declared out of scope: P-OWNER" in verdict.explain()


def test_out_of_scope_takes_only_rule_ids():
    assert parse_out_of_scope("P-OWNER, A-GRID", ["P-OWNER", "A-GRID"]) == ["P-OWNER", "A-GRID"]
    with pytest.raises(ValueError, match="P-OWNR"):
        parse_out_of_scope("P-OWNR", ["P-OWNER"])


def siasim(*args: str, cwd, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "siasim", "verify", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)


def test_a_driver_that_does_nothing_is_not_conformant(run_kit):
    report = run_kit("unsupported_driver:factory", None, "-n", "2")
    assert report["outcome"] == 1
    assert report["verdict"]["verdict"] == NOT_CONFORMANT
    assert report["stdout"].rstrip().splitlines()[-1] == NOT_CONFORMANT
    must = [r["id"] for r in report["rules"] if r["level"] == "must"]
    assert report["verdict"]["blocking"] == must
    assert all(report["verdicts"][r] == "not applicable" for r in must)


def test_declaring_rules_out_of_scope_is_listed_and_counts(run_kit):
    report = run_kit("unsupported_driver:factory", "S-INITIATE", "--out-of-scope",
                     "S-INITIATE,P-OWNER")
    assert report["verdict"]["verdict"] == CONFORMANT and report["outcome"] == 0
    assert report["verdict"]["outOfScope"] == ["P-OWNER", "S-INITIATE"]
    assert "declared out of scope: P-OWNER, S-INITIATE" in \
        (report["folder"] / "report.md").read_text()


@pytest.mark.parametrize("args,message", [
    (["--sut", "nosuch.module:factory"], "cannot import nosuch.module"),
    (["--sut", "engine.driver:no_such_factory"], "has no factory 'no_such_factory'"),
    (["--sut", "nope"], "--sut takes package.module:factory"),
    (["--rules", "P-OWNER or ("], "is not valid"),
    (["--rules", "P-OWNR"], "names no rule: P-OWNR"),
    (["--out-of-scope", "P-OWNR"], "--out-of-scope names no rule: P-OWNR"),
])
def test_a_usage_error_is_one_line_and_exit_code_2_before_any_scenario(tmp_path, args,
                                                                       message):
    started = time.monotonic()
    done = siasim(*args, "-n", "2", "--report", str(tmp_path / "report"), cwd=tmp_path,
                  timeout=120)
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], lines
    assert not (tmp_path / "report").exists()
    assert time.monotonic() - started < 60


def test_pytest_features_checks_the_rule_expression_in_the_controller(pytester):
    """Under xdist the workers would each fail to collect: the controller says it once."""
    import features

    result = pytester.runpytest_subprocess(
        str(features.__file__).rsplit("/", 1)[0], "-n", "2", "-m", "P-OWNER or (",
        "-p", "no:cacheprovider", timeout=120)
    assert result.ret == 2
    assert "is not valid" in result.stderr.str() + result.stdout.str()
    assert "passed" not in result.stdout.str()


def test_the_working_directory_is_on_the_import_path_for_the_sut(tmp_path):
    (tmp_path / "mydriver.py").write_text(textwrap.dedent("""
        from engine.driver import ReferenceDriver

        def factory(workdir):
            return ReferenceDriver(workdir)
    """))
    done = siasim("--sut", "mydriver:factory", "--rules", "S-INITIATE", "-n", "0",
                  "--report", str(tmp_path / "report"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.rstrip().splitlines()[-1] == CONFORMANT

"""Running the conformance kit as a whole pytest session, the way users run it.

``run_kit`` starts ``pytest`` on the installed kit in a subprocess (through pytester),
with a driver of ``tests/features/broken_drivers.py`` or the reference, and returns the
kit's own report, so tests check verdicts rule by rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import features

KIT = Path(features.__file__).parent
HERE = Path(__file__).parent


@pytest.fixture
def run_kit_raw(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """``run(sut, rules, *extra)``: the kit in a subprocess; pytester's result."""
    monkeypatch.setenv("PYTHONPATH", str(HERE))

    def run(sut: str, rules: str | None = None, *extra: str) -> pytest.RunResult:
        report = pytester.path / "report"
        args = [str(KIT), "-c", str(KIT / "kit.ini"), "--rootdir", str(KIT), "--sut", sut,
                "--kit-report", str(report), "-p", "no:cacheprovider", "-q"]
        if rules:
            args += ["-m", rules]
        return pytester.runpytest_subprocess(*args, *extra, timeout=600)

    return run


@pytest.fixture
def run_kit(pytester: pytest.Pytester, run_kit_raw):
    """``run(sut, rules, *extra)``: the kit in a subprocess; its report, with verdicts."""

    def run(sut: str, rules: str | None = None, *extra: str) -> dict:
        report = pytester.path / "report"
        result = run_kit_raw(sut, rules, *extra)
        data = json.loads((report / "report.json").read_text())
        data["outcome"] = result.ret
        data["stdout"] = result.stdout.str()
        data["verdicts"] = {r["id"]: r["status"] for r in data["rules"]}
        data["folder"] = report
        return data

    return run

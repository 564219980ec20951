"""Running the conformance kit as a whole pytest session, the way users run it.

``run_kit`` starts ``pytest`` on the installed kit (through pytester) with a driver of
``tests/features/broken_drivers.py`` or the reference, and returns the kit's own report,
so tests check verdicts rule by rule. It runs the kit in a subprocess, or in this process
(``inprocess=True``: much faster, for the many broken drivers; they put back whatever
they swapped when closed).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

import features

KIT = Path(features.__file__).parent
HERE = Path(__file__).parent


def _load(name: str):
    """This folder's helper modules, under their plain names: the kit's ``--sut
    broken_drivers:...`` then finds the very module the tests use."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


broken_drivers = _load("broken_drivers")
situations = _load("situations")


@pytest.fixture
def run_kit_raw(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """``run(sut, rules, *extra, inprocess=False)``: the kit in a subprocess (or in this
    process); pytester's result."""
    monkeypatch.setenv("PYTHONPATH", str(HERE))

    def run(sut: str, rules: str | None = None, *extra: str,
            inprocess: bool = False) -> pytest.RunResult:
        report = pytester.path / "report"
        args = [str(KIT), "-c", str(KIT / "kit.ini"), "--rootdir", str(KIT), "--sut", sut,
                "--kit-report", str(report), "-p", "no:cacheprovider", "-q"]
        if rules:
            args += ["-m", rules]
        if inprocess:
            return pytester.runpytest_inprocess(*args, *extra)
        return pytester.runpytest_subprocess(*args, *extra, timeout=600)

    return run


@pytest.fixture
def run_kit(pytester: pytest.Pytester, run_kit_raw):
    """``run(sut, rules, *extra, inprocess=False)``: the kit's report, with verdicts."""

    def run(sut: str, rules: str | None = None, *extra: str, inprocess: bool = False) -> dict:
        report = pytester.path / "report"
        result = run_kit_raw(sut, rules, *extra, inprocess=inprocess)
        data = json.loads((report / "report.json").read_text())
        data["outcome"] = result.ret
        data["stdout"] = result.stdout.str()
        data["verdicts"] = {r["id"]: r["status"] for r in data["rules"]}
        data["folder"] = report
        return data

    return run

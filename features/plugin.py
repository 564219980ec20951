"""The kit's pytest plugin: options, markers, the driver and mocks fixtures, the report.

Loaded by ``features/conftest.py``. ``--sut package.module:factory`` names the driver
factory (default: the reference engine); ``--kit-report DIR`` where the per-rule report goes.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from features.contract import Driver, NotSupported
from features.harness import MockStack, start_mocks
from features.report import KitReport
from features.rules import BY_ID, OTHER_TAGS

DEFAULT_SUT = "engine.driver:create_driver"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("siasim conformance kit")
    group.addoption("--sut", default=DEFAULT_SUT, metavar="MODULE:FACTORY",
                    help="driver factory of the integration under test "
                         f"(default: {DEFAULT_SUT}, the reference engine)")
    group.addoption("--kit-report", default="reports/kit", metavar="DIR",
                    help="folder for the per-rule report (report.json, report.md)")
    group.addoption("--kit-seed", default=1, type=int, metavar="N",
                    help="seed of the generated worlds scenarios use")


def pytest_configure(config: pytest.Config) -> None:
    for rule_id, rule in BY_ID.items():
        config.addinivalue_line("markers", f"{rule_id}: {rule.summary}")
    for tag, text in OTHER_TAGS.items():
        config.addinivalue_line("markers", f"{tag}: {text}")
    if not hasattr(config, "workerinput"):  # the controlling process writes the report
        folder = Path(config.getoption("kit_report"))
        config.pluginmanager.register(KitReport(config, folder), "siasim-kit-report")


def load_factory(spec: str):
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise pytest.UsageError(f"--sut takes package.module:factory, not {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise pytest.UsageError(f"--sut {spec}: cannot import {module_name}: {exc}") from None
    factory = getattr(module, attribute, None)
    if factory is None:
        raise pytest.UsageError(f"--sut {spec}: {module_name} has no {attribute}")
    return factory


class DriverFailure(AssertionError):
    """The integration under test raised where the contract expects an answer."""


class _Guarded:
    """The driver as steps see it: a NotSupported becomes "not applicable"."""

    def __init__(self, driver: Driver, node: pytest.Item) -> None:
        self._driver = driver
        self._node = node

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._driver, name, None)
        if attribute is None:
            self._not_applicable(f"the driver has no '{name}'")
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except NotSupported as exc:
                self._not_applicable(f"{name}: {exc}")
            except Exception as exc:
                # the contract answers refusals with an Outcome: an exception is the
                # integration failing, not the kit
                raise DriverFailure(f"the driver's {name}() raised "
                                    f"{type(exc).__name__}: {exc}") from exc

        return call

    def _not_applicable(self, reason: str):
        self._node.user_properties.append(("kit_not_applicable", reason))
        pytest.skip(f"not applicable: {reason}")


@pytest.fixture(scope="session")
def kit_mocks() -> Iterator[MockStack]:
    stack = start_mocks()
    yield stack
    stack.stop()


@pytest.fixture
def mocks(kit_mocks: MockStack, request: pytest.FixtureRequest) -> MockStack:
    """The mocks, empty, for one scenario: reset before it starts."""
    kit_mocks.reset()
    request.node.kit_journal_marks = {"marketo": 0, "salesforce": 0}
    return kit_mocks


@pytest.fixture
def driver(mocks: MockStack, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    factory = load_factory(request.config.getoption("sut"))
    workdir = tmp_path / "sut"
    workdir.mkdir()
    instance = factory(workdir)
    instance.configure(mocks.endpoints)
    try:
        yield _Guarded(instance, request.node)
    finally:
        instance.close()


@pytest.fixture
def kit_seed(request: pytest.FixtureRequest) -> int:
    return request.config.getoption("kit_seed")


# --- recording each scenario for the report -------------------------------------------------

def pytest_bdd_before_scenario(request, feature, scenario) -> None:
    rules = sorted(tag for tag in scenario.tags | feature.tags if tag in BY_ID)
    request.node.user_properties.append(("kit", {
        "feature": feature.name, "scenario": scenario.name, "rules": rules,
        "tags": sorted(scenario.tags | feature.tags)}))


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args,
                          exception) -> None:
    expectation = isinstance(exception, AssertionError) and step.type != "given"
    request.node.user_properties.append(("kit_failure", {
        "kind": "expectation" if expectation else "error",
        "step": f"{step.keyword} {step.name}",
        "message": f"{type(exception).__name__}: {exception}"[:4000],
        "evidence": _evidence(request),
    }))


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception) -> None:
    request.node.user_properties.append(("kit_failure", {
        "kind": "error", "step": f"{step.keyword} {step.name}",
        "message": f"undefined step: {step.name}", "evidence": []}))


def _evidence(request) -> list[dict]:
    """The last requests each mock received during the scenario."""
    stack = request.getfixturevalue("kit_mocks") if "kit_mocks" in request.fixturenames \
        else None
    if stack is None:
        return []
    evidence = []
    for admin in (stack.marketo, stack.salesforce):
        try:
            entries = admin.journal()[-10:]
        except Exception:  # evidence is best effort: never hide the real failure
            continue
        evidence += [{"service": admin.service, "method": e["method"], "path": e["path"],
                      "status": e["status"], "query": e["query"],
                      "response": e["responseBody"][:300]} for e in entries]
    return evidence

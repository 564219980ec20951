"""The kit's pytest plugin: options, markers, the driver and mocks fixtures, the report.

Loaded by ``features/conftest.py``. ``--sut package.module:factory`` names the driver
factory (default: the reference engine; the working directory is on the import path, as
pytest users expect); ``--kit-report DIR`` where the per-rule report goes;
``--out-of-scope RULE[,RULE]`` the rules a vendor declares its integration does not cover.

Usage errors (a ``--sut`` that cannot be imported, a ``-m``/``--rules`` expression that is
not valid or names no rule, an unknown rule in ``--out-of-scope``) end the run with one
line and exit code 2 before any scenario runs, in the controlling process (so also under
pytest-xdist).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from features.contract import Driver, NotSupported
from features.harness import MockStack, start_mocks
from features.report import KitReport
from features.rules import BY_ID, OTHER_TAGS
from features.verdict import USAGE_ERROR, parse_out_of_scope

DEFAULT_SUT = "engine.driver:create_driver"
FACTORY = pytest.StashKey[Callable[[Path], Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("siasim conformance kit")
    group.addoption("--sut", default=DEFAULT_SUT, metavar="MODULE:FACTORY",
                    help="driver factory of the integration under test "
                         f"(default: {DEFAULT_SUT}, the reference engine)")
    group.addoption("--kit-report", default="reports/kit", metavar="DIR",
                    help="folder for the per-rule report (report.json, report.md)")
    group.addoption("--kit-seed", default=1, type=int, metavar="N",
                    help="seed of the generated worlds scenarios use")
    group.addoption("--out-of-scope", default=None, metavar="RULE[,RULE]",
                    help="rules the integration declares out of its scope: they do not "
                         "count against conformance, and the report lists them")


def pytest_configure(config: pytest.Config) -> None:
    for rule_id, rule in BY_ID.items():
        config.addinivalue_line("markers", f"{rule_id}: {rule.summary}")
    for tag, text in OTHER_TAGS.items():
        config.addinivalue_line("markers", f"{tag}: {text}")
    controller = not hasattr(config, "workerinput")
    try:
        out_of_scope = parse_out_of_scope(
            config.getoption("out_of_scope"),
            [rule.id for rule in BY_ID.values() if rule.level in ("must", "should")])
        if controller and config.getoption("markexpr", None):
            check_rule_expression(config.getoption("markexpr"), kit_only=kit_only(config))
        config.stash[FACTORY] = load_factory(config.getoption("sut"))
    except (UsageProblem, ValueError) as problem:
        usage_error(config, str(problem))
    if controller:  # the controlling process writes the report
        folder = Path(config.getoption("kit_report"))
        config.pluginmanager.register(KitReport(config, folder, out_of_scope, kit_only(config)),
                                      "siasim-kit-report")


class UsageProblem(Exception):
    """A command line the kit cannot run: said in one line, exit code 2."""


def usage_error(config: pytest.Config, message: str) -> None:
    pytest.exit(f"siasim kit: {message}", returncode=USAGE_ERROR)


def kit_only(config: pytest.Config) -> bool:
    """Whether this session runs the kit alone (``pytest features``, ``siasim verify``),
    not the kit beside other tests (the project's own suite): only then does the kit's
    verdict decide the exit code."""
    kit = Path(__file__).parent.resolve()
    paths = [a.split("::", 1)[0] for a in config.args] or ["."]
    root = Path(config.invocation_params.dir)
    for path in paths:
        resolved = (root / path).resolve()
        if resolved != kit and kit not in resolved.parents:
            return False
    return True


_IDENT = re.compile(r"[\w:+\-.\[\]\\/]+")


def check_rule_expression(expression: str, kit_only: bool) -> None:
    """A ``-m`` (``--rules``) expression must parse and, in a kit run, name only rules and
    the kit's tags: a typo would otherwise select nothing, or everything."""
    try:
        from _pytest.mark.expression import Expression

        Expression.compile(expression)
    except SyntaxError as exc:
        raise UsageProblem(f"the rule expression {expression!r} is not valid: {exc.msg} "
                           f"(at column {exc.offset})") from None
    except ImportError:  # pytest moved it: pytest still checks it, in collection
        pass
    if not kit_only:
        return
    names = set(_IDENT.findall(expression)) - {"and", "or", "not", "(", ")"}
    unknown = sorted(names - set(BY_ID) - set(OTHER_TAGS))
    if unknown:
        raise UsageProblem(f"the rule expression {expression!r} names no rule: "
                           f"{', '.join(unknown)} (rules: {', '.join(BY_ID)})")


def load_factory(spec: str) -> Callable[[Path], Any]:
    """The driver factory ``package.module:factory``, imported with the working directory
    on the import path. Raises :class:`UsageProblem` with a one-line reason."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise UsageProblem(f"--sut takes package.module:factory, not {spec!r}")
    for folder in (os.getcwd(),):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # an ImportError, or the module failing as it loads
        raise UsageProblem(f"--sut {spec}: cannot import {module_name} "
                           f"({type(exc).__name__}: {exc})") from None
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise UsageProblem(f"--sut {spec}: {module_name} has no factory {attribute!r}")
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
    factory = request.config.stash[FACTORY]
    workdir = tmp_path / "sut"
    workdir.mkdir()
    instance = factory(workdir)
    guarded = _Guarded(instance, request.node)
    try:
        guarded.configure(mocks.endpoints)
        yield guarded
    finally:
        try:
            instance.close()
        except NotSupported:  # nothing to release
            pass


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

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
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from features.contract import Driver, NotSupported
from features.harness import MockStack, Placement, start_mocks
from features.protocol.client import (
    DEFAULT_TIMEOUT,
    HttpDriver,
    HttpSession,
    ProtocolError,
    http_factory,
    is_url,
)
from features.report import KitReport
from features.rules import BY_ID, OTHER_TAGS
from features.secrets import mask_secrets
from features.verdict import USAGE_ERROR, parse_out_of_scope

DEFAULT_SUT = "engine.driver:create_driver"
FACTORY = pytest.StashKey[Callable[[Path], Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("siasim conformance kit")
    group.addoption("--sut", default=DEFAULT_SUT, metavar="MODULE:FACTORY|URL",
                    help="driver factory of the integration under test, or the base URL of "
                         "a service that speaks the HTTP driver protocol "
                         f"(default: {DEFAULT_SUT}, the reference engine)")
    group.addoption("--driver-timeout", default=DEFAULT_TIMEOUT, type=float, metavar="SECONDS",
                    help="how long one call of the HTTP driver protocol may take "
                         f"(default: {DEFAULT_TIMEOUT:g})")
    group.addoption("--mock-host", default="127.0.0.1", metavar="HOST",
                    help="interface the kit's mocks listen on (default: 127.0.0.1); the "
                         "driver is told URLs with this host (0.0.0.0: this machine's name)")
    group.addoption("--mock-public-host", default=None, metavar="NAME",
                    help="host name the driver is told in the mocks' URLs, when it reaches "
                         "them by another name (e.g. host.docker.internal)")
    group.addoption("--marketo-port", default=0, type=int, metavar="PORT",
                    help="fixed port of the Marketo mock (worker N of -n uses PORT+N; "
                         "default: a free port)")
    group.addoption("--salesforce-port", default=0, type=int, metavar="PORT",
                    help="fixed port of the Salesforce mock (worker N of -n uses PORT+N)")
    group.addoption("--tls", action="store_true", default=False,
                    help="the mocks serve HTTPS; the CA file's path is in Endpoints.ca_bundle")
    group.addoption("--kit-report", default="reports/kit", metavar="DIR",
                    help="folder for the per-rule report (report.json, report.md, report.html)")
    group.addoption("--kit-junit", default=None, metavar="FILE",
                    help="also write the results as JUnit XML: one testsuite per rule, the "
                         "rule ID as classname, the scenario as test name")
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
        placement(config).check(_workers(config))
        config.stash[FACTORY] = load_factory(config.getoption("sut"),
                                             config.getoption("driver_timeout"),
                                             check=controller)
    except (UsageProblem, ValueError) as problem:
        usage_error(config, str(problem))
    if controller:  # the controlling process writes the report
        folder = Path(config.getoption("kit_report"))
        junit = config.getoption("kit_junit")
        config.pluginmanager.register(
            KitReport(config, folder, out_of_scope, kit_only(config),
                      Path(junit) if junit else None), "siasim-kit-report")


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


def placement(config: pytest.Config) -> Placement:
    """Where this process's mocks listen: the options, with worker N's ports moved by N."""
    chosen = Placement(host=config.getoption("mock_host"),
                       marketo_port=config.getoption("marketo_port"),
                       salesforce_port=config.getoption("salesforce_port"),
                       tls=config.getoption("tls"),
                       public_host=config.getoption("mock_public_host"))
    worker = getattr(config, "workerinput", {}).get("workerid", "gw0")
    return chosen.for_worker(int(worker.removeprefix("gw") or 0))


def _workers(config: pytest.Config) -> int:
    count = getattr(config.option, "numprocesses", None)
    return count if isinstance(count, int) else 1


def load_factory(spec: str, timeout: float = DEFAULT_TIMEOUT,
                 check: bool = True) -> Callable[[Path], Any]:
    """The driver factory ``package.module:factory``, imported with the working directory
    on the import path, or for a URL the HTTP driver's (``check``: ask the service first
    whether it speaks the protocol). Raises :class:`UsageProblem` with a one-line reason."""
    if is_url(spec):
        if timeout <= 0:
            raise UsageProblem(f"--driver-timeout must be more than 0, not {timeout:g}")
        if check:
            try:
                HttpSession(spec, timeout).hello()
            except ProtocolError as exc:
                raise UsageProblem(f"--sut {spec}: {exc}") from None
        return http_factory(spec, timeout)
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
def kit_mocks(request: pytest.FixtureRequest) -> Iterator[MockStack]:
    stack = start_mocks(placement(request.config))
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
    request.node.kit_driver = instance  # its protocol exchanges are evidence (HTTP)
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
        "message": _masked_message(request, f"{type(exception).__name__}: {exception}"[:4000]),
        "evidence": _evidence(request),
    }))


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception) -> None:
    request.node.user_properties.append(("kit_failure", {
        "kind": "error", "step": f"{step.keyword} {step.name}",
        "message": f"undefined step: {step.name}", "evidence": []}))


EVIDENCE_CALLS = 10  # the last calls of each kind a failure quotes
EVIDENCE_BODY = 4000  # characters of each body


def _evidence(request) -> list[dict]:
    """What led up to a failure: the last protocol calls to the driver (over HTTP) and the
    last requests each mock received, with their bodies, secrets masked."""
    stack = request.getfixturevalue("kit_mocks") if "kit_mocks" in request.fixturenames \
        else None
    if stack is None:
        return []
    evidence = []
    secrets = _secrets(stack)
    driver = getattr(request.node, "kit_driver", None)
    if isinstance(driver, HttpDriver):
        evidence += [{"service": "driver", "method": "POST", "path": e["path"],
                      "status": e["status"], "query": "",
                      "request": _cut(json.dumps(mask_secrets(e["request"], secrets),
                                                 ensure_ascii=False)),
                      "response": _cut(e["response"] if isinstance(e["response"], str)
                                       else json.dumps(e["response"], ensure_ascii=False))}
                     for e in driver.exchanges[-EVIDENCE_CALLS:]]
    for admin in (stack.marketo, stack.salesforce):
        try:
            entries = admin.journal()[-EVIDENCE_CALLS:]
        except Exception:  # evidence is best effort: never hide the real failure
            continue
        evidence += [{"service": admin.service, "method": e["method"], "path": e["path"],
                      "status": e["status"], "query": e["query"],
                      "request": _cut(e.get("requestBody") or ""),
                      "response": _cut(e["responseBody"])} for e in entries]
    return mask_secrets(evidence, secrets)


def _masked_message(request, message: str) -> str:
    if "kit_mocks" not in request.fixturenames:
        return message
    return mask_secrets(message, _secrets(request.getfixturevalue("kit_mocks")))


def _cut(text: str) -> str:
    return text if len(text) <= EVIDENCE_BODY else \
        text[:EVIDENCE_BODY] + f"... [{len(text) - EVIDENCE_BODY} more characters]"


def _secrets(stack: MockStack) -> list[str]:
    e = stack.endpoints
    return [value for value in (e.marketo_client_secret, e.salesforce_client_secret,
                                e.salesforce_password) if value]

"""The kit over the HTTP driver protocol: the reference behind ``siasim serve driver``'s
server is conformant exactly as in process, every exchange follows the OpenAPI document,
the Node example gets its mix of passes and not applicable, and the results come as
JUnit XML and one HTML page with the evidence, secrets masked."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from features.harness import Placement
from features.plugin import load_factory
from features.protocol.openapi import document
from features.protocol.server import create_app
from features.rules import BY_ID, RULES
from mocks.marketo.config import DEFAULT_CLIENT_SECRET as MARKETO_SECRET
from mocks.marketo.config import SIA_CLIENT_SECRET
from mocks.salesforce.config import DEFAULT_CLIENT_SECRET as SALESFORCE_SECRET
from mocks.salesforce.config import DEFAULT_PASSWORD

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
NODE_EXAMPLE = ROOT / "examples" / "node-driver" / "server.js"
SECRETS = (MARKETO_SECRET, SIA_CLIENT_SECRET, SALESFORCE_SECRET, DEFAULT_PASSWORD)


def _validator(schema: dict):
    from jsonschema import Draft202012Validator

    return Draft202012Validator({**schema, "components": document()["components"]})


def _operation(path: str) -> dict:
    paths = document()["paths"]
    if path in paths:
        return paths[path]["post" if path == "/sessions" else "get"]
    template = re.sub(r"^/sessions/[^/]+/", "/sessions/{session}/", path)
    return paths[template]["post"]


def check_exchange(exchange: dict) -> list[str]:
    """What in one request and its answer the OpenAPI document does not allow."""
    operation = _operation(exchange["path"])
    problems = []
    if exchange["method"] == "POST" and "requestBody" in operation:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        problems += [f"request: {e.message}"
                     for e in _validator(schema).iter_errors(exchange["request"] or {})]
    answer = operation["responses"].get(str(exchange["status"]))
    if answer is None:
        problems.append(f"status {exchange['status']} is not in the document")
    else:
        schema = answer["content"]["application/json"]["schema"]
        problems += [f"answer: {e.message}"
                     for e in _validator(schema).iter_errors(exchange["response"])]
    return [f"{exchange['path']}: {p}" for p in problems]


def siasim_verify(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "siasim", "verify", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONPATH": str(HERE)})


def test_the_reference_is_conformant_over_http_exactly_as_in_process(serve, tmp_path):
    exchanges: list[dict] = []
    app = create_app(load_factory("engine.driver:create_driver"), tmp_path / "sessions",
                     on_exchange=exchanges.append)
    url = serve(app).url
    junit = tmp_path / "junit.xml"
    result = siasim_verify("--sut", url, "--report", str(tmp_path / "report"), "--junit",
                           str(junit), cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert result.stdout.rstrip().splitlines()[-1] == "conformant"
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert {r["id"]: r["status"] for r in report["rules"]} == dict.fromkeys(BY_ID, "pass")
    assert report["run"]["driver"] == url
    # every method of the contract went over the wire, each exchange as documented
    called = {e["path"].rsplit("/", 1)[-1] for e in exchanges if "/sessions/" in e["path"]}
    assert called >= {"configure", "close", "initiate-sync", "send-email", "sync-tasks"}
    problems = [p for exchange in exchanges for p in check_exchange(exchange)]
    assert problems == []
    # JUnit: one suite per rule and the verdict
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == [r.id for r in RULES] + ["verdict"]
    assert all(s.get("failures") == "0" and s.get("errors") == "0" for s in suites)
    assert (tmp_path / "report" / "report.html").read_text().count('class="rule"') == len(RULES)


@pytest.mark.skipif(shutil.which("node") is None, reason="node (Node 20) is not installed: "
                    "the Node example cannot run")
def test_the_node_example_passes_what_it_does_and_is_not_applicable_for_the_rest(run_kit):
    node = subprocess.Popen(["node", str(NODE_EXAMPLE), "0"], stdout=subprocess.PIPE,
                            text=True)
    try:
        line = node.stdout.readline()
        url = re.search(r"http://\S+", line).group(0)
        report = run_kit(url, None, "-n", "2")
    finally:
        node.terminate()
        node.wait(10)
    verdicts = report["verdicts"]
    passed = {rule for rule, verdict in verdicts.items() if verdict == "pass"}
    # what it implements (settings, the fixed fields) and the mocks' own sync
    assert passed == {"S-SETTINGS", "S-INITIATE", "M-SF-SYNC"}, verdicts
    assert set(verdicts.values()) == {"pass", "not applicable"}, verdicts
    assert report["verdict"]["verdict"] == "not conformant" and report["outcome"] == 1
    reasons = {s["message"] for r in report["rules"] for s in r["scenarios"]
               if s["outcome"] == "not applicable"}
    assert "initiate_sync: the node example has no initiate_sync" in reasons


@pytest.fixture
def broken_over_http(serve, tmp_path, monkeypatch):
    """A broken driver (it lets sellers edit people: P-READONLY) behind the protocol."""
    monkeypatch.syspath_prepend(str(HERE))
    return serve(create_app(load_factory("broken_drivers:allows_edits"),
                            tmp_path / "sessions")).url


def test_junit_and_html_show_a_failure_rule_by_rule_with_its_evidence(run_kit,
                                                                      broken_over_http):
    report = run_kit(broken_over_http, "P-READONLY or S-SETTINGS", "--kit-junit",
                     "junit.xml")
    assert report["verdicts"]["P-READONLY"] == "fail"
    junit = ET.parse(report["folder"].parent / "junit.xml").getroot()
    readonly = junit.find("testsuite[@name='P-READONLY']")
    cases = readonly.findall("testcase")
    assert {c.get("classname") for c in cases} == {"P-READONLY"}
    creating = [c for c in cases
                if c.get("name") == "Creating a person in SIA is refused, whatever it names"]
    assert creating, [c.get("name") for c in cases]
    failure = creating[0].find("failure")
    assert failure is not None and "step: Then every attempt is refused" in failure.text
    assert junit.find("testsuite[@name='S-SETTINGS']").get("failures") == "0"
    assert junit.find("testsuite[@name='verdict']/testcase").get("name") == "not conformant"
    assert readonly.find("properties/property[@name='rule']").get("value") == \
        BY_ID["P-READONLY"].text

    page = (report["folder"] / "report.html").read_text()
    assert "not conformant" in page and BY_ID["P-READONLY"].text.replace("'", "&#x27;") in page
    assert "failing step" in page and "Then every attempt is refused with a clear error" in page
    assert "/create-person" in page  # the driver's own calls are evidence, with bodies
    assert "&quot;First Name&quot;: &quot;Eve&quot;" in page
    assert "/__admin__" not in page or "/rest/v1/" in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)  # nothing external
    assert "<script" not in page and "<link" not in page
    for text in (page, (report["folder"] / "report.json").read_text(),
                 (report["folder"].parent / "junit.xml").read_text()):
        for secret in SECRETS:
            assert secret not in text


def _free_port_pair() -> tuple[int, int]:
    ports = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    return ports[0], ports[1]


def test_placement_gives_each_worker_ports_of_its_own():
    placement = Placement(marketo_port=9400, salesforce_port=9500)
    assert placement.for_worker(3) == Placement(marketo_port=9403, salesforce_port=9503)
    assert Placement().for_worker(3) == Placement()  # free ports stay free
    with pytest.raises(ValueError, match="overlap with 2 workers"):
        Placement(marketo_port=9400, salesforce_port=9401).check(2)
    Placement(marketo_port=9400, salesforce_port=9402).check(2)
    assert Placement(host="0.0.0.0").url_host == socket.getfqdn()
    assert Placement(host="0.0.0.0", public_host="kit.internal").url_host == "kit.internal"


def test_mocks_on_fixed_ports_with_tls_are_what_the_driver_is_told(run_kit, tmp_path,
                                                                   monkeypatch):
    log = tmp_path / "endpoints.jsonl"
    monkeypatch.setenv("SIASIM_ENDPOINTS_LOG", str(log))
    with socket.socket() as probe:  # a base port with its neighbour free too, most likely
        probe.bind(("127.0.0.1", 0))
        marketo = probe.getsockname()[1]
    salesforce = marketo + 10 if marketo < 65000 else marketo - 10
    report = run_kit("endpoint_recorder:factory", "S-SETTINGS", "-n", "2", "--tls",
                     "--marketo-port", str(marketo), "--salesforce-port", str(salesforce))
    assert report["verdicts"]["S-SETTINGS"] == "pass", report["stdout"][-2000:]
    seen = [json.loads(line) for line in log.read_text().splitlines()]
    assert seen
    for endpoints in seen:
        mk = int(endpoints["marketo_url"].rsplit(":", 1)[1])
        sf = int(endpoints["salesforce_url"].rsplit(":", 1)[1])
        assert endpoints["marketo_url"].startswith("https://127.0.0.1:")
        assert mk - marketo == sf - salesforce and mk - marketo in (0, 1)  # worker N: +N
        assert endpoints["ca"].startswith("-----BEGIN CERTIFICATE-----")

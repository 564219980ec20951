"""The pytest plugin as a downstream suite uses it: a suite outside the repository, run
by pytest in a subprocess (through pytester), with the real clients, under xdist."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from tests.siasim.readme import marked_block

#: a venv installed before the entry point existed lacks it; CI installs afresh
INSTALLED = any(e.name == "siasim" and e.value == "siasim.pytest_plugin"
                for e in entry_points(group="pytest11"))
PLUGIN = [] if INSTALLED else ["-p", "siasim.pytest_plugin"]

DOWNSTREAM = '''
import json
import os
from pathlib import Path

import pytest


@pytest.mark.parametrize("n", [1, 2])
def test_each_test_starts_from_the_world(salesforce_mock, marketo_mock, n):
    sf = salesforce_mock.client()
    before = sf.query("SELECT COUNT() FROM Lead")["totalSize"]
    sf.Lead.create({"LastName": f"Only In Test {n}", "Company": "Isolation Ltd"})
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == before + 1
    assert sf.query("SELECT COUNT() FROM Lead WHERE Company = 'Isolation Ltd'")[
        "totalSize"] == 1  # the other test's lead is gone
    marketo_mock.client().execute(method="create_update_leads",
                                  leads=[{"email": f"only{n}@isolation.example"}])
    assert len(marketo_mock.journal(method="POST", path="/rest/v1/leads.json")) == 1
    assert marketo_mock.clock.describe()["offsetSeconds"] == 0
    marketo_mock.clock.advance(86400)  # the next test gets the clock back


@pytest.mark.parametrize("marketo_mock,persons", [
    ({"profile": "tiny", "seed": 2}, 25), ({"scenario": "duplicates"}, 4),
    ({"empty": True}, 0), ("tiny", 25)], indirect=["marketo_mock"])
def test_the_world_as_a_parameter(marketo_mock, persons):
    assert len(marketo_mock.rows("leads")) == persons


@pytest.mark.siasim_world(scenario="owner-filter")
class TestAMarkedClass:
    def test_both_mocks_hold_the_scenario(self, marketo_mock, salesforce_mock):
        assert salesforce_mock.rows("Group", Name="Inbound Leads")
        assert marketo_mock.rows("leads")


def test_faults_and_the_journal(marketo_mock):
    mc = marketo_mock.client()
    mark = marketo_mock.mark()
    rule = marketo_mock.fault(status=502, path="/rest/v1/lead/*", times=1)
    assert mc.execute(method="get_lead_by_id", id=3)[0]["id"] == 3  # retried past the 502
    assert rule.fired == 1 and not rule.active
    calls = marketo_mock.journal(path="/rest/v1/lead/*", after=mark)
    # the 502, the client's token-less retry (answered 601, in an HTTP 200), the answer
    assert [c.status for c in calls] == [502, 200, 200] and calls[0].fault
    assert calls[1].response_json()["errors"][0]["code"] == "601"
    assert calls[2].response_json()["result"][0]["id"] == 3
    assert marketo_mock.journal(body=lambda c: "3.json" in c.path) == calls


def test_the_stack_syncs_and_sia_writes_to_marketo(siasim_stack):
    people = siasim_stack.sia.people()
    assert people, "SIA's initial sync brought nobody"
    person = next(p for p in people if p["Email"])
    siasim_stack.sia.send_email(person["Marketo ID"], "Hello from a downstream test")
    sent = siasim_stack.marketo.journal(path="/rest/v1/activities/external.json",
                                        method="POST")
    assert len(sent) == 1
    assert sent[0].json()["input"][0]["leadId"] == person["Marketo ID"]


def test_where_the_servers_are(marketo_mock, salesforce_mock, siasim_stack, worker_id):
    out = Path(os.environ["SIASIM_PLUGIN_OUT"]) / f"{worker_id}-{os.getpid()}.json"
    out.write_text(json.dumps([marketo_mock.url, salesforce_mock.url,
                               siasim_stack.marketo.url, siasim_stack.api_url]))
'''


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *PLUGIN, *args,
                                         timeout=600)


def test_a_downstream_suite_with_both_clients_passes_under_xdist(pytester, monkeypatch):
    """The README's two example tests and a few more, in a suite of their own outside the
    repository, under ``-n 2``: every worker runs its own servers."""
    pytester.makepyfile(test_readme_marketorestpython=marked_block(
        "plugin-example marketorestpython"))
    pytester.makepyfile(test_readme_simple_salesforce=marked_block(
        "plugin-example simple-salesforce"))
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    out = pytester.mkdir("where")
    monkeypatch.setenv("SIASIM_PLUGIN_OUT", str(out))
    # several tests of "where" so both workers get one
    pytester.makepyfile(test_where_too=(
        "import pytest\nfrom test_downstream import test_where_the_servers_are as _where\n\n"
        "@pytest.mark.parametrize('n', range(6))\n"
        "def test_where(marketo_mock, salesforce_mock, siasim_stack, worker_id, n):\n"
        "    _where(marketo_mock, salesforce_mock, siasim_stack, worker_id)\n"))
    result = _run(pytester, "-n", "2", "-q")
    result.assert_outcomes(passed=4 + 2 + 4 + 1 + 1 + 1 + 1 + 6)
    seen = {path.name.split("-")[0]: json.loads(path.read_text())
            for path in out.iterdir()}
    assert set(seen) == {"gw0", "gw1"}, seen
    urls = [url for urls in seen.values() for url in urls]
    assert len(set(urls)) == len(urls), "two workers shared a server"
    assert all(url.startswith(("http://127.0.0.1:", "https://127.0.0.1:")) for url in urls)


def test_a_bad_world_is_a_clear_error(pytester):
    pytester.makepyfile(test_bad='''
import pytest

@pytest.mark.siasim_world(colour="red")
def test_unknown_key(marketo_mock):
    pass

@pytest.mark.siasim_world(profile="enormous")
def test_unknown_profile(marketo_mock):
    pass

@pytest.mark.siasim_world(scenario="atlantis")
def test_unknown_scenario(salesforce_mock):
    pass
''')
    result = _run(pytester, "-q")
    result.assert_outcomes(errors=3)
    out = result.stdout.str()
    assert "unknown world keys colour" in out
    assert "unknown profile 'enormous'" in out
    assert "atlantis" in out
    assert "Traceback" not in out.split("short test summary")[-1]


def test_it_can_be_turned_off(pytester):
    pytester.makepyfile(test_off="def test_needs_it(marketo_mock):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:siasim",
                                           "-q", timeout=120)
    result.assert_outcomes(errors=1)
    assert "fixture 'marketo_mock' not found" in result.stdout.str()


def test_loading_it_imports_nothing_heavy():
    """Every pytest run of a machine with siasim loads the plugin: it must cost nothing
    until a fixture is used."""
    code = ("import sys, siasim.pytest_plugin\n"
            "print([m for m in ('flask', 'mocks', 'engine', 'features', 'requests',"
            " 'siasim.inprocess') if m in sys.modules])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stdout + run.stderr


def test_the_entry_point_is_declared():
    """pyproject declares it (CI installs from it); a venv made before it needs
    ``pip install -e .`` again to load the plugin by itself."""
    import tomllib

    from tests.siasim.readme import README

    project = tomllib.loads((README.parent / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {"siasim": "siasim.pytest_plugin"}


def test_the_plain_python_api_example_runs():
    run = subprocess.run([sys.executable, "-c", marked_block("api-example")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    url, count = run.stdout.splitlines()[0].split()
    assert url.startswith("http://127.0.0.1:") and count == "1"
    assert run.stdout.splitlines()[1] == "2"  # the scenario's two leads (and a contact)

"""siasim sync, people and verify: the reference engine and the kit from the command line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from mocks.core.config import WorldSpec
from mocks.marketo import MarketoConfig
from mocks.marketo import create_app as marketo_app
from siasim.cli import main


@pytest.fixture
def marketo(serve):
    config = MarketoConfig(world=WorldSpec(seed=2, profile="tiny", people=120))
    config.limits.rate_calls = None
    server = serve(marketo_app(config))
    import requests

    requests.patch(server.url + "/__admin__/exports", json={"startDelay": 0, "minSeconds": 0},
                   timeout=10)
    return server


def engine_args(url: str, db) -> list[str]:
    return ["--db", str(db), "--marketo-url", url]


def test_sync_initial_then_people(marketo, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["sync", "initial", *engine_args(marketo.url, tmp_path / "s.db")])
    assert result.exit_code == 0, result.output
    assert "Fields that will sync from Marketo:" in result.output
    assert "LinkedIn URL" in result.output and "initial: added" in result.output
    listed = runner.invoke(main, ["people", "--json", *engine_args(marketo.url,
                                                                   tmp_path / "s.db")])
    people = json.loads(listed.output)
    assert people and all(len([k for k in p if k not in ("status", "unsubscribed")]) == 13
                          for p in people)
    table = runner.invoke(main, ["people", *engine_args(marketo.url, tmp_path / "s.db")])
    assert f"{len(people)} people" in table.output
    again = runner.invoke(main, ["sync", "changes", "--json",
                                 *engine_args(marketo.url, tmp_path / "s.db")])
    assert json.loads(again.output)["kind"] == "changes"


def test_sync_changes_before_initiation_is_a_clear_error(marketo, tmp_path):
    result = CliRunner().invoke(main, ["sync", "changes", *engine_args(marketo.url,
                                                                       tmp_path / "s.db")])
    assert result.exit_code == 1
    assert "has not been started" in result.output and "Traceback" not in result.output


def test_unreachable_marketo_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["sync", "initial", "--marketo-url",
                                       "http://127.0.0.1:9", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 1
    assert "Marketo" in result.output and "Traceback" not in result.output


def test_sync_watch_runs_until_ctrl_c(marketo, tmp_path):
    db = tmp_path / "s.db"
    CliRunner().invoke(main, ["sync", "initial", *engine_args(marketo.url, db)])
    proc = subprocess.Popen([sys.executable, "-m", "siasim", "sync", "watch", "--interval",
                             "0.2", *engine_args(marketo.url, db)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert "Watching" in proc.stdout.readline()
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped." in out


def test_verify_writes_the_report(tmp_path):
    report = tmp_path / "report"
    done = subprocess.run([sys.executable, "-m", "siasim", "verify", "--rules", "S-INITIATE",
                           "-n", "0", "--report", str(report)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]
    data = json.loads((report / "report.json").read_text())
    verdicts = {r["id"]: r["status"] for r in data["rules"]}
    assert verdicts["S-INITIATE"] == "pass"
    assert "| S-INITIATE | must | **pass** |" in (report / "report.md").read_text()


def test_verify_with_a_bad_sut_is_a_usage_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "siasim", "verify", "--sut", "nope",
                           "-n", "0", "--report", str(tmp_path)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode != 0
    assert "--sut takes package.module:factory" in done.stdout + done.stderr

"""One stack for every command: with ``siasim up`` running, the people, seller and sync
commands act on it (through SIA's HTTP API), and say so when none runs."""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from features.contract import Endpoints
from siasim.stackstate import StackGone, StackRecord, find_running, record

FREE_PORTS = ("--sia-port", "0", "--marketo-port", "0", "--salesforce-port", "0")
NONE_RUNNING = "No siasim up is running"


def cli(env: dict, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """``siasim ARGS`` as a user types it, with no engine option: only the environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIASIM_")}
    done = subprocess.run([sys.executable, "-m", "siasim", *args], capture_output=True,
                          text=True, timeout=timeout, env={**clean, **env})
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def ok(env: dict, *args: str) -> str:
    done = cli(env, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert NONE_RUNNING not in done.stderr
    return done.stdout


def test_every_command_acts_on_the_running_stack(siasim, tmp_path):
    state_dir = tmp_path / "state"
    env = {"SIASIM_STATE_DIR": str(state_dir)}
    up = siasim("up", *FREE_PORTS, "--profile", "tiny", "--interval", "1", env=env)
    up.wait_for("Ctrl-C stops everything.", timeout=240)
    api = up.value("SIA API")
    export = next(line for line in up.lines if line.startswith("export SIASIM_"))
    exported = dict(pair.split("=", 1) for pair in shlex.split(export)[1:])
    assert exported["SIASIM_SIA_URL"] == up.value("Dashboard").rstrip("/")
    assert exported["SIASIM_MARKETO_URL"] == up.value("Marketo mock")
    state = Path(exported["SIASIM_STACK"])
    assert stat.S_IMODE(state.stat().st_mode) == 0o600  # it holds the credentials
    assert json.loads(state.read_text())["sia_url"] == exported["SIASIM_SIA_URL"]

    # people: the stack's, not those of a database of the command's own
    total = requests.get(f"{api}/people", timeout=10).json()["total"]
    assert total > 0
    listed = ok(env, "people")
    assert f"{total} people" in listed
    people = json.loads(ok(env, "people", "--json"))
    person = next(p for p in people if p["Email"] and (
        p["Salesforce Lead ID"] or p["Salesforce Contact ID"]) and sum(
        q["Email"] and q["Email"].lower() == p["Email"].lower() for q in people) == 1)

    # a seller's email reaches Marketo through the stack's SIA
    sent = json.loads(ok(env, "email", "send", person["Email"], "Hello from the CLI",
                         "--json"))
    emails = requests.get(f"{api}/people/{person['Marketo ID']}/emails", timeout=10).json()
    assert [e["id"] for e in emails["emails"]] == [sent["emailId"]]
    activities = ok(env, "activities", str(person["Marketo ID"]))
    assert "Send Sales Email" in activities
    ok(env, "email", "event", str(sent["emailId"]), "open")
    assert "logged call" in ok(env, "call", person["Email"], "Discovery", "--duration", "60")
    ok(env, "campaign", "add", person["Email"], "Spring")
    refused = cli(env, "campaign", "remove", person["Email"], "Autumn")
    assert refused.returncode == 1 and "not in the sales campaign" in refused.stderr
    assert "salesforce.sync_tasks = on" in ok(env, "settings", "salesforce.sync_tasks", "on")
    created = json.loads(ok(env, "task", "create", person["Email"], "Call back",
                            "--due", "2031-01-15", "--json"))
    assert created["salesforceTaskId"]  # pushed at once: task sync is on
    assert "Call back" in ok(env, "task", "list")
    ok(env, "task", "complete", str(created["id"]))
    ok(env, "sync", "tasks")
    ok(env, "sync", "unsubscribes")
    ok(env, "sync", "changes")
    ok(env, "sync", "all")
    assert "Send Sales Email" in ok(env, "grid", person["Email"])
    unknown = cli(env, "email", "send", "nobody@nowhere.example", "Hi")
    assert unknown.returncode == 1 and "no person with email" in unknown.stderr

    # the export line points code elsewhere at the same stack, with no registry at all
    again = cli({**exported, "SIASIM_STATE_DIR": str(tmp_path / "elsewhere")}, "people")
    assert again.returncode == 0 and f"{total} people" in again.stdout

    assert up.stop() == 0
    assert not state.exists() and not list((state_dir / "stacks").glob("*.json"))
    gone = cli(env, "people")
    assert gone.returncode == 0 and NONE_RUNNING in gone.stderr
    stale = cli({"SIASIM_STACK": str(state)}, "people")
    assert stale.returncode == 1 and "SIASIM_STACK" in stale.stderr


def _record(tmp_path: Path, pid: int, started: str, url: str) -> StackRecord:
    folder = tmp_path / f"data-{pid}-{started}"
    folder.mkdir()
    endpoints = Endpoints("m", "i", "s", "f", "i", "s", "u", "p")
    return StackRecord(pid=pid, started=started, sia_url=url, endpoints=endpoints,
                       sia_db="db", data_dir=str(folder))


def test_the_newest_live_stack_wins_and_the_dead_are_forgotten(tmp_path, monkeypatch):
    monkeypatch.setenv("SIASIM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("SIASIM_STACK", raising=False)
    assert find_running() is None
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    record(_record(tmp_path, int(dead), "2030-01-03", "http://dead"))
    record(_record(tmp_path, os.getpid(), "2030-01-01", "http://older"))
    record(_record(tmp_path, os.getppid(), "2030-01-02", "http://newer"))
    assert find_running().sia_url == "http://newer"
    assert not (tmp_path / "state" / "stacks" / f"{dead}.json").exists()
    monkeypatch.setenv("SIASIM_STACK", str(tmp_path / "missing.json"))
    with pytest.raises(StackGone, match="no running siasim up"):
        find_running()


def test_an_explicit_option_runs_sia_here(tmp_path):
    """A --db (or its variable) names a SIA of the command's own: no stack is looked for."""
    env = {"SIASIM_STATE_DIR": str(tmp_path / "state")}
    done = cli(env, "people", "--db", str(tmp_path / "sia.db"))
    assert done.returncode == 0 and NONE_RUNNING not in done.stderr
    assert "0 people" in done.stdout
    nowhere = cli({**env, "SIASIM_SIA_URL": "http://127.0.0.1:9"}, "people")
    assert nowhere.returncode == 1 and "SIA does not answer at http://127.0.0.1:9" in \
        nowhere.stderr

"""A seller's commands and the sync commands, against the mocks on port 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from features.world import MarketoWorld, SalesforceWorld
from siasim.cli import main

CARLA, LENA = "carla@acme.example", "lena@leadco.example"


@pytest.fixture
def env(mock_stack, tmp_path) -> dict:
    mock_stack.reset()
    mock_stack.salesforce.seed_scenario("owner-filter")
    mock_stack.marketo.seed_scenario("owner-filter")
    e = mock_stack.endpoints
    values = {"SIASIM_DB": str(tmp_path / "sia.db"), "SIASIM_MARKETO_URL": e.marketo_url,
              "SIASIM_SALESFORCE_URL": e.salesforce_url}
    assert siasim(values, "sync", "initial", "--json").exit_code == 0
    return values


def siasim(env: dict, *args: str):
    return CliRunner().invoke(main, list(args), env=env)


def ok(env: dict, *args: str) -> str:
    result = siasim(env, *args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def refused(env: dict, *args: str, code: int = 1) -> str:
    result = siasim(env, *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "Error" in result.output
    return result.output


def test_a_sellers_day(env, mock_stack):
    sent = json.loads(ok(env, "email", "send", CARLA, "Quarterly review", "--campaign", "Q4",
                         "--json"))
    assert sent["subject"].startswith("Quarterly review (SIA-")
    assert "recorded Replied to Sales Email" in ok(env, "email", "event", str(sent["emailId"]),
                                                   "reply")
    assert "logged call 1" in ok(env, "call", LENA, "Discovery call", "--duration", "95",
                                 "--status", "no answer")
    ok(env, "campaign", "add", CARLA, "Q4 Outreach")
    ok(env, "campaign", "remove", CARLA, "Q4 Outreach")
    lead = str(MarketoWorld(mock_stack).by_email(CARLA)["id"])
    grid = ok(env, "grid", lead)
    assert "Replied to Sales Email" in grid and "read from Marketo" in grid
    record = json.loads(ok(env, "activities", CARLA, "--json"))
    assert [a["type"] for a in record] == ["Send Sales Email", "Replied to Sales Email",
                                           "Add to Sales Campaign",
                                           "Removed from Sales Campaign"]
    assert {a["delivery"] for a in record} == {"done"}
    tasks = SalesforceWorld(mock_stack).tasks()
    assert sorted(t["Type"] for t in tasks) == ["Call", "Email", "Reply"]


def test_unsubscribes_and_the_check(env, mock_stack):
    assert "opted out in Salesforce" in ok(env, "unsubscribe", CARLA)
    assert SalesforceWorld(mock_stack).by_email("Contact", CARLA)["HasOptedOutOfEmail"]
    assert "has unsubscribed" in refused(env, "email", "send", CARLA, "Hi")
    ok(env, "resubscribe", CARLA)
    ok(env, "settings", "marketo.unsubscribe_check", "on")
    MarketoWorld(mock_stack).change(MarketoWorld(mock_stack).by_email(LENA)["id"],
                               {"unsubscribed": True}, "form")
    assert "Marketo Unsubscribe Check" in refused(env, "email", "send", LENA, "Hi")
    lead = SalesforceWorld(mock_stack).by_email("Lead", LENA)["Id"]
    SalesforceWorld(mock_stack).update("Lead", lead, {"HasOptedOutOfEmail": True})
    assert "unsubscribedFromSalesforce 1" in ok(env, "sync", "unsubscribes")


def test_reminder_tasks(env, mock_stack):
    ok(env, "settings", "salesforce.sync_tasks", "on")
    created = json.loads(ok(env, "task", "create", CARLA, "Call back", "--due", "2027-01-15",
                            "--priority", "High", "--json"))
    assert created["salesforceTaskId"]
    assert "Call back v2 (Open, High, due 2027-01-15" in ok(
        env, "task", "edit", str(created["id"]), "--name", "Call back v2")
    assert "(Complete," in ok(env, "task", "complete", str(created["id"]))
    [sf] = SalesforceWorld(mock_stack).tasks()
    assert (sf["Subject"], sf["Status"]) == ("Call back v2", "Completed")
    assert "1 tasks" in ok(env, "task", "list", "--person", CARLA)
    ok(env, "task", "delete", str(created["id"]))
    assert SalesforceWorld(mock_stack).tasks() == []
    assert "0 tasks" in ok(env, "task", "list")
    assert "imported 0" in ok(env, "sync", "tasks")


def test_settings_are_listed_shown_and_changed(env):
    listing = ok(env, "settings")
    assert "salesforce.sync_tasks" in listing and "off" in listing
    assert ok(env, "settings", "salesforce.log_calls").strip() == "on"
    assert "salesforce.log_calls = off" in ok(env, "settings", "salesforce.log_calls", "off")
    assert "(default on)" in ok(env, "settings")
    assert json.loads(ok(env, "settings", "--json"))[1]["value"] is False
    assert "on or off" in refused(env, "settings", "salesforce.log_calls", "maybe")
    assert "cannot be configured" in refused(env, "settings", "fields.title", "city")
    assert "no setting" in refused(env, "settings", "nope")


@pytest.mark.parametrize("args,message", [
    (["email", "send", "nobody@example.com", "Hi"], "no person with email"),
    (["email", "send", "424242", "Hi"], "no person with Marketo ID"),
    (["email", "send", CARLA, ""], "subject is required"),
    (["email", "event", "99", "open"], "no email 99"),
    (["call", CARLA, "Hi", "--duration", "-1"], None),
    (["campaign", "remove", CARLA, "Never joined"], "not in the sales campaign"),
    (["task", "create", CARLA, "Call back", "--due", "15/01/2027"], "YYYY-MM-DD"),
    (["task", "edit", "7", "--name", "x"], "no task 7"),
    (["task", "edit", "7"], None),
    (["task", "complete", "seven"], None),
])
def test_bad_input_is_a_clear_error_that_writes_nothing(env, mock_stack, args, message):
    result = siasim(env, *args)
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    if message:
        assert message in result.output
    assert [a for a in MarketoWorld(mock_stack).activities()
            if a["type"] not in ("New Lead", "Change Data Value")] == []
    assert SalesforceWorld(mock_stack).tasks() == []


def test_sync_all_runs_every_part_and_says_which_failed(env, mock_stack):
    assert "people:" in ok(env, "sync", "all")
    mock_stack.salesforce.add_fault(path="*", status=503)
    output = refused(env, "sync", "all")
    assert "unsubscribes:" in output and "people:" in output
    mock_stack.salesforce.call("DELETE", "/faults")


def test_watch_runs_every_sync_until_ctrl_c(env, mock_stack):
    lead = SalesforceWorld(mock_stack).by_email("Lead", LENA)["Id"]
    SalesforceWorld(mock_stack).update("Lead", lead, {"HasOptedOutOfEmail": True})
    proc = subprocess.Popen([sys.executable, "-m", "siasim", "sync", "watch", "--interval",
                             "0.2"], env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    seen = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            seen.append(line)
            if "unsubscribedFromSalesforce 1" in line:
                break
        else:
            raise AssertionError("".join(seen))
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped." in out and "Traceback" not in out
    people = json.loads(ok(env, "people", "--json"))
    assert [p["unsubscribed"] for p in people if p["Email"] == LENA] == [True]


def test_an_email_several_people_share_must_be_a_marketo_id(mock_stack, tmp_path):
    mock_stack.reset()
    mock_stack.salesforce.seed_scenario("duplicates")
    mock_stack.marketo.seed_scenario("duplicates")
    e = mock_stack.endpoints
    env = {"SIASIM_DB": str(tmp_path / "sia.db"), "SIASIM_MARKETO_URL": e.marketo_url,
           "SIASIM_SALESFORCE_URL": e.salesforce_url}
    ok(env, "sync", "initial", "--json")
    output = refused(env, "email", "send", "DANA.DUPE@acme.example", "Hi")
    assert "3 people have the email" in output and "Marketo IDs 1, 2, 3" in output
    assert "sent email 1" in ok(env, "email", "send", "2", "Hi")

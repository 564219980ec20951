"""``-v`` and ``--log-level`` on every server command: what the terminal shows."""

from __future__ import annotations

import click
import pytest
import requests

from siasim.cli import main

SERVE = main.get_command(click.Context(main), "serve")
SERVER_COMMANDS = [("up",), *[("serve", name) for name in SERVE.list_commands(
    click.Context(SERVE))]]


@pytest.mark.parametrize("path", SERVER_COMMANDS, ids=" ".join)
def test_every_server_command_takes_verbose_and_log_level(path):
    command = main
    for name in path:
        command = command.get_command(click.Context(command), name)
    flags = {opt for param in command.params for opt in param.opts}
    assert {"-v", "--verbose", "--log-level"} <= flags, f"siasim {' '.join(path)}"


def test_verbose_shows_every_call_and_the_fault_it_met(siasim, tmp_path):
    serve = siasim("serve", "marketo", "--port", "0", "--empty", "-v",
                   "--db", str(tmp_path / "m.db"))
    serve.wait_for("Ctrl-C stops it.")
    url = serve.lines[0].split(": ")[1]
    requests.post(f"{url}/__admin__/faults", json={"path": "/rest/v1/leads.json",
                                                   "method": "GET", "error": "606"}, timeout=10)
    requests.post(f"{url}/rest/v1/leads.json", data={"_method": "GET", "filterType": "id",
                                                     "filterValues": "1"}, timeout=10)
    serve.wait_for("/rest/v1/leads.json -> 200")
    line = next(x for x in serve.lines if "/rest/v1/leads.json" in x)
    assert "marketo POST (as GET) /rest/v1/leads.json -> 200" in line
    assert line.endswith("[fault 1: error=606]")
    assert serve.stop() == 0


def test_quiet_by_default(siasim, tmp_path):
    serve = siasim("serve", "salesforce", "--port", "0", "--empty",
                   "--db", str(tmp_path / "s.db"))
    serve.wait_for("Ctrl-C stops it.")
    url = serve.lines[0].split(": ")[1]
    requests.get(f"{url}/services/data/", timeout=10)
    assert serve.stop() == 0
    assert not any("/services/data" in line and "->" in line for line in serve.lines)

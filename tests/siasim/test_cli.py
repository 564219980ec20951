"""The command line: help everywhere, usage errors that write nothing, atomic worlds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
import requests
from click.testing import CliRunner

from fixtures.world import generator
from siasim.cli import main


def all_commands(group: click.Group = main, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


COMMANDS = list(all_commands())


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help(path, command):
    assert command.help and command.help.strip(), f"siasim {' '.join(path)} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"siasim {' '.join(path)} {param.opts[0]} has no help text"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_is_in_the_readme(path, command):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert f"siasim {' '.join(path)}" in readme


@pytest.mark.parametrize("args", [
    ["seed", "--people", "0", "--out", "{out}"],
    ["seed", "--profile", "huge", "--out", "{out}"],
    ["seed", "--seed", "-3", "--out", "{out}"],
    ["seed", "--seed", "abc", "--out", "{out}"],
    ["seed"],
    ["serve", "marketo", "--port", "70000", "--db", "{out}/m.db"],
    ["serve", "salesforce", "--empty", "--seed", "4", "--db", "{out}/s.db"],
    ["serve", "marketo", "--profile", "nope", "--db", "{out}/m.db"],
    ["up", "--people", "-1", "--data", "{out}"],
])
def test_bad_options_are_usage_errors_that_write_nothing(tmp_path, args):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [a.format(out=out) for a in args])
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output or "Error" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_seed_writes_the_same_world_twice(tmp_path):
    runner = CliRunner()
    for name in ("a", "b"):
        result = runner.invoke(main, ["seed", "--seed", "9", "--profile", "tiny",
                                      "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "25 persons" in result.output
    for db in ("salesforce.db", "marketo.db"):
        assert (tmp_path / "a" / db).read_bytes() == (tmp_path / "b" / db).read_bytes()


def test_interrupted_seed_leaves_no_half_world(tmp_path, monkeypatch):
    original = generator._ChunkFiller.fill
    calls = []

    def fill_then_interrupt(self, start, stop):
        calls.append(start)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, start, stop)

    monkeypatch.setattr(generator._ChunkFiller, "fill", fill_then_interrupt)
    # one process: the interruption comes from this one (workers: tests/fixtures)
    result = CliRunner().invoke(main, ["seed", "--people", "25000", "--workers", "1",
                                       "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_interrupted_seed_keeps_the_previous_world(tmp_path, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(main, ["seed", "--profile", "tiny", "--out", str(tmp_path)]).exit_code == 0
    before = (tmp_path / "marketo.db").read_bytes()
    monkeypatch.setattr(generator._ChunkFiller, "fill",
                        lambda *a: (_ for _ in ()).throw(KeyboardInterrupt))
    runner.invoke(main, ["seed", "--profile", "default", "--out", str(tmp_path)])
    assert (tmp_path / "marketo.db").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marketo.db", "salesforce.db"]


def test_serve_port_zero_prints_url_and_stops_on_ctrl_c(tmp_path, siasim):
    proc = siasim("serve", "marketo", "--port", "0", "--profile", "tiny",
                  "--db", str(tmp_path / "m.db"))
    proc.wait_for("Ctrl-C", timeout=30)
    url = proc.value("Marketo mock")
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
    assert "siasim-marketo-secret" in proc.output
    health = requests.get(url + "/__admin__/health", timeout=5).json()
    assert health["service"] == "marketo"
    state = requests.get(url + "/__admin__/state", timeout=5).json()
    assert state["tables"]["leads"] == 25
    assert proc.stop(timeout=15) == 0
    assert "stopped" in proc.output
    assert "Traceback" not in proc.output


def test_serve_keeps_state_in_db_across_restarts(tmp_path, siasim):
    db = tmp_path / "sf.db"
    for attempt in range(2):
        proc = siasim("serve", "salesforce", "--port", "0", "--profile", "tiny", "--db", str(db))
        proc.wait_for("Ctrl-C", timeout=30)
        url = proc.value("Salesforce mock")
        if attempt == 0:
            requests.post(url + "/__admin__/reset", json={}, timeout=5)
        state = requests.get(url + "/__admin__/state", timeout=5).json()
        assert proc.stop(timeout=15) == 0
        assert state["tables"]["Lead"] == 0  # the reset of the first run was kept


def test_port_in_use_is_a_clear_error(tmp_path, serve):
    from flask import Flask

    busy = serve(Flask("busy"))
    result = CliRunner().invoke(main, ["serve", "marketo", "--port", str(busy.port), "--empty"])
    assert result.exit_code == 1
    assert "already in use" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["serve", "marketo", "--port", "0"],
                                  ["serve", "salesforce", "--port", "0"], ["people"]])
def test_a_db_that_is_not_sqlite_is_one_clear_line_and_no_hang(tmp_path, args):
    notadb = tmp_path / "notadb.txt"
    notadb.write_text("a shopping list, not a database\n")
    done = subprocess.run([sys.executable, "-m", "siasim", *args, "--db", str(notadb)],
                          capture_output=True, text=True, timeout=60)  # it used to hang
    assert done.returncode == 1, done
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert lines == [f"Error: {notadb} is not a SQLite database "
                     f"{'SIA' if args == ['people'] else 'this mock'} can use "
                     "(file is not a database)"]
    assert notadb.read_text() == "a shopping list, not a database\n"


def test_serve_tls_removes_its_private_key_at_exit(siasim, tmp_path):
    proc = siasim("serve", "salesforce", "--port", "0", "--empty", "--tls",
                  env={"TMPDIR": str(tmp_path)})
    proc.wait_for("Ctrl-C", timeout=30)
    ca = Path(next(line.split()[2] for line in proc.lines if "CA file" in line))
    assert ca.exists() and (ca.parent / "server.key").exists()
    assert proc.stop(timeout=15) == 0
    assert not ca.parent.exists()  # the folder with the private key is gone


def test_serve_beyond_loopback_prints_an_admin_token_the_admin_api_then_needs(siasim):
    proc = siasim("serve", "marketo", "--host", "0.0.0.0", "--port", "0", "--empty")
    proc.wait_for("Ctrl-C", timeout=30)
    token = next(line.split()[2] for line in proc.lines if "admin token" in line)
    port = proc.value("Marketo mock").rsplit(":", 1)[1]
    admin = f"http://127.0.0.1:{port}/__admin__"
    assert requests.get(f"{admin}/state", timeout=5).status_code == 401
    assert requests.get(f"{admin}/state", timeout=5,
                        headers={"X-Siasim-Admin-Token": token}).status_code == 200
    assert requests.post(f"{admin}/reset", json={}, timeout=5,
                         headers={"X-Siasim-Admin-Token": "nope"}).status_code == 401
    assert proc.stop(timeout=15) == 0


def test_serve_salesforce_login_options(siasim, tmp_path):
    """--refresh-token and --jwt-key: printed, accepted, and a bad key file refused."""
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    done = subprocess.run([sys.executable, "-m", "siasim", "serve", "salesforce", "--port",
                           "0", "--empty", "--jwt-key", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "holds no RSA certificate or key" in done.stderr
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = tmp_path / "app.pem"
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    proc = siasim("serve", "salesforce", "--port", "0", "--empty", "--refresh-token",
                  "5Aep861Mine", "--jwt-key", str(public))
    proc.wait_for("Ctrl-C", timeout=30)
    assert any(line.split() == ["refresh", "token", "5Aep861Mine"] for line in proc.lines)
    assert any("JWT key" in line and str(public) in line for line in proc.lines)
    url = proc.value("Salesforce mock")
    answer = requests.post(url + "/services/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": "5Aep861Mine",
        "client_id": "siasim-salesforce-client", "client_secret": "siasim-salesforce-secret"},
        timeout=10)
    assert answer.status_code == 200 and answer.json()["access_token"]
    assert proc.stop(timeout=15) == 0

"""tap-marketo and tap-salesforce, unchanged, in their own virtualenvs, through the proxy
mode: they build the real hosts themselves (``https://123-ABC-456.mktorest.com``,
``https://login.salesforce.com``), and with ``HTTPS_PROXY`` and the local CA in their
environment they reach the mocks and nothing else. Marked ``clients``; CI runs them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import siasim
from mocks.salesforce.config import DEFAULT_REFRESH_TOKEN

pytestmark = pytest.mark.clients
TAP_MARKETO = ["tap-marketo==2.9.4"]
TAP_SALESFORCE = ["tap-salesforce==2.8.1"]


@pytest.fixture(scope="module")
def stack() -> Iterator[siasim.Stack]:
    with siasim.Stack(proxy=True, synced=False) as running:
        yield running


def _clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k.upper() not in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY",
                                 "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")}


def run_tap(bin_dir: Path, tap: str, config: Path, stack: siasim.Stack, *args: str) -> str:
    done = subprocess.run([str(bin_dir / tap), "--config", str(config), *args],
                          capture_output=True, text=True, timeout=600,
                          env={**_clean_environment(), **stack.proxy_environment()})
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


@contextlib.contextmanager
def trusting(bin_dir: Path, ca_file: Path) -> Iterator[None]:
    """tap-marketo sends its data calls with ``Session.send``, which verifies against
    certifi's bundle and never reads REQUESTS_CA_BUNDLE: the CA goes into that bundle of
    the tool's own environment for the run (what the README tells a user to do)."""
    where = subprocess.run([str(bin_dir / "python"), "-m", "certifi"], capture_output=True,
                           text=True, check=True).stdout.strip()
    bundle = Path(where)
    kept = bundle.with_name(bundle.name + ".before-siasim")
    shutil.copyfile(bundle, kept)
    try:
        bundle.write_bytes(kept.read_bytes() + b"\n" + ca_file.read_bytes())
        yield
    finally:
        shutil.copyfile(kept, bundle)
        kept.unlink()


def records(output: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for line in output.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            found.setdefault(message["stream"], []).append(message["record"])
    return found


def select(catalog: dict, streams: tuple[str, ...]) -> dict:
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == [] or stream["tap_stream_id"] in streams:
                entry["metadata"]["selected"] = stream["tap_stream_id"] in streams
    return catalog


def test_tap_marketo_reaches_the_marketo_mock_through_the_proxy(python_tool, stack, tmp_path):
    bin_dir = python_tool("tap-marketo", TAP_MARKETO)
    stack.marketo.reset()
    stack.marketo.admin("PATCH", "/exports", json={"startDelay": 0, "minSeconds": 0})
    persons = {p["id"]: p for p in stack.marketo.rows("leads")}
    # the tap exports in windows from its start date on: from the world's first day
    first = min(p["createdAt"] for p in persons.values())
    config = tmp_path / "config.json"
    config.write_text(json.dumps({  # the tap's own host: https://123-ABC-456.mktorest.com
        "endpoint": "https://123-ABC-456.mktorest.com/rest",
        "client_id": stack.marketo.client_id, "client_secret": stack.marketo.client_secret,
        "start_date": f"{first[:10]}T00:00:00Z", "poll_interval": 0.2}))
    with trusting(bin_dir, stack.proxy_ca_file):
        catalog = json.loads(run_tap(bin_dir, "tap-marketo", config, stack, "--discover"))
        streams = ("leads", "activity_types", "activities_new_lead")
        (tmp_path / "catalog.json").write_text(json.dumps(select(catalog, streams)))
        got = records(run_tap(bin_dir, "tap-marketo", config, stack, "--properties",
                              str(tmp_path / "catalog.json")))
    assert {r["id"]: r["email"] for r in got["leads"]} == {
        i: p.get("email") for i, p in persons.items()}
    assert {r["leadId"] for r in got["activities_new_lead"]} == set(persons)
    assert {t["name"] for t in got["activity_types"]} >= {"New Lead", "Send Sales Email"}
    # every call went through the mock's pipeline: the first is the tap's usage check
    assert stack.marketo.journal(path="/rest/v1/stats/usage.json")
    assert stack.marketo.journal(path="/bulk/v1/activities/export/*/file.json")


def test_tap_salesforce_reaches_the_salesforce_mock_through_the_proxy(python_tool, stack,
                                                                      tmp_path):
    bin_dir = python_tool("tap-salesforce", TAP_SALESFORCE)
    stack.salesforce.reset()
    config = tmp_path / "config.json"
    config.write_text(json.dumps({  # it logs in at https://login.salesforce.com itself
        "refresh_token": DEFAULT_REFRESH_TOKEN, "client_id": stack.salesforce.client_id,
        "client_secret": stack.salesforce.client_secret,
        "start_date": "2000-01-01T00:00:00Z", "api_type": "REST",
        "select_fields_by_default": True}))
    catalog = json.loads(run_tap(bin_dir, "tap-salesforce", config, stack, "--discover"))
    assert {"Lead", "Contact", "Account", "Task", "User"} <= {
        s["tap_stream_id"] for s in catalog["streams"]}
    (tmp_path / "catalog.json").write_text(json.dumps(select(catalog, ("Lead", "Contact"))))
    got = records(run_tap(bin_dir, "tap-salesforce", config, stack, "--properties",
                          str(tmp_path / "catalog.json")))
    for sobject in ("Lead", "Contact"):
        rows = {r["Id"]: r for r in stack.salesforce.rows(sobject)}
        assert {r["Id"]: r.get("Email") for r in got[sobject]} == {
            i: r.get("Email") for i, r in rows.items()}, sobject
    logins = stack.salesforce.journal(path="/services/oauth2/token", body={
        "grant_type": "refresh_token"})
    assert logins and logins[0].status == 200

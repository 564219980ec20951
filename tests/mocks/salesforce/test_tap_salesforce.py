"""Singer's tap-salesforce 2.8, unchanged, in its own virtualenv, with ``api_type: BULK``
against a real Salesforce mock server: its refresh-token login, discovery, and a sync of
Leads and Contacts through Bulk API 1.0 query jobs, whose records must be the mock's.
The tap logs in at login.salesforce.com: ``login_redirect/sitecustomize.py`` sends that
to the mock at the HTTP layer. Marked ``clients``; CI runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from mocks.salesforce.config import DEFAULT_REFRESH_TOKEN

pytestmark = pytest.mark.clients
REDIRECT = Path(__file__).with_name("login_redirect")
STREAMS = ("Lead", "Contact")


@pytest.fixture
def tap(python_tool, sf, serve, tmp_path):
    bin_dir = python_tool("tap-salesforce", ["tap-salesforce==2.8.0"])
    app = sf.make_app(scenario=None, profile="tiny")
    api = sf.Api(app)
    api.admin("patch", "bulk", json={"startDelay": 0, "minSeconds": 0})
    server = serve(app)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "client_id": sf.CLIENT_ID, "client_secret": sf.CLIENT_SECRET,
        "refresh_token": DEFAULT_REFRESH_TOKEN, "start_date": "2000-01-01T00:00:00Z",
        "api_type": "BULK", "select_fields_by_default": True}))

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(bin_dir / "tap-salesforce"), "--config", str(config), *args],
            capture_output=True, text=True, timeout=600,
            env={**os.environ, "PYTHONPATH": str(REDIRECT), "SIASIM_SALESFORCE_TO": server.url})
        assert done.returncode == 0, done.stderr[-4000:]
        return done.stdout

    return api, run, tmp_path


def _select(catalog: dict) -> dict:
    catalog["streams"] = [s for s in catalog["streams"] if s["tap_stream_id"] in STREAMS]
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == [] or entry["metadata"].get("inclusion") != \
                    "unsupported":
                entry["metadata"]["selected"] = True
    return catalog


def test_discovery_and_a_bulk_sync(tap):
    api, run, folder = tap
    catalog = json.loads(run("--discover"))
    streams = {s["tap_stream_id"]: s for s in catalog["streams"]}
    assert set(STREAMS) <= set(streams)
    assert {"Email", "OwnerId", "LastName"} <= set(streams["Lead"]["schema"]["properties"])
    (folder / "catalog.json").write_text(json.dumps(_select(catalog)))
    output = run("--properties", str(folder / "catalog.json"))
    messages = [json.loads(line) for line in output.splitlines()]
    records = {stream: [m["record"] for m in messages if m["type"] == "RECORD"
                        and m["stream"] == stream] for stream in STREAMS}
    for stream in STREAMS:
        # the tap's bulk jobs are queryAll: deleted records come too
        wanted = {r["Id"]: r for r in api.records(f"SELECT Id, Email, LastName FROM {stream}",
                                                  all_rows=True)}
        got = {r["Id"]: r for r in records[stream]}
        assert wanted and set(got) == set(wanted), stream
        for record_id, record in got.items():
            assert record["Email"] == wanted[record_id]["Email"]
    journal = api.client.get("/__admin__/journal?limit=5000").json["entries"]
    assert any(e["path"].endswith("/job") and e["method"] == "POST" for e in journal)

"""Singer's tap-salesforce 2.8, unchanged, in its own virtualenv, against
``siasim serve salesforce`` (a real process): it logs in with the refresh token the
server prints (its only way in), discovers every object and syncs a few with
``api_type: REST`` (``queryAll`` by ``SystemModstamp``, paged) and with ``api_type: BULK``
(Bulk API 1.0 query jobs), and its records must be the mock's. The tap logs in at
``https://login.salesforce.com`` whatever it is told:
``tests/http_redirect/sitecustomize.py`` sends that to the mock at the HTTP layer.
Marked ``clients``; CI runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.clients
REDIRECT = Path(__file__).parents[2] / "http_redirect"
STREAMS = ("Lead", "Contact", "Account", "User")


def printed(proc, title: str) -> str:
    """A ``  title   value`` line of what ``siasim serve`` printed."""
    for line in proc.lines:
        if line.strip().startswith(title + " "):
            return line.split(None, len(title.split()))[-1].strip()
    raise AssertionError(f"no {title!r} in:\n{proc.output}")


@pytest.fixture
def server(siasim, tmp_path):
    proc = siasim("serve", "salesforce", "--port", "0", "--profile", "tiny",
                  "--db", str(tmp_path / "sf.db"))
    proc.wait_for("Ctrl-C", timeout=60)
    yield proc
    proc.stop(timeout=30)


def _select(catalog: dict) -> dict:
    for stream in catalog["streams"]:
        chosen = stream["tap_stream_id"] in STREAMS
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == [] or chosen:
                entry["metadata"]["selected"] = chosen
            if entry["breadcrumb"] == [] and chosen:  # incremental, as a user sets it up
                entry["metadata"]["replication-key"] = "SystemModstamp"
    return catalog


def _discover_and_sync(server, python_tool, tmp_path, api_type: str):
    """Run the tap's discovery and a sync of STREAMS; (url, catalog streams, records by
    stream, the mock's journal)."""
    bin_dir = python_tool("tap-salesforce", ["tap-salesforce==2.8.1"])
    url = server.value("Salesforce mock")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "client_id": printed(server, "client id"),
        "client_secret": printed(server, "client secret"),
        "refresh_token": printed(server, "refresh token"),
        "start_date": "2020-01-01T00:00:00Z", "api_type": api_type,
        "select_fields_by_default": True, "is_sandbox": False}))

    def run(*args: str) -> str:
        done = subprocess.run([str(bin_dir / "tap-salesforce"), "--config", str(config), *args],
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "PYTHONPATH": str(REDIRECT),
                                   "SIASIM_REDIRECT": f"salesforce.com={url}"})
        assert done.returncode == 0, done.stderr[-4000:]
        return done.stdout

    catalog = json.loads(run("--discover"))
    streams = {s["tap_stream_id"]: s for s in catalog["streams"]}
    assert set(STREAMS) <= set(streams)
    (tmp_path / "catalog.json").write_text(json.dumps(_select(catalog)))
    output = run("--properties", str(tmp_path / "catalog.json"))
    records: dict[str, list[dict]] = {}
    for line in output.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])

    for stream in STREAMS:
        rows = requests.get(f"{url}/__admin__/state", params={"table": stream,
                                                               "limit": 100000}, timeout=30)
        expected = {r["Id"]: r for r in rows.json()["rows"]}
        got = {r["Id"]: r for r in records.get(stream, [])}
        assert expected and set(got) == set(expected), stream
        for record_id, record in got.items():
            assert record.get("Email") == expected[record_id].get("Email"), stream
    journal = requests.get(f"{url}/__admin__/journal", params={"limit": 5000},
                           timeout=30).json()["entries"]
    logins = [e for e in journal if e["path"] == "/services/oauth2/token"]
    assert logins and all(e["status"] == 200 for e in logins)
    return url, streams, records, journal


def test_discovery_and_a_rest_sync_with_the_printed_refresh_token(server, python_tool,
                                                                    tmp_path):
    _url, streams, _records, journal = _discover_and_sync(server, python_tool, tmp_path,
                                                          "REST")
    lead = streams["Lead"]
    assert {"Email", "OwnerId", "IsConverted"} <= set(lead["schema"]["properties"])
    top = next(e for e in lead["metadata"] if e["breadcrumb"] == [])["metadata"]
    assert top["valid-replication-keys"] == ["SystemModstamp"]
    queries = [e["query"] for e in journal if e["path"] == "/services/data/v61.0/queryAll"]
    assert len(queries) == len(STREAMS) and all("SystemModstamp" in q for q in queries)


def test_discovery_and_a_bulk_sync(server, python_tool, tmp_path):
    """``api_type: BULK``: a Bulk API 1.0 queryAll job per stream (CSV, JSON requests,
    XML batch answers), after checking DailyBulkApiBatches in /limits."""
    url = server.value("Salesforce mock")
    # the tap sleeps 20 s between looks at a batch: let batches finish at the first look
    requests.patch(f"{url}/__admin__/bulk", json={"startDelay": 0, "minSeconds": 0},
                   timeout=30).raise_for_status()
    _url, _streams, _records, journal = _discover_and_sync(server, python_tool, tmp_path,
                                                           "BULK")
    jobs = [e for e in journal if e["method"] == "POST"
            and e["path"] == "/services/async/61.0/job"]
    assert len(jobs) == len(STREAMS) and all(e["status"] == 201 for e in jobs)
    assert any(e["path"] == "/services/data/v61.0/limits" for e in journal)
    assert not [e for e in journal if e["path"] == "/services/data/v61.0/queryAll"]

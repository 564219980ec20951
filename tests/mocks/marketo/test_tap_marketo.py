"""Singer's tap-marketo 2.9, unchanged, in its own virtualenv, against a real Marketo mock
server: its first call (``stats/usage.json``), discovery, and a sync of leads and two
activity streams whose records must be the mock's. The tap hard-codes Marketo's host
(``https://<munchkin>.mktorest.com``): ``tests/http_redirect/sitecustomize.py`` sends those
URLs to the mock at the HTTP layer. Marked ``clients``; CI runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.clients
REDIRECT = Path(__file__).parents[2] / "http_redirect"
START = "2025-12-05T00:00:00Z"
STREAMS = ("leads", "activities_visit_webpage", "activities_new_lead")


@pytest.fixture
def tap(python_tool, make_app, serve, tmp_path):
    bin_dir = python_tool("tap-marketo", ["tap-marketo==2.9.4"])
    app = make_app()
    app.test_client().patch("/__admin__/exports", json={
        "startDelay": 0, "minSeconds": 0, "rowsPerSecond": 10**9})
    server = serve(app)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "endpoint": "https://123-ABC-456.mktorest.com/rest",
        "identity": "https://123-ABC-456.mktorest.com/identity",
        "client_id": "siasim-marketo-client", "client_secret": "siasim-marketo-secret",
        "start_date": START, "poll_interval": 0.1}))

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(bin_dir / "tap-marketo"), "--config", str(config), *args],
            capture_output=True, text=True, timeout=600,
            env={**os.environ, "PYTHONPATH": str(REDIRECT),
                 "SIASIM_REDIRECT": f"mktorest.com={server.url}"})
        assert done.returncode == 0, done.stderr[-4000:]
        return done.stdout

    return app.test_client(), run, tmp_path


def _select(catalog: dict) -> dict:
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] in STREAMS
            elif stream["tap_stream_id"] in STREAMS:
                entry["metadata"]["selected"] = True
    return catalog


def test_discovery_and_a_sync_of_leads_and_activities(tap):
    admin, run, folder = tap
    catalog = json.loads(run("--discover"))
    streams = {s["tap_stream_id"]: s for s in catalog["streams"]}
    assert set(STREAMS) <= set(streams)
    assert {"email", "sfdcLeadOwnerId", "firstName"} <= set(streams["leads"]["schema"]
                                                           ["properties"])
    (folder / "catalog.json").write_text(json.dumps(_select(catalog)))
    # the tap reads its selection from --properties (its --catalog is parsed differently)
    output = run("--properties", str(folder / "catalog.json"))
    records: dict[str, list[dict]] = {}
    for line in output.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])

    persons = admin.get("/__admin__/state?table=leads&limit=100000").json["rows"]
    # with updatedAt exports the tap reads from a day before its start date
    wanted = {p["id"]: p for p in persons if p["updatedAt"] >= "2025-12-04T00:00:00Z"}
    got = {r["id"]: r for r in records["leads"]}
    assert wanted and set(got) == set(wanted)
    for lead_id, record in got.items():
        assert record["email"] == wanted[lead_id]["email"]
        assert record.get("sfdcLeadOwnerId") == wanted[lead_id]["sfdcLeadOwnerId"]

    activities = admin.get("/__admin__/state?table=activities&limit=100000").json["rows"]
    for stream, type_id in (("activities_visit_webpage", 1), ("activities_new_lead", 12)):
        expected = {str(a["id"]): a for a in activities
                    if a["activityTypeId"] == type_id and a["activityDate"] >= START}
        synced = {r["marketoGUID"]: r for r in records.get(stream, [])}
        assert expected and set(synced) == set(expected), stream
        for guid, record in synced.items():
            assert record["leadId"] == expected[guid]["leadId"]
    journal = admin.get("/__admin__/journal?limit=1").json
    assert journal["entries"]
    first = admin.get("/__admin__/journal?limit=5000").json["entries"][0]
    assert first["path"] in ("/identity/oauth/token", "/rest/v1/stats/usage.json")

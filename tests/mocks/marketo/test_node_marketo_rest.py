"""node-marketo-rest 0.7 from npm, unchanged, against a real Marketo mock server: its bulk
activity and lead exports (whose URLs are ``<endpoint>/../bulk/...``) and its usage call.
Slow (an npm install on a fresh machine): marked ``clients``; CI runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.clients
SCRIPT = Path(__file__).with_name("node_bulk_export.js")
WINDOW = {"startAt": "2025-12-05T00:00:00Z", "endAt": "2026-01-05T00:00:00Z"}


def test_bulk_exports_and_usage(node_tool, make_app, serve):
    folder = node_tool("node-marketo-rest", ["node-marketo-rest@0.7.8"])
    app = make_app()
    admin = app.test_client()
    # the client waits 30 s between status polls: jobs finish at once here
    admin.patch("/__admin__/exports", json={"startDelay": 0, "minSeconds": 0,
                                            "rowsPerSecond": 10**9})
    server = serve(app)
    done = subprocess.run(
        ["node", str(SCRIPT)], cwd=folder, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MARKETO_MOCK": server.url, "EXPORT_WINDOW": json.dumps(WINDOW),
             "NODE_PATH": str(folder / "node_modules")})
    assert done.returncode == 0, done.stderr + done.stdout
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["activityJob"]["status"] == "Completed"
    rows = list(csv.DictReader(io.StringIO(got["activityFile"])))
    stored = admin.get("/__admin__/state?table=activities&limit=100000").json["rows"]
    expected = {str(a["id"]) for a in stored if a["activityTypeId"] in (1, 12)
                and WINDOW["startAt"] <= a["activityDate"] < WINDOW["endAt"]}
    assert expected and {r["marketoGUID"] for r in rows} == expected
    leads = list(csv.DictReader(io.StringIO(got["leadFile"])))
    persons = admin.get("/__admin__/state?table=leads&limit=100000").json["rows"]
    assert {int(r["id"]) for r in leads} == {
        p["id"] for p in persons if WINDOW["startAt"] <= p["createdAt"] < WINDOW["endAt"]}
    assert got["usage"][0]["total"] >= 8
    paths = {e["path"] for e in admin.get("/__admin__/journal?limit=1000").json["entries"]}
    assert "/bulk/v1/activities/export/create.json" in paths  # resolved from /rest/../bulk

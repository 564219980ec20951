"""jsforce 3 (from npm, unchanged) against a real server: Bulk 1.0 and 2.0 loads and
queries of 10,000 records, composite, tree, batch, retrieve([ids]) (the POST form of
composite/sobjects), and a query-based update and delete of more than 200 records, which
jsforce switches to the Bulk API on its own. Skips only where Node.js is missing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.clients

SCRIPT = Path(__file__).parent / "clients" / "jsforce_bulk.js"
N = 10_000


def test_jsforce_bulk_composite_and_retrieve(sf, serve, node_tool):
    folder = node_tool("jsforce", ["jsforce@3.10.16"])
    app = sf.make_app(scenario="owner-filter")
    api = sf.Api(app)
    api.admin("patch", "bulk", json={"startDelay": 0, "minSeconds": 0})
    handle = serve(app)
    done = subprocess.run(["node", str(SCRIPT), handle.url, sf.USERNAME, sf.PASSWORD, str(N)],
                          cwd=folder, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NODE_PATH": str(folder / "node_modules")})
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["bulkLoad"] == {"total": N, "ok": N}
    assert out["bulkQuery"]["total"] == N
    assert out["bulkQuery"]["first"]["Id"].startswith("00Q")
    assert out["bulk2Load"] == {"ok": N, "failed": 0}
    assert out["bulk2Query"] == {"total": N}
    assert out["composite"] == [201, 201]
    assert out["tree"] == 2
    assert out["batch"] == [200, 404]
    assert out["createMany"] == 2
    assert all(name and name.startswith("Ja") for name in out["retrieve"])
    assert out["queryUpdate"] == {"total": 300, "ok": 300}
    assert out["queryDestroy"] == {"total": 250, "ok": 250}
    assert api.query("SELECT COUNT() FROM Lead WHERE Title = 'Bulk Updated'").json[
        "totalSize"] == 300
    journal = api.client.get("/__admin__/journal?limit=2000").json["entries"]
    paths = {e["path"] for e in journal}
    assert any(p.startswith("/services/async/59.0/job") for p in paths)  # jsforce's own switch
    assert "/services/data/v59.0/composite/sobjects/Lead" in paths  # retrieve([ids]) by POST

"""jsforce 3, unchanged, from npm, against a real Salesforce mock server: the OAuth2
password login, SOQL with a subquery (and a child list past its page, which autoFetch
follows), paging and an aggregate, SOSL, identity and userinfo, logout (revocation), a
session refreshed with a refresh token by itself, the web-server flow, and the SOAP login
and logout (``clients/jsforce_calls.js``). jsforce takes the login URL it is given, so no
redirection is needed. Marked ``clients``; skips, saying why, only where Node.js is
missing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from fixtures.sfid import IdFactory

pytestmark = pytest.mark.clients
SCRIPT = Path(__file__).with_name("clients") / "jsforce_calls.js"
IDS = IdFactory("5cn")
STAMP = "2026-01-01T00:00:00.000+0000"


def add_tasks(app, n: int) -> None:
    with app.extensions["siasim"].store.transaction() as db:
        db.conn.executemany(
            'INSERT INTO "Task" (Id, Subject, WhoId, OwnerId, Status, Priority, IsClosed, '
            "IsHighPriority, IsDeleted, CreatedDate, LastModifiedDate, SystemModstamp) "
            "VALUES (?, ?, ?, ?, 'Not Started', 'Normal', 0, 0, 0, ?, ?, ?)",
            [(IDS.make("Task", i), f"Task {i}", IDS.make("Lead", 1), IDS.make("User", 1),
              STAMP, STAMP, STAMP) for i in range(1, n + 1)])


@pytest.fixture(scope="module")
def jsforce(node_tool) -> Path:
    return node_tool("jsforce", ["jsforce@3.10.16"])


def test_jsforce_calls(jsforce, app, serve):
    add_tasks(app, 2500)
    server = serve(app)
    done = subprocess.run(["node", str(SCRIPT), server.url], capture_output=True, text=True,
                          timeout=300, cwd=jsforce,
                          env={**os.environ, "NODE_PATH": str(jsforce / "node_modules")})
    assert done.returncode == 0, done.stderr[-4000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])

    assert out["login"].startswith("00D")
    acme = out["query"]["records"][0]
    assert acme["Name"] == "Acme Corp"
    assert acme["Contacts"]["records"][0]["LastName"] == "Contact"
    assert out["queryMore"] == [2000, 500]  # by nextRecordsUrl
    assert out["childPages"] == {"first": [2500, False, 200, True],
                                 "fetched": [2500, True, 2500, 2500]}
    assert out["aggregate"] == [{"attributes": {"type": "AggregateResult"},
                                 "Status": "Not Started", "n": 2500}]
    assert [r["Name"] for r in out["search"]["searchRecords"]] == ["Lena Lead"]
    assert out["identity"]["username"] == "admin@siasim.example"
    assert out["identity"]["organization_id"].startswith("00D")
    assert out["userinfo"]["preferred_username"] == "admin@siasim.example"
    assert out["logout"] is None
    assert out["afterLogout"]["error"] == "INVALID_SESSION_ID"
    assert out["refresh"] == {"totalSize": 4, "refreshed": True}
    assert out["badRefresh"] == {"error": "invalid_grant",
                                 "message": "expired access/refresh token"}
    assert out["authorizationCode"] == {"state": "s1", "count": 4, "refreshToken": "5Aep861",
                                        "refreshed": True, "revoked": "invalid_grant"}
    assert out["soap"] == {"count": 4, "after": "INVALID_SESSION_ID"}
    assert out["badLogin"]["error"] == "Error"
    assert "INVALID_LOGIN" in out["badLogin"]["message"]

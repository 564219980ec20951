"""airbyte-source-marketo 2.1, unchanged, in its own virtualenv, against a real Marketo mock
server: ``spec``, ``check`` (with good and bad credentials), ``discover``, and a ``read`` of
leads (a bulk lead export), Visit Webpage activities (a bulk activity export), lists,
programs and campaigns, whose records must be the mock's, field by field.

The connector takes Marketo's base URL (``domain_url``) and builds every URL from it, the
token's included, so it needs no redirect: ``domain_url`` is the mock's URL. It waits a
fixed 60 s after enqueueing each export job, so the three reads run side by side.
Marked ``clients``; CI runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.clients
PACKAGE = "airbyte-source-marketo==2.1.3"
CLIENT = {"client_id": "siasim-marketo-client", "client_secret": "siasim-marketo-secret"}
# the mock's clock is set inside the world's last days, so that what the test writes falls
# in the one export window of 30 days the connector asks for
NOW = "2026-01-05T12:00:00Z"
RECENT = {"start_date": "2025-12-07T00:00:00Z", "end_date": "2026-01-06T00:00:00Z"}
# lists and campaigns are filtered by createdAt on the client's side: their whole history
HISTORY = {"start_date": "2024-01-01T00:00:00Z", "end_date": "2026-01-06T00:00:00Z"}
VISITS = "activities_visit_webpage"


@pytest.fixture
def airbyte(python_tool, make_app, serve, tmp_path):
    bin_dir = python_tool("airbyte-source-marketo", [PACKAGE])
    app = make_app()
    admin = app.test_client()
    admin.post("/__admin__/clock", json={"set": NOW})
    admin.patch("/__admin__/exports", json={"startDelay": 0, "minSeconds": 0,
                                            "rowsPerSecond": 10**9})
    server = serve(app)

    def config(name: str, **settings) -> Path:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"domain_url": server.url, **CLIENT, **settings}))
        return path

    def start(*args: str | Path) -> subprocess.Popen:
        return subprocess.Popen([str(bin_dir / "source-marketo"), *map(str, args)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": ""})

    def finish(process: subprocess.Popen, fails: bool = False) -> list[dict]:
        out, err = process.communicate(timeout=600)
        messages = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        failures = [m for m in messages if m["type"] == "TRACE"
                    and m["trace"]["type"] == "ERROR"]
        if fails:
            assert process.returncode != 0 and failures, messages[-5:]
        else:
            assert process.returncode == 0 and not failures, (failures, err[-3000:])
        return failures if fails else messages

    return admin, config, start, finish, tmp_path


def _one(messages: list[dict], kind: str) -> dict:
    found = [m for m in messages if m["type"] == kind]
    assert len(found) == 1, messages[-5:]
    return found[0]


def _records(messages: list[dict]) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = {}
    for m in messages:
        if m["type"] == "RECORD":
            records.setdefault(m["record"]["stream"], []).append(m["record"]["data"])
    return records


def _configured(streams: dict[str, dict], names: tuple[str, ...]) -> dict:
    return {"streams": [
        {"stream": streams[name], "sync_mode": "incremental",
         "cursor_field": streams[name]["default_cursor_field"],
         "destination_sync_mode": "append"} for name in names]}


def _rows(admin, table: str) -> list[dict]:
    return admin.get(f"/__admin__/state?table={table}&limit=100000").json["rows"]


def _text(value) -> object:
    # the connector types a CSV cell by its own schema: compare what was meant
    return value if isinstance(value, bool) or value is None else str(value)


def test_spec_check_discover_and_read(airbyte):
    admin, config, start, finish, folder = airbyte
    api = admin.get("/identity/oauth/token?grant_type=client_credentials"
                    "&client_id={client_id}&client_secret={client_secret}".format(**CLIENT))
    token = {"Authorization": f"Bearer {api.json['access_token']}"}
    # a custom field, a new person carrying it, and an old person changed now
    created = admin.post("/rest/v1/leads/schema/fields.json", headers=token, json={"input": [
        {"name": "favouriteColour", "displayName": "Favourite Colour",
         "dataType": "string"}]}).json
    assert created["result"][0]["status"] == "created"
    old = min((p for p in _rows(admin, "leads") if p["updatedAt"] < RECENT["start_date"]),
              key=lambda p: p["id"])
    for body in ({"action": "createOnly", "input": [{"email": "ada.airbyte@example.com",
                  "firstName": "Ada", "favouriteColour": "teal"}]},
                 {"action": "updateOnly", "lookupField": "id",
                  "input": [{"id": old["id"], "title": "Head of Data"}]}):
        written = admin.post("/rest/v1/leads.json", headers=token, json=body).json
        assert written["result"][0]["status"] in ("created", "updated"), written

    recent, history = config("recent", **RECENT), config("history", **HISTORY)
    wrong = config("wrong", **RECENT, client_secret="not-the-secret")
    # each call is a process that takes seconds to start: they run side by side
    spec, check, refused, discover = (
        start("spec"), start("check", "--config", recent),
        start("check", "--config", wrong), start("discover", "--config", recent))
    spec = _one(finish(spec), "SPEC")["spec"]["connectionSpecification"]
    assert {"domain_url", "client_id", "client_secret", "start_date"} <= set(spec["required"])
    assert _one(finish(check), "CONNECTION_STATUS")["connectionStatus"]["status"] \
        == "SUCCEEDED"
    # bad credentials: Marketo's identity service answers 401, and the connector stops
    failure = finish(refused, fails=True)[0]["trace"]["error"]
    assert "401" in failure["message"] + failure.get("internal_message", "")
    catalog = _one(finish(discover), "CATALOG")["catalog"]
    streams = {s["name"]: s for s in catalog["streams"]}
    assert {"leads", VISITS, "activities_new_lead", "lists", "programs", "campaigns",
            "activities_send_sales_email"} <= set(streams)
    lead_schema = streams["leads"]["json_schema"]["properties"]
    assert lead_schema["favouriteColour"]["type"] == ["string", "null"]
    assert {"sfdcLeadOwnerId", "email", "leadScore"} <= set(lead_schema)

    def read(name: str, cfg: Path, names: tuple[str, ...]) -> subprocess.Popen:
        path = folder / f"{name}-catalog.json"
        path.write_text(json.dumps(_configured(streams, names)))
        return start("read", "--config", cfg, "--catalog", path)

    running = [read("leads", recent, ("leads",)), read("visits", recent, (VISITS,)),
               read("marketing", history, ("lists", "programs", "campaigns"))]
    records: dict[str, list[dict]] = {}
    for process in running:
        records.update(_records(finish(process)))

    # leads: every person updated in the window, every value the mock holds
    describe = {f["rest"]["name"]: f["dataType"] for f in admin.get(
        "/rest/v1/leads/describe.json", headers=token).json["result"]}
    persons = {p["id"]: p for p in _rows(admin, "leads")
               if RECENT["start_date"] <= p["updatedAt"] < RECENT["end_date"]}
    got = {r["id"]: r for r in records["leads"]}
    assert old["id"] in persons and len(persons) > 2 and set(got) == set(persons)
    for lead_id, record in got.items():
        for name, kind in describe.items():
            stored = persons[lead_id].get(name)
            if kind == "boolean" and stored is not None:
                stored = bool(stored)
            assert _text(record.get(name)) == _text(stored), (lead_id, name)
    ada = next(r for r in got.values() if r.get("email") == "ada.airbyte@example.com")
    assert ada["favouriteColour"] == "teal" and got[old["id"]]["title"] == "Head of Data"

    # Visit Webpage activities in the window, their attributes as columns of their own
    visits = {str(a["id"]): a for a in _rows(admin, "activities")
              if a["activityTypeId"] == 1
              and RECENT["start_date"] <= a["activityDate"] < RECENT["end_date"]}
    synced = {r["marketoGUID"]: r for r in records[VISITS]}
    assert visits and set(synced) == set(visits)
    for guid, record in synced.items():
        stored = visits[guid]
        assert (record["leadId"], record["activityDate"], record["activityTypeId"]) == (
            stored["leadId"], stored["activityDate"], 1)
        assert record["primaryAttributeValue"] == stored["primaryAttributeValue"]
        assert record["primaryAttributeValueId"] == str(stored["primaryAttributeValueId"])
        attributes = {a["name"]: a["value"] for a in json.loads(stored["attributes"])}
        assert record["webpage_url"] == attributes["Webpage URL"]
        assert record["user_agent"] == attributes["User Agent"]
        assert record["client_ip_address"] == attributes["Client IP Address"]

    # lists, campaigns and programs: each once, each field as the mock holds it
    for stream, table in (("lists", "lists"), ("campaigns", "campaigns"),
                          ("programs", "programs")):
        stored = {row["id"]: row for row in _rows(admin, table)}
        got = [r for r in records[stream]]
        assert stored and sorted(r["id"] for r in got) == sorted(stored), stream
        properties = streams[stream]["json_schema"]["properties"]
        for record in got:
            row = stored[record["id"]]
            for name in set(properties) & set(row):
                want = row[name]
                if properties[name]["type"] in (["null", "boolean"], ["boolean", "null"]):
                    want = None if want is None else bool(want)
                assert record.get(name) == want, (stream, record["id"], name)
    programs = {r["id"]: r for r in records["programs"]}
    assert all(programs[p]["folder"]["value"] == stored[p]["folderId"] for p in stored)

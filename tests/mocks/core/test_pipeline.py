"""The request pipeline: journal, faults, limits, errors, atomic writes."""

from __future__ import annotations


def test_unknown_path_gets_the_service_answer_not_a_traceback(client):
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.json == {"error": "unknown"}


def test_an_exception_in_a_view_writes_nothing_and_shows_no_traceback(client):
    response = client.post("/api/items", json={"names": ["a", "b", ""]})
    assert response.status_code == 500
    assert response.json == {"error": "internal"}
    assert b"Traceback" not in response.data
    assert client.get("/api/items").json == []  # "a" and "b" rolled back with the failure
    assert client.post("/api/items", json={"names": ["a", "b"]}).json == {"added": 2}
    assert client.get("/api/items").json == ["a", "b"]


def test_journal_records_requests_and_masks_secrets(client):
    client.post("/login", data={"user": "ann", "password": "hunter2", "client_secret": "s3"})
    client.get("/api/items?access_token=tok123")
    client.get("/__admin__/health")  # admin calls are not traffic
    entries = client.get("/__admin__/journal").json["entries"]
    assert [e["path"] for e in entries] == ["/login", "/api/items"]
    login = entries[0]
    assert "hunter2" not in login["requestBody"] and "s3" not in login["requestBody"]
    assert "user=ann" in login["requestBody"]
    assert "sekrit" not in login["responseBody"]
    assert "tok123" not in entries[1]["query"]
    assert entries[1]["status"] == 200


def test_journal_filters(client):
    for _ in range(3):
        client.get("/api/items")
    client.post("/login")
    journal = client.get("/__admin__/journal?path=/api/*").json
    assert len(journal["entries"]) == 3
    first = journal["entries"][0]["id"]
    after = client.get(f"/__admin__/journal?after={first}").json["entries"]
    assert len(after) == 3
    assert len(client.get("/__admin__/journal?method=POST").json["entries"]) == 1
    assert len(client.get("/__admin__/journal?limit=2").json["entries"]) == 2
    assert client.get("/__admin__/journal?since=2000-01-01T00:00:00Z").json["entries"]
    assert client.get("/__admin__/journal?since=garbage").status_code == 400
    assert client.delete("/__admin__/journal", json={}).json == {"cleared": True}
    assert client.get("/__admin__/journal").json["entries"] == []


def test_injected_error_for_the_next_n_calls(client):
    fault = client.post("/__admin__/faults", json={"path": "/api/items", "method": "GET",
                                                   "error": "606", "times": 2}).json
    assert fault["remaining"] == 2
    assert client.get("/api/items").json == {"error": "606", "message": "injected"}
    assert client.get("/api/items").json["error"] == "606"
    assert client.get("/api/items").json == []
    assert client.get("/__admin__/faults").json["faults"] == []
    entries = client.get("/__admin__/journal").json["entries"]
    assert entries[0]["fault"].startswith("fault ")


def test_fault_on_status_and_glob(client):
    client.post("/__admin__/faults", json={"path": "/api/*", "status": 503})
    assert client.get("/api/items").status_code == 503
    assert client.post("/login").status_code == 200
    client.delete("/__admin__/faults", json={})
    assert client.get("/api/items").status_code == 200


def test_bad_fault_specs_are_refused(client):
    for spec in ({}, {"error": "1", "status": 500}, {"status": 200}, {"latencyMs": -1},
                 {"drop": "sideways"}, {"error": "606", "times": 0},
                 {"error": "606", "probability": 2}, {"error": "606", "colour": "red"}):
        response = client.post("/__admin__/faults", json=spec)
        assert response.status_code == 400, spec
        assert response.json["message"]
    assert client.post("/__admin__/faults", data="not json").status_code == 415
    assert client.get("/__admin__/faults").json["faults"] == []


def test_probability_faults_repeat_with_the_seed(app):
    def run():
        client = app.test_client()
        client.post("/__admin__/reset", json={})
        app.extensions["siasim"].faults._random.seed(0)
        client.post("/__admin__/faults", json={"path": "/api/items", "status": 500,
                                               "probability": 0.5})
        return [client.get("/api/items").status_code for _ in range(20)]

    first = run()
    assert 500 in first and 200 in first
    assert run() == first


def test_rate_limit_then_clock_moves_it_on(client):
    codes = [client.get("/api/items").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert client.get("/api/items").json == {"error": "limit:rate"}
    assert client.post("/login").status_code == 200  # not counted
    client.post("/__admin__/clock", json={"advance": 21})
    assert client.get("/api/items").status_code == 200


def test_daily_quota_resets_on_a_new_day(client):
    client.patch("/__admin__/limits", json={"rate_calls": None, "daily": 3})
    assert [client.get("/api/items").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get("/api/items").json == {"error": "limit:daily"}
    client.post("/__admin__/clock", json={"advance": 86_400})
    assert client.get("/api/items").status_code == 200
    usage = client.get("/__admin__/limits").json
    assert usage["callsToday"] == 1 and usage["settings"]["daily"] == 3


def test_limit_settings_are_validated(client):
    assert client.patch("/__admin__/limits", json={"daily": -1}).status_code == 400
    assert client.patch("/__admin__/limits", json={"bogus": 1}).status_code == 400
    assert client.get("/__admin__/limits").json["settings"]["daily"] == 100


def test_clock_moves_only_forward_and_validates(client):
    before = client.get("/__admin__/clock").json
    assert client.post("/__admin__/clock", json={"advance": -5}).status_code == 400
    moved = client.post("/__admin__/clock", json={"advance": 3600}).json
    assert moved["offsetSeconds"] >= before["offsetSeconds"] + 3600
    assert client.post("/__admin__/clock", json={"set": "2030-01-01T00:00:00Z"}).json[
        "now"].startswith("2030-01-01T00:00:0")
    frozen = client.post("/__admin__/clock", json={"freeze": True}).json
    assert frozen["frozen"] and client.get("/__admin__/clock").json["now"] == frozen["now"]
    assert client.post("/__admin__/clock", json={"set": "not a date"}).status_code == 400
    assert client.post("/__admin__/clock", json={"advance": 1, "set": "x"}).status_code == 400
    assert client.post("/__admin__/clock", json={"reset": True}).json["offsetSeconds"] == 0


def test_reset_and_state(client):
    client.post("/api/items", json={"names": ["x"]})
    assert client.get("/__admin__/state").json["tables"]["items"] == 1
    rows = client.get("/__admin__/state?table=items").json
    assert rows["rows"] == [{"id": 1, "name": "x"}]
    assert client.get("/__admin__/state?table=nope").status_code == 404
    assert client.get("/__admin__/state?table=items&limit=x").status_code == 400
    client.post("/__admin__/faults", json={"error": "1"})
    assert client.post("/__admin__/reset", json={}).json == {"reset": True}
    assert client.get("/__admin__/state").json["tables"]["items"] == 0
    assert client.get("/__admin__/faults").json["faults"] == []


def test_seed_validates_its_arguments(client):
    for body in ({"seed": "x"}, {"profile": "galactic"}, {"people": 0}, {"people": True}):
        assert client.post("/__admin__/seed", json=body).status_code == 400, body
    assert client.post("/__admin__/seed", json=[1]).status_code == 400


def test_seed_a_named_scenario():
    from mocks.marketo import MarketoConfig, create_app

    app = create_app(MarketoConfig(world=None))
    client = app.test_client()
    assert client.get("/__admin__/state").json["tables"]["leads"] == 0
    seeded = client.post("/__admin__/seed", json={"scenario": "owner-filter"}).json
    assert seeded["seeded"] == {"scenario": "owner-filter"}
    assert client.get("/__admin__/state").json["tables"]["leads"] == 6
    assert client.post("/__admin__/seed", json={"scenario": "nope"}).status_code == 400
    assert client.post("/__admin__/seed",
                       json={"scenario": "duplicates", "seed": 3}).status_code == 400
    assert client.get("/__admin__/state").json["tables"]["leads"] == 6
    app.extensions["siasim"].store.close()


def test_date_header_follows_the_mock_clock(client):
    from email.utils import parsedate_to_datetime

    client.post("/__admin__/clock", json={"set": "2031-05-06T07:08:09Z"})
    stamp = parsedate_to_datetime(client.get("/api/items").headers["Date"])
    assert stamp.isoformat().startswith("2031-05-06T07:08")

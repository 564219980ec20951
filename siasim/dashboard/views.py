"""The dashboard's page and the JSON it polls for what only the mocks know.

SIA's side of the page comes from SIA's own API (``/api``, ``engine.http_api``); this
blueprint adds the page itself and ``/dashboard/api``: a person as Salesforce and Marketo
hold them, the mocks' request journals as one live feed, and the buttons that inject
faults and move the mocks' clocks.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from engine.sia import SIA
from engine.worker import Worker
from siasim.dashboard import controls
from siasim.dashboard.mockadmin import MockAdmin, MockRefused, MockUnreachable
from siasim.dashboard.person import person_view

FEED_FIRST = 40  # entries per mock on the page's first load
FEED_MAX = 200  # entries per mock per poll, at most
SNIPPET = 600  # characters of a request or response body shown in the feed


def _json_error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    return response


#: the calls that log in or fetch a token: neither reads nor writes of the data
AUTH_PATHS = {"marketo": ("/identity/",),
              "salesforce": ("/services/oauth2/", "/services/Soap/")}


def call_kind(service: str, entry: dict) -> str:
    """"auth", "read" or "write": what the feed's "writes only" keeps is the writes. A POST
    with ``_method=GET`` (how marketorestpython reads leads) is a read."""
    if entry["path"].startswith(AUTH_PATHS.get(service, ())):
        return "auth"
    method = entry.get("methodOverride") or entry["method"]
    return "read" if method in ("GET", "HEAD") else "write"


def _entry(service: str, entry: dict) -> dict:
    query = entry.get("query") or ""
    return {"service": service, "id": entry["id"], "time": entry["time"],
            "method": entry["method"], "kind": call_kind(service, entry),
            "path": entry["path"] + (f"?{query}" if query else ""),
            "status": entry["status"], "ms": round(entry.get("durationMs") or 0),
            "fault": entry.get("fault"),
            "request": (entry.get("requestBody") or "")[:SNIPPET],
            "response": (entry.get("responseBody") or "")[:SNIPPET]}


def _after(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None


def create_dashboard(sia: SIA, worker: Worker, mocks: dict[str, MockAdmin],
                     salesforce_sync: bool = False) -> Blueprint:
    bp = Blueprint("dashboard", __name__, template_folder="templates",
                   static_folder="static", static_url_path="/dashboard/static")

    def mock(service: str) -> MockAdmin:
        if service not in mocks:
            raise MockRefused(404, f"no mock '{service}'; mocks: {', '.join(mocks)}")
        return mocks[service]

    def body() -> dict:
        # as in SIA's API: a cross-site form cannot send JSON without the browser asking
        if request.mimetype != "application/json":
            raise MockRefused(415, "send a JSON body with Content-Type: application/json")
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise MockRefused(400, "the body must be a JSON object")
        return data

    @bp.errorhandler(MockUnreachable)
    def unreachable(exc: MockUnreachable):
        return _json_error(502, "MOCK_UNREACHABLE", str(exc))

    @bp.errorhandler(MockRefused)
    def refused(exc: MockRefused):
        return _json_error(exc.status, "MOCK_REFUSED", exc.message)

    @bp.get("/")
    def page():
        return render_template(
            "dashboard.html", mocks=[m.link for m in mocks.values()],
            settings=sia.settings.describe(), faults=controls.FAULTS,
            clock_steps=controls.CLOCK_STEPS,
            salesforce_sync=salesforce_sync)

    @bp.get("/dashboard/api/person/<int:marketo_id>")
    def person(marketo_id: int):
        return jsonify(person_view(mock("marketo"), mock("salesforce"), marketo_id))

    @bp.get("/dashboard/api/feed")
    def feed():
        """New journal entries of both mocks since the ids the page has seen."""
        out = {}
        for name, admin in mocks.items():
            after = _after(name)
            try:
                journal = admin.journal(after, FEED_FIRST if after is None else FEED_MAX)
            except MockUnreachable as exc:
                out[name] = {"error": str(exc)}
                continue
            out[name] = {"lastId": journal["lastId"],
                         "entries": [_entry(name, e) for e in journal["entries"]]}
        return jsonify(out)

    @bp.get("/dashboard/api/mocks")
    def mocks_state():
        out = {}
        for name, admin in mocks.items():
            try:
                out[name] = {"title": admin.link.title, "url": admin.link.url,
                             "clock": admin.call("GET", "/clock"),
                             "faults": admin.call("GET", "/faults")["faults"]}
            except MockUnreachable as exc:
                out[name] = {"title": admin.link.title, "url": admin.link.url,
                             "error": str(exc)}
        return jsonify(out)

    @bp.post("/dashboard/api/mocks/<service>/faults")
    def add_fault(service: str):
        admin = mock(service)
        data = body()
        chosen = controls.preset(service, str(data.get("preset", "")))
        if chosen is None:
            keys = ", ".join(p.key for p in controls.FAULTS.get(service, ()))
            raise MockRefused(400, f"no fault preset {data.get('preset')!r} for {service}; "
                                   f"presets: {keys}")
        if chosen.rule is None:
            admin.call("POST", "/tokens/expire")
            return jsonify({"expired": True})
        return jsonify(admin.call("POST", "/faults", json=chosen.rule)), 201

    @bp.delete("/dashboard/api/mocks/<service>/faults")
    def clear_faults(service: str):
        body()
        return jsonify(mock(service).call("DELETE", "/faults"))

    @bp.post("/dashboard/api/mocks/<service>/clock")
    def move_clock(service: str):
        data = body()
        if data == {"reset": True}:
            return jsonify(mock(service).call("POST", "/clock", json={"reset": True}))
        seconds = data.get("advance")
        allowed = {s for _, s in controls.CLOCK_STEPS}
        if set(data) != {"advance"} or seconds not in allowed:
            raise MockRefused(400, "give {\"advance\": seconds} with seconds one of "
                                   f"{sorted(allowed)}, or {{\"reset\": true}}")
        return jsonify(mock(service).call("POST", "/clock", json={"advance": seconds}))

    @bp.post("/dashboard/api/marketo/salesforce-sync")
    def run_marketo_salesforce_sync():
        """Marketo's own Salesforce sync, one run now (then SIA's next pass sees it)."""
        body()
        if not salesforce_sync:
            raise MockRefused(404, "this Marketo mock has no Salesforce sync to run")
        result = mock("marketo").call("POST", controls.MARKETO_SALESFORCE_SYNC_RUN)
        worker.wake()
        return jsonify(result)

    return bp

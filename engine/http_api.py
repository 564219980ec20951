"""SIA's HTTP API: what the dashboard, scripts and the CLI use to work with the engine.

A Flask blueprint under ``/api`` over one :class:`SIA` and its :class:`Worker`:

- people, read-only (P-READONLY: creating, editing or deleting one answers 405), a
  person's own activity log (P-OWN-DB), the Smart Grid live from Marketo (A-GRID), their
  emails, and their reminder tasks (T-*);
- what sellers do: send an email and record what became of it, log a call, add to or
  remove from a sales campaign, unsubscribe and resubscribe;
- settings (S-SETTINGS; the field mapping is fixed, P-FIELDS-FIXED), and the sync: its
  status and a trigger for each kind of run.

Every answer is JSON. A refusal is the engine's error (``{"error", "message"}`` with the
error's status); bad input is 400 with a message and writes nothing; never a traceback.
Anything that writes takes a JSON body (``Content-Type: application/json``, ``{}`` when
there is nothing to say): a browser will not send that across origins without asking,
so another web page cannot make SIA act behind its user's back.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from engine.errors import EngineError, InvalidInput, NotFound, ReadOnlyPeople
from engine.fields import SYNCED_FIELDS
from engine.settings import BY_KEY as SETTINGS
from engine.sia import READ_ONLY_MESSAGE, SIA
from engine.worker import Worker

log = logging.getLogger("siasim.engine.http")

API_PREFIX = "/api"
PAGE = 50  # people per page unless asked
MAX_PAGE = 500
#: columns a people search looks in
SEARCHED = ("first_name", "last_name", "email", "company", "title")
RESTARTS_A_SYNC = ("salesforce.sync_tasks",)  # T-FIRST-SYNC: switching on starts over


class Unsupported(EngineError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415


def _error(exc: EngineError) -> Response:
    response = jsonify(exc.to_dict())
    response.status_code = exc.status
    if isinstance(exc, ReadOnlyPeople):
        response.headers["Allow"] = "GET, HEAD"
    return response


def _body(allowed: tuple[str, ...] = (), required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request's JSON object, with only known fields: a typo is an error, not a no-op."""
    if request.mimetype != "application/json":
        raise Unsupported("send a JSON body with Content-Type: application/json "
                          "({} when there is nothing to say)")
    data = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        known = ", ".join(allowed) if allowed else "none"
        raise InvalidInput(f"unknown fields: {', '.join(unknown)} (fields: {known})")
    missing = [name for name in required if data.get(name) in (None, "")]
    if missing:
        raise InvalidInput(f"missing fields: {', '.join(missing)}")
    return data


def _int_arg(name: str, default: int, maximum: int | None = None) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit():
        raise InvalidInput(f"'{name}' must be a whole number")
    value = int(raw)
    return min(value, maximum) if maximum else value


def create_api(sia: SIA, worker: Worker) -> Blueprint:
    bp = Blueprint("sia_api", __name__, url_prefix=API_PREFIX)

    @bp.errorhandler(EngineError)
    def refused(exc: EngineError) -> Response:
        return _error(exc)

    @bp.get("")
    def index():
        return jsonify({"service": "Sales Insight Actions (siasim reference engine)",
                        "routes": sorted(f"{' '.join(sorted(r.methods - {'HEAD', 'OPTIONS'}))} "
                                         f"{r.rule}" for r in _routes())})

    # --- people: read-only (P-READONLY) --------------------------------------------------------
    @bp.get("/people")
    def people():
        limit = _int_arg("limit", PAGE, MAX_PAGE)
        offset = _int_arg("offset", 0)
        # ?all=true: also the people no longer qualified or deleted in Marketo (kept, marked)
        everyone = request.args.get("all", "").lower() in ("1", "true", "yes")
        where, params = (["1 = 1"] if everyone else ["status = 'active'"]), []
        query = request.args.get("q", "").strip()
        if query:
            if query.isdigit():
                where.append("marketo_id = ?")
                params.append(int(query))
            else:
                like = f"%{query.lower()}%"
                where.append("(" + " OR ".join(f"LOWER({c}) LIKE ?" for c in SEARCHED)
                             + " OR LOWER(first_name || ' ' || last_name) LIKE ?)")
                params.extend([like] * (len(SEARCHED) + 1))
        sql = " AND ".join(where)
        total = sia.db.query(f"SELECT COUNT(*) AS n FROM people WHERE {sql}", tuple(params))
        ids = sia.db.query(f"SELECT marketo_id FROM people WHERE {sql} ORDER BY marketo_id "
                           "LIMIT ? OFFSET ?", (*params, limit, offset))
        return jsonify({"total": total[0]["n"], "offset": offset,
                        "people": [sia.person(r["marketo_id"]) for r in ids]})

    @bp.get("/people/<int:marketo_id>")
    def person(marketo_id: int):
        return jsonify(sia.person(marketo_id))

    @bp.route("/people", methods=["POST", "PUT", "PATCH", "DELETE"])
    def create_person():
        raise ReadOnlyPeople(READ_ONLY_MESSAGE)

    @bp.route("/people/<marketo_id>", methods=["POST", "PUT", "PATCH", "DELETE"])
    def edit_person(marketo_id: str):
        raise ReadOnlyPeople(READ_ONLY_MESSAGE)

    @bp.get("/people/<int:marketo_id>/activities")
    def activities(marketo_id: int):
        """SIA's own record of what sellers did, with each activity's delivery to Marketo."""
        sia.person(marketo_id)
        return jsonify({"activities": sia.actions.activities(marketo_id)})

    @bp.get("/people/<int:marketo_id>/smart-grid")
    def smart_grid(marketo_id: int):
        """A-GRID: asked of Marketo on every load; nothing is cached."""
        return jsonify({"activities": sia.smart_grid(marketo_id)})

    # --- emails --------------------------------------------------------------------------------
    @bp.get("/people/<int:marketo_id>/emails")
    def emails(marketo_id: int):
        sia.person(marketo_id)
        rows = sia.db.query("SELECT id, subject, marker, sent_at FROM emails "
                            "WHERE marketo_id = ? ORDER BY id DESC", (marketo_id,))
        events = sia.db.query(
            "SELECT email_id, kind, at FROM email_events WHERE email_id IN "
            "(SELECT id FROM emails WHERE marketo_id = ?) ORDER BY id", (marketo_id,))
        return jsonify({"emails": [
            {"id": r["id"], "subject": r["subject"], "marker": r["marker"],
             "sentAt": r["sent_at"],
             "events": [{"event": e["kind"], "at": e["at"]} for e in events
                        if e["email_id"] == r["id"]]} for r in rows]})

    @bp.post("/people/<int:marketo_id>/emails")
    def send_email(marketo_id: int):
        data = _body(("subject", "body", "campaign"), required=("subject",))
        result = worker.run(sia.send_email, marketo_id, data["subject"], data.get("body", ""),
                            data.get("campaign"))
        return jsonify(result), 201

    @bp.post("/emails/<int:email_id>/events")
    def email_event(email_id: int):
        data = _body(("event", "link", "details"), required=("event",))
        result = worker.run(sia.record_email_event, email_id, data["event"], data.get("link"),
                            data.get("details"))
        return jsonify(result), 201

    # --- calls, campaigns, unsubscribes --------------------------------------------------------
    @bp.post("/people/<int:marketo_id>/calls")
    def log_call(marketo_id: int):
        names = {"subject": "subject", "status": "status", "duration": "duration",
                 "answeredBy": "answered_by", "phone": "phone", "recordingUrl": "recording_url",
                 "campaign": "campaign", "notes": "notes"}
        data = _body(tuple(names), required=("subject",))
        call = {names[k]: v for k, v in data.items() if k != "subject"}
        result = worker.run(sia.log_call, marketo_id, data["subject"], **call)
        return jsonify(result), 201

    @bp.post("/people/<int:marketo_id>/campaigns")
    def add_to_campaign(marketo_id: int):
        data = _body(("campaign",), required=("campaign",))
        return jsonify(worker.run(sia.add_to_campaign, marketo_id, data["campaign"])), 201

    @bp.delete("/people/<int:marketo_id>/campaigns/<path:campaign>")
    def remove_from_campaign(marketo_id: int, campaign: str):
        _body()
        return jsonify(worker.run(sia.remove_from_campaign, marketo_id, campaign))

    @bp.post("/people/<int:marketo_id>/unsubscribe")
    def unsubscribe(marketo_id: int):
        _body()
        return jsonify(worker.run(sia.unsubscribe, marketo_id))

    @bp.post("/people/<int:marketo_id>/resubscribe")
    def resubscribe(marketo_id: int):
        _body()
        return jsonify(worker.run(sia.resubscribe, marketo_id))

    # --- reminder tasks (T-*) ------------------------------------------------------------------
    task_fields = {"name": "name", "details": "details", "dueDate": "due_date",
                   "priority": "priority", "status": "status"}

    @bp.get("/people/<int:marketo_id>/tasks")
    def tasks(marketo_id: int):
        sia.person(marketo_id)
        return jsonify({"tasks": sia.reminders.list(marketo_id)})

    @bp.post("/people/<int:marketo_id>/tasks")
    def create_task(marketo_id: int):
        data = _body(("name", "details", "dueDate", "priority"), required=("name",))
        person = sia.actions.person(marketo_id)
        task = worker.run(sia.reminders.create, person, data["name"], data.get("dueDate"),
                          data.get("priority", "Normal"), data.get("details"))
        return jsonify(task), 201

    @bp.get("/tasks")
    def all_tasks():
        return jsonify({"tasks": sia.tasks()})

    @bp.get("/tasks/<int:task_id>")
    def task(task_id: int):
        return jsonify(_public_task(sia, task_id))

    @bp.patch("/tasks/<int:task_id>")
    def edit_task(task_id: int):
        data = _body(tuple(task_fields))
        changes = {task_fields[k]: v for k, v in data.items()}
        return jsonify(worker.run(sia.reminders.edit, task_id, changes))

    @bp.post("/tasks/<int:task_id>/complete")
    def complete_task(task_id: int):
        _body()
        return jsonify(worker.run(sia.reminders.complete, task_id))

    @bp.delete("/tasks/<int:task_id>")
    def delete_task(task_id: int):
        _body()
        return jsonify(worker.run(sia.reminders.delete, task_id))

    # --- settings (S-SETTINGS, P-FIELDS-FIXED) ------------------------------------------------
    @bp.get("/settings")
    def settings():
        return jsonify({"settings": sia.settings.describe()})

    @bp.route("/settings/<path:key>", methods=["PUT", "PATCH"])
    def change_setting(key: str):
        data = _body(("value",))
        if "value" not in data:
            raise InvalidInput("missing fields: value")
        # A switch is one local write, read by the next action: it need not wait behind a
        # sync pass that is pacing itself under Marketo's limit. Switching task sync on
        # restarts that sync's cursors, so that one waits for the pass to end.
        if key in RESTARTS_A_SYNC:
            value = worker.run(sia.set_setting, key, data["value"])
        else:
            value = sia.set_setting(key, data["value"])
        return jsonify({"key": key, "value": value})

    @bp.get("/settings/<path:key>")
    def setting(key: str):
        if key not in SETTINGS:
            raise NotFound(f"no setting '{key}'; settings: {', '.join(SETTINGS)}")
        return jsonify({"key": key, "value": sia.settings.get(key)})

    @bp.get("/fields")
    def fields():
        # the fixed table itself: shown before any endpoint is configured (S-INITIATE)
        return jsonify({"fields": [{"field": f.label, "marketoField": f.marketo}
                                   for f in SYNCED_FIELDS]})

    @bp.route("/fields", methods=["PUT", "PATCH", "POST"])
    def map_fields():
        sia.configure_field_mapping(request.get_json(silent=True) or {})
        return jsonify({})  # never reached: the mapping is fixed

    # --- the sync ------------------------------------------------------------------------------
    @bp.get("/sync")
    def sync_status():
        return jsonify({**sia.status(), "worker": worker.status()})

    @bp.post("/sync/initial")
    def sync_initial():
        """S-INITIATE: an admin starts the data sync (safe to repeat: it continues)."""
        _body()
        return jsonify(worker.run(sia.initiate_sync).to_dict())

    @bp.post("/sync/changes")
    def sync_changes():
        _body()
        return jsonify(worker.run(sia.sync_changes).to_dict())

    @bp.post("/sync/unsubscribes")
    def sync_unsubscribes():
        """One pass of the unsubscribe sync with Salesforce (U-SF-TWO-WAY)."""
        _body()
        return jsonify(worker.run(sia.sync_unsubscribes))

    @bp.post("/sync/tasks")
    def sync_tasks():
        """One pass of the reminder task sync (T-TWO-WAY), when task sync is on."""
        _body()
        return jsonify(worker.run(sia.sync_tasks))

    @bp.post("/sync/run")
    def sync_run():
        """One pass of every periodic sync now, as the continuous mode runs them."""
        _body()
        return jsonify(worker.sync_pass())

    def _routes():
        return [r for r in current_app.url_map.iter_rules()
                if r.rule.startswith(API_PREFIX + "/")]

    return bp


def _public_task(sia: SIA, task_id: int) -> dict:
    row = sia.reminders.get(task_id)  # NotFound for an unknown or deleted task
    return next(t for t in sia.reminders.list(row["marketo_id"]) if t["id"] == task_id)


def install_error_handlers(app: Flask) -> None:
    """JSON for every failure under ``/api``, a plain page elsewhere; never a traceback."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith(API_PREFIX):
            response = jsonify({"error": exc.name.upper().replace(" ", "_"),
                                "message": f"{request.method} {request.path}: {exc.description}"
                                           " (GET /api lists the routes)"})
            response.status_code = exc.code or 500
            for name, value in exc.get_headers():
                if name == "Allow":
                    response.headers[name] = value
            return response
        return exc

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error in %s %s", request.method, request.path)
        response = jsonify({"error": "INTERNAL", "message": "SIA failed unexpectedly; the "
                            "server's log has the details"})
        response.status_code = 500
        return response


def create_app(sia: SIA, worker: Worker | None = None) -> Flask:
    """SIA's API alone (tests, or a headless SIA); ``siasim up`` adds the dashboard."""
    app = Flask("siasim.sia")
    app.json.sort_keys = False
    app.register_blueprint(create_api(sia, worker or Worker(sia)))
    install_error_handlers(app)
    return app

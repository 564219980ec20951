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

The views are module-level functions of one blueprint (:data:`api`); the :class:`SIA` and
:class:`Worker` they serve are the app's (:func:`install_api`), and every query they need
is a method of the :class:`SIA` facade: no SQL here.
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


api = Blueprint("sia_api", __name__, url_prefix=API_PREFIX)
_EXTENSION = "siasim.sia_api"


def install_api(app: Flask, sia: SIA, worker: Worker) -> None:
    """Serve SIA's API under ``/api`` in ``app``, over ``sia`` and its ``worker``."""
    app.extensions[_EXTENSION] = (sia, worker)
    app.register_blueprint(api)


def _sia() -> SIA:
    return current_app.extensions[_EXTENSION][0]


def _worker() -> Worker:
    return current_app.extensions[_EXTENSION][1]


@api.errorhandler(EngineError)
def refused(exc: EngineError) -> Response:
    return _error(exc)


@api.get("")
def index():
    routes = [r for r in current_app.url_map.iter_rules() if r.rule.startswith(API_PREFIX + "/")]
    return jsonify({"service": "Sales Insight Actions (siasim reference engine)",
                    "routes": sorted(f"{' '.join(sorted(r.methods - {'HEAD', 'OPTIONS'}))} "
                                     f"{r.rule}" for r in routes)})


# --- people: read-only (P-READONLY) ------------------------------------------------------------
@api.get("/people")
def people():
    limit = _int_arg("limit", PAGE, MAX_PAGE)
    offset = _int_arg("offset", 0)
    total, found = _sia().search_people(request.args.get("q", ""), limit, offset)
    return jsonify({"total": total, "offset": offset, "people": found})


@api.get("/people/<int:marketo_id>")
def person(marketo_id: int):
    return jsonify(_sia().person(marketo_id))


@api.route("/people", methods=["POST", "PUT", "PATCH", "DELETE"])
def create_person():
    raise ReadOnlyPeople(READ_ONLY_MESSAGE)


@api.route("/people/<marketo_id>", methods=["POST", "PUT", "PATCH", "DELETE"])
def edit_person(marketo_id: str):
    raise ReadOnlyPeople(READ_ONLY_MESSAGE)


@api.get("/people/<int:marketo_id>/activities")
def activities(marketo_id: int):
    """SIA's own record of what sellers did, with each activity's delivery to Marketo."""
    _sia().person(marketo_id)  # a person who left SIA's list keeps their record
    return jsonify({"activities": _sia().actions.activities(marketo_id)})


@api.get("/people/<int:marketo_id>/smart-grid")
def smart_grid(marketo_id: int):
    """A-GRID: asked of Marketo on every load; nothing is cached."""
    return jsonify({"activities": _sia().smart_grid(marketo_id)})


# --- emails ------------------------------------------------------------------------------------
@api.get("/people/<int:marketo_id>/emails")
def emails(marketo_id: int):
    return jsonify({"emails": _sia().emails(marketo_id)})


@api.post("/people/<int:marketo_id>/emails")
def send_email(marketo_id: int):
    data = _body(("subject", "body", "campaign"), required=("subject",))
    result = _worker().run(_sia().send_email, marketo_id, data["subject"],
                           data.get("body", ""), data.get("campaign"))
    return jsonify(result), 201


@api.post("/emails/<int:email_id>/events")
def email_event(email_id: int):
    data = _body(("event", "link", "details"), required=("event",))
    result = _worker().run(_sia().record_email_event, email_id, data["event"],
                           data.get("link"), data.get("details"))
    return jsonify(result), 201


# --- calls, campaigns, unsubscribes ------------------------------------------------------------
#: a call's JSON fields, by the engine's argument names
CALL_FIELDS = {"subject": "subject", "status": "status", "duration": "duration",
               "answeredBy": "answered_by", "phone": "phone", "recordingUrl": "recording_url",
               "campaign": "campaign", "notes": "notes"}


@api.post("/people/<int:marketo_id>/calls")
def log_call(marketo_id: int):
    data = _body(tuple(CALL_FIELDS), required=("subject",))
    call = {CALL_FIELDS[k]: v for k, v in data.items() if k != "subject"}
    result = _worker().run(_sia().log_call, marketo_id, data["subject"], **call)
    return jsonify(result), 201


@api.post("/people/<int:marketo_id>/campaigns")
def add_to_campaign(marketo_id: int):
    data = _body(("campaign",), required=("campaign",))
    return jsonify(_worker().run(_sia().add_to_campaign, marketo_id, data["campaign"])), 201


@api.delete("/people/<int:marketo_id>/campaigns/<path:campaign>")
def remove_from_campaign(marketo_id: int, campaign: str):
    _body()
    return jsonify(_worker().run(_sia().remove_from_campaign, marketo_id, campaign))


@api.post("/people/<int:marketo_id>/unsubscribe")
def unsubscribe(marketo_id: int):
    _body()
    return jsonify(_worker().run(_sia().unsubscribe, marketo_id))


@api.post("/people/<int:marketo_id>/resubscribe")
def resubscribe(marketo_id: int):
    _body()
    return jsonify(_worker().run(_sia().resubscribe, marketo_id))


# --- reminder tasks (T-*) ----------------------------------------------------------------------
#: a task's JSON fields, by the engine's names
TASK_FIELDS = {"name": "name", "details": "details", "dueDate": "due_date",
               "priority": "priority", "status": "status"}


@api.get("/people/<int:marketo_id>/tasks")
def tasks(marketo_id: int):
    _sia().person(marketo_id)
    return jsonify({"tasks": _sia().reminders.list(marketo_id)})


@api.post("/people/<int:marketo_id>/tasks")
def create_task(marketo_id: int):
    data = _body(("name", "details", "dueDate", "priority"), required=("name",))
    task = _worker().run(_sia().create_task, marketo_id, data["name"], data.get("dueDate"),
                         data.get("priority", "Normal"), data.get("details"))
    return jsonify(task), 201


@api.get("/tasks/<int:task_id>")
def task(task_id: int):
    return jsonify(_sia().task(task_id))


@api.patch("/tasks/<int:task_id>")
def edit_task(task_id: int):
    data = _body(tuple(TASK_FIELDS))
    changes = {TASK_FIELDS[k]: v for k, v in data.items()}
    return jsonify(_worker().run(_sia().edit_task, task_id, changes))


@api.post("/tasks/<int:task_id>/complete")
def complete_task(task_id: int):
    _body()
    return jsonify(_worker().run(_sia().complete_task, task_id))


@api.delete("/tasks/<int:task_id>")
def delete_task(task_id: int):
    _body()
    return jsonify(_worker().run(_sia().delete_task, task_id))


# --- settings (S-SETTINGS, P-FIELDS-FIXED) -----------------------------------------------------
@api.get("/settings")
def settings():
    return jsonify({"settings": _sia().settings.describe()})


@api.route("/settings/<path:key>", methods=["PUT", "PATCH"])
def change_setting(key: str):
    data = _body(("value",))
    if "value" not in data:
        raise InvalidInput("missing fields: value")
    # A switch is one local write, read by the next action: it need not wait behind a
    # sync pass that is pacing itself under Marketo's limit. Switching task sync on
    # restarts that sync's cursors, so that one waits for the pass to end.
    if key in RESTARTS_A_SYNC:
        value = _worker().run(_sia().set_setting, key, data["value"])
    else:
        value = _sia().set_setting(key, data["value"])
    return jsonify({"key": key, "value": value})


@api.get("/settings/<path:key>")
def setting(key: str):
    if key not in SETTINGS:
        raise NotFound(f"no setting '{key}'; settings: {', '.join(SETTINGS)}")
    return jsonify({"key": key, "value": _sia().settings.get(key)})


@api.get("/fields")
def fields():
    # the fixed table itself: shown before any endpoint is configured (S-INITIATE)
    return jsonify({"fields": [{"field": f.label, "marketoField": f.marketo}
                               for f in SYNCED_FIELDS]})


@api.route("/fields", methods=["PUT", "PATCH", "POST"])
def map_fields():
    _sia().configure_field_mapping(request.get_json(silent=True) or {})
    return jsonify({})  # never reached: the mapping is fixed


# --- the sync ----------------------------------------------------------------------------------
@api.get("/sync")
def sync_status():
    return jsonify({**_sia().status(), "worker": _worker().status()})


@api.post("/sync/initial")
def sync_initial():
    """S-INITIATE: an admin starts the data sync (safe to repeat: it continues)."""
    _body()
    return jsonify(_worker().run(_sia().initiate_sync).to_dict())


@api.post("/sync/changes")
def sync_changes():
    _body()
    return jsonify(_worker().run(_sia().sync_changes).to_dict())


@api.post("/sync/run")
def sync_run():
    """One pass of every periodic sync now, as the continuous mode runs them."""
    _body()
    return jsonify(_worker().sync_pass())


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
    install_api(app, sia, worker or Worker(sia))
    install_error_handlers(app)
    return app

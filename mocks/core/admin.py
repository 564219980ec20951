"""The admin API both mocks share, under ``/__admin__/``.

It is how tests, the conformance kit and the dashboard set up and observe a mock without
going through the API under test: reset and seed the state, dump it, read the request
journal, inject faults, move the clock, expire tokens, tune the limits. Services add
their own admin routes to the same prefix (``admin_routes``).

Bad admin input is answered 400 with ``{"error", "message"}`` and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from mocks.core.clock import parse_instant
from mocks.core.faults import FaultSpecError
from mocks.core.service import AdminError, current_mock
from mocks.core.worlds import world_from_request

ADMIN_PREFIX = "/__admin__"


def admin_error(message: str, status: int = 400) -> Response:
    response = jsonify({"error": "Bad Request" if status == 400 else "Error", "message": message})
    response.status_code = status
    return response


def json_body(required: bool = False) -> dict:
    data = request.get_json(silent=True)
    if data is None:
        if required or request.get_data():
            raise AdminError("the body must be a JSON object")
        return {}
    if not isinstance(data, dict):
        raise AdminError("the body must be a JSON object")
    return data


def int_arg(name: str, default: int | None = None, minimum: int = 0) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise AdminError(f"'{name}' must be a whole number") from None
    if value < minimum:
        raise AdminError(f"'{name}' must be at least {minimum}")
    return value


def admin_blueprint() -> Blueprint:
    bp = Blueprint("admin", __name__, url_prefix=ADMIN_PREFIX)

    @bp.get("/health")
    def health():
        ctx = current_mock()
        return jsonify({"status": "ok", "service": ctx.name, "time": ctx.clock.describe()["now"]})

    @bp.post("/reset")
    def reset():
        ctx = current_mock()
        json_body()
        ctx.service.reset()
        ctx.journal.clear()
        ctx.faults.clear()
        ctx.limits.reset()
        ctx.clock.reset()
        return jsonify({"reset": True})

    @bp.post("/seed")
    def seed():
        ctx = current_mock()
        world, described = world_from_request(json_body())
        counts = ctx.service.load_world(world)
        ctx.journal.clear()
        return jsonify({"seeded": described, "tables": counts})

    @bp.get("/state")
    def state():
        ctx = current_mock()
        limit = int_arg("limit", 100, minimum=0)
        where = {key.removeprefix("where."): request.args.getlist(key)
                 for key in request.args if key.startswith("where.")}
        return jsonify(ctx.service.state(request.args.get("table"), limit, where,
                                         request.args.get("order") or None))

    @bp.get("/journal")
    def journal():
        ctx = current_mock()
        since = request.args.get("since")
        if since:
            try:
                parse_instant(since)
            except ValueError:
                raise AdminError("'since' must be an ISO 8601 instant") from None
        entries = ctx.journal.entries(
            path=request.args.get("path"),
            method=request.args.get("method"),
            since=since,
            after_id=int_arg("after"),
            limit=int_arg("limit"),
        )
        return jsonify({"entries": [e.to_dict() for e in entries],
                        "lastId": ctx.journal.last_id()})

    @bp.delete("/journal")
    def clear_journal():
        current_mock().journal.clear()
        return jsonify({"cleared": True})

    @bp.get("/faults")
    def list_faults():
        return jsonify({"faults": [f.to_dict() for f in current_mock().faults.list()]})

    @bp.post("/faults")
    def add_fault():
        try:
            fault = current_mock().faults.add(json_body(required=True))
        except FaultSpecError as exc:
            raise AdminError(str(exc)) from None
        response = jsonify(fault.to_dict())
        response.status_code = 201
        return response

    @bp.delete("/faults")
    def clear_faults():
        current_mock().faults.clear()
        return jsonify({"cleared": True})

    @bp.delete("/faults/<int:fault_id>")
    def remove_fault(fault_id: int):
        if not current_mock().faults.remove(fault_id):
            raise AdminError(f"no fault {fault_id}", 404)
        return jsonify({"removed": fault_id})

    @bp.get("/clock")
    def get_clock():
        return jsonify(current_mock().clock.describe())

    @bp.post("/clock")
    def move_clock():
        clock = current_mock().clock
        body = json_body(required=True)
        actions = [k for k in ("advance", "set", "freeze", "reset") if k in body]
        if len(actions) != 1:
            raise AdminError("give exactly one of: advance (seconds), set (ISO instant), "
                             "freeze (true/false), reset (true)")
        action = actions[0]
        value = body[action]
        if action == "advance":
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise AdminError("'advance' is a number of seconds, not negative: "
                                 "the clock never runs backwards")
            clock.advance(value)
        elif action == "set":
            try:
                clock.set(parse_instant(str(value)))
            except ValueError:
                raise AdminError("'set' must be an ISO 8601 instant") from None
        elif action == "freeze":
            if not isinstance(value, bool):
                raise AdminError("'freeze' is true or false")
            clock.freeze(value)
        else:
            clock.reset()
        return jsonify(clock.describe())

    @bp.post("/tokens/expire")
    def expire_tokens():
        current_mock().service.expire_tokens()
        return jsonify({"expired": True})

    @bp.get("/limits")
    def get_limits():
        return jsonify(current_mock().limits.usage())

    @bp.patch("/limits")
    def set_limits():
        ctx = current_mock()
        try:
            ctx.limits.update(json_body(required=True))
        except ValueError as exc:
            raise AdminError(str(exc)) from None
        return jsonify(ctx.limits.usage())

    return bp

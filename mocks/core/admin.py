"""The admin API both mocks share, under ``/__admin__/``.

It is how tests, the conformance kit and the dashboard set up and observe a mock without
going through the API under test: reset and seed the state, dump it, read the request
journal, inject faults, move the clock, expire tokens, tune the limits. Services add
their own admin routes to the same prefix (``admin_routes``).

Bad admin input is answered 400 with ``{"error", "message"}`` and changes nothing.

The admin API can reseed the world or expire every token, so no web page may drive it
(:func:`guard`, run by the pipeline before every admin call):

- every write (``POST``, ``PUT``, ``PATCH``, ``DELETE``) carries a JSON body
  (``Content-Type: application/json``) or the header ``X-Siasim-Admin``; a browser sends
  neither across origins without asking first (a CORS preflight, never granted here), so
  a form or a ``fetch`` from a foreign page is refused (415);
- the ``Host`` header names this mock: an IP literal, ``localhost``, or a name it is
  served under (``MockConfig.admin_hosts``); a page that rebinds its own domain name to
  127.0.0.1 (DNS rebinding) still sends its own name, and is refused (403);
- a mock bound to an address other machines can reach requires the admin token it was
  started with (header ``X-Siasim-Admin-Token``; ``siasim serve`` and ``siasim up`` make
  one and print it), 401 without it.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, request

from mocks.core.clock import ClockRangeError, parse_instant
from mocks.core.config import MockConfig
from mocks.core.faults import FaultSpecError
from mocks.core.service import AdminError, current_mock
from mocks.core.worlds import world_from_request

ADMIN_PREFIX = "/__admin__"
#: a header a browser never sends across origins unasked: marks a write as no web page's
ADMIN_HEADER = "X-Siasim-Admin"
TOKEN_HEADER = "X-Siasim-Admin-Token"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """Whether a bind address only this machine can reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def admin_token_for(host: str) -> str | None:
    """A fresh admin token for a server bound to ``host``; none on loopback."""
    return None if is_loopback(host) else secrets.token_urlsafe(24)


def admin_hosts_for(host: str) -> tuple[str, ...]:
    """The names clients may reach a server bound to ``host`` under (besides IP
    literals and localhost, always accepted)."""
    if is_loopback(host):
        return ()
    names = {host.lower(), socket.gethostname().lower(), socket.getfqdn().lower()}
    return tuple(sorted(n for n in names if n and n not in ("0.0.0.0", "::")))


def _host_name(header: str) -> str | None:
    try:
        return urlsplit(f"//{header}").hostname  # lower case, brackets and port gone
    except ValueError:
        return None


def _known_host(name: str | None, config: MockConfig) -> bool:
    if not name:
        return False
    if name == "localhost" or name.endswith(".localhost") or name in config.admin_hosts:
        return True
    try:
        ipaddress.ip_address(name)  # a literal address cannot be rebound by a web page
    except ValueError:
        return False
    return True


def guard(config: MockConfig) -> Response | None:
    """The refusal of an admin call no test, kit or dashboard made; None to let it in."""
    name = _host_name(request.host)
    if not _known_host(name, config):
        return admin_error(f"the admin API answers only under the names this mock is served "
                           f"under, not {request.host[:100]!r}", 403)
    if config.admin_token:
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), config.admin_token.encode()):
            return admin_error(f"this mock's admin API needs the admin token it printed at "
                               f"start, in the header {TOKEN_HEADER}", 401)
    if (request.method not in _READS and request.mimetype != "application/json"
            and ADMIN_HEADER not in request.headers):
        return admin_error(f"an admin write takes a JSON body (Content-Type: "
                           f"application/json, {{}} when there is nothing to say) or the "
                           f"header {ADMIN_HEADER}", 415)
    return None


_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           413: "Payload Too Large", 415: "Unsupported Media Type"}


def admin_error(message: str, status: int = 400) -> Response:
    response = jsonify({"error": _TITLES.get(status, "Error"), "message": message})
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


def apply_settings(settings: object, names: dict[str, str], what: str,
                   at_least_one: tuple[str, ...] = ()) -> None:
    """PATCH a service's job settings from the JSON body: ``names`` maps each camelCase key
    to the attribute of ``settings``; every value a number, 0 or more (1 or more for the
    keys of ``at_least_one``). All checked before any is set, so a bad body changes
    nothing."""
    body = json_body(required=True)
    unknown = set(body) - set(names)
    if unknown:
        raise AdminError(f"unknown {what} settings: {', '.join(sorted(unknown))}; known: "
                         f"{', '.join(names)}")
    for key, value in body.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise AdminError(f"'{key}' must be a number, 0 or more")
        if key in at_least_one and value < 1:
            raise AdminError(f"'{key}' must be at least 1")
    for key, value in body.items():
        setattr(settings, names[key], value)


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
            except (ValueError, OverflowError):
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
            try:
                clock.advance(value)
            except ClockRangeError as exc:
                raise AdminError(str(exc)) from None
        elif action == "set":
            try:
                at = parse_instant(str(value))
            except (ValueError, OverflowError):
                raise AdminError("'set' must be an ISO 8601 instant") from None
            try:
                clock.set(at)
            except ClockRangeError as exc:
                raise AdminError(str(exc)) from None
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

"""Any Python driver behind the HTTP driver protocol: the server side of ``--sut http://``.

``create_app(factory)`` answers the protocol for drivers made by ``factory(workdir)``
(the same factories ``--sut package.module:factory`` takes): one driver, in its own new
folder, per session; ``siasim serve driver`` serves the reference engine this way. Every
answer is JSON: ``{"result": ...}``; a :class:`NotSupported` is ``501``; a body the
protocol does not allow is ``400``; an unknown session ``404``; a driver that raises is
``500`` with the exception's type and message (no traceback: the server's log has it).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from features.contract import NotSupported, Outcome
from features.protocol.methods import (
    BY_PATH,
    METHODS,
    PROTOCOL,
    VERSION,
    endpoints_from_json,
    outcome_to_json,
)

log = logging.getLogger("siasim.driver")


class _Refused(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class Sessions:
    """The open sessions: a driver each, in a folder of its own under ``root``."""

    def __init__(self, factory: Callable[[Path], Any], root: Path | None = None,
                 limit: int = 64) -> None:
        self.factory = factory
        self._temporary = root is None
        self.root = Path(tempfile.mkdtemp(prefix="siasim-driver-")) if root is None else root
        self.root.mkdir(parents=True, exist_ok=True)
        self.limit = limit
        self._drivers: dict[str, Any] = {}
        self._lock = threading.Lock()

    def open(self) -> str:
        with self._lock:
            if len(self._drivers) >= self.limit:
                raise _Refused(503, "busy", f"{self.limit} sessions are open: close one first")
            session = uuid.uuid4().hex[:16]
            workdir = self.root / session
            workdir.mkdir()
            self._drivers[session] = self.factory(workdir)
            return session

    def get(self, session: str) -> Any:
        driver = self._drivers.get(session)
        if driver is None:
            raise _Refused(404, "unknown-session", f"no open session {session!r}")
        return driver

    def close(self, session: str) -> None:
        with self._lock:
            driver = self._drivers.pop(session, None)
        if driver is not None:
            try:
                driver.close()
            except NotSupported:  # nothing to release
                pass
            finally:
                shutil.rmtree(self.root / session, ignore_errors=True)

    def close_all(self) -> None:
        for session in list(self._drivers):
            try:
                self.close(session)
            except Exception:  # shutting down: release the rest
                log.exception("closing session %s", session)
        if self._temporary:
            shutil.rmtree(self.root, ignore_errors=True)


def _arguments(path: str, body: Any) -> dict[str, Any]:
    method = BY_PATH[path]
    if not isinstance(body, dict):
        raise _Refused(400, "bad-request", "the body must be a JSON object of the method's "
                                           "arguments")
    names = {p.name for p in method.parameters}
    unknown = sorted(set(body) - names)
    if unknown:
        raise _Refused(400, "bad-request", f"{method.path} takes no {', '.join(unknown)} "
                                           f"(arguments: {', '.join(sorted(names)) or 'none'})")
    missing = [p.name for p in method.parameters if p.required and p.name not in body]
    if missing:
        raise _Refused(400, "bad-request", f"{method.path} needs {', '.join(missing)}")
    arguments = {p.name: body.get(p.name, p.default) for p in method.parameters}
    if method.name == "configure":
        if not isinstance(arguments["endpoints"], dict):
            raise _Refused(400, "bad-request", "endpoints must be an object")
        try:
            arguments["endpoints"] = endpoints_from_json(arguments["endpoints"])
        except TypeError as exc:
            raise _Refused(400, "bad-request", f"endpoints: {exc}") from None
    return arguments


def _plain(value: Any) -> Any:
    if isinstance(value, Outcome):
        return outcome_to_json(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def create_app(factory: Callable[[Path], Any], root: Path | None = None,
               name: str = "siasim reference engine",
               on_exchange: Callable[[dict], None] | None = None) -> Flask:
    """The protocol over drivers from ``factory``. ``on_exchange`` (tests) sees every
    call: the method's path, the request body, the status and the answer."""
    from features.protocol.openapi import document

    app = Flask("siasim.driver")
    app.json.sort_keys = False
    sessions = Sessions(factory, root)
    app.extensions["siasim-driver"] = sessions

    def answer(body: Any, status: int = 200):
        log.info("%s %s -> %s", request.method, request.path, status)
        if on_exchange is not None:
            on_exchange({"path": request.path, "method": request.method,
                         "request": request.get_json(silent=True), "status": status,
                         "response": body})
        response = jsonify(body)
        response.status_code = status
        return response

    @app.errorhandler(_Refused)
    def refused(exc: _Refused):
        return answer({"error": exc.error, "message": exc.message}, exc.status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return answer({"error": exc.name.lower().replace(" ", "-"),
                       "message": f"{request.method} {request.path}: {exc.description}"},
                      exc.code or 500)

    @app.get("/")
    def hello():
        return answer({"protocol": PROTOCOL, "version": VERSION, "name": name,
                       "methods": [m.path for m in METHODS.values()],
                       "openapi": "/openapi.json"})

    @app.get("/openapi.json")
    def openapi():
        return answer(document())

    @app.post("/sessions")
    def open_session():
        request.get_json(silent=True)  # the scenario's name: for logs only
        return answer({"session": sessions.open()}, 201)

    @app.post("/sessions/<session>/<path>")
    def call(session: str, path: str):
        if path not in BY_PATH:
            raise _Refused(404, "unknown-method", f"no method {path!r} (methods: "
                                                  f"{', '.join(BY_PATH)})")
        driver = sessions.get(session)
        body = request.get_json(silent=True) if request.get_data() else {}
        arguments = _arguments(path, body)
        method = BY_PATH[path]
        if method.name == "close":
            sessions.close(session)
            return answer({"result": None})
        function = getattr(driver, method.name, None)
        if function is None:
            raise _Refused(501, "not-supported", f"the driver has no '{method.name}'")
        try:
            result = function(**arguments)
        except NotSupported as exc:
            raise _Refused(501, "not-supported", str(exc) or method.path) from None
        except Exception as exc:
            log.exception("%s failed", method.name)
            raise _Refused(500, "driver-failed",
                           f"{method.name} raised {type(exc).__name__}: {exc}") from None
        return answer({"result": _plain(result)})

    return app

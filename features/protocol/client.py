"""The kit's driver for an integration behind the HTTP driver protocol.

``--sut http://HOST:PORT`` (any base URL) makes one :class:`HttpDriver` per scenario. It
opens a session (``POST {base}/sessions``), turns every contract call into one JSON
request to ``{base}/sessions/{session}/{method}`` with a timeout, and turns the answer
back: ``{"result": ...}`` is the return value (an :class:`Outcome` for the actions), a
``501`` is :class:`NotSupported`, anything else is the integration failing
(:class:`ProtocolError`, which the kit reports as an error of the scenario).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from features.contract import NotSupported, Outcome
from features.protocol.methods import (
    METHODS,
    PROTOCOL,
    VERSION,
    Method,
    endpoints_to_json,
)

DEFAULT_TIMEOUT = 120.0  # seconds for one call: an initial sync of the kit's worlds is quick
CONNECT_TIMEOUT = 10.0
BUSY = (409, 503)  # a service that runs fewer sessions at once than the kit asks for


class ProtocolError(Exception):
    """The service's answer is not one the protocol allows, or it did not answer."""


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _said(response: requests.Response) -> str:
    body = _json(response)
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return (response.text or response.reason or "").strip()[:500]


class HttpSession:
    """The HTTP side: one ``requests`` session, the base URL, the timeout."""

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False  # a proxy from the environment is not the vendor's URL

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        url = f"{self.base_url}{path}"
        try:
            return self.http.post(url, json=body, timeout=(CONNECT_TIMEOUT, self.timeout))
        except requests.Timeout:
            raise ProtocolError(f"POST {url} did not answer within {self.timeout:g} s "
                                "(--driver-timeout)") from None
        except requests.ConnectionError as exc:
            raise ProtocolError(f"POST {url}: cannot reach the service ({_reason(exc)})") \
                from None

    def hello(self) -> dict[str, Any]:
        """``GET {base}/``: which protocol the service speaks. Raises ProtocolError."""
        url = f"{self.base_url}/"
        try:
            response = self.http.get(url, timeout=(CONNECT_TIMEOUT, self.timeout))
        except requests.RequestException as exc:
            raise ProtocolError(f"no driver answers at {self.base_url} ({_reason(exc)})") \
                from None
        body = _json(response)
        if response.status_code != 200 or not isinstance(body, dict) \
                or body.get("protocol") != PROTOCOL:
            raise ProtocolError(
                f"{self.base_url} does not speak the siasim driver protocol: GET / answered "
                f"{response.status_code} {_said(response)[:200]!r}, not "
                f'{{"protocol": "{PROTOCOL}", "version": {VERSION}, ...}}')
        if body.get("version") != VERSION:
            raise ProtocolError(f"{self.base_url} speaks {PROTOCOL} version "
                                f"{body.get('version')!r}; this kit speaks version {VERSION}")
        return body


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out",
                   "CERTIFICATE_VERIFY_FAILED"):
        if marker in text:
            return marker
    return type(exc).__name__


class HttpDriver:
    """A :class:`features.contract.Driver` whose every call is one request to a service."""

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT,
                 scenario: str | None = None) -> None:
        self.transport = HttpSession(base_url, timeout)
        self.scenario = scenario
        self.session: str | None = None
        #: every call made, for the report: method, body, status, answer, seconds
        self.exchanges: list[dict[str, Any]] = []

    # --- the session -------------------------------------------------------------------------
    def open(self) -> None:
        """``POST {base}/sessions``: a fresh, unconfigured integration for one scenario. A
        busy service (409 or 503) is asked again until the timeout."""
        deadline = time.monotonic() + self.transport.timeout
        pause = 0.05
        while True:
            response = self.transport.post("/sessions", {"scenario": self.scenario})
            body = _json(response)
            if response.status_code in (200, 201) and isinstance(body, dict) \
                    and isinstance(body.get("session"), str | int):
                self.session = str(body["session"])
                return
            if response.status_code in BUSY and time.monotonic() < deadline:
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
                continue
            raise ProtocolError(f"POST /sessions answered {response.status_code}: "
                                f"{_said(response)} (expected 201 with {{\"session\": id}})")

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = METHODS.get(name)
        if method is None:
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call(method, args, kwargs)

        call.__name__ = name
        return call

    def _call(self, method: Method, args: tuple, kwargs: dict) -> Any:
        if self.session is None:
            if method.name == "close":  # nothing was opened: nothing to release
                return None
            self.open()
        body = self._body(method, args, kwargs)
        path = f"/sessions/{self.session}/{method.path}"
        started = time.monotonic()
        response = self.transport.post(path, body)
        answer = _json(response)
        self.exchanges.append({"method": method.name, "path": path, "request": body,
                               "status": response.status_code,
                               "response": answer if answer is not None else response.text,
                               "seconds": round(time.monotonic() - started, 3)})
        if method.name == "close":
            self.session = None
        if response.status_code == 501:
            raise NotSupported(_said(response) or f"{method.path} is not supported")
        if response.status_code != 200:
            raise ProtocolError(f"POST {path} answered {response.status_code}: "
                                f"{_said(response)}")
        if not isinstance(answer, dict) or "result" not in answer:
            raise ProtocolError(f"POST {path}: the answer is not {{\"result\": ...}}: "
                                f"{response.text[:300]!r}")
        return _result(method, answer["result"], path)

    @staticmethod
    def _body(method: Method, args: tuple, kwargs: dict) -> dict[str, Any]:
        signature = inspect.Signature([
            inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              default=inspect.Parameter.empty if p.required else p.default)
            for p in method.parameters])
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()  # the body always has every parameter: simpler servers
        body = dict(bound.arguments)
        if method.name == "configure":
            body["endpoints"] = endpoints_to_json(body["endpoints"])
        return body


_JSON_NAMES = {bool: "boolean", list: "array", dict: "object"}


def _result(method: Method, result: Any, path: str) -> Any:
    """The answer's ``result`` as the contract returns it; a shape the protocol does not
    allow is the service's error, said plainly (not a puzzling failure three steps on)."""
    if method.answers_outcome:
        if not isinstance(result, dict) or not isinstance(result.get("ok"), bool):
            raise ProtocolError(f"POST {path}: result must be an Outcome "
                                f'{{"ok": true|false, "error": ..., "detail": {{...}}}}, '
                                f"not {result!r:.200}")
        detail = {} if result.get("detail") is None else result["detail"]
        if not isinstance(detail, dict):
            raise ProtocolError(f"POST {path}: an Outcome's detail must be an object")
        return Outcome(result["ok"], result.get("error"), detail)
    expected = getattr(method.returns, "__origin__", method.returns)
    if expected in _JSON_NAMES and not isinstance(result, expected):
        raise ProtocolError(f"POST {path}: result must be a JSON {_JSON_NAMES[expected]}, "
                            f"not {result!r:.200}")
    return result


def http_factory(base_url: str, timeout: float = DEFAULT_TIMEOUT) -> Callable[[Path], HttpDriver]:
    """The ``--sut http://...`` factory: ``factory(workdir)`` as for a Python driver (the
    service keeps its own state; the workdir is not used)."""

    def factory(workdir: Path) -> HttpDriver:
        return HttpDriver(base_url, timeout, scenario=workdir.parent.name)

    return factory


def is_url(sut: str) -> bool:
    return sut.startswith(("http://", "https://"))

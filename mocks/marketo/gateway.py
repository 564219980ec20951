"""What Marketo's gateway checks before a REST call reaches its resource.

In order: the URI length (414 past 8 KB), the body size (413 past 1 MB), then the access
token: 600 when there is none, 601 when it is unknown, 602 when it has expired. The
limits and fault rules of the shared core run before all this.

One exception to 600, and why: marketorestpython retries a call refused with a retryable
code (606, 615, ...) but its retry loses the token (it pops it from the arguments it
reuses; jepcastelein/marketo-rest-python#84). Against Marketo that retry is answered 601,
so the client logs in again and recovers. The mock remembers, for a few minutes, each
call it refused with a retryable code (method, path, parameters and body, the token
left out); a token-less call that repeats one of them is such a retry, and gets 601.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from flask import request

from mocks.core.clock import Clock
from mocks.marketo.envelope import ApiError

#: the codes marketorestpython (and Marketo's docs) call retryable
RETRYABLE = frozenset({"502", "604", "606", "608", "615", "713", "1029"})
_REMEMBER_SECONDS = 300.0  # marketorestpython's default max_retry_time
_REMEMBER_CALLS = 2000
_SECRET_PARAMS = frozenset({"access_token"})


def _fingerprint() -> str:
    query = sorted((k, v) for k, v in request.args.items(multi=True)
                   if k not in _SECRET_PARAMS)
    digest = hashlib.sha1(f"{request.method} {request.path} {query}".encode())
    if (request.mimetype or "") == "application/x-www-form-urlencoded":
        form = sorted((k, v) for k, v in request.form.items(multi=True)
                      if k not in _SECRET_PARAMS)
        digest.update(repr(form).encode())
    else:
        digest.update(request.get_data(cache=True))
    return f"{request.remote_addr}|{digest.hexdigest()}"


class RetryMemory:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._refused: OrderedDict[str, float] = OrderedDict()

    def note(self, code: str) -> None:
        """Remember the current call if it was refused with a retryable code."""
        if code not in RETRYABLE:
            return
        key = _fingerprint()
        with self._lock:
            self._refused[key] = self.clock.timestamp() + _REMEMBER_SECONDS
            self._refused.move_to_end(key)
            while len(self._refused) > _REMEMBER_CALLS:
                self._refused.popitem(last=False)

    def is_retry(self) -> bool:
        with self._lock:
            if not self._refused:
                return False
        key = _fingerprint()
        with self._lock:
            until = self._refused.get(key)
            return until is not None and until >= self.clock.timestamp()

    def clear(self) -> None:
        with self._lock:
            self._refused.clear()


def check_sizes(max_uri: int, max_body: int) -> None:
    uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or (
        request.full_path if request.query_string else request.path)
    if len(uri.encode("latin-1", "replace")) > max_uri:
        raise ApiError("414", f"Request-URI Too Long: the URI exceeds {max_uri} bytes; "
                              "send the parameters as a POST form body with _method=GET",
                       status=414)
    length = request.content_length
    if length is None:
        length = len(request.get_data(cache=True))
    if length > max_body:
        raise ApiError("413", f"Request Entity Too Large: the body exceeds {max_body} bytes",
                       status=413)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    token = request.args.get("access_token")
    if not token and (request.mimetype or "") == "application/x-www-form-urlencoded":
        token = request.form.get("access_token")
    return token or None


def remove_dot_segments(path: str) -> str:
    """A path with its ``.`` and ``..`` segments resolved (RFC 3986, 5.2.4)."""
    resolved: list[str] = []
    segments = path.split("/")
    for n, segment in enumerate(segments):
        last = n == len(segments) - 1
        if segment == ".":
            if last:
                resolved.append("")
        elif segment == "..":
            if len(resolved) > 1:
                resolved.pop()
            if last:
                resolved.append("")
        else:
            resolved.append(segment)
    return "/".join(resolved) or "/"


def resolving_dot_segments(wsgi_app):
    """WSGI middleware: node-marketo-rest builds bulk URLs as ``<endpoint>/../bulk/...``
    (its endpoint ends in ``/rest``), which Marketo's front end resolves; so does this."""

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if "/." in path:
            environ["PATH_INFO"] = remove_dot_segments(path)
        return wsgi_app(environ, start_response)

    return app

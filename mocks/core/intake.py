"""What the pipeline accepts of a request before any view sees it: framing, size, JSON,
the numbers in its path.

Every request of every mock, on every route (new blueprints included), goes through
:func:`take_body` first. It checks how the body is framed and reads at most the service's
limit, so a hostile or broken client gets the service's own refusal instead of a hang, a
``MemoryError`` or a traceback:

- ``Content-Length`` must be a whole number of bytes (``-1`` would have the server read
  until the client gives up); one over the limit is refused before a byte of the body is
  read;
- a chunked body is read chunk by chunk up to the limit; a malformed one is refused;
- what was read replaces the input stream, so Flask, the journal and the views all read
  the same bytes, and never the socket.

:func:`parse_json` is the one JSON reader of the mocks (Flask's ``request.get_json`` goes
through it too, see :class:`MockJSONProvider`): besides syntax it refuses nesting deeper
than :data:`MAX_DEPTH` (the stdlib parser would raise ``RecursionError``, and every later
recursive step would too), lone UTF-16 surrogates (no store or encoder can take them),
``NaN``/``Infinity`` and numbers too big for a double (not JSON, and no answer could
carry them back). :func:`dumps` never fails on what a
view echoes back: a lone surrogate that got into a message is written as a JSON escape.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, ValidationError

BODY_KEY = "siasim.body"  # the body as taken, in the environ
MAX_DEPTH = 100  # far beyond any payload of either API; far below Python's recursion limit
_CHUNK = 64 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")
# the raw body may carry a surrogate as an escape or as (invalid) UTF-8 bytes
_RAW_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\xed[\xa0-\xbf]")


class BodyRefused(Exception):
    """A request body refused before any view ran: ``status`` 400 (framing) or 413."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BadJson(ValueError):
    """A body that is not JSON the mocks accept (a ``ValueError``, as ``json`` raises)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # where the syntax broke; None when the JSON is well formed but
        self.column = column  # refused for what it holds (depth, surrogates, a number)


def take_body(environ: dict, limit: int) -> bytes:
    """Read the body (at most ``limit`` bytes) and put it back as the input stream.

    Raises :class:`BodyRefused`; the request then has an empty body, so whatever looks
    at it later (the journal) never touches the socket.
    """
    if environ.get(BODY_KEY) is not None:
        return environ[BODY_KEY]
    try:
        body = _take(environ, limit)
    except BodyRefused:
        _replace(environ, b"")
        raise
    except Exception as exc:  # whatever the server's reader raised: never read again
        _replace(environ, b"")
        raise BodyRefused(400, f"the body could not be read ({type(exc).__name__})") from None
    _replace(environ, body)
    return body


def _replace(environ: dict, body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ[BODY_KEY] = body


def _take(environ: dict, limit: int) -> bytes:
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    declared = (environ.get("CONTENT_LENGTH") or "").strip()
    stream = environ.get("wsgi.input")
    if chunked:
        return _read_chunked(stream, limit)
    if declared:
        if not declared.isascii() or not declared.isdigit():
            raise BodyRefused(400, f"Content-Length must be a whole number of bytes, not "
                                   f"{declared[:40]!r}")
        length = int(declared) if len(declared) <= 18 else limit + 1  # int() of 5,000 digits
        if length > limit:
            raise BodyRefused(413, f"the body ({declared[:40]} bytes) exceeds the limit "
                                   f"of {limit} bytes")
        return _read_exactly(stream, length)
    return b""


def _read_chunked(stream, limit: int) -> bytes:
    parts, size = [], 0
    if getattr(stream, "maxlen", None) == 0:
        # cheroot reads a chunk whole, as big as its size line says ("ffffffffffff"): its
        # own cap keeps that read within reach of the limit (chunk lines count too)
        stream.maxlen = 2 * limit + _CHUNK
    try:
        while True:
            piece = stream.read(min(_CHUNK, limit + 1 - size))
            if not piece:
                break
            parts.append(piece)
            size += len(piece)
            if size > limit:
                raise BodyRefused(413, f"the body exceeds the limit of {limit} bytes")
    except (ValueError, OSError) as exc:  # cheroot: "Bad chunked transfer size", resets
        if "Too Large" in str(exc):
            raise BodyRefused(413, f"the body exceeds the limit of {limit} bytes") from None
        raise BodyRefused(400, f"malformed chunked body ({exc})"[:300]) from None
    except MemoryError:
        raise BodyRefused(413, f"the body exceeds the limit of {limit} bytes") from None
    except Exception as exc:  # cheroot's MaxSizeExceeded
        if "Too Large" in str(exc) or type(exc).__name__ == "MaxSizeExceeded":
            raise BodyRefused(413, f"the body exceeds the limit of {limit} bytes") from None
        raise
    return b"".join(parts)


def _read_exactly(stream, length: int) -> bytes:
    parts, size = [], 0
    try:
        while size < length:
            piece = stream.read(min(_CHUNK, length - size))
            if not piece:
                break
            parts.append(piece)
            size += len(piece)
    except (ValueError, OSError) as exc:
        raise BodyRefused(400, f"the body could not be read ({exc})"[:300]) from None
    if size < length:
        raise BodyRefused(400, f"the body ended after {size} of the {length} bytes its "
                               "Content-Length announced")
    return b"".join(parts)


# --- JSON in ---------------------------------------------------------------------------------
def _no_constant(name: str):
    raise BadJson(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise BadJson(f"the number {text[:30]} is out of range")
    return value


def parse_json(raw: bytes | str) -> Any:
    """JSON as the mocks accept it; :class:`BadJson` (with line and column) otherwise."""
    try:
        value = json.loads(raw, parse_constant=_no_constant, parse_float=_float)
    except BadJson:
        raise
    except json.JSONDecodeError as exc:
        raise BadJson(exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise BadJson(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:  # int digits limit, undecodable bytes
        raise BadJson(str(exc)[:200]) from None
    check_shape(value, _RAW_SURROGATE.search(raw if isinstance(raw, bytes)
                                             else raw.encode("utf-8", "surrogatepass"))
                is not None)
    return value


def check_shape(value: Any, strings: bool = True) -> None:
    """Refuse nesting past :data:`MAX_DEPTH` and (when ``strings``) lone surrogates."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > MAX_DEPTH:
                raise BadJson(f"the JSON is nested deeper than {MAX_DEPTH} levels")
            for key, child in item.items():
                if strings and _SURROGATE.search(key):
                    raise _surrogate()
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            if depth > MAX_DEPTH:
                raise BadJson(f"the JSON is nested deeper than {MAX_DEPTH} levels")
            stack.extend((child, depth + 1) for child in item)
        elif strings and isinstance(item, str) and _SURROGATE.search(item):
            raise _surrogate()


def _surrogate() -> BadJson:
    return BadJson("invalid Unicode: a lone UTF-16 surrogate (\\ud800-\\udfff) is not a "
                   "character")


# --- JSON out --------------------------------------------------------------------------------
def escape_surrogates(text: str) -> str:
    """JSON text that encodes as UTF-8: a lone surrogate becomes its ``\\uXXXX`` escape
    (it can only sit inside a JSON string, where that escape means the same)."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(value: Any, **kwargs) -> str:
    return escape_surrogates(json.dumps(value, **kwargs))


class MockJSONProvider(DefaultJSONProvider):
    """Flask's JSON for the mocks: :func:`parse_json` in, surrogate-safe out."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return parse_json(s)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return escape_surrogates(super().dumps(obj, **kwargs))


# --- paths -----------------------------------------------------------------------------------
class StoredInt(IntegerConverter):
    """``<int:...>`` in a route matches only what SQLite can hold (a 64-bit integer): a
    bigger number is no ID the store could have, so the route does not match (the
    service's "not found"), instead of an ``OverflowError`` in the view."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if not -(2**63) <= number < 2**63:
            raise ValidationError()
        return number


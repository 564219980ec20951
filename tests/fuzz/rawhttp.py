"""One HTTP/1.1 exchange over a bare socket: for requests no client library would send
(a negative Content-Length, a broken chunk, a body shorter than announced)."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field


@dataclass
class RawAnswer:
    status: int | None  # None: no answer before the timeout or the connection closed
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0
    timed_out: bool = False

    def json(self):
        return json.loads(self.body)


def exchange(host: str, port: int, data: bytes, timeout: float = 10.0,
             close_after_send: bool = False) -> RawAnswer:
    """Send ``data`` as it is, read the answer until the server closes or a whole answer
    (by its Content-Length) has arrived. ``close_after_send``: then say that nothing more
    comes (a body shorter than announced ends there, instead of keeping the server
    waiting for the rest)."""
    started = time.monotonic()
    received = b""
    timed_out = False
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if close_after_send:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may refuse and close before reading everything
        try:
            while True:
                piece = sock.recv(65536)
                if not piece:
                    break
                received += piece
                if _complete(received):
                    break
        except TimeoutError:
            timed_out = True
        except OSError:
            pass  # reset after the answer
    answer = _parse(received)
    answer.seconds = time.monotonic() - started
    answer.timed_out = timed_out and answer.status is None
    return answer


def _complete(received: bytes) -> bool:
    head, sep, body = received.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip() or 0)
    return False


def _parse(received: bytes) -> RawAnswer:
    head, sep, body = received.partition(b"\r\n\r\n")
    if not sep:
        return RawAnswer(None)
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return RawAnswer(None)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return RawAnswer(status, headers, body)


def request_bytes(method: str, path: str, headers: dict[str, str] | None = None,
                  body: bytes = b"", content_length: str | None = "auto") -> bytes:
    """A request as bytes; ``content_length`` "auto" (the body's), None (left out) or any
    text to send as it is."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if content_length == "auto":
        lines.append(f"Content-Length: {len(body)}")
    elif content_length is not None:
        lines.append(f"Content-Length: {content_length}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body

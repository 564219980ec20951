"""Serving a mock: cheroot (a threaded production WSGI server), TLS on demand, port 0.

``start_server`` runs the server in a background thread and returns a handle with its
real URL, so tests start a mock on a free port and stop it when done, and the CLI runs
the same thing in the foreground.
"""

from __future__ import annotations

import errno
import logging
import shutil
import socket
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

#: Where a request's connection lives in the WSGI environ, so a fault can drop it.
SOCKET_KEY = "siasim.socket"
#: Set in the environ by the app when the connection must close after this answer (a body
#: refused unread: what is left of it on the socket is no next request).
CLOSE_KEY = "siasim.close"
#: The most a request line and its headers may take together. cheroot reads them whole
#: into memory when left unlimited (a 100 MB header line cost 400 MB); Salesforce refuses
#: more than 16,384 bytes, Marketo a URI over 8 KB, so this is far beyond any real
#: request, and a service's own, smaller limit still answers first. cheroot refuses what
#: is over it as a front end would: 414 for the request line, 413 for the headers.
MAX_HEAD_BYTES = 1024 * 1024

log = logging.getLogger("siasim.serving")


class _Gateway(wsgi.Gateway_10):
    """cheroot's WSGI gateway, plus the connection's socket in the environ."""

    def get_environ(self):
        env = super().get_environ()
        env[SOCKET_KEY] = self.req.conn.socket
        return env

    def start_response(self, status, headers, exc_info=None):
        if self.env.get(CLOSE_KEY):
            self.req.close_connection = True
        return super().start_response(status, headers, exc_info)


class PortInUse(RuntimeError):
    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"port {port} on {host} is already in use; choose another with "
                         f"--port, or --port 0 for any free port")
        self.host, self.port = host, port


@dataclass
class TLSFiles:
    cert: Path
    key: Path
    ca: Path
    temporary: bool = False  # a folder made for this run: removed, private key and all

    def remove(self) -> None:
        if self.temporary:
            shutil.rmtree(self.cert.parent, ignore_errors=True)


class ServerHandle:
    def __init__(self, server: wsgi.Server, scheme: str, tls: TLSFiles | None) -> None:
        self.server = server
        self.scheme = scheme
        self.tls = tls
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self.server.bind_addr[0]

    @property
    def port(self) -> int:
        return self.server.bind_addr[1]

    @property
    def url(self) -> str:
        host = self.host
        if ":" in host:
            host = f"[{host}]"
        return f"{self.scheme}://{host}:{self.port}"

    def serve_in_thread(self) -> ServerHandle:
        self._thread = threading.Thread(target=self._serve, name=f"siasim-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        try:
            self.server.serve()
        except Exception:  # the server stopping under us is not worth a traceback
            log.debug("server loop ended", exc_info=True)

    def serve_forever(self) -> None:
        self.server.serve()

    def stop(self) -> None:
        self.server.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.tls is not None:
            self.tls.remove()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def make_server(app, host: str = "127.0.0.1", port: int = 0, *, threads: int = 16,
                tls: TLSFiles | None = None) -> ServerHandle:
    """Bind (so the port is known and a clash is reported now) without serving yet."""
    server = wsgi.Server((host, port), app, numthreads=threads, request_queue_size=64,
                         timeout=30, shutdown_timeout=2)
    server.max_request_header_size = MAX_HEAD_BYTES
    server.gateway = _Gateway
    server.error_log = _quiet_error_log
    if tls is not None:
        server.ssl_adapter = BuiltinSSLAdapter(str(tls.cert), str(tls.key))
    try:
        server.prepare()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE or "already in use" in str(exc).lower():
            raise PortInUse(host, port) from exc
        raise
    return ServerHandle(server, "https" if tls else "http", tls)


def start_server(app, host: str = "127.0.0.1", port: int = 0, *, threads: int = 16,
                 tls: TLSFiles | None = None) -> ServerHandle:
    """Bind and serve in a background thread; ``handle.stop()`` ends it."""
    handle = make_server(app, host, port, threads=threads, tls=tls).serve_in_thread()
    _wait_until_listening(handle)
    return handle


def _wait_until_listening(handle: ServerHandle, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if handle.server.ready:
            return
        time.sleep(0.005)


def _quiet_error_log(msg: str = "", level: int = 20, traceback: bool = False) -> None:
    # cheroot reports client disconnects (our own dropped-connection faults among them)
    # as errors with tracebacks; they are routine here, so they go to debug logging.
    log.debug("cheroot: %s", msg, exc_info=traceback)


def drop_connection(environ: dict) -> None:
    """Reset the client's connection now: the client sees it dropped, with no answer."""
    sock = environ.get(SOCKET_KEY)
    if sock is None:
        return
    try:
        # linger on, timeout 0: close() sends a reset, as a crashed peer would
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass

"""A forward proxy that stands in for real services' hosts: ``--proxy``.

Clients that hard-code the real hosts (a Singer tap building
``https://<munchkin>.mktorest.com``, a Salesforce client logging in at
``login.salesforce.com``) reach the mocks unchanged with ``HTTPS_PROXY`` pointing here and
the local CA trusted. A ``CONNECT`` to a host a route claims is answered, the tunnel's TLS
is ended here with a certificate for that very name (minted by ``LocalCA``), and each
request in it is passed to the mock over plain HTTP on loopback (or the mock's own TLS),
so the mock's whole pipeline (limits, faults, journal) applies. Any other host is refused:
nothing leaves the machine through this proxy.

The mock is told the address the client used (``X-Siasim-Forwarded-Base``) so that the
links it hands out (Salesforce's ``instance_url``, ``serverUrl``) lead back through the
proxy. A connection the mock drops (a ``drop`` fault) is dropped on the client too.
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from mocks.core.tls import LocalCA

#: the header that tells a mock the base URL a proxied client used
FORWARDED_BASE_HEADER = "X-Siasim-Forwarded-Base"
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization",
               "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade",
               FORWARDED_BASE_HEADER.lower()}
TIMEOUT = 120

log = logging.getLogger("siasim.proxy")


@dataclass(frozen=True)
class Upstream:
    """Where a proxied host's calls go, and the base URL its links should carry."""

    url: str  # the mock: http://127.0.0.1:8401
    public_base: str  # https://login.salesforce.com's instance: https://siasim.my.salesforce.com
    verify: str | None = None  # the CA of a mock served over TLS


#: ``route(host, port)``: the upstream for a CONNECT target, or None to refuse it
Route = Callable[[str, int], Upstream | None]


def forwarded_base(headers) -> str | None:
    """The base URL a client reached a mock at through the proxy (an ``https://`` origin),
    or None: a value that is not a bare origin is ignored."""
    value = headers.get(FORWARDED_BASE_HEADER)
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.path or parts.query:
        return None
    return value


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # a client gone mid-answer is routine for a proxy: the log, not the terminal
        log.debug("proxy connection from %s ended badly", client_address, exc_info=True)


class ForwardProxy:
    """An HTTP(S) forward proxy on ``host:port`` (0: a free one), serving in a thread."""

    def __init__(self, route: Route, ca: LocalCA, host: str = "127.0.0.1", port: int = 0,
                 describe_routes: str = "") -> None:
        self.route = route
        self.ca = ca
        self.describe_routes = describe_routes
        handler = type("Handler", (_ProxyHandler,), {"proxy": self})
        self.server = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def serve_in_thread(self) -> ForwardProxy:
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        name=f"siasim-proxy-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)


class _Forwarding(BaseHTTPRequestHandler):
    """Passes each request to an upstream and its answer back."""

    protocol_version = "HTTP/1.1"
    upstream: Upstream
    _connection: http.client.HTTPConnection | None = None

    def log_message(self, format: str, *args) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _upstream_connection(self) -> http.client.HTTPConnection:
        if self._connection is None:
            parts = urlsplit(self.upstream.url)
            if parts.scheme == "https":
                context = ssl.create_default_context(cafile=self.upstream.verify)
                self._connection = http.client.HTTPSConnection(
                    parts.hostname, parts.port, timeout=TIMEOUT, context=context)
            else:
                self._connection = http.client.HTTPConnection(parts.hostname, parts.port,
                                                              timeout=TIMEOUT)
        return self._connection

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def forward(self, path: str) -> None:
        body = self._body()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        headers[FORWARDED_BASE_HEADER] = self.upstream.public_base
        try:
            connection = self._upstream_connection()
            connection.request(self.command, path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            # the mock dropped the call (a fault) or is gone: so is the client's connection
            log.debug("upstream %s failed: %s", self.upstream.url, exc)
            self._connection = None
            _reset(self.connection)
            self.close_connection = True
            return
        self.send_response_only(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        if answer.will_close:
            self.send_header("Connection", "close")
            self.close_connection = True
            self._connection = None
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if self._connection is not None:
                self._connection.close()


class _TunnelHandler(_Forwarding):
    """The requests inside one CONNECT tunnel, after its TLS is ended here."""

    def __init__(self, request, client_address, server, upstream: Upstream) -> None:
        self.upstream = upstream
        super().__init__(request, client_address, server)

    def _any(self) -> None:
        if not self.path.startswith("/"):
            self.path = urlsplit(self.path)._replace(scheme="", netloc="").geturl() or "/"
        self.forward(self.path)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any


class _ProxyHandler(BaseHTTPRequestHandler):
    """A client of the proxy: ``CONNECT host:443``, or a plain ``GET http://...``."""

    protocol_version = "HTTP/1.1"
    proxy: ForwardProxy

    def log_message(self, format: str, *args) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _refuse(self, status: int, message: str) -> None:
        body = (f"siasim proxy: {message}\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _upstream(self, host: str, port: int) -> Upstream:
        upstream = self.proxy.route(host.lower(), port)
        if upstream is None:
            served = f" (it serves {self.proxy.describe_routes})" if \
                self.proxy.describe_routes else ""
            raise _Refused(403, f"{host}:{port} is not a service this proxy stands in "
                                f"for{served}; nothing else goes through it")
        return upstream

    def do_CONNECT(self) -> None:
        host, _, port_text = self.path.rpartition(":")
        host = host.strip("[]")
        if not host or not port_text.isdigit():
            self._refuse(400, f"CONNECT takes host:port, not {self.path[:200]!r}")
            return
        try:
            upstream = self._upstream(host, int(port_text))
        except _Refused as exc:
            self._refuse(exc.status, exc.message)
            return
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        try:
            tunnel = self.proxy.ca.context_for(host).wrap_socket(self.connection,
                                                                 server_side=True)
        except (ssl.SSLError, OSError) as exc:  # a client that does not trust our CA
            log.info("TLS with a client for %s failed: %s", host, exc)
            self.close_connection = True
            return
        try:
            _TunnelHandler(tunnel, self.client_address, self.server, upstream)
        finally:
            try:
                tunnel.close()
            except OSError:
                pass
        self.close_connection = True

    def _plain(self) -> None:
        # a real service's API is HTTPS only: a plain request through the proxy gets what
        # the real host would say, no answer of a mock
        target = urlsplit(self.path)
        try:
            self._upstream(target.hostname or "", 443)  # served, were it asked over https?
        except _Refused as exc:
            self._refuse(exc.status, exc.message)
            return
        self._refuse(403, f"{target.hostname} is served over HTTPS only: use https://")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _plain


def _reset(sock: socket.socket) -> None:
    """Close with a reset, as a crashed peer would."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass

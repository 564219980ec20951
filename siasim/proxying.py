"""``--proxy``: which real hosts the forward proxy stands in for, and which mock serves each.

Marketo's REST API lives at ``https://<munchkin id>.mktorest.com``; Salesforce logs users
in at ``login.salesforce.com`` (``test.salesforce.com`` for sandboxes) and sends them on to
their org's own ``https://<my domain>.my.salesforce.com``. Through the proxy a login sends
them on to ``https://siasim.my.salesforce.com``, which is the Salesforce mock too.
"""

from __future__ import annotations

from mocks.core.proxy import ForwardProxy, Upstream
from mocks.core.tls import LocalCA
from siasim.stack import RunningMock

PROXY_PORT = 8404
MARKETO_SUFFIX = ".mktorest.com"
SALESFORCE_LOGINS = ("login.salesforce.com", "test.salesforce.com")
MY_DOMAIN_SUFFIX = ".my.salesforce.com"
#: the org a login through the proxy leads to (its instance_url)
INSTANCE_HOST = "siasim.my.salesforce.com"
HTTPS = 443


def _label(host: str, suffix: str) -> bool:
    """``host`` is ``<something>.suffix`` with a valid first part."""
    head = host[: -len(suffix)] if host.endswith(suffix) else ""
    return bool(head) and all(part and part.replace("-", "").isalnum()
                              for part in head.split("."))


def stands_in_for(marketo: bool, salesforce: bool) -> str:
    names = (["*.mktorest.com"] if marketo else []) + (
        [*SALESFORCE_LOGINS, "*.my.salesforce.com"] if salesforce else [])
    return ", ".join(names)


def start_proxy(ca: LocalCA, host: str, port: int,
                mocks: dict[str, RunningMock | None]) -> ForwardProxy:
    """The proxy for the mocks named in ``mocks`` ("marketo", "salesforce"), bound now
    (``OSError`` on a clash) and serving in a thread. A mock's entry may be filled in
    later: until it is, its hosts are refused."""

    def upstream(name: str, public: str) -> Upstream | None:
        mock = mocks.get(name)
        if mock is None:
            return None
        tls = mock.handle.tls
        return Upstream(mock.url, f"https://{public}", str(tls.ca) if tls else None)

    def route(host_name: str, target_port: int) -> Upstream | None:
        if target_port != HTTPS:
            return None
        if "marketo" in mocks and _label(host_name, MARKETO_SUFFIX):
            return upstream("marketo", host_name)
        if "salesforce" in mocks and host_name in SALESFORCE_LOGINS:
            return upstream("salesforce", INSTANCE_HOST)
        if "salesforce" in mocks and _label(host_name, MY_DOMAIN_SUFFIX):
            return upstream("salesforce", host_name)
        return None

    proxy = ForwardProxy(route, ca, host, port,
                         describe_routes=stands_in_for("marketo" in mocks,
                                                       "salesforce" in mocks))
    return proxy.serve_in_thread()


def proxy_port_in_use(host: str, port: int, option: str = "--proxy-port") -> str:
    return (f"proxy port {port} on {host} is already in use; choose another with {option}, "
            "or 0 for any free port")


def proxy_environment(proxy_url: str, ca_file: str) -> dict[str, str]:
    """What a client's process needs to go through the proxy (plain HTTP too, which it
    refuses: the real services speak HTTPS only) and trust its CA: requests
    (``REQUESTS_CA_BUNDLE``), OpenSSL-based clients (``SSL_CERT_FILE``), Node.js
    (``NODE_EXTRA_CA_CERTS``)."""
    return {"HTTPS_PROXY": proxy_url, "https_proxy": proxy_url,
            "HTTP_PROXY": proxy_url, "http_proxy": proxy_url,
            "REQUESTS_CA_BUNDLE": ca_file, "SSL_CERT_FILE": ca_file,
            "NODE_EXTRA_CA_CERTS": ca_file}


def describe_proxy(proxy: ForwardProxy, ca_file: str) -> list[str]:
    env = proxy_environment(proxy.url, ca_file)
    shown = " ".join(f"{k}={v}" for k, v in env.items() if not k.islower())
    return [f"{'Proxy:':<18} {proxy.url}  (for clients that hard-code the real hosts)",
            f"  {'stands in for:':<16} {proxy.describe_routes}; refuses every other host",
            f"  {'CA file:':<16} {ca_file}",
            f"  {'a client runs with:':<16} export {shown}"]

"""Send generated bad requests to a running mock and judge every answer.

A request fails the run when it gets:
- a 5xx, or the service's own word for an internal error (Marketo's 611 comes with HTTP
  200, Salesforce's ``UNKNOWN_EXCEPTION`` with 500); a SOAP fault is the one 500 that is a
  refusal (SOAP 1.1 sends every fault so, Salesforce's login among them);
- a traceback, in the answer or in the mock's log (any record logged with an exception);
- no answer within :data:`HANG_SECONDS` (a hang), or the connection closed with none;
- an answer that is not the service's own (an API error that is not JSON), unless the
  request was broken at the HTTP level, which the HTTP server itself refuses, as a real
  front end would;
- a partial write: the request was refused (HTTP 4xx, or Marketo's ``success: false``) and
  yet the mock's database changed. Changes are seen through ``PRAGMA data_version`` on a
  connection of the fuzzer's own, which moves whenever any other connection commits.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.fuzz.generator import FuzzRequest, RequestFuzzer
from tests.fuzz.rawhttp import exchange

HANG_SECONDS = 10.0
INTERNAL = {"marketo": ('"code":"611"',), "salesforce": ("UNKNOWN_EXCEPTION",)}


class Tracebacks(logging.Handler):
    """Every record a mock logs with an exception attached."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # cheroot's own notes of clients that hang up are routine (serving.py)
        if record.exc_info and record.name != "siasim.serving":
            self.records.append(record)


@dataclass
class Target:
    service: str
    host: str
    port: int
    db: str  # the mock's SQLite file


@dataclass
class Report:
    service: str
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # 5xx, tracebacks, hangs, ...
    seconds: float = 0.0

    def fail(self, what: str, request: FuzzRequest, detail: str) -> None:
        self.counts[what] += 1
        if len(self.failures) < 25:
            self.failures.append(f"{what}: {request.describe()}\n  -> {detail[:500]}")

    def summary(self) -> str:
        classes = Counter(f"{s // 100}xx" if s else "none" for s in self.statuses.elements())
        figures = ", ".join(f"{k} {self.counts[k]}" for k in
                            ("5xx", "tracebacks", "hangs", "no answer", "not the service's",
                             "partial writes", "SOAP faults"))
        return (f"{self.service}: {self.sent} bad requests in {self.seconds:.1f} s "
                f"({dict(sorted(classes.items()))}; kinds {dict(sorted(self.kinds.items()))}): "
                f"{figures}")


def _refused(service: str, status: int, body: bytes) -> bool:
    if status >= 400:
        return True
    if service == "marketo":
        try:
            answer = json.loads(body)
        except ValueError:
            return False
        return isinstance(answer, dict) and answer.get("success") is False
    return False


def run(target: Target, fuzzer: RequestFuzzer, count: int,
        after_each=lambda request, status: None) -> Report:
    report = Report(target.service)
    handler = Tracebacks()
    logger = logging.getLogger("siasim")
    logger.addHandler(handler)
    monitor = sqlite3.connect(target.db, timeout=30)
    started = time.monotonic()
    try:
        for _ in range(count):
            request = fuzzer.next()
            before = monitor.execute("PRAGMA data_version").fetchone()[0]
            seen = len(handler.records)
            body = request.chunked if request.chunked is not None else request.body
            headers = dict(request.headers)
            if request.chunked is not None:
                headers["Transfer-Encoding"] = "chunked"
            data = _bytes(request, headers, body)
            answer = exchange(target.host, target.port, data, timeout=HANG_SECONDS,
                              close_after_send=True)
            report.sent += 1
            report.kinds[request.kind] += 1
            report.statuses[answer.status or 0] += 1
            changed = monitor.execute("PRAGMA data_version").fetchone()[0] != before
            if answer.status is None:
                report.fail("hangs" if answer.timed_out else "no answer", request,
                            f"after {answer.seconds:.1f} s")
            else:
                _judge(report, target.service, request, answer.status, answer.headers,
                       answer.body, changed)
            for record in handler.records[seen:]:
                report.fail("tracebacks", request, f"{record.name}: {record.getMessage()} "
                                                   f"{record.exc_info[1]!r}")
            after_each(request, answer.status)
    finally:
        logger.removeHandler(handler)
        monitor.close()
        report.seconds = time.monotonic() - started
    return report


def _judge(report: Report, service: str, request: FuzzRequest, status: int,
           headers: dict, body: bytes, changed: bool) -> None:
    text = body.decode("utf-8", "replace")
    if status == 500 and _soap_fault(request, text):
        report.counts["SOAP faults"] += 1  # HTTP 500 is how SOAP 1.1 carries a fault
    elif status >= 500:
        report.fail("5xx", request, f"{status} {text[:300]}")
    elif any(marker in text for marker in INTERNAL[service]):
        report.fail("5xx", request, f"an internal error: {text[:300]}")
    if "Traceback" in text or 'File "/' in text:
        report.fail("tracebacks", request, text[:300])
    api = not request.target.startswith("/__admin__")
    if api and status >= 400 and not request.framing and status not in (404, 405):
        kind = headers.get("content-type", "")
        if "json" not in kind and "xml" not in kind:
            report.fail("not the service's", request, f"{status} {kind}: {text[:200]}")
    if changed and _refused(service, status, body):
        report.fail("partial writes", request, f"{status} {text[:300]}")


def _soap_fault(request: FuzzRequest, text: str) -> bool:
    return (request.target.startswith("/services/Soap/") and "<soapenv:Fault>" in text
            and "UNKNOWN_EXCEPTION" not in text)


def _bytes(request: FuzzRequest, headers: dict, body: bytes) -> bytes:
    lines = [f"{request.method} {request.target} HTTP/1.1"]
    if not any(k.lower() == "host" for k in headers):
        lines.append("Host: 127.0.0.1")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if request.content_length == "auto":
        lines.append(f"Content-Length: {len(body)}")
    elif request.content_length is not None:
        lines.append(f"Content-Length: {request.content_length}")
    lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
    return head + body

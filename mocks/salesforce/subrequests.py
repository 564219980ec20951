"""Running a request inside another one: the subrequests of ``/composite`` and
``/composite/batch``.

A subrequest is routed and answered by the same views as a call of its own, with the
caller's session, so it meets every rule a call does. It skips the mock's pipeline
(limits, faults, journal): Salesforce counts a composite request as one call, and the
journal records the composite request itself. It runs in the caller's thread, on the
caller's database connection, so it joins the caller's transaction when there is one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, g, request

from mocks.salesforce import errors

log = logging.getLogger("siasim.mocks")

#: Resources a subrequest may not name (no composite inside a composite).
_NESTED = ("/composite", "/composite/batch", "/composite/tree")


@dataclass
class SubResponse:
    status: int
    headers: dict[str, str]
    body: object  # the JSON answer, or None (204)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def nested(path: str) -> bool:
    """Whether ``path`` names a composite resource itself."""
    rest = path.split("/services/data/", 1)[-1]
    tail = "/" + rest.split("/", 1)[1] if "/" in rest else ""
    tail = tail.rstrip("/")
    return tail in _NESTED or tail.startswith("/composite/tree/")


def run(method: str, url: str, body=None, headers: dict | None = None) -> SubResponse:
    """Answer ``method url`` (a path under ``/services/data/``) with ``body`` as JSON."""
    parts = urlsplit(url)
    sent = {"Authorization": request.headers.get("Authorization", "")}
    for key, value in (headers or {}).items():
        sent[str(key)] = str(value)
    data = None if body is None else json.dumps(body)
    saved = {k: g.get(k) for k in ("sf_version", "sf_session")}
    app = current_app._get_current_object()
    with app.test_request_context(parts.path, method=method, query_string=parts.query,
                                  data=data, content_type="application/json",
                                  headers=sent, base_url=request.host_url):
        try:
            response = app.make_response(_dispatch(app))
        finally:
            for key, value in saved.items():
                setattr(g, key, value)
    out_headers = {}
    if "Location" in response.headers:
        out_headers["Location"] = response.headers["Location"]
    raw = response.get_data(as_text=True)
    try:
        answer = json.loads(raw) if raw.strip() else None
    except ValueError:
        answer = raw
    return SubResponse(response.status_code, out_headers, answer)


def _dispatch(app):
    try:
        for name in reversed(request.blueprints):
            for func in app.url_value_preprocessors.get(name, ()):
                func(request.endpoint, request.view_args)
        for name in reversed(request.blueprints):
            for func in app.before_request_funcs.get(name, ()):
                answer = func()
                if answer is not None:
                    return answer
        return app.dispatch_request()
    except Exception as exc:  # answered as the call would be answered on its own
        try:
            return app.handle_user_exception(exc)
        except Exception:
            log.exception("unexpected error in subrequest %s %s", request.method, request.path)
            return errors.error_response("UNKNOWN_EXCEPTION")

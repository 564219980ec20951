"""The dashboard: SIA, Marketo and Salesforce side by side, live, on one local page.

It lives in ``siasim``, not in ``engine``, because it shows all three systems: SIA
through its own HTTP API (``engine.http_api``, served by the same app), and the mocks
through their admin API over HTTP (``mockadmin``). The engine stays what a real SIA
would be, knowing Marketo and Salesforce only as their public APIs; the dashboard knows
the harness, and imports no mock code either, so it would show mocks run elsewhere.
"""

from __future__ import annotations

from flask import Flask

from engine.http_api import install_api, install_error_handlers
from engine.sia import SIA
from engine.worker import Worker
from siasim.dashboard.mockadmin import MockAdmin, MockLink
from siasim.dashboard.views import create_dashboard


def create_app(sia: SIA, worker: Worker, links: list[MockLink],
               salesforce_sync: bool = False) -> Flask:
    """SIA's API under ``/api`` and the dashboard at ``/``, in one app."""
    app = Flask("siasim.dashboard")
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    install_api(app, sia, worker)
    admins = {link.name: MockAdmin(link) for link in links}
    app.register_blueprint(create_dashboard(sia, worker, admins, salesforce_sync))
    # kept so that whoever stops the stack can drop the kept-alive connections first
    app.extensions["siasim.mock_admins"] = admins
    install_error_handlers(app)
    return app


def close(app: Flask) -> None:
    """Close the dashboard's connections to the mocks (a mock stops faster without them)."""
    for admin in app.extensions.get("siasim.mock_admins", {}).values():
        admin.http.close()


__all__ = ["MockLink", "close", "create_app"]

"""A minimal service on the shared core, so the core is tested apart from either mock."""

from __future__ import annotations

import pytest
from flask import Blueprint, Response, jsonify, request

from mocks.core.app import create_mock_app
from mocks.core.config import MockConfig
from mocks.core.limits import LimitSettings
from mocks.core.service import MockService, current_mock


class EchoService(MockService):
    name = "echo"

    def error_response(self, code, message=None):
        return jsonify({"error": code, "message": message or "injected"})

    def status_response(self, status):
        return Response("bare failure", status=status)

    def limit_response(self, limit):
        response = jsonify({"error": f"limit:{limit}"})
        response.status_code = 429
        return response

    def unexpected_error_response(self):
        response = jsonify({"error": "internal"})
        response.status_code = 500
        return response

    def not_found_response(self):
        response = jsonify({"error": "unknown"})
        response.status_code = 404
        return response

    def counts_toward_limits(self, path):
        return path.startswith("/api/")

    def ensure_schema(self):
        with self.ctx.store.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT)")

    def load_world(self, world):
        self.ensure_schema()
        return {"items": 0}

    def expire_tokens(self):
        self.ctx.config.token_ttl = -1


def _api() -> Blueprint:
    bp = Blueprint("api", __name__)

    @bp.post("/api/items")
    def add():
        items = request.get_json()["names"]
        with current_mock().store.transaction() as db:
            for name in items:
                if not name:
                    raise ValueError("empty name")  # refuses the whole request
                db["items"].insert({"name": name})
        return jsonify({"added": len(items)})

    @bp.get("/api/items")
    def items():
        return jsonify([r["name"] for r in current_mock().store.query("SELECT name FROM items")])

    @bp.post("/login")
    def login():
        return jsonify({"access_token": "sekrit", "user": request.form.get("user")})

    return bp


@pytest.fixture
def app(tmp_path):
    config = MockConfig(db=str(tmp_path / "echo.db"), world=None,
                        limits=LimitSettings(rate_calls=5, rate_window=20, concurrency=2,
                                             daily=100))
    app = create_mock_app("echo", config, EchoService)
    app.register_blueprint(_api())
    yield app
    app.extensions["siasim"].store.close()


@pytest.fixture
def client(app):
    return app.test_client()

"""Marketo mocks built fresh per test, and a small API client that carries the token."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mocks.core.config import WorldSpec
from mocks.marketo import MarketoConfig, create_app

CLIENT_ID = "siasim-marketo-client"
CLIENT_SECRET = "siasim-marketo-secret"
TOKEN_URL = (f"/identity/oauth/token?grant_type=client_credentials&client_id={CLIENT_ID}"
             f"&client_secret={CLIENT_SECRET}")
SIA_TOKEN_URL = ("/identity/oauth/token?grant_type=client_credentials"
                 "&client_id=siasim-sia-client&client_secret=siasim-sia-secret")


class Api:
    """A Flask test client that logs in and sends the Bearer token with every call."""

    def __init__(self, client) -> None:
        self.client = client
        self.login()

    def _headers(self, headers: dict | None) -> dict:
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path: str, headers: dict | None = None, **kwargs):
        return self.client.get(path, headers=self._headers(headers), **kwargs)

    def post(self, path: str, headers: dict | None = None, **kwargs):
        return self.client.post(path, headers=self._headers(headers), **kwargs)

    def delete(self, path: str, headers: dict | None = None, **kwargs):
        return self.client.delete(path, headers=self._headers(headers), **kwargs)

    def login(self) -> None:
        self.token = self.client.get(self.token_url).json["access_token"]

    token_url = TOKEN_URL

    def as_sia(self) -> Api:
        """Log in as Sales Insight Actions' own integration (the one client that may log
        the 8 sales activity types through external.json)."""
        self.token_url = SIA_TOKEN_URL
        self.login()
        return self

    def ok(self, method: str, path: str, **kwargs) -> dict:
        """Call, and insist on ``success: true``; the whole envelope.

        A token expired by a test moving the clock is renewed, as a client would.
        """
        response = getattr(self, method)(path, **kwargs)
        if response.json and response.json.get("errors", [{}])[0].get("code") == "602":
            self.login()
            response = getattr(self, method)(path, **kwargs)
        assert response.status_code == 200, response.data
        assert response.json["success"] is True, response.json
        return response.json

    def error(self, method: str, path: str, **kwargs) -> dict:
        """Call, and insist on one API error (HTTP 200); ``{"code", "message"}``."""
        response = getattr(self, method)(path, **kwargs)
        body = response.json
        assert body["success"] is False, body
        assert isinstance(body["errors"][0]["code"], str)
        return body["errors"][0]

    def paging_token(self, since: str = "2000-01-01T00:00:00Z") -> str:
        return self.ok("get", f"/rest/v1/activities/pagingtoken.json?sinceDatetime={since}"
                       )["nextPageToken"]

    def admin(self, method: str, path: str, **kwargs):
        # the test's hands: marked as no web page's, as the kit's and dashboard's calls are
        kwargs.setdefault("headers", {"X-Siasim-Admin": "1"})
        return getattr(self.client, method)(f"/__admin__{path}", **kwargs)


@pytest.fixture
def make_app(tmp_path) -> Callable:
    """Build a Marketo app: a generated world (tiny by default), a scenario, or empty."""
    apps = []

    def make(world: WorldSpec | str | None = "tiny", **config) -> object:
        if world == "tiny":
            world = WorldSpec(seed=1, profile="tiny")
        elif isinstance(world, str):
            world = WorldSpec(scenario=world)
        settings = MarketoConfig(db=str(tmp_path / f"marketo{len(apps)}.db"), world=world,
                                 **config)
        if "limits" not in config:
            settings.limits.rate_calls = settings.limits.concurrency = None
            settings.limits.daily = None
        app = create_app(settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["siasim"].store.close()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def make_api(make_app) -> Callable[..., Api]:
    def make(world="tiny", **config) -> Api:
        return Api(make_app(world, **config).test_client())
    return make

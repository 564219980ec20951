"""Salesforce mocks built fresh per test, a logged-in client, and real servers."""

from __future__ import annotations

import types
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from mocks.core.config import WorldSpec
from mocks.salesforce import SalesforceConfig, create_app

CLIENT_ID = "siasim-salesforce-client"
CLIENT_SECRET = "siasim-salesforce-secret"
USERNAME = "admin@siasim.example"
PASSWORD = "siasim-password"
V = "/services/data/v59.0"


def make_app(tmp_path, *, scenario: str | None = "owner-filter", profile: str | None = None,
             **options):
    world = None
    if scenario:
        world = WorldSpec(scenario=scenario)
    elif profile:
        world = WorldSpec(seed=options.pop("seed", 1), profile=profile,
                          people=options.pop("people", None))
    options.setdefault("db", str(tmp_path / "sf.db"))
    config = SalesforceConfig(world=world, **options)
    return create_app(config)


class Api:
    """A logged-in Flask test client: ``api.get("query/", q=...)`` under /services/data/v59.0."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()
        self.token = self.login()

    def login(self) -> str:
        response = self.client.post("/services/oauth2/token", data={
            "grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "username": USERNAME, "password": PASSWORD})
        assert response.status_code == 200, response.data
        return response.json["access_token"]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else f"{V}/{path}"

    def get(self, path: str, headers: dict | None = None, **params):
        return self.client.get(self._url(path), query_string=params,
                               headers={**self.headers, **(headers or {})})

    def post(self, path: str, json=None, **kw):
        return self.client.post(self._url(path), json=json, headers=self.headers, **kw)

    def patch(self, path: str, json=None, **kw):
        return self.client.patch(self._url(path), json=json, headers=self.headers, **kw)

    def delete(self, path: str, **params):
        return self.client.delete(self._url(path), query_string=params, headers=self.headers)

    def query(self, soql: str, all_rows: bool = False, **kw):
        return self.get("queryAll/" if all_rows else "query/", q=soql, **kw)

    def records(self, soql: str, all_rows: bool = False) -> list[dict]:
        response = self.query(soql, all_rows)
        assert response.status_code == 200, response.json
        return response.json["records"]

    def one(self, soql: str) -> dict:
        records = self.records(soql)
        assert len(records) == 1, records
        return records[0]

    def admin(self, method: str, path: str, **kw):
        # the test's hands: marked as no web page's, as the kit's and dashboard's calls are
        kw.setdefault("headers", {"X-Siasim-Admin": "1"})
        return getattr(self.client, method)(f"/__admin__/{path}", **kw)


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    app.extensions["siasim"].store.close()


@pytest.fixture
def api(app) -> Api:
    return Api(app)


@pytest.fixture
def tiny_app(tmp_path):
    app = make_app(tmp_path, scenario=None, profile="tiny")
    yield app
    app.extensions["siasim"].store.close()


@pytest.fixture
def tiny(tiny_app) -> Api:
    return Api(tiny_app)


class ToMock(HTTPAdapter):
    """Sends every https:// URL (login.salesforce.com included) to the mock's http address,
    the way a test hands simple-salesforce a session that reaches a local server."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        parts = urlsplit(base_url)
        self.scheme, self.netloc = parts.scheme, parts.netloc

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        request.url = urlunsplit((self.scheme, self.netloc, parts.path, parts.query,
                                  parts.fragment))
        return super().send(request, **kwargs)


@pytest.fixture
def session_to():
    """``session_to(url)``: a requests.Session whose https traffic reaches the mock."""
    sessions = []

    def make(base_url: str) -> requests.Session:
        session = requests.Session()
        session.mount("https://", ToMock(base_url))
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def sf_server(app, serve):
    return serve(app)


@pytest.fixture
def sf(tmp_path):
    """Constants and builders for tests (test files cannot import conftest)."""
    apps = []

    def build(**options):
        app = make_app(tmp_path / f"app{len(apps)}", **options)
        apps.append(app)
        return app

    kit = types.SimpleNamespace(CLIENT_ID=CLIENT_ID, CLIENT_SECRET=CLIENT_SECRET,
                                USERNAME=USERNAME, PASSWORD=PASSWORD, V=V, Api=Api,
                                make_app=build, ToMock=ToMock)
    yield kit
    for app in apps:
        app.extensions["siasim"].store.close()

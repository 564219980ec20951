"""Salesforce mocks built fresh per test, a logged-in client, and real servers."""

from __future__ import annotations

import sqlite3
import types
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import sqlite_utils
from requests.adapters import HTTPAdapter

from fixtures import scenarios
from fixtures.sfid import IdFactory
from fixtures.world import write_side
from mocks.core.config import WorldSpec
from mocks.salesforce import SalesforceConfig, create_app, schema, soql

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


# --- SOQL on its own: an in-memory store and a runner -------------------------------------

SOQL_NOW = datetime(2026, 1, 7, 12, 0, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def soql_db():
    """``soql_db({"Task": [row, ...]})``: an in-memory store of the owner-filter scenario
    plus those rows, with the SQL functions SOQL needs registered."""
    conns = []

    def make(rows: dict[str, list[dict]] | None = None) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", isolation_level=None)
        write_side(db, scenarios.load("owner-filter"), "salesforce")
        schema.ensure_schema(sqlite_utils.Database(db))
        for table, items in (rows or {}).items():
            for row in items:
                cols = list(row)
                db.execute(f'INSERT INTO "{table}" ({", ".join(cols)}) '
                           f'VALUES ({", ".join("?" * len(cols))})', [row[c] for c in cols])
        soql.register_functions(db)
        conns.append(db)
        return db

    yield make
    for db in conns:
        db.close()


class SoqlRunner:
    """Compile and run a query on a connection, as the REST layer does (one page)."""

    NOW = SOQL_NOW

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def run(self, text: str, all_rows: bool = False, version: str = "59.0"
            ) -> tuple[int, list[dict]]:
        plan = soql.compile(text, SOQL_NOW, include_deleted=all_rows, version=version)
        total = plan.count(self.conn)
        if plan.kind == "count":
            return total, []
        return total, plan.records(plan.rows(self.conn, 2000))

    def records(self, text: str, **kw) -> list[dict]:
        return self.run(text, **kw)[1]

    def ids(self, text: str, **kw) -> list[str]:
        return [r["Id"] for r in self.records(text, **kw)]

    @staticmethod
    def refused(text: str, version: str = "59.0") -> soql.SoqlError:
        with pytest.raises(soql.SoqlError) as info:
            soql.compile(text, SOQL_NOW, version=version)
        return info.value


def _sales_rows() -> dict[str, list[dict]]:
    ids = IdFactory("5cn")
    rep, sync = ids.make("User", 1), ids.make("User", 2)
    acme, globex = ids.make("Account", 1), ids.make("Account", 2)
    stamp = "2026-01-05T09:30:00.000+0000"

    def row(sobject: str, n: int, **fields) -> dict:
        return {"Id": ids.make(sobject, n), "IsDeleted": 0, "CreatedDate": stamp,
                "LastModifiedDate": stamp, "SystemModstamp": stamp, **fields}

    return {
        "Account": [row("Account", 2, Name="Globex", OwnerId=sync),
                    row("Account", 3, Name="Initech", OwnerId=rep)],
        "Contact": [
            row("Contact", 2, FirstName="Dan", LastName="Dole",
                Name="Dan Dole", AccountId=globex, OwnerId=sync,
                CreatedDate="2026-01-06T23:15:00.000+0000"),
            row("Contact", 3, FirstName="Erin", LastName="Dunn",
                Name="Erin Dunn", AccountId=globex, OwnerId=rep,
                CreatedDate="2025-12-31T08:00:00.000+0000"),
            row("Contact", 4, FirstName="Fred", LastName="Free",
                Name="Fred Free", AccountId=None, OwnerId=rep),
            row("Contact", 5, FirstName="Gil", LastName="Gone",
                Name="Gil Gone", AccountId=acme, OwnerId=rep,
                IsDeleted=1),
        ],
        "Opportunity": [
            row("Opportunity", 1, Name="Acme big", AccountId=acme, OwnerId=rep, Amount=1000.0,
                StageName="Prospecting", CloseDate="2026-01-20", IsClosed=0, IsWon=0),
            row("Opportunity", 2, Name="Acme small", AccountId=acme, OwnerId=sync,
                Amount=250.5, StageName="Closed Won", CloseDate="2025-11-02", IsClosed=1,
                IsWon=1),
            row("Opportunity", 3, Name="Globex one", AccountId=globex, OwnerId=sync,
                Amount=100.0, StageName="Prospecting", CloseDate="2026-03-15", IsClosed=0,
                IsWon=0),
            row("Opportunity", 4, Name="Globex two", AccountId=globex, OwnerId=rep,
                Amount=None, StageName="Prospecting", CloseDate="2026-01-02", IsClosed=0,
                IsWon=0),
        ],
        "Task": [
            row("Task", 1, Subject="Call Carla", WhoId=ids.make("Contact", 1), WhatId=acme,
                OwnerId=rep, Status="Not Started", Priority="Normal", IsClosed=0),
            row("Task", 2, Subject="Email Dan", WhoId=ids.make("Contact", 2), WhatId=globex,
                OwnerId=rep, Status="Completed", Priority="Normal", IsClosed=1),
            row("Task", 3, Subject="Call Lena", WhoId=ids.make("Lead", 1), OwnerId=sync,
                Status="Not Started", Priority="High", IsClosed=0),
        ],
    }


@pytest.fixture
def sales(soql_db) -> SoqlRunner:
    """The owner-filter world and a small sales book: accounts Acme (contact Carla, a
    deleted contact, two opportunities), Globex (contacts Dan and Erin, two
    opportunities) and Initech (nothing); contact Fred without an account; three tasks;
    lead sources Web, web, Phone Inquiry and none."""
    conn = soql_db(_sales_rows())
    ids = IdFactory("5cn")
    for n, source in ((1, "Web"), (2, "web"), (3, "Phone Inquiry"), (4, None)):
        conn.execute('UPDATE "Lead" SET LeadSource = ? WHERE Id = ?',
                     [source, ids.make("Lead", n)])
    return SoqlRunner(conn)


@pytest.fixture(scope="session")
def jwt_keys(tmp_path_factory) -> types.SimpleNamespace:
    """An RSA key pair for the JWT bearer flow: ``private_pem`` (what the client signs
    with), ``certificate`` (a self-signed certificate's PEM file, what the connected app
    holds: the mock's ``jwt_certificate``) and ``other_pem`` (a key the mock does not
    know)."""
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    def private_pem(key) -> str:
        return key.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "siasim connected app")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("jwt")
    certificate = folder / "server.crt"
    certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return types.SimpleNamespace(private_pem=private_pem(key), other_pem=private_pem(other),
                                 certificate=str(certificate))


@pytest.fixture
def jwt_server(tmp_path, serve, jwt_keys):
    """A real server whose connected app holds ``jwt_keys.certificate``."""
    app = make_app(tmp_path / "jwt", jwt_certificate=jwt_keys.certificate)
    yield serve(app)
    app.extensions["siasim"].store.close()

"""Options of the commands that run the reference SIA engine: its database and endpoints.

Every option also reads an environment variable (``SIASIM_MARKETO_URL`` ...), and the
defaults are those of the mocks `siasim up` starts, so that against a local stack no
option is needed at all.
"""

from __future__ import annotations

from pathlib import Path

import click

from engine.config import Endpoints
from engine.errors import DatabaseUnusable
from engine.sia import SIA
from mocks.marketo.config import SIA_CLIENT_ID as MKTO_ID
from mocks.marketo.config import SIA_CLIENT_SECRET as MKTO_SECRET
from mocks.salesforce.config import DEFAULT_CLIENT_ID as SF_ID
from mocks.salesforce.config import DEFAULT_CLIENT_SECRET as SF_SECRET
from mocks.salesforce.config import DEFAULT_PASSWORD, DEFAULT_USERNAME

DEFAULT_DB = Path(".siasim") / "sia.db"
MARKETO_URL = "http://127.0.0.1:8401"
SALESFORCE_URL = "http://127.0.0.1:8402"

_OPTIONS = (
    ("--db", "db", str(DEFAULT_DB), "SIA's own SQLite database."),
    ("--marketo-url", "marketo_url", MARKETO_URL, "Base URL of Marketo's REST API."),
    ("--marketo-client-id", "marketo_client_id", MKTO_ID,
     "Marketo API client id (SIA's own integration)."),
    ("--marketo-client-secret", "marketo_client_secret", MKTO_SECRET,
     "Marketo API client secret."),
    ("--salesforce-url", "salesforce_url", SALESFORCE_URL,
     "Salesforce login URL (where /services/oauth2/token is)."),
    ("--salesforce-client-id", "salesforce_client_id", SF_ID, "Connected app consumer key."),
    ("--salesforce-client-secret", "salesforce_client_secret", SF_SECRET,
     "Connected app consumer secret."),
    ("--salesforce-username", "salesforce_username", DEFAULT_USERNAME,
     "Salesforce user name (password grant)."),
    ("--salesforce-password", "salesforce_password", DEFAULT_PASSWORD,
     "Salesforce password."),
    ("--ca-bundle", "ca_bundle", None,
     "CA file to trust (a mock served with --tls prints it)."),
    ("--marketo-rate", "marketo_rate", 100,
     "Calls per 20 s SIA allows itself to Marketo, to stay under its limit; 0 = unpaced."),
)


def engine_options(func):
    """The database and endpoint options, each with its SIASIM_... environment variable."""
    for flag, name, default, text in reversed(_OPTIONS):
        envvar = "SIASIM_" + name.upper()
        secret = "secret" in name or "password" in name
        func = click.option(flag, name, default=default, envvar=envvar,
                            show_default=not secret and default is not None,
                            show_envvar=True, help=text)(func)
    return func


def open_sia(options: dict) -> SIA:
    endpoints = Endpoints(
        marketo_url=options["marketo_url"],
        marketo_client_id=options["marketo_client_id"],
        marketo_client_secret=options["marketo_client_secret"],
        salesforce_url=options["salesforce_url"],
        salesforce_client_id=options["salesforce_client_id"],
        salesforce_client_secret=options["salesforce_client_secret"],
        salesforce_username=options["salesforce_username"],
        salesforce_password=options["salesforce_password"],
        verify=options["ca_bundle"] or True,
        marketo_calls_per_window=int(options["marketo_rate"]) or None,
    )
    try:
        return SIA(options["db"], endpoints)
    except DatabaseUnusable as exc:
        raise click.ClickException(exc.message) from None


def pop_engine_options(kwargs: dict) -> dict:
    return {name: kwargs.pop(name) for _, name, _, _ in _OPTIONS}

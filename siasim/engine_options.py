"""Options of the commands that run the reference SIA engine, and which SIA they act on.

A command acts on, in this order:

1. the SIA whose URL ``--sia-url`` (``SIASIM_SIA_URL``) gives, through its HTTP API;
2. SIA's database and endpoints as the options give them, when any is given on the
   command line or in its environment variable (``--db``/``SIASIM_DB``,
   ``--marketo-url``/``SIASIM_MARKETO_URL`` ...), run in this process;
3. the running ``siasim up`` (``siasim.stackstate``), through SIA's HTTP API;
4. when none runs: the defaults, which are the database ``.siasim/sia.db`` and the mocks
   of ``siasim up`` on their default ports, with a line on stderr that says so.
"""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from engine.config import Endpoints
from engine.errors import DatabaseUnusable
from engine.sia import SIA
from mocks.marketo.config import SIA_CLIENT_ID as MKTO_ID
from mocks.marketo.config import SIA_CLIENT_SECRET as MKTO_SECRET
from mocks.salesforce.config import DEFAULT_CLIENT_ID as SF_ID
from mocks.salesforce.config import DEFAULT_CLIENT_SECRET as SF_SECRET
from mocks.salesforce.config import DEFAULT_PASSWORD, DEFAULT_USERNAME
from siasim.remote import RemoteSIA, Unreachable
from siasim.stackstate import StackGone, find_running

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
    ("--sia-url", "sia_url", None,
     "Act through the HTTP API of the SIA at this URL (default: the running `siasim up`, "
     "unless another option here is given)."),
)
#: the options that name a SIA to run in this process
_LOCAL = tuple(name for _, name, _, _ in _OPTIONS if name != "sia_url")


def engine_options(func):
    """The database and endpoint options, each with its SIASIM_... environment variable."""
    for flag, name, default, text in reversed(_OPTIONS):
        envvar = "SIASIM_" + name.upper()
        secret = "secret" in name or "password" in name
        func = click.option(flag, name, default=default, envvar=envvar,
                            show_default=not secret and default is not None,
                            show_envvar=True, help=text)(func)
    return func


def open_sia(options: dict) -> SIA | RemoteSIA:
    """The SIA a command acts on (see the module's docstring)."""
    if options.get("sia_url"):
        return _remote(options["sia_url"], "--sia-url")
    ctx = click.get_current_context(silent=True)
    if ctx is not None and any(_given(ctx, name) for name in _LOCAL):
        return open_local_sia(options)
    try:
        stack = find_running()
    except StackGone as exc:
        raise click.ClickException(str(exc)) from None
    if stack is not None:
        return _remote(stack.sia_url, f"the siasim up of process {stack.pid}")
    click.echo(f"No siasim up is running: using SIA's database {options['db']} and the "
               f"mocks at {options['marketo_url']} and {options['salesforce_url']} "
               "(start `siasim up` to act on its stack).", err=True)
    return open_local_sia(options)


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def _remote(url: str, which: str) -> RemoteSIA:
    sia = RemoteSIA(url)
    try:
        sia.check()
    except Unreachable:
        sia.close()
        raise click.ClickException(f"SIA does not answer at {url} ({which}): is siasim up "
                                   "still running?") from None
    return sia


def open_local_sia(options: dict) -> SIA:
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

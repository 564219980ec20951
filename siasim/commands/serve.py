"""``siasim serve marketo|salesforce``: one mock server in the foreground."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from mocks.core.serving import PortInUse
from mocks.core.store import StoreUnusable
from mocks.marketo.config import DEFAULT_CLIENT_ID as MKTO_ID
from mocks.marketo.config import DEFAULT_CLIENT_SECRET as MKTO_SECRET
from mocks.marketo.config import MarketoConfig
from mocks.marketo.salesforce_sync import SalesforceLink
from mocks.salesforce.config import DEFAULT_CLIENT_ID as SF_ID
from mocks.salesforce.config import DEFAULT_CLIENT_SECRET as SF_SECRET
from mocks.salesforce.config import (
    DEFAULT_PASSWORD,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_USERNAME,
    SalesforceConfig,
)
from siasim.logs import log_options, log_to, terminal_level
from siasim.options import bind_options, jwt_key_option, reject_world_options, world_options
from siasim.stack import RunningMock, start_mock, stop_all, tls_files, world_spec

MARKETO_PORT = 8401
SALESFORCE_PORT = 8402


@click.group()
def serve() -> None:
    """Run one server in the foreground until Ctrl-C: a mock (Marketo or Salesforce), or a
    driver behind the HTTP driver protocol (driver)."""


def common_options(func):
    func = click.option("--tls", is_flag=True,
                        help="Serve HTTPS with a certificate made at start; point "
                             "REQUESTS_CA_BUNDLE at the CA file it prints.")(func)
    func = click.option("--no-limits", is_flag=True,
                        help="Switch off the API limits (they are on by default, as in the "
                             "real service).")(func)
    func = click.option("--token-ttl", type=click.IntRange(min=1), default=None, metavar="SECONDS",
                        help="Lifetime of access tokens (default: the service's own).")(func)
    func = click.option("--empty", is_flag=True,
                        help="Start with no data instead of a generated world.")(func)
    func = world_options(func)
    func = log_options(func)
    func = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="SQLite file that keeps the state across restarts; a new file is "
                             "seeded, an existing one used as it is. Default: a temporary "
                             "file, discarded on exit.")(func)
    return func


def _check_world_options(ctx: click.Context, empty: bool) -> None:
    if empty:
        reject_world_options(ctx, "--empty (an empty mock has no world)")


@serve.command("marketo")
@bind_options(MARKETO_PORT)
@common_options
@click.option("--client-id", default=MKTO_ID, show_default=True,
              help="Client id accepted by /identity/oauth/token.")
@click.option("--client-secret", default=MKTO_SECRET, show_default=True,
              help="Client secret accepted by /identity/oauth/token.")
@click.option("--salesforce-url", default=None, metavar="URL",
              help="Run Marketo's own Salesforce sync against this Salesforce (for example "
                   "`siasim serve salesforce`'s URL); triggered by POST "
                   "/__admin__/salesforce-sync/run, or every --salesforce-sync-interval.")
@click.option("--salesforce-sync-interval", type=click.FloatRange(min=0), default=0,
              metavar="SECONDS", help="Run Marketo's Salesforce sync on its own this often "
                                      "(0: only when triggered).")
@click.option("--salesforce-login", nargs=4, default=(SF_ID, SF_SECRET, DEFAULT_USERNAME,
                                                      DEFAULT_PASSWORD),
              metavar="CLIENT_ID CLIENT_SECRET USERNAME PASSWORD",
              help="How Marketo's Salesforce sync logs in (default: the Salesforce mock's "
                   "default credentials).")
@click.pass_context
def serve_marketo(ctx: click.Context, host, port, db, verbose, log_level, seed, profile, people,
                  empty, token_ttl, no_limits, tls, client_id, client_secret, salesforce_url,
                  salesforce_sync_interval, salesforce_login) -> None:
    """Serve the Marketo Engage REST API mock (identity, leads, activities, bulk export),
    with Marketo's own Salesforce sync when --salesforce-url is given."""
    _check_world_options(ctx, empty)
    log_to(None, terminal_level(verbose, log_level))
    link = None
    if salesforce_url:
        link = SalesforceLink(salesforce_url, *salesforce_login)
    elif ctx.get_parameter_source("salesforce_sync_interval").name == "COMMANDLINE":
        raise click.UsageError("--salesforce-sync-interval needs --salesforce-url", ctx)
    config = MarketoConfig(db=str(db) if db else None,
                           world=world_spec(empty, seed, profile, people),
                           client_id=client_id, client_secret=client_secret,
                           salesforce=link,
                           salesforce_sync_interval=salesforce_sync_interval or None)
    _run(ctx, config, token_ttl, no_limits, "marketo", host, port, tls)


@serve.command("salesforce")
@bind_options(SALESFORCE_PORT)
@common_options
@click.option("--client-id", default=SF_ID, show_default=True,
              help="Connected app consumer key accepted by /services/oauth2/token.")
@click.option("--client-secret", default=SF_SECRET, show_default=True,
              help="Connected app consumer secret.")
@click.option("--username", default=DEFAULT_USERNAME, show_default=True,
              help="User name accepted by the password and SOAP logins.")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True,
              help="That user's password.")
@click.option("--refresh-token", default=DEFAULT_REFRESH_TOKEN, show_default=True,
              help="A refresh token the refresh_token grant accepts for that user "
                   "(tap-salesforce's way in).")
@jwt_key_option
@click.pass_context
def serve_salesforce(ctx: click.Context, host, port, db, verbose, log_level, seed, profile,
                     people, empty, token_ttl, no_limits, tls, client_id, client_secret,
                     username, password, refresh_token, jwt_key) -> None:
    """Serve the Salesforce REST API mock (OAuth and SOAP login, sObjects, SOQL)."""
    _check_world_options(ctx, empty)
    log_to(None, terminal_level(verbose, log_level))
    config = SalesforceConfig(db=str(db) if db else None,
                              world=world_spec(empty, seed, profile, people),
                              client_id=client_id, client_secret=client_secret,
                              username=username, password=password,
                              refresh_token=refresh_token, jwt_certificate=jwt_key)
    _run(ctx, config, token_ttl, no_limits, "salesforce", host, port, tls)


def describe(mock: RunningMock) -> list[str]:
    """The lines that tell a user how to reach a mock and log in."""
    c = mock.config
    lines = [f"{mock.title}: {mock.url}"]
    if mock.name == "marketo":
        lines += [f"  token URL      {mock.url}/identity/oauth/token",
                  f"  client id      {c.client_id}",
                  f"  client secret  {c.client_secret}"]
        if c.salesforce is not None:
            every = (f"every {c.salesforce_sync_interval:g} s" if c.salesforce_sync_interval
                     else "on POST /__admin__/salesforce-sync/run")
            lines.append(f"  SFDC sync      with {c.salesforce.url}, {every}")
    else:
        lines += [f"  login URL      {mock.url}/services/oauth2/token",
                  f"  client id      {c.client_id}",
                  f"  client secret  {c.client_secret}",
                  f"  username       {c.username}",
                  f"  password       {c.password}",
                  f"  refresh token  {c.refresh_token}"]
        if c.jwt_certificate:
            lines.append(f"  JWT key        {c.jwt_certificate}  (JWT bearer flow on)")
    if mock.handle.tls:
        lines.append(f"  CA file        {mock.handle.tls.ca}  (export REQUESTS_CA_BUNDLE=...)")
    store = mock.app.extensions["siasim"].store
    lines.append(f"  database       {store.path}" + ("  (temporary)" if store.temporary else ""))
    lines.append(f"  admin API      {mock.url}/__admin__/health")
    if c.admin_token:
        lines.append(f"  admin token    {c.admin_token}  (header X-Siasim-Admin-Token)")
    return lines


def wait_for_interrupt() -> None:
    """Block until Ctrl-C or SIGTERM; then ignore further ones while we shut down."""

    def on_signal(_signum, _frame):
        raise KeyboardInterrupt

    # installed explicitly: a process started in the background by a shell inherits
    # SIGINT ignored, and Python then never raises KeyboardInterrupt
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass
    # a second Ctrl-C must not cut the clean shutdown short
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _run(ctx: click.Context, config, token_ttl: int | None, no_limits: bool, name: str,
         host: str, port: int, tls: bool) -> None:
    if token_ttl:
        config.token_ttl = token_ttl
    if no_limits:
        config.limits.rate_calls = config.limits.concurrency = config.limits.daily = None
    try:
        mock = start_mock(name, config, host, port, tls_files(tls))
    except (PortInUse, StoreUnusable) as exc:
        raise click.ClickException(str(exc)) from None
    mock.handle.serve_in_thread()
    for line in describe(mock):
        click.echo(line)
    click.echo("Ctrl-C stops it.")
    try:
        wait_for_interrupt()
    finally:
        stop_all([mock])
        click.echo(f"{mock.title} stopped.")

"""``siasim up``: the local stack in one command.

The Marketo and Salesforce mocks on one world, Marketo's own Salesforce sync, and the
reference SIA on top: its initial sync, then continuous mode, its HTTP API and the
dashboard. Every port is taken before anything is built, so a clash is one clear line.
"""

from __future__ import annotations

import logging
import shutil
import signal
import tempfile
from pathlib import Path

import click

from engine.errors import DatabaseUnusable, EngineError
from engine.sync.people import INITIAL_DONE, INITIATED
from fixtures.world import write_world
from mocks.core.serving import PortInUse, ServerHandle
from mocks.core.store import StoreUnusable
from mocks.marketo.config import MarketoConfig
from mocks.salesforce.config import SalesforceConfig
from siasim.commands.serve import MARKETO_PORT, SALESFORCE_PORT, wait_for_interrupt
from siasim.connect import StackInfo, describe_stack
from siasim.logs import log_options, log_to, terminal_level
from siasim.options import jwt_key_option, workers_option, world_options
from siasim.stack import (
    RunningMock,
    RunningSIA,
    attach_mock,
    bind,
    marketo_salesforce_link,
    start_sia,
    stop_all,
    stop_marketo_salesforce_sync,
    stop_sia,
    tls_files,
    world_spec,
)

SIA_PORT = 8400
log = logging.getLogger("siasim.up")


def _on_signal(_signum, _frame):
    raise KeyboardInterrupt


class InitialSyncProgress:
    """The engine's progress events as a bar: one step per export window."""

    def __init__(self) -> None:
        self.bar = None
        self.shown = 0

    def __call__(self, event: str, info: dict) -> None:
        if event != "window" or "total" not in info:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=info["total"], show_pos=True,
                                         label="Initial sync: exporting people from Marketo")
            self.bar.__enter__()
        step = info["done"] - self.shown
        if step > 0:
            self.bar.update(step)
            self.shown = info["done"]

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _bind_all(host: str, ports: dict[str, int], tls) -> dict[str, ServerHandle]:
    handles: dict[str, ServerHandle] = {}
    try:
        for name, port in ports.items():
            handles[name] = bind(host, port, tls if name == "salesforce" else None)
    except PortInUse as exc:
        for handle in handles.values():
            handle.stop()
        raise click.ClickException(
            f"{name} port {exc.port} on {exc.host} is already in use (is another siasim up "
            f"running?); choose another with --{name}-port, or 0 for any free port") from None
    return handles


def _initial_sync(running: RunningSIA, resume: bool) -> str:
    sia, worker = running.sia, running.worker
    done = sia.db.cursor(INITIAL_DONE)
    if done:
        people = sia.status()["people"].get("active", 0)
        return f"SIA continues from its database: initial sync done {done}, {people:,} people"
    click.echo("Starting the data sync (S-INITIATE); fields that sync from Marketo: "
               + ", ".join(f["field"] for f in sia.sync_fields()))
    if resume:
        click.echo("The initial sync was interrupted before: it continues where it stopped.")
    progress = InitialSyncProgress()
    try:
        result = worker.run(sia.initiate_sync, progress)
    except EngineError as exc:
        return (f"The initial sync failed: {exc.message}. The stack is up; retry from the "
                "dashboard's sync panel or with POST /api/sync/initial.")
    except Exception as exc:
        log.exception("the initial sync failed")
        return (f"The initial sync failed unexpectedly ({type(exc).__name__}; the log has "
                "the details). The stack is up; retry from the dashboard's sync panel or "
                "with POST /api/sync/initial.")
    finally:
        progress.close()
    people = sia.status()["people"].get("active", 0)
    return (f"Initial sync: {result.added:,} people copied in {result.seconds:.1f} s; SIA has "
            f"{people:,} people")


@click.command()
@world_options
@workers_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface every server listens on (0.0.0.0 exposes them to the network).")
@click.option("--sia-port", type=click.IntRange(0, 65535), default=SIA_PORT, show_default=True,
              help="Port of SIA's API and the dashboard; 0 picks a free one.")
@click.option("--marketo-port", type=click.IntRange(0, 65535), default=MARKETO_PORT,
              show_default=True, help="Port of the Marketo mock; 0 picks a free one.")
@click.option("--salesforce-port", type=click.IntRange(0, 65535), default=SALESFORCE_PORT,
              show_default=True, help="Port of the Salesforce mock; 0 picks a free one.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder that keeps the state of all three systems across "
                                 "restarts (default: temporary, discarded on exit).")
@click.option("--tls", is_flag=True, help="Serve the Salesforce mock over HTTPS.")
@jwt_key_option
@click.option("--interval", type=click.FloatRange(min=0.5), default=5.0, show_default=True,
              help="Seconds between SIA's sync passes in continuous mode.")
@click.option("--marketo-sync-interval", type=click.FloatRange(min=0), default=10.0,
              show_default=True,
              help="Seconds between runs of Marketo's own Salesforce sync (persons follow "
                   "Salesforce); 0 runs it only on demand.")
@click.option("--no-initial-sync", is_flag=True,
              help="Leave the data sync unstarted (S-INITIATE): start it from the dashboard "
                   "or with POST /api/sync/initial.")
@log_options
def up(seed: int, profile: str, people: int | None, workers: int | None, host: str,
       sia_port: int, marketo_port: int, salesforce_port: int, data_dir: Path | None,
       tls: bool, jwt_key: str | None, interval: float, marketo_sync_interval: float,
       no_initial_sync: bool, verbose: int, log_level: str | None) -> None:
    """Start the whole local stack: the Marketo and Salesforce mocks seeded with one world
    and Marketo's own Salesforce sync between them, the reference Sales Insight Actions
    engine synced with them in continuous mode, and its HTTP API and live dashboard; print
    every URL and credential; run until Ctrl-C.

    With --data DIR the state of all three is kept in DIR, and a second `siasim up --data
    DIR` continues where the first stopped (the initial sync is not run again).
    """
    # Ctrl-C or SIGTERM at any point, the initial sync included, stops everything cleanly
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    existing = data_dir is not None and (data_dir / "marketo.db").exists()
    handles = _bind_all(host, {"sia": sia_port, "marketo": marketo_port,
                               "salesforce": salesforce_port},
                        tls_files(tls, data_dir / "tls" if data_dir else None))
    workdir = data_dir or Path(tempfile.mkdtemp(prefix="siasim-up-"))
    workdir.mkdir(parents=True, exist_ok=True)
    # a temporary stack's log outlives it: it is what tells why something went wrong
    log_file = log_to(data_dir / "siasim.log" if data_dir else
                      Path(tempfile.mkstemp(prefix="siasim-up-", suffix=".log")[1]),
                      terminal_level(verbose, log_level))
    world = world_spec(False, seed, profile, people, workers)
    mocks: list[RunningMock] = []
    running: RunningSIA | None = None
    try:
        if existing:
            click.echo(f"Using the state kept in {data_dir} (world options apply to new data "
                       "only).")
        else:
            click.echo(f"Generating the world: seed {seed}, profile {profile}"
                       + (f", {people:,} persons" if people else "") + " ...")
            # both sides in one pass (each mock would make the whole world for its side),
            # before any server thread runs, so that the workers are forked
            write_world(world.build(), workdir)
        # Salesforce first: Marketo's own sync reads it from its first run on
        sf_config = SalesforceConfig(db=str(workdir / "salesforce.db"), world=world,
                                     jwt_certificate=jwt_key)
        salesforce = attach_mock("salesforce", sf_config, handles["salesforce"])
        mocks.append(salesforce)
        salesforce.handle.serve_in_thread()
        marketo = attach_mock("marketo", MarketoConfig(
            db=str(workdir / "marketo.db"), world=world,
            salesforce=marketo_salesforce_link(salesforce.handle, sf_config),
            salesforce_sync_interval=marketo_sync_interval or None), handles["marketo"],
            shared_token=salesforce.config.admin_token)  # one admin token to print
        mocks.append(marketo)
        marketo.handle.serve_in_thread()
        running = start_sia(handles["sia"], workdir / "sia.db", marketo, salesforce, interval)
        running.handle.serve_in_thread()
        click.echo(f"The dashboard is live while the rest starts: {running.url}/")
        initiated = running.sia.db.cursor(INITIATED)
        if no_initial_sync and not initiated:
            summary = ("The data sync is not started (--no-initial-sync): start it from the "
                       "dashboard or with POST /api/sync/initial.")
        else:
            summary = _initial_sync(running, resume=bool(initiated))
        running.worker.start()
        info = StackInfo(
            dashboard_url=running.url, marketo_url=marketo.url,
            marketo_client_id=marketo.config.client_id,
            marketo_client_secret=marketo.config.client_secret,
            salesforce_url=salesforce.url, salesforce_client_id=salesforce.config.client_id,
            salesforce_client_secret=salesforce.config.client_secret,
            salesforce_username=salesforce.config.username,
            salesforce_password=salesforce.config.password,
            salesforce_refresh_token=salesforce.config.refresh_token,
            salesforce_jwt_key=jwt_key,
            ca_file=salesforce.handle.tls.ca if salesforce.handle.tls else None,
            data_dir=data_dir, sia_db=workdir / "sia.db", log_file=log_file,
            continuous_interval=interval, admin_token=marketo.config.admin_token,
            marketo_salesforce_sync=(f"every {marketo_sync_interval:g} s, and on demand "
                                     "(dashboard)" if marketo_sync_interval else
                                     "on demand only (dashboard, or POST "
                                     f"{marketo.url}/__admin__/salesforce-sync/run)"))
        click.echo("")
        click.echo(f"siasim is up. {summary}")
        click.echo("")
        for line in describe_stack(info):
            click.echo(line)
        click.echo("")
        click.echo("Ctrl-C stops everything.")
        wait_for_interrupt()
    except (StoreUnusable, DatabaseUnusable) as exc:  # a --data folder holding other files
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("\nInterrupted" + (f"; `siasim up --data {data_dir}` continues from here."
                                      if data_dir else "."))
    finally:
        if running is not None:
            stop_sia(running)
        else:
            handles["sia"].stop()
        for mock in mocks:
            if mock.name == "marketo":
                stop_marketo_salesforce_sync(mock)
        stop_all(mocks)
        for name in ("salesforce", "marketo")[len(mocks):]:
            handles[name].stop()
        if data_dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        click.echo("siasim stopped.")

"""``siasim up``: the local stack in one command."""

from __future__ import annotations

from pathlib import Path

import click

from mocks.core.serving import PortInUse
from mocks.marketo.config import MarketoConfig
from mocks.salesforce.config import SalesforceConfig
from siasim.commands.serve import MARKETO_PORT, SALESFORCE_PORT, describe, wait_for_interrupt
from siasim.options import world_options
from siasim.stack import RunningMock, start_mock, stop_all, tls_files, world_spec


@click.command()
@world_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface the servers listen on.")
@click.option("--marketo-port", type=click.IntRange(0, 65535), default=MARKETO_PORT,
              show_default=True, help="Port of the Marketo mock; 0 picks a free one.")
@click.option("--salesforce-port", type=click.IntRange(0, 65535), default=SALESFORCE_PORT,
              show_default=True, help="Port of the Salesforce mock; 0 picks a free one.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder that keeps the state across restarts (default: "
                                 "temporary, discarded on exit).")
@click.option("--tls", is_flag=True, help="Serve the Salesforce mock over HTTPS.")
def up(seed: int, profile: str, people: int | None, host: str, marketo_port: int,
       salesforce_port: int, data_dir: Path | None, tls: bool) -> None:
    """Start the local stack: the Marketo and Salesforce mocks on localhost, seeded with
    the same world, until Ctrl-C.

    With --data DIR the state is kept in DIR and a second `siasim up` continues where the
    first stopped.
    """
    world = world_spec(False, seed, profile, people)
    mkto_db = str(data_dir / "marketo.db") if data_dir else None
    sf_db = str(data_dir / "salesforce.db") if data_dir else None
    running: list[RunningMock] = []
    try:
        running.append(start_mock("marketo", MarketoConfig(db=mkto_db, world=world), host,
                                  marketo_port))
        running.append(start_mock("salesforce", SalesforceConfig(db=sf_db, world=world), host,
                                  salesforce_port, tls_files(tls, data_dir / "tls"
                                                             if data_dir else None)))
    except PortInUse as exc:
        stop_all(running)
        raise click.ClickException(str(exc)) from None
    for mock in running:
        mock.handle.serve_in_thread()
    click.echo(f"siasim is up: world seed {seed}, profile {profile}"
               + (f", {people:,} persons" if people else ""))
    for mock in running:
        click.echo("")
        for line in describe(mock):
            click.echo(line)
    click.echo("\nCtrl-C stops everything.")
    try:
        wait_for_interrupt()
    finally:
        stop_all(running)
        click.echo("siasim stopped.")

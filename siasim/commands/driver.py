"""``siasim serve driver`` and ``siasim driver-spec``: the HTTP driver protocol.

``serve driver`` puts a Python driver (the reference engine by default) behind the
protocol, so ``siasim verify --sut http://HOST:PORT`` runs the kit over HTTP exactly as a
vendor's service in any language is run; ``driver-spec`` prints the protocol's OpenAPI
document, to generate a server stub from.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from features.protocol.openapi import DEFAULT_PORT, document
from features.protocol.server import create_app
from mocks.core.serving import PortInUse, make_server
from siasim.logs import log_options, log_to, terminal_level
from siasim.options import bind_options

REFERENCE = "engine.driver:create_driver"


@click.command("driver")
@bind_options(DEFAULT_PORT)
@click.option("--sut", default=REFERENCE, show_default=True, metavar="MODULE:FACTORY",
              help="The Python driver factory to serve (default: the reference engine).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder where each session keeps its state (a new folder per session, "
                   "removed when it closes). Default: a temporary folder.")
@log_options
def serve_driver(host: str, port: int, sut: str, workdir: Path | None, verbose: int,
                 log_level: str | None) -> None:
    """Serve a driver behind the HTTP driver protocol (the reference engine by default).

    Each session (one per scenario of the kit) gets a fresh driver with its own database.
    Run the kit through it with `siasim verify --sut http://127.0.0.1:PORT`.
    """
    from features.plugin import UsageProblem, load_factory

    try:
        factory = load_factory(sut)
    except UsageProblem as exc:
        raise click.UsageError(str(exc)) from None
    name = "siasim reference engine" if sut == REFERENCE else f"siasim serve driver --sut {sut}"
    app = create_app(factory, workdir, name=name)
    log_to(None, terminal_level(verbose, log_level))  # -v: every protocol call
    try:
        handle = make_server(app, host, port)
    except PortInUse as exc:
        raise click.ClickException(str(exc)) from None
    handle.serve_in_thread()
    click.echo(f"driver protocol: {handle.url}  ({name})")
    click.echo(f"  OpenAPI        {handle.url}/openapi.json")
    click.echo(f"  run the kit    siasim verify --sut {handle.url}")
    click.echo("Ctrl-C stops it.")
    from siasim.commands.serve import wait_for_interrupt

    try:
        wait_for_interrupt()
    finally:
        handle.stop()
        app.extensions["siasim-driver"].close_all()
        click.echo("driver stopped.")


@click.command("driver-spec")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the document to this file instead of printing it.")
def driver_spec(output: Path | None) -> None:
    """Print the OpenAPI 3.1 document of the HTTP driver protocol.

    Generate a server stub from it in your service's language, implement the methods your
    integration has, and answer 501 for the rest.
    """
    text = json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")

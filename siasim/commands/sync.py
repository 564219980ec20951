"""``siasim sync``: run the reference SIA's syncs from the command line."""

from __future__ import annotations

import json
import time

import click

from engine.errors import EngineError
from siasim.commands.serve import wait_for_interrupt
from siasim.engine_options import engine_options, open_sia, pop_engine_options


@click.group()
def sync() -> None:
    """Run the reference Sales Insight Actions' syncs against Marketo and Salesforce
    (by default the local mocks of `siasim up`)."""


def _fail(exc: EngineError) -> None:
    raise click.ClickException(exc.message) from None


@sync.command("initial")
@engine_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def sync_initial(as_json: bool, **kwargs) -> None:
    """Start the data sync (S-INITIATE): list the fields that will sync, then copy every
    qualified Marketo person into SIA. Safe to run again after an interruption: it
    continues where it stopped."""
    sia = open_sia(pop_engine_options(kwargs))
    if not as_json:
        click.echo("Fields that will sync from Marketo:")
        for f in sia.sync_fields():
            click.echo(f"  {f['field']:<26} <- {f['marketoField']}")
    bar = None

    def progress(event: str, info: dict) -> None:
        nonlocal bar
        if as_json:
            return
        if event == "window":
            if bar is None:
                bar = click.progressbar(length=info["total"], label="Exporting from Marketo",
                                        show_pos=True)
                bar.__enter__()
                bar.update(info["done"] - 1)
            bar.update(1)

    try:
        result = sia.initiate_sync(progress)
    except EngineError as exc:
        _fail(exc)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
        sia.close()
    _print(result.to_dict(), as_json)


@sync.command("changes")
@engine_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def sync_changes(as_json: bool, **kwargs) -> None:
    """One pass of incremental people sync from Marketo's lead-change feed."""
    sia = open_sia(pop_engine_options(kwargs))
    try:
        result = sia.sync_changes()
    except EngineError as exc:
        _fail(exc)
    finally:
        sia.close()
    _print(result.to_dict(), as_json)


@sync.command("watch")
@engine_options
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between passes.")
def sync_watch(interval: float, **kwargs) -> None:
    """Continuous mode: run the incremental syncs every --interval seconds until Ctrl-C."""
    import threading

    sia = open_sia(pop_engine_options(kwargs))
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                result = sia.sync_changes()
                if result.added or result.updated or result.removed:
                    click.echo(f"{time.strftime('%H:%M:%S')} " + _line(result.to_dict()))
            except EngineError as exc:
                click.echo(f"{time.strftime('%H:%M:%S')} error: {exc.message}", err=True)
            stop.wait(interval)

    worker = threading.Thread(target=loop, daemon=True)
    worker.start()
    click.echo(f"Watching for changes every {interval:g} s; Ctrl-C stops.")
    try:
        wait_for_interrupt()
    finally:
        stop.set()
        worker.join(timeout=30)
        sia.close()
        click.echo("stopped.")


def _line(data: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in data.items() if k != "kind")


def _print(data: dict, as_json: bool) -> None:
    click.echo(json.dumps(data) if as_json else f"{data['kind']}: {_line(data)}")

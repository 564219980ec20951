"""``siasim sync``: run the reference SIA's syncs from the command line."""

from __future__ import annotations

import json
import time

import click

from engine.errors import EngineError, SyncFailed
from siasim.commands.serve import wait_for_interrupt
from siasim.engine_options import engine_options, open_sia, pop_engine_options
from siasim.remote import RemoteSIA
from siasim.running import echo, json_option, run, summary


@click.group()
def sync() -> None:
    """Run the reference Sales Insight Actions' syncs against Marketo and Salesforce
    (by default the local mocks of `siasim up`): the initial and incremental people sync,
    unsubscribes, reminder tasks, all at once, or continuously."""


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


@sync.command("unsubscribes")
@engine_options
@json_option
def sync_unsubscribes(as_json: bool, **kwargs) -> None:
    """One pass of the unsubscribe sync with Salesforce (U-SF-TWO-WAY): pending opt-outs
    out, Salesforce's Email Opt Outs in. Re-subscribes never sync."""
    echo(run(kwargs, lambda sia: sia.sync_unsubscribes()), as_json)


@sync.command("tasks")
@engine_options
@json_option
def sync_tasks(as_json: bool, **kwargs) -> None:
    """One pass of the reminder task sync with Salesforce (T-TWO-WAY), when task sync is on:
    SIA's changes out, Salesforce's in."""
    echo(run(kwargs, lambda sia: sia.sync_tasks()), as_json)


@sync.command("all")
@engine_options
@json_option
def sync_all(as_json: bool, **kwargs) -> None:
    """One pass of every periodic sync: people from Marketo, the deliveries still waiting
    (activities to Marketo, Tasks to Salesforce), unsubscribes, reminder tasks. Every part
    runs even if one fails; the command then exits 1."""
    sia = open_sia(pop_engine_options(kwargs))
    try:
        result, error = sia.sync_all(), None
    except SyncFailed as exc:
        result, error = exc.result, exc.message
    except EngineError as exc:
        _fail(exc)
    finally:
        sia.close()
    echo(result, as_json)
    if error:
        raise click.ClickException(error)


@sync.command("watch")
@engine_options
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between passes.")
def sync_watch(interval: float, **kwargs) -> None:
    """Continuous mode: every --interval seconds, one pass of every periodic sync (as
    `siasim sync all`), until Ctrl-C. A pass prints what it did, when it did something."""
    import threading

    sia = open_sia(pop_engine_options(kwargs))
    stop = threading.Event()
    next_pass = _watched_passes(sia) or _own_passes(sia)

    def loop() -> None:
        reported = None  # a failure that repeats every pass is shown once
        while not stop.is_set():
            stamp = time.strftime("%H:%M:%S")
            result, error = next_pass()
            if _busy(result):
                click.echo(f"{stamp} " + "; ".join(line.strip() for line in summary(
                    _busy(result))))
            if error and error != reported:
                click.echo(f"{stamp} error: {error}", err=True)
            reported = error
            stop.wait(interval)

    worker = threading.Thread(target=loop, daemon=True)
    worker.start()
    if next_pass.__name__ == "watched":
        click.echo(f"Watching the stack's passes (looking every {interval:g} s); "
                   "Ctrl-C stops.")
    else:
        click.echo(f"Watching: every periodic sync every {interval:g} s; Ctrl-C stops.")
    try:
        wait_for_interrupt()
    finally:
        stop.set()
        worker.join(timeout=30)
        sia.close()
        click.echo("stopped.")


def _own_passes(sia):
    def next_pass():
        try:
            return sia.sync_all(), None
        except SyncFailed as exc:
            return exc.result, exc.message
        except EngineError as exc:
            return {}, exc.message

    return next_pass


def _watched_passes(sia):
    """A running stack's SIA already syncs continuously: show its passes rather than
    running more beside them."""
    if not isinstance(sia, RemoteSIA):
        return None
    try:
        worker = sia.status()["worker"]
    except EngineError:
        return None
    if not worker.get("continuous"):
        return None
    click.echo(f"The running stack's SIA ({sia.url}) syncs continuously already, every "
               f"{worker['interval']:g} s: its passes are shown as they end.")
    seen = {"passes": worker["passes"]}

    def watched():
        try:
            worker = sia.status()["worker"]
        except EngineError as exc:
            return {}, exc.message
        if worker["passes"] == seen["passes"]:
            return {}, None
        seen["passes"] = worker["passes"]
        error = worker.get("lastError")
        return (worker.get("lastResult") or {}), (error or {}).get("message")

    return watched


def _busy(data):
    """Only the parts of a result that did something (non-zero counts)."""
    if isinstance(data, dict):
        kept = {}
        for key, value in data.items():
            if key in ("kind", "seconds", "pages", "skipped"):
                continue
            value = _busy(value)
            if value:
                kept[key] = value
        return kept
    if isinstance(data, bool):
        return None
    return data or None


def _line(data: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in data.items() if k != "kind")


def _print(data: dict, as_json: bool) -> None:
    click.echo(json.dumps(data) if as_json else f"{data['kind']}: {_line(data)}")

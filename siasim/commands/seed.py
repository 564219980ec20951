"""``siasim seed``: write a generated world into SQLite files."""

from __future__ import annotations

import time
from pathlib import Path

import click

from fixtures import scenarios
from fixtures.world import FILE_NAMES, generate, write_world
from siasim.options import reject_world_options, workers_option, world_options


@click.command()
@world_options
@workers_option
@click.option("--scenario", type=click.Choice(scenarios.names()), default=None,
              help="Write a named hand-written data set (fixtures/scenarios) instead of a "
                   "generated world.")
@click.option("--out", "out_dir", required=True, metavar="DIR",
              type=click.Path(file_okay=False, writable=True, path_type=Path),
              help="Folder to write salesforce.db and marketo.db into (created if missing).")
@click.pass_context
def seed(ctx: click.Context, seed: int, profile: str, people: int | None,
         workers: int | None, scenario: str | None, out_dir: Path) -> None:
    """Write a deterministic world into DIR: salesforce.db and marketo.db.

    The same --seed, --profile and --people always give the same rows, whatever
    --workers (a world of more than 10,000 persons is made by that many processes). The
    files are written under temporary names and renamed when complete, so an interrupted
    run leaves no half world behind. Serve them with `siasim serve ... --db DIR/marketo.db`.
    """
    if scenario:
        reject_world_options(ctx, "--scenario")
        if workers is not None:
            raise click.UsageError("--scenario and --workers exclude each other", ctx)
        source = scenarios.load(scenario)
        label = f"scenario {scenario}"
    else:
        source = generate(seed=seed, profile=profile, people=people, workers=workers)
        label = f"world: seed {seed}, profile {profile}, {source.people:,} persons"
    started = time.perf_counter()
    counts = write_world(source, out_dir)
    click.echo(f"{label} ({time.perf_counter() - started:.1f} s)")
    for side, tables in counts.items():
        listing = ", ".join(f"{name} {count:,}" for name, count in tables.items())
        click.echo(f"  {out_dir / FILE_NAMES[side]}: {listing}")

"""``siasim people``: the people in SIA's own database."""

from __future__ import annotations

import json

import click

from engine.fields import SYNCED_FIELDS
from siasim.engine_options import engine_options, open_sia, pop_engine_options


@click.command()
@engine_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every field) instead of "
                                                      "a table.")
@click.option("--all", "include_removed", is_flag=True,
              help="Include people no longer qualified or deleted in Marketo.")
def people(as_json: bool, include_removed: bool, **kwargs) -> None:
    """List SIA's people: the 13 fields synced from Marketo (read-only here)."""
    sia = open_sia(pop_engine_options(kwargs))
    try:
        rows = sia.people(include_removed=include_removed)
    finally:
        sia.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    columns = ("Marketo ID", "First Name", "Last Name", "Email", "Company", "Title")
    widths = {c: max([len(c)] + [len(str(r.get(c) or "")) for r in rows]) for c in columns}
    widths = {c: min(w, 32) for c, w in widths.items()}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        click.echo("  ".join(str(row.get(c) or "")[:widths[c]].ljust(widths[c])
                             for c in columns))
    click.echo(f"{len(rows)} people ({len(SYNCED_FIELDS)} fields each; --json shows all)")

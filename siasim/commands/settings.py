"""``siasim settings``: SIA's switches (S-SETTINGS), listed and changed."""

from __future__ import annotations

import click

from siasim.engine_options import engine_options
from siasim.running import echo, json_option, run


@click.command()
@click.argument("key", required=False)
@click.argument("value", required=False)
@engine_options
@json_option
def settings(key: str | None, value: str | None, as_json: bool, **kwargs) -> None:
    """List SIA's settings, show one (KEY), or change one (KEY VALUE; a switch takes on or
    off). A change takes effect on the next action. Switching salesforce.sync_tasks on
    makes the next task sync a first sync (T-FIRST-SYNC)."""
    if key is None:
        rows = run(kwargs, lambda sia: sia.settings.describe())

        def table(items):
            for item in items:
                shown = _shown(item["value"])
                default = "" if item["value"] == item["default"] else \
                    f"  (default {_shown(item['default'])})"
                click.echo(f"{item['key']:<36} {shown}{default}")
                click.echo(f"    {item['description']}")

        echo(rows, as_json, table)
        return
    if value is None:
        current = run(kwargs, lambda sia: sia.settings.get(key))
        echo({"key": key, "value": current}, as_json, lambda r: click.echo(_shown(r["value"])))
        return
    changed = run(kwargs, lambda sia: sia.set_setting(key, value))
    echo({"key": key, "value": changed}, as_json,
         lambda r: click.echo(f"{key} = {_shown(r['value'])}"))


def _shown(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)

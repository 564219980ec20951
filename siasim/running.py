"""Running one piece of work on the reference SIA for a command: open it with the engine
options, turn its refusals into clean command-line errors, close it, print the result."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from engine.errors import EngineError, InvalidInput, NotFound
from engine.sia import SIA
from siasim.engine_options import open_sia, pop_engine_options
from siasim.remote import RemoteSIA


def run(kwargs: dict, work: Callable[[SIA | RemoteSIA], Any]) -> Any:
    """``work(sia)``; an engine refusal is an error message and exit status 1, never a
    traceback."""
    sia = open_sia(pop_engine_options(kwargs))
    try:
        return work(sia)
    except EngineError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        sia.close()


def person_id(sia: SIA, person: str) -> int:
    """A person named on the command line: a Marketo ID, or an email SIA holds once."""
    text = person.strip()
    if text.isdigit():
        return int(text)
    if isinstance(sia, RemoteSIA):
        found = sia.ids_by_email(text)
    else:
        found = [r["marketo_id"] for r in sia.db.query(
            "SELECT marketo_id FROM people WHERE email = ? COLLATE NOCASE "
            "AND status = 'active' ORDER BY marketo_id", (text,))]
    if not found:
        raise NotFound(f"no person with email {text!r} in SIA")
    if len(found) > 1:  # P-DUPLICATES: SIA keeps them apart, so must the seller
        ids = ", ".join(map(str, found))
        raise InvalidInput(f"{len(found)} people have the email {text!r} (Marketo IDs {ids}): "
                           "name one by its Marketo ID")
    return int(found[0])


def summary(data: Any, indent: str = "") -> list[str]:
    """A result as short lines: counts and values, nested parts indented."""
    lines = []
    if not isinstance(data, dict):
        return [f"{indent}{data}"]
    flat = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
    if flat:
        lines.append(indent + ", ".join(f"{k} {v}" for k, v in flat.items()))
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.extend(summary(value, indent + "  "))
        elif isinstance(value, list):
            lines.append(f"{indent}{key}: {len(value)}")
    return lines


def echo(data: Any, as_json: bool, human: Callable[[Any], None] | None = None) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    elif human is not None:
        human(data)
    else:
        for line in summary(data):
            click.echo(line)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True,
                        help="Print the result as JSON.")(func)

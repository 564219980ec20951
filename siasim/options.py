"""Options several commands share, declared once."""

from __future__ import annotations

import click

from fixtures.world import PROFILES
from mocks.salesforce.assertions import KeyUnusable, load_public_key


def world_options(func):
    """``--seed``, ``--profile`` and ``--people``: which generated world to use."""
    func = click.option("--people", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Number of persons (default: the profile's own size).")(func)
    func = click.option("--profile", type=click.Choice(list(PROFILES)), default="default",
                        show_default=True,
                        help="World profile: tiny (~25 persons), default (~1,000), "
                             "large (100,000).")(func)
    func = click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
                        help="The world's seed: the same seed gives the same world.")(func)
    return func


def workers_option(func):
    """``--workers N``: processes that generate a large world (never changes its rows)."""
    return click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Processes that generate a world of more than 10,000 persons "
                             "at once (default: one per core). The rows are the same "
                             "whatever N.")(func)


def _usable_key(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            load_public_key(value)
        except KeyUnusable as exc:
            raise click.BadParameter(str(exc), ctx, param) from None
    return value


def jwt_key_option(func):
    """``--jwt-key PEM``: the connected app's certificate or public key (the JWT bearer
    flow), refused at once if it holds no RSA key."""
    return click.option("--jwt-key", type=click.Path(exists=True, dir_okay=False),
                        default=None, metavar="PEM", callback=_usable_key,
                        help="Certificate (or public key) of the connected app: turns on "
                             "the Salesforce mock's JWT bearer flow for assertions signed "
                             "with its private key.")(func)


def bind_options(default_port: int):
    def decorate(func):
        func = click.option("--port", type=click.IntRange(0, 65535), default=default_port,
                            show_default=True, help="Port to listen on; 0 picks a free one.")(func)
        func = click.option("--host", default="127.0.0.1", show_default=True,
                            help="Interface to listen on. Only localhost by default; "
                                 "0.0.0.0 exposes the mock to the network.")(func)
        return func
    return decorate


def reject_world_options(ctx: click.Context, because: str) -> None:
    """A usage error when --seed, --profile or --people were given along with ``because``."""
    for name in ("seed", "profile", "people"):
        source = ctx.get_parameter_source(name)
        if source is not None and source.name == "COMMANDLINE":
            raise click.UsageError(f"{because} and --{name} exclude each other", ctx)

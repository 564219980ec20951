"""The ``siasim`` command: one group, one module per command under ``siasim.commands``."""

from __future__ import annotations

import click

from siasim import __version__
from siasim.commands.driver import driver_spec, serve_driver
from siasim.commands.people import people
from siasim.commands.rules import rules
from siasim.commands.seed import seed
from siasim.commands.seller import activities, call, campaign, email, grid, resubscribe, unsubscribe
from siasim.commands.serve import serve
from siasim.commands.settings import settings
from siasim.commands.sync import sync
from siasim.commands.tasks import task
from siasim.commands.up import up
from siasim.commands.verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="siasim")
def main() -> None:
    """Simulate and check the data sync between Sales Insight Actions, Marketo Engage and
    Salesforce: faithful local mock servers, a reference sync engine, and a conformance kit.

    Start with `siasim up`: both mock servers on localhost, seeded with the default world.
    """


main.add_command(up)
main.add_command(seed)
serve.add_command(serve_driver)
main.add_command(serve)
main.add_command(driver_spec)
main.add_command(sync)
main.add_command(people)
main.add_command(verify)
main.add_command(rules)
for command in (email, call, campaign, unsubscribe, resubscribe, task, grid, activities,
                settings):
    main.add_command(command)

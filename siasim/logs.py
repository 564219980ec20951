"""Where a server command's log goes: all of it to a file, the gist to the terminal.

The servers log an unexpected failure with its traceback; that belongs in a file for
whoever debugs it, not on the screen of whoever runs ``siasim up``, who gets one line.
``-v`` (or ``--log-level info``) also shows on the terminal what the stack does, every
API call the mocks answer among it; ``-vv`` (``--log-level debug``) shows everything.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LEVELS = ("debug", "info", "warning", "error")
#: one line per API call a mock answered (mocks.core.app); shown from -v on
REQUESTS_LOGGER = "siasim.requests"


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        bare = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None,
                                      "stack_info": None})
        return super().format(bare)


def log_options(func):
    """``-v``/``--verbose`` (repeatable) and ``--log-level``: how much the terminal shows."""
    func = click.option("--log-level", type=click.Choice(LEVELS, case_sensitive=False),
                        default=None,
                        help="What the terminal shows: warning (the default: what went "
                             "wrong, one line each), info (also every API call the mocks "
                             "answer), debug (everything).")(func)
    func = click.option("-v", "--verbose", count=True,
                        help="Show more on the terminal: -v every API call the mocks "
                             "answer, -vv everything (as --log-level info, debug).")(func)
    return func


def terminal_level(verbose: int, log_level: str | None) -> int:
    if log_level:
        return getattr(logging, log_level.upper())
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


def log_to(path: Path | None, level: int = logging.WARNING) -> Path | None:
    """Log to the terminal from ``level`` (one line a record) and, given a ``path``, INFO
    and up to that file (requests only when the terminal shows them too)."""
    console = logging.StreamHandler()
    console.setFormatter(_OneLine("%(levelname)s %(name)s: %(message)s"))
    console.setLevel(level)
    root = logging.getLogger()
    root.setLevel(min(level, logging.INFO))
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(console)
    if path is not None:
        file = logging.FileHandler(path, encoding="utf-8")
        file.setFormatter(logging.Formatter(FORMAT))
        file.setLevel(min(level, logging.INFO))
        if level > logging.INFO:  # a quiet terminal keeps the file free of routine calls
            file.addFilter(lambda record: record.name != REQUESTS_LOGGER)
        root.addHandler(file)
    return path

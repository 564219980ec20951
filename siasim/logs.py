"""Where a running stack's log goes: all of it to a file, the gist to the terminal.

The servers log an unexpected failure with its traceback; that belongs in a file for
whoever debugs it, not on the screen of whoever runs ``siasim up``, who gets one line.
"""

from __future__ import annotations

import logging
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        bare = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None,
                                      "stack_info": None})
        return super().format(bare)


def log_to(path: Path) -> Path:
    """Log INFO and up to the file ``path``, WARNING and up as one line to stderr."""
    file = logging.FileHandler(path, encoding="utf-8")
    file.setFormatter(logging.Formatter(FORMAT))
    file.setLevel(logging.INFO)
    console = logging.StreamHandler()
    console.setFormatter(_OneLine("%(levelname)s %(name)s: %(message)s"))
    console.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(file)
    root.addHandler(console)
    return path

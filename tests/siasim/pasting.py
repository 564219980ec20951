"""Code as a user pastes it: into an interactive Python prompt, line by line."""

from __future__ import annotations

import os
import subprocess
import sys

from siasim.connect import SNIPPET_HEADER


def paste_into_python(code: str, env: dict | None = None, timeout: float = 90) -> str:
    """Feed ``code`` to the interactive prompt (``python -i``) as a paste does, and return
    what it printed; any error (an IndentationError from an indented snippet, an exception
    of the code) fails, with the prompt's own message."""
    run = subprocess.run([sys.executable, "-i", "-q"], input=code + "\n", capture_output=True,
                         text=True, timeout=timeout, env={**os.environ, **(env or {})})
    problems = [line for line in run.stderr.splitlines()
                if "Error" in line or "Traceback" in line]
    assert not problems, f"pasting this failed:\n{code}\n--- the prompt said:\n{run.stderr}"
    return run.stdout


def printed_snippet(lines: list[str], client: str) -> str:
    """The code printed after ``<client>, to paste into Python:``, up to the blank line."""
    header = SNIPPET_HEADER.format(client=client)
    start = lines.index(header) + 1
    code = []
    for line in lines[start:]:
        if not line.strip():
            break
        code.append(line)
    return "\n".join(code)

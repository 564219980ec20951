"""The README's examples, as the tests that run them find them."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def marked_block(marker: str) -> str:
    """The code block right after ``<!-- siasim:MARKER -->``."""
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"<!-- siasim:{re.escape(marker)} -->\n```\w*\n(.*?)\n```", text,
                      re.DOTALL)
    assert found, f"the README has no block marked siasim:{marker}"
    return found.group(1) + "\n"

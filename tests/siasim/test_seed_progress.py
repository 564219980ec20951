"""``siasim seed`` shows a bar of persons written for a large world."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from fixtures.world import generate, write_world


@pytest.mark.parametrize("workers", [1, 2])
def test_the_writer_tells_of_each_chunk(tmp_path, workers):
    heard = []
    write_world(generate(people=25_000, workers=workers), tmp_path,
                lambda done, of: heard.append((done, of)))
    assert heard == [(1, 3), (2, 3), (3, 3)]


def test_a_large_world_gets_a_bar_on_a_terminal(tmp_path):
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "siasim", "seed", "--people", "25000", "--workers", "1",
         "--out", str(tmp_path / "w")], stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end has closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(120) == 0
    text = shown.decode(errors="replace")
    assert "Writing the world" in text and "25000/25000" in text, text
    assert "25,000 persons" in text


def test_a_small_world_gets_none(tmp_path):
    done = subprocess.run([sys.executable, "-m", "siasim", "seed", "--profile", "tiny",
                           "--out", str(tmp_path / "w")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "Writing the world" not in done.stdout

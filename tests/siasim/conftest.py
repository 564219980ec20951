"""Running ``python -m siasim ...`` as a real process, as a user would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest


class SiasimProcess:
    """A ``siasim`` command in the background: its output, line by line, as it comes."""

    def __init__(self, args: list[str], env: dict | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "siasim", *args], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            if self.proc.poll() is not None:
                self._reader.join(5)
                if any(text in line for line in self.lines):
                    return
                break
            time.sleep(0.05)
        raise AssertionError(f"no {text!r} in the output of siasim:\n{self.output}")

    def value(self, title: str) -> str:
        """The value of a ``Title: value`` line of the printed block."""
        for line in self.lines:
            if line.strip().startswith(title + ":"):
                return line.split(":", 1)[1].split()[0]
        raise AssertionError(f"no {title!r} line in:\n{self.output}")

    def stop(self, timeout: float = 30) -> int:
        """Ctrl-C, then the exit code once it has stopped."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"siasim did not stop on Ctrl-C:\n{self.output}") from None
        self._reader.join(5)
        return code


@pytest.fixture
def siasim() -> Iterator:
    """Start ``siasim ARGS`` processes; any still running at the end are stopped."""
    started: list[SiasimProcess] = []

    def start(*args: str, env: dict | None = None) -> SiasimProcess:
        process = SiasimProcess(list(args), env)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait(10)

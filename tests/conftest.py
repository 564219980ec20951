"""Shared test fixtures: mocks built fresh per test, real servers on port 0, and
``siasim`` commands run as real processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from features.harness import MockStack, start_mocks
from mocks.core.serving import ServerHandle, start_server


@pytest.fixture
def serve() -> Iterator[Callable[..., ServerHandle]]:
    """Start a WSGI app on a free port in a thread; every server started is stopped."""
    handles: list[ServerHandle] = []

    def start(app, **kwargs) -> ServerHandle:
        handle = start_server(app, "127.0.0.1", 0, **kwargs)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()


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


@contextlib.contextmanager
def _processes() -> Iterator[Callable[..., SiasimProcess]]:
    started: list[SiasimProcess] = []

    def start(*args: str, env: dict | None = None) -> SiasimProcess:
        process = SiasimProcess(list(args), env)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.proc.poll() is None:
                process.proc.kill()
                process.proc.wait(10)


@pytest.fixture
def siasim() -> Iterator[Callable[..., SiasimProcess]]:
    """Start ``siasim ARGS`` processes; any still running at the end are killed."""
    with _processes() as start:
        yield start


@pytest.fixture(scope="session")
def siasim_for_session() -> Iterator[Callable[..., SiasimProcess]]:
    """The same, for a process several tests share (a stack that takes a while to sync)."""
    with _processes() as start:
        yield start


@pytest.fixture(scope="module")
def mock_stack() -> Iterator[MockStack]:
    """Both mocks as the conformance kit runs them, once per module."""
    stack = start_mocks()
    yield stack
    stack.stop()

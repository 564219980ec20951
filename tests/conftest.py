"""Shared test fixtures: mocks built fresh per test, real servers on port 0, and
``siasim`` commands run as real processes."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from features.harness import MockStack, start_mocks
from mocks.core.serving import ServerHandle, start_server


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("siasim fuzz", "the fuzz suite (tests/fuzz)")
    group.addoption("--fuzz-count", type=int, default=1000, metavar="N",
                    help="bad requests the fuzz suite sends to each mock (default 1000, so "
                         "2000 in all; 5000 for a long local run of 10000)")
    group.addoption("--fuzz-seed", type=int, default=1, metavar="N",
                    help="the seed of the fuzz suite's requests and faults (default 1)")
    group.addoption("--fault-count", type=int, default=60, metavar="N",
                    help="faults the delivery fuzz injects during sellers' actions "
                         "(default 60; 1000 for a long local run)")


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


# Tools whose dependencies clash with ours (Singer taps, airbyte connectors) and the
# JavaScript clients get environments of their own, made inside the checkout (git-ignored)
# so that a fresh machine builds them and nothing outside the checkout is relied on.
TOOLENVS = Path(__file__).resolve().parent.parent / ".toolenvs"


@contextlib.contextmanager
def _toolenv(kind: str, name: str, packages: list[str]) -> Iterator[tuple[Path, bool]]:
    """The folder for one tool environment, keyed by what it holds, under a file lock so
    that xdist workers build it once; yields (folder, ready)."""
    key = hashlib.sha256("\n".join([kind, *packages]).encode()).hexdigest()[:12]
    folder = TOOLENVS / f"{kind}-{name}-{key}"
    TOOLENVS.mkdir(exist_ok=True)
    with open(TOOLENVS / f"{kind}-{name}-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = (folder / ".ready").exists()
        if not ready and folder.exists():
            shutil.rmtree(folder)  # a build that was interrupted
        yield folder, ready
        if not ready:
            (folder / ".ready").touch()


def _run_install(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise AssertionError(f"could not install {what}:\n{done.stdout[-3000:]}"
                             f"\n{done.stderr[-3000:]}")


@pytest.fixture(scope="session")
def python_tool() -> Callable[[str, list[str]], Path]:
    """``python_tool("tap-marketo", ["tap-marketo==2.9.0"])``: the bin folder of a
    virtualenv of its own with those packages, made once and reused."""

    def make(name: str, packages: list[str]) -> Path:
        with _toolenv("py", name, packages) as (folder, ready):
            if not ready:
                _run_install([sys.executable, "-m", "venv", str(folder)], name)
                _run_install([str(folder / "bin" / "python"), "-m", "pip", "install", "-q",
                              *packages], " ".join(packages))
        return folder / "bin"

    return make


@pytest.fixture(scope="session")
def node_tool() -> Callable[[str, list[str]], Path]:
    """``node_tool("jsforce", ["jsforce@3"])``: a folder whose node_modules holds those npm
    packages (run scripts with ``cwd`` or ``NODE_PATH`` there). Skips, saying why, only
    where Node.js or npm is missing."""

    def make(name: str, packages: list[str]) -> Path:
        if not (shutil.which("node") and shutil.which("npm")):
            pytest.skip("Node.js and npm are not installed: the JavaScript clients need them")
        with _toolenv("node", name, packages) as (folder, ready):
            if not ready:
                folder.mkdir(parents=True)
                (folder / "package.json").write_text('{"private": true}\n')
                _run_install(["npm", "install", "--no-audit", "--no-fund", "--silent",
                              "--prefix", str(folder), *packages], " ".join(packages))
        return folder

    return make

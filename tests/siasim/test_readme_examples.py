"""Every example of the README, run as written.

The shell examples (```bash blocks) run in order in a fresh folder, as a user types them
in a second terminal while the README's own ``siasim up`` runs: the people, seller and
sync commands act on that stack. A command that runs until Ctrl-C (``siasim up``,
``siasim serve``, ``siasim sync watch``) is started, waited for until it says how to stop
it, and stopped. The Python examples run against what the commands started, with the
addresses those printed in place of the README's default ones (the tests never take the
default ports, which are a developer's own). Left out, each for its reason: the two set-up
commands (CI runs them from the README), the benchmark scripts (measurements that take
minutes, run by hand), and the examples the pytest plugin's tests run
(``test_pytest_plugin.py``: blocks marked ``plugin-example`` and ``api-example``).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.siasim.readme import README

RUN_ELSEWHERE = ("up-command", "test-command", "plugin-example", "api-example")
BENCHMARKS = "## Benchmarks"
READY = "Ctrl-C"  # what every command that runs until Ctrl-C says once it is up


@dataclass
class Example:
    section: str
    language: str
    code: str
    marker: str | None


def examples() -> list[Example]:
    text = README.read_text(encoding="utf-8")
    found, section = [], ""
    pattern = re.compile(r"^(#{2,3} [^\n]*)$|(?:<!-- siasim:([^>]*?) -->\n)?^```(\w*)\n(.*?)\n```",
                         re.MULTILINE | re.DOTALL)
    for match in pattern.finditer(text):
        if match.group(1):
            section = match.group(1)
            continue
        found.append(Example(section, match.group(3), match.group(4), match.group(2)))
    return found


def shell_commands() -> list[tuple[str, list[str]]]:
    commands = []
    for example in examples():
        if example.language != "bash" or (example.marker or "").split(" ")[0] in RUN_ELSEWHERE:
            continue
        for line in example.code.splitlines():
            words = shlex.split(line, comments=True)
            if not words:
                continue
            if example.section == BENCHMARKS and words[0].endswith("python"):
                continue
            assert words[0] == "siasim", f"the README shows a command this test cannot " \
                                         f"run: {line!r} ({example.section})"
            commands.append((example.section, words[1:]))
    return commands


def runs_until_stopped(args: list[str]) -> bool:
    return args[:1] in (["up"], ["serve"]) or args[:2] == ["sync", "watch"]


def python_examples() -> list[Example]:
    return [e for e in examples() if e.language == "python"
            and (e.marker or "").split(" ")[0] not in RUN_ELSEWHERE]


def _printed(process, title: str) -> str:
    """What a command printed after ``title`` (``Title: value`` or ``Title   value``)."""
    for line in process.lines:
        found = re.match(rf"\s*{re.escape(title)}:?\s+(\S+)", line)
        if found:
            return found.group(1)
    raise AssertionError(f"no {title!r} in:\n{process.output}")


def _run_python(code: str, env: dict, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env}, cwd=cwd)
    assert done.returncode == 0, f"this README example failed:\n{code}\n{done.stderr}"
    return done.stdout


def test_every_readme_example_runs_as_written(siasim, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env = {"SIASIM_STATE_DIR": str(tmp_path / "state"), "SIASIM_SIA_PORT": "0",
           "SIASIM_MARKETO_PORT": "0", "SIASIM_SALESFORCE_PORT": "0",
           "SIASIM_PROXY_PORT": "0"}
    commands = shell_commands()
    assert any(args[:2] == ["email", "send"] for _, args in commands)
    long_running = [(section, args) for section, args in commands if runs_until_stopped(args)]
    main_up = next(args for _, args in long_running if args == ["up"])

    # the README's own `siasim up`: the default world, which its examples' people are in
    stack = siasim(*main_up, env=env, cwd=work)
    stack.wait_for("Ctrl-C stops everything.", timeout=600)
    state = next(line.split("(its state: ")[1].split(")")[0] for line in stack.lines
                 if "(its state: " in line)
    here = {**env, "SIASIM_STACK": state}

    for section, args in commands:
        if runs_until_stopped(args):
            continue
        done = subprocess.run([sys.executable, "-m", "siasim", *args], capture_output=True,
                              text=True, timeout=900, env={**os.environ, **here}, cwd=work)
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"siasim {shlex.join(args)} ({section}):\n{output}"
        assert "Traceback" not in output and "No siasim up is running" not in output

    plain = {"http://127.0.0.1:8401": _printed(stack, "Marketo mock"),
             "http://127.0.0.1:8402": _printed(stack, "Salesforce mock")}
    secure = [e for e in python_examples() if "https://127.0.0.1:8402" in e.code]
    for example in python_examples():
        if example not in secure:
            _run_python(_placed(example.code, plain), here, work)

    # each command that runs until Ctrl-C, and the examples that need what it serves
    for section, args in long_running:
        if args == main_up:
            continue
        process = siasim(*args, env=here, cwd=work)
        process.wait_for(READY, timeout=600)
        if "--tls" in args:
            url = next(u for u in re.findall(r"https://127\.0\.0\.1:\d+", process.output))
            ca = _printed(process, "CA file")
            for example in [e for e in secure if e.section == section]:
                secure.remove(example)
                code = re.sub(r'"/tmp/siasim-[^"]*"', f'"{ca}"', example.code)
                _run_python(_placed(code, {"https://127.0.0.1:8402": url}),
                            {**here, "REQUESTS_CA_BUNDLE": ca}, work)
        assert process.stop() == 0, process.output
        assert "Traceback" not in process.output
    assert not secure, f"no command of their section serves these examples: {secure}"
    assert stack.stop() == 0 and "Traceback" not in stack.output


def _placed(code: str, addresses: dict[str, str]) -> str:
    for written, real in addresses.items():
        code = code.replace(written, real)
    return code


@pytest.mark.parametrize("line", ["siasim up", "siasim sync watch", "siasim serve salesforce"])
def test_long_running_commands_are_told_apart(line):
    assert runs_until_stopped(shlex.split(line)[1:])
    assert not runs_until_stopped(["sync", "all"])

"""Every example of the README, run as written.

The shell examples (```bash blocks) run block by block, in order, in a fresh folder, as a
user types them in a second terminal while the README's own ``siasim up`` runs: the
people, seller and sync commands act on that stack. A command that runs until Ctrl-C
(``siasim up``, ``siasim serve``, ``siasim sync watch``) is started and waited for until it
says how to stop it; one sent to the background (``&``) serves the rest of its block, any
other is stopped before the next line, as a user stops it to type the next one. The only
change to what is written is the machine's: a port the README names is a free one here
(the tests never take the default ports, which are a developer's own), the files an
example names as the user's own (``server.crt``, a connected app's certificate) are made in
the folder first, and the Python examples reach what the commands started at the addresses
those printed.

Left out, each for its reason: the two set-up commands (CI runs them from the README),
recipes that need a tool of the user's own besides siasim (tap-marketo with a config file
of theirs: ``test_proxy_taps.py`` runs the taps), the benchmark scripts (measurements that
take minutes, run by hand), and the examples the pytest plugin's tests run
(``test_pytest_plugin.py``: blocks marked ``plugin-example`` and ``api-example``).
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.siasim.readme import README

RUN_ELSEWHERE = ("up-command", "test-command", "plugin-example", "api-example")
READY = "Ctrl-C"  # what every command that runs until Ctrl-C says once it is up
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


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


def _marker(example: Example) -> str:
    return (example.marker or "").split(" ")[0]


def command_lines(example: Example) -> list[list[str]]:
    """A shell block's commands, continuation lines joined, comments gone."""
    joined = example.code.replace("\\\n", " ")
    return [words for line in joined.splitlines()
            if (words := shlex.split(line, comments=True))]


def siasim_blocks() -> list[tuple[Example, list[list[str]]]]:
    """The shell blocks made of siasim commands only (the words after ``siasim``)."""
    blocks = []
    for example in examples():
        if example.language != "bash" or _marker(example) in RUN_ELSEWHERE:
            continue
        lines = command_lines(example)
        programs = {next(w for w in words if not _ASSIGNMENT.match(w)) for words in lines}
        if programs == {"siasim"}:
            blocks.append((example, [words[1:] for words in lines]))
    return blocks


def runs_until_stopped(args: list[str]) -> bool:
    return args[:1] in (["up"], ["serve"]) or args[:2] == ["sync", "watch"]


def python_examples() -> list[Example]:
    return [e for e in examples() if e.language == "python" and _marker(e) not in RUN_ELSEWHERE]


def _free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _ports_of_this_machine(lines: list[list[str]]) -> list[list[str]]:
    """The block with each port it names (``--port N``, ``127.0.0.1:N``; 0 stays 0) taken
    by a free one, the same for the whole block."""
    text = "\n".join(shlex.join(words) for words in lines)
    named = set(re.findall(r"--port[ =](\d+)", text)) | set(re.findall(r"127\.0\.0\.1:(\d+)",
                                                                        text))
    ports = {port: _free_port() for port in named if port != "0"}
    for written, free in ports.items():
        text = re.sub(rf"(?<=--port ){written}\b|(?<=--port=){written}\b|"
                      rf"(?<=127\.0\.0\.1:){written}\b", free, text)
    return [shlex.split(line) for line in text.splitlines()]


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


def _placed(code: str, addresses: dict[str, str]) -> str:
    for written, real in addresses.items():
        code = code.replace(written, real)
    return code


def _users_own_files(folder: Path) -> None:
    """What the README's examples take as the user's: a connected app's key (``--jwt-key``)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "server.crt").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def test_every_readme_example_runs_as_written(siasim, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    _users_own_files(work)
    env = {"SIASIM_STATE_DIR": str(tmp_path / "state"), "SIASIM_SIA_PORT": "0",
           "SIASIM_MARKETO_PORT": "0", "SIASIM_SALESFORCE_PORT": "0",
           "SIASIM_PROXY_PORT": "0"}
    blocks = siasim_blocks()
    everything = [args for _, lines in blocks for args in lines]
    assert ["up"] in everything and any(a[:2] == ["email", "send"] for a in everything)

    # the README's own `siasim up`: the default world, which its examples' people are in
    stack = siasim("up", env=env, cwd=work)
    stack.wait_for("Ctrl-C stops everything.", timeout=600)
    state = next(line.split("(its state: ")[1].split(")")[0] for line in stack.lines
                 if "(its state: " in line)
    here = {**env, "SIASIM_STACK": state}
    secure = [e for e in python_examples() if "https://127.0.0.1:8402" in e.code]

    def serving(section: str, process) -> None:
        """The section's HTTPS examples, against a command serving Salesforce over TLS."""
        url = re.findall(r"https://127\.0\.0\.1:\d+", process.output)[0]
        ca = _printed(process, "CA file")
        for example in [e for e in secure if e.section == section]:
            secure.remove(example)
            code = re.sub(r'"/tmp/siasim-[^"]*"', f'"{ca}"', example.code)
            _run_python(_placed(code, {"https://127.0.0.1:8402": url}),
                        {**here, "REQUESTS_CA_BUNDLE": ca}, work)

    for example, lines in blocks:
        background = []
        for args in _ports_of_this_machine(lines):
            if args == ["up"]:
                continue  # the stack above
            what = f"siasim {shlex.join(args)} ({example.section})"
            if runs_until_stopped(args) or args[-1:] == ["&"]:
                sent_away = args[-1:] == ["&"]
                process = siasim(*(args[:-1] if sent_away else args), env=here, cwd=work)
                process.wait_for(READY, timeout=600)
                if "--tls" in args:
                    serving(example.section, process)
                if sent_away:
                    background.append((what, process))
                    continue
                assert process.stop() == 0, f"{what}:\n{process.output}"
                assert "Traceback" not in process.output, what
                continue
            done = subprocess.run([sys.executable, "-m", "siasim", *args],
                                  capture_output=True, text=True, timeout=900,
                                  env={**os.environ, **here}, cwd=work)
            output = done.stdout + done.stderr
            assert done.returncode == 0, f"{what}:\n{output}"
            assert "Traceback" not in output and "No siasim up is running" not in output
        for what, process in background:
            assert process.stop() == 0, f"{what}:\n{process.output}"

    plain = {"http://127.0.0.1:8401": _printed(stack, "Marketo mock"),
             "http://127.0.0.1:8402": _printed(stack, "Salesforce mock")}
    for example in python_examples():
        if "https://127.0.0.1:8402" not in example.code:
            _run_python(_placed(example.code, plain), here, work)
    assert not secure, f"no command of their section serves these examples: {secure}"
    assert stack.stop() == 0 and "Traceback" not in stack.output


@pytest.mark.parametrize("line", ["siasim up", "siasim sync watch", "siasim serve salesforce"])
def test_long_running_commands_are_told_apart(line):
    assert runs_until_stopped(shlex.split(line)[1:])
    assert not runs_until_stopped(["sync", "all"])


def test_a_block_keeps_its_ports_consistent_and_off_the_defaults():
    lines = [["siasim", "serve", "driver", "--port", "8403", "&"],
             ["siasim", "verify", "--sut", "http://127.0.0.1:8403"],
             ["siasim", "serve", "marketo", "--port", "0"]]
    moved = _ports_of_this_machine(lines)
    port = moved[0][4]
    assert port != "8403" and moved[1][3] == f"http://127.0.0.1:{port}"
    assert moved[2][4] == "0"
    recipe = Example("s", "bash", "siasim serve marketo --port 8411 &\n"
                     "PYTHONPATH=x SIASIM_REDIRECT=y \\\n  tap-marketo --config c.json", None)
    assert [w[0] for w in command_lines(recipe)] == ["siasim", "PYTHONPATH=x"]

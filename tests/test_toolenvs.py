"""The tool environments the compatibility tests build: made once, reused, usable."""

from __future__ import annotations

import json
import subprocess


def test_a_python_tool_gets_its_own_environment_once(python_tool):
    first = python_tool("six", ["six==1.16.0"])
    again = python_tool("six", ["six==1.16.0"])
    assert first == again
    version = subprocess.run([str(first / "python"), "-c", "import six; print(six.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == "1.16.0"
    assert ".toolenvs" in str(first)


def test_a_node_tool_installs_its_packages(node_tool):
    folder = node_tool("is-number", ["is-number@7.0.0"])
    out = subprocess.run(["node", "-e", "console.log(JSON.stringify(require('is-number')(5)))"],
                         cwd=folder, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) is True

"""Where a running ``siasim up`` is: the state file it writes, and how other commands find it.

``siasim up`` writes ``stack.json`` into its data folder (``--data DIR``, or its temporary
one) with every URL and credential it printed, and registers it, while it runs, in a
per-user folder (``$SIASIM_STATE_DIR``, else ``$XDG_STATE_HOME/siasim``, else
``~/.local/state/siasim``), one file per process. The seller, people and sync commands
then act on the newest stack still running, through SIA's HTTP API; ``SIASIM_STACK`` names
one state file instead. A stack whose process is gone is forgotten when next looked for.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from features.contract import Endpoints

STATE_FILE = "stack.json"


@dataclass
class StackRecord:
    pid: int
    started: str
    sia_url: str  # SIA's API at /api, the dashboard at /
    endpoints: Endpoints  # the mocks: URLs, credentials, the CA of one served over HTTPS
    sia_db: str
    data_dir: str
    proxy_url: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_file(cls, path: Path) -> StackRecord:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(cls)}
        record = cls(**{k: v for k, v in data.items() if k in known})
        record.endpoints = Endpoints(**record.endpoints)
        return record

    def environment(self) -> dict[str, str]:
        """The ``SIASIM_*`` variables that point every command (and a user's own code) at
        this stack."""
        env = {"SIASIM_STACK": str(Path(self.data_dir) / STATE_FILE),
               "SIASIM_SIA_URL": self.sia_url,
               "SIASIM_MARKETO_URL": self.endpoints.marketo_url,
               "SIASIM_SALESFORCE_URL": self.endpoints.salesforce_url}
        if self.endpoints.ca_bundle:
            env["SIASIM_CA_BUNDLE"] = self.endpoints.ca_bundle
        if self.proxy_url:
            env["SIASIM_PROXY_URL"] = self.proxy_url
        return env

    def export_line(self) -> str:
        return "export " + " ".join(f"{k}={shlex.quote(v)}"
                                    for k, v in self.environment().items())


def state_dir() -> Path:
    configured = os.environ.get("SIASIM_STATE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "siasim"


def _registry() -> Path:
    return state_dir() / "stacks"


def _write_private(path: Path, text: str) -> None:
    """Written whole (a reader never sees half a file), readable by its owner only: it
    holds the mocks' credentials, as the block ``siasim up`` prints does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    partial.replace(path)


def record(stack: StackRecord) -> Path:
    """Write the state file into the stack's data folder and register it; the path of
    the state file."""
    state = Path(stack.data_dir) / STATE_FILE
    _write_private(state, stack.to_json())
    _write_private(_registry() / f"{stack.pid}.json", stack.to_json())
    return state


def forget(stack: StackRecord) -> None:
    """At exit: the stack no longer runs (its data folder's state file stays, marked)."""
    (_registry() / f"{stack.pid}.json").unlink(missing_ok=True)
    state = Path(stack.data_dir) / STATE_FILE
    if state.exists():
        state.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, not ours to use
        return True
    return True


class StackGone(Exception):
    """SIASIM_STACK names a state file of a stack that is not running."""


def find_running() -> StackRecord | None:
    """The stack to act on: the one ``SIASIM_STACK`` names, else the newest registered
    one whose process still runs (the others are forgotten)."""
    named = os.environ.get("SIASIM_STACK")
    if named:
        path = Path(named)
        try:
            stack = StackRecord.from_file(path)
        except (OSError, ValueError, TypeError) as exc:
            raise StackGone(f"SIASIM_STACK={named}: no running siasim up there "
                            f"({type(exc).__name__})") from None
        if not _alive(stack.pid):
            raise StackGone(f"SIASIM_STACK={named}: the siasim up that wrote it "
                            f"(process {stack.pid}) has stopped")
        return stack
    found: list[StackRecord] = []
    folder = _registry()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            stack = StackRecord.from_file(path)
        except (OSError, ValueError, TypeError):
            continue
        if _alive(stack.pid):
            found.append(stack)
        else:
            path.unlink(missing_ok=True)
    return max(found, key=lambda s: s.started) if found else None

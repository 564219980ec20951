"""The delivery lock: one holder at a time across threads and processes, re-entrant in a
thread, released by the kernel when its holder is killed."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from engine.locks import FileLock


def test_threads_take_turns_and_one_thread_may_hold_it_twice(tmp_path):
    lock = FileLock(tmp_path / "x.lock")
    events = []
    held = threading.Event()

    def other():
        held.wait()
        with lock.hold():
            events.append("other")

    thread = threading.Thread(target=other)
    thread.start()
    with lock.hold(), lock.hold():  # re-entrant: no deadlock with itself
        held.set()
        time.sleep(0.2)
        events.append("first")
    thread.join(timeout=10)
    assert events == ["first", "other"]


def test_a_killed_holder_releases_it(tmp_path):
    path = tmp_path / "x.lock"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom pathlib import Path\nfrom engine.locks import FileLock\n"
        f"with FileLock(Path({str(path)!r})).hold():\n"
        "    print('held', flush=True)\n    time.sleep(60)\n")], stdout=subprocess.PIPE,
        text=True)
    assert holder.stdout.readline().strip() == "held"
    got = threading.Event()

    def take():
        with FileLock(path).hold():
            got.set()

    threading.Thread(target=take, daemon=True).start()
    assert not got.wait(0.3)  # the other process has it
    holder.kill()
    holder.wait(timeout=10)
    assert got.wait(10)

"""SIA's worker: one piece of sync work at a time, and the continuous mode."""

from __future__ import annotations

import threading
import time

import pytest

from engine.errors import RemoteError
from engine.sia import SIA
from engine.sync.people import INITIATED
from engine.worker import Worker


@pytest.fixture
def sia(tmp_path):
    sia = SIA(tmp_path / "sia.db")
    yield sia
    sia.close()


def initiate(sia):
    with sia.db.transaction() as db:
        sia.db.set_cursor(db, INITIATED, "2030-01-01T00:00:00Z")


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_work_never_overlaps(sia, monkeypatch):
    worker = Worker(sia)
    inside, overlaps = [], []

    def work():
        if inside:
            overlaps.append(1)
        inside.append(1)
        time.sleep(0.02)
        inside.pop()
        return {}

    monkeypatch.setattr(sia, "sync_all", work)  # a sync pass is work too
    threads = [threading.Thread(target=worker.run, args=(work,)) for _ in range(4)]
    threads += [threading.Thread(target=worker.sync_pass) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == [] and worker.status()["passes"] == 2


def test_continuous_mode_waits_for_the_data_sync_to_be_started(sia, monkeypatch):
    passes = []
    monkeypatch.setattr(sia, "sync_all", lambda: passes.append(1) or {"people": {}})
    worker = Worker(sia, interval=0.01)
    worker.start()
    try:
        time.sleep(0.1)
        assert passes == []  # S-INITIATE: nothing syncs before an admin starts it
        initiate(sia)
        assert wait_for(lambda: len(passes) >= 3)
        status = worker.status()
        assert status["continuous"] and status["passes"] >= 3
        assert status["lastResult"] == {"people": {}} and status["lastError"] is None
    finally:
        worker.stop()
    assert not worker.status()["continuous"]
    stopped_at = len(passes)
    time.sleep(0.05)
    assert len(passes) == stopped_at


def test_a_failing_pass_is_recorded_and_the_loop_goes_on(sia, monkeypatch):
    outcomes = [RemoteError("Marketo", "611", "System error"), RuntimeError("boom"), None]
    seen = []

    def sync_all():
        outcome = outcomes[min(len(seen), 2)]
        seen.append(outcome)
        if outcome:
            raise outcome
        return {"ok": True}

    monkeypatch.setattr(sia, "sync_all", sync_all)
    initiate(sia)
    worker = Worker(sia, interval=0.01)
    worker.start()
    try:
        assert wait_for(lambda: len(seen) >= 3)
        assert wait_for(lambda: worker.status()["lastResult"] == {"ok": True})
        assert worker.status()["lastError"] is None
    finally:
        worker.stop()


def test_a_failing_pass_leaves_its_error_for_the_status(sia, monkeypatch):
    def sync_all():
        raise RemoteError("Salesforce", "SERVER_UNAVAILABLE", "down")

    monkeypatch.setattr(sia, "sync_all", sync_all)
    worker = Worker(sia)
    with pytest.raises(RemoteError):
        worker.sync_pass()
    error = worker.status()["lastError"]
    assert error["error"] == "REMOTE_ERROR" and "down" in error["message"] and error["at"]


def test_wake_runs_the_next_pass_now(sia, monkeypatch):
    passes = []
    monkeypatch.setattr(sia, "sync_all", lambda: passes.append(1) or {})
    initiate(sia)
    worker = Worker(sia, interval=60)
    worker.start()
    try:
        assert wait_for(lambda: len(passes) == 1)
        worker.wake()
        assert wait_for(lambda: len(passes) == 2)
    finally:
        worker.stop(timeout=5)

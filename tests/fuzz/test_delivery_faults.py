"""Sellers' actions while the network misbehaves: every activity and every Task lands
exactly once (``--fault-count``, 60 faults by default; seeded with ``--fuzz-seed``).

Before each action a fault is armed on one of the calls its delivery makes: latency
beyond SIA's timeout (the write lands after SIA gave up on it), a connection dropped
before or after the write ran, a 5xx, a rate or concurrency limit, a spent daily quota,
an expired token, a failed read-back. The actions go through SIA's HTTP API, which must
answer every one as stored (never a 5xx). At the end, with the faults cleared and every
write's horizon passed, SIA settles what is left, and each of its activities must be in
Marketo once, and each of its Tasks in Salesforce once; nothing may be logged with a
traceback, and no action may wait for its answer beyond :data:`ACTION_HANG`. The figures
are printed (``pytest tests/fuzz -s``).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from dataclasses import replace

from engine.http_api import create_app
from engine.worker import Worker
from tests.engine.mockworld import QUICK, engine_endpoints, make_world
from tests.fuzz.runner import HANG_SECONDS, Tracebacks

TIMEOUT = 0.25  # SIA's client timeout here
LATENCY_MS = 500  # beyond it: the write lands after SIA gave up waiting
HORIZON = 5.0  # after this no write of these mocks can land any more (a loaded machine too)
TASK_KEY_PATH = "*/sobjects/Task/SIA_Id__c/*"
#: an action answered later than this is a hang: SIA paces itself under Marketo's 100 calls
#: per 20 s, so an action may wait out a whole window of its own pacing, and no more
ACTION_HANG = 20.0 + HANG_SECONDS

FAULTS = [  # (service, fault spec), as a network and two busy services can misbehave
    ("marketo", {"path": "/rest/v1/activities/external.json", "latencyMs": LATENCY_MS}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "drop": "after"}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "drop": "before"}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "status": 502}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "status": 504}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "error": "606"}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "error": "615"}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "error": "607"}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "error": "604"}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "error": "611"}),
    ("marketo", {"path": "/rest/v1/activities/external.json", "error": "602"}),
    ("marketo", {"path": "/rest/v1/activities.json", "status": 503}),
    ("marketo", {"path": "/rest/v1/activities.json", "latencyMs": LATENCY_MS}),
    ("marketo", {"path": "/identity/oauth/token", "status": 503}),
    ("salesforce", {"path": TASK_KEY_PATH, "method": "PATCH", "latencyMs": LATENCY_MS}),
    ("salesforce", {"path": TASK_KEY_PATH, "method": "PATCH", "drop": "after"}),
    ("salesforce", {"path": TASK_KEY_PATH, "method": "PATCH", "drop": "before"}),
    ("salesforce", {"path": TASK_KEY_PATH, "method": "PATCH", "status": 503}),
    ("salesforce", {"path": TASK_KEY_PATH, "method": "PATCH", "status": 500}),
    ("salesforce", {"path": TASK_KEY_PATH, "method": "PATCH",
                    "error": "REQUEST_LIMIT_EXCEEDED"}),
    ("salesforce", {"path": TASK_KEY_PATH, "method": "PATCH", "error": "INVALID_SESSION_ID"}),
    ("salesforce", {"path": "*/query*", "status": 503}),
    ("salesforce", {"path": "*/queryAll*", "latencyMs": LATENCY_MS}),
    ("salesforce", {"path": "*/sobjects/Task/*", "method": "PATCH", "drop": "after"}),
    ("salesforce", {"path": "*/sobjects/Task/*", "method": "DELETE", "status": 503}),
    ("salesforce", {"path": "/services/oauth2/token", "status": 503}),
]


def _act(api, rng: random.Random, people: list[int], emails: list[int],
         tasks: list[int], n: int):
    """One seller's action through SIA's API; (what, response)."""
    who = rng.choice(people)
    roll = rng.random()
    if roll < 0.25 or not emails:
        return "email", api.post(f"/api/people/{who}/emails",
                                 json={"subject": f"Subject {n}", "body": "Hello"})
    if roll < 0.45:
        return "call", api.post(f"/api/people/{who}/calls",
                                json={"subject": f"Call {n}", "duration": n})
    if roll < 0.6:
        event = rng.choice(["open", "click", "reply", "bounce"])
        body = {"event": event, **({"link": "https://example.com"} if event == "click" else {})}
        return event, api.post(f"/api/emails/{rng.choice(emails)}/events", json=body)
    if roll < 0.7:
        return "campaign", api.post(f"/api/people/{who}/campaigns",
                                    json={"campaign": f"Campaign {n}"})
    if roll < 0.85 or not tasks:
        return "task", api.post(f"/api/people/{who}/tasks",
                                json={"name": f"Task {n}", "priority": "High"})
    task = rng.choice(tasks)
    if rng.random() < 0.5:
        return "task edit", api.patch(f"/api/tasks/{task}", json={"details": f"edit {n}"})
    return "task delete", api.delete(f"/api/tasks/{task}", json={})


def test_every_action_lands_exactly_once_whatever_the_faults(mock_stack, tmp_path, request):
    count = request.config.getoption("--fault-count")
    rng = random.Random(request.config.getoption("--fuzz-seed"))
    world = make_world(mock_stack, tmp_path / "sia.db")
    sia = world.sia
    sia.configure(replace(engine_endpoints(mock_stack), marketo_timeout=TIMEOUT,
                          salesforce_timeout=TIMEOUT, write_horizon=HORIZON))
    sia.marketo.retry = QUICK
    sia.salesforce.retry = QUICK
    for key in ("salesforce.log_emails", "salesforce.log_calls", "salesforce.sync_tasks"):
        sia.set_setting(key, True)
    sia.sync_tasks()
    api = create_app(sia, Worker(sia)).test_client()
    people = [p["Marketo ID"] for p in sia.people()]
    emails: list[int] = []
    tasks: list[int] = []
    statuses: Counter = Counter()
    armed: Counter = Counter()
    tracebacks = Tracebacks()  # what SIA (or a mock) logged with an exception attached
    logging.getLogger("siasim").addHandler(tracebacks)
    request.addfinalizer(lambda: logging.getLogger("siasim").removeHandler(tracebacks))
    hangs, slowest = 0, 0.0
    started = time.monotonic()
    for n in range(count):
        service, spec = rng.choice(FAULTS)
        getattr(mock_stack, service).add_fault(**spec, times=1)
        armed[f"{service} {spec.get('method', '')} {spec['path']} "
              f"{next(f'{k}={v}' for k, v in spec.items() if k not in ('path', 'method'))}"] += 1
        began = time.monotonic()
        what, response = _act(api, rng, people, emails, tasks, n)
        took = time.monotonic() - began
        slowest = max(slowest, took)
        hangs += took > ACTION_HANG
        statuses[response.status_code] += 1
        assert response.status_code < 500, (what, response.json)
        if what == "email" and response.status_code == 201:
            emails.append(response.json["emailId"])
        if what == "task" and response.status_code == 201:
            tasks.append(response.json["id"])
        if what == "task delete" and response.status_code == 200:
            tasks.remove(response.json["deleted"])
        if rng.random() < 0.2:
            api.post("/api/sync/run", json={})  # a pass of continuous mode, faults and all
        for admin in (mock_stack.marketo, mock_stack.salesforce):
            admin.call("DELETE", "/faults")  # a fault that did not fire does not linger
    # the network heals; every write's horizon passes; SIA settles what is left
    time.sleep(HORIZON + LATENCY_MS / 1000)
    for _ in range(6):
        sia.flush()
        sia.sync_tasks()
        waiting = sia.db.query(
            "SELECT (SELECT COUNT(*) FROM activities WHERE delivery IN ('pending', 'unknown'))"
            " + (SELECT COUNT(*) FROM logged_tasks WHERE delivery IN ('pending', 'unknown'))"
            " + (SELECT COUNT(*) FROM reminder_tasks WHERE push_op IS NOT NULL) AS n")[0]["n"]
        if not waiting:
            break
        time.sleep(HORIZON)
    figures = _tally(world, sia)
    figures["5xx"] = sum(n for status, n in statuses.items() if status >= 500)
    figures["tracebacks"] = len(tracebacks.records)
    figures["hangs"] = hangs
    print(f"\n{count} faults during {sum(statuses.values())} actions in "
          f"{time.monotonic() - started:.0f} s (the slowest {slowest:.1f} s); SIA's API "
          f"answered {dict(sorted(statuses.items()))}\n{dict(figures)}\n"
          f"faults armed: {len(armed)} kinds")
    assert figures["missing"] == figures["duplicated"] == figures["still waiting"] == 0, figures
    assert figures["tracebacks"] == figures["hangs"] == 0, (
        figures, [f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" for r in tracebacks.records])
    assert figures["deleted but kept"] == 0, figures


def _tally(world, sia) -> Counter:
    figures: Counter = Counter()
    marketo = Counter((a["leadId"], a["type"], a["activityDate"], a["primaryAttributeValue"])
                      for a in world.sales_activities())
    for row in sia.db.query("SELECT * FROM activities"):
        key = (row["marketo_id"], row["type"], row["occurred_at"], row["primary_value"])
        figures["activities"] += 1
        found = marketo.get(key, 0)
        figures["missing"] += found == 0
        figures["duplicated"] += max(found - 1, 0)
    live = [t for t in world.salesforce.records("Task") if not t.get("IsDeleted")]
    everything = world.salesforce.records("Task")
    for row in sia.db.query("SELECT * FROM logged_tasks"):
        figures["logged tasks"] += 1
        found = sum(1 for t in everything if row["marker"] in (t.get("Description") or "")
                    and (t.get("Subject") or "") == _subject(row))
        figures["missing"] += found == 0
        figures["duplicated"] += max(found - 1, 0)
    keys = Counter(t.get("SIA_Id__c") for t in live if t.get("SIA_Id__c"))
    for row in sia.db.query("SELECT * FROM reminder_tasks WHERE origin = 'sia'"):
        figures["reminder tasks"] += 1
        key = sia.reminders._key(row["id"])
        found = keys.get(key, 0)
        if row["deleted"]:
            figures["deleted but kept"] += found  # deleted in SIA: gone from Salesforce too
        else:
            figures["missing"] += found == 0
            figures["duplicated"] += max(found - 1, 0)
    figures["still waiting"] = sia.db.query(
        "SELECT (SELECT COUNT(*) FROM activities WHERE delivery != 'done')"
        " + (SELECT COUNT(*) FROM logged_tasks WHERE delivery != 'done') AS n")[0]["n"]
    return figures


def _subject(row: dict) -> str:
    return json.loads(row["fields"])["Subject"]

"""A SIA process for crash tests: it does one thing, and says "SENDING" when the write the
test wants to kill it in is on its way, so the test knows when to pull the plug.

    python crashing.py DB ENDPOINTS_JSON WHAT WATCHED_PATH

WHAT is ``flush`` (deliver what is queued) or ``reminder`` (create a reminder task for the
person with Marketo ID 5).
"""

from __future__ import annotations

import json
import sys

import requests

from engine.config import Endpoints
from engine.sia import SIA


def main() -> None:
    db, endpoints, what, watched = sys.argv[1:5]
    original = requests.Session.request

    def request(session, method, url, *args, **kwargs):
        if method in ("POST", "PATCH") and watched in url:
            print("SENDING", flush=True)
        return original(session, method, url, *args, **kwargs)

    requests.Session.request = request
    sia = SIA(db, Endpoints(**json.loads(endpoints)))
    if what == "flush":
        sia.flush()
    else:
        sia.create_task(int(what.split(":")[1]), "Call back")
    print("DONE", flush=True)


if __name__ == "__main__":
    main()

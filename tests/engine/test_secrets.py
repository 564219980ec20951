"""No credential in any text the engine lets out: stderr, sync_runs.error, SIA's API, the
mocks' journals; the Marketo secret travels in a POST body, never in a URL."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys

import pytest

from engine.config import Endpoints
from engine.errors import RemoteError
from engine.http_api import create_app
from engine.redact import scrub
from engine.sia import SIA

SECRET = "s3cr3t-Marketo-Value-7731"
SF_SECRET = "sf-s3cr3t-9912"
PASSWORD = "pw-hunter2-0042"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def leaks(text: str) -> list[str]:
    return [s for s in (SECRET, SF_SECRET, PASSWORD) if s in text]


def test_an_unreachable_marketo_leaks_no_secret_anywhere(tmp_path):
    db = tmp_path / "sia.db"
    url = f"http://127.0.0.1:{closed_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "siasim", "sync", "initial", "--db", str(db),
         "--marketo-url", url, "--marketo-client-secret", SECRET,
         "--salesforce-url", url, "--salesforce-client-secret", SF_SECRET,
         "--salesforce-password", PASSWORD], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Marketo" in done.stderr + done.stdout and "identity/oauth/token" in done.stderr
    assert leaks(done.stdout + done.stderr) == []  # the URL used to carry client_secret=...
    with sqlite3.connect(db) as conn:
        errors = [r[0] for r in conn.execute("SELECT error FROM sync_runs")]
    assert errors and all(e and leaks(e) == [] for e in errors)
    sia = SIA(db, Endpoints(url, "id", SECRET, url, "id", SF_SECRET, "user", PASSWORD))
    try:
        api = create_app(sia).test_client()
        for path in ("/api/sync", "/api/settings"):
            assert leaks(api.get(path).get_data(as_text=True)) == []
    finally:
        sia.close()


def test_the_token_request_sends_the_secret_in_a_post_body(world):
    world.stack.marketo.call("POST", "/tokens/expire")
    world.sia.marketo.token(force=True)
    [call] = world.calls("marketo", "/identity/oauth/token")
    assert call["method"] == "POST" and "client_secret" not in call["query"]
    assert world.stack.endpoints.marketo_client_secret not in str(call)


def test_a_refused_login_names_no_secret(world):
    sia = world.sia
    sia.endpoints.marketo_client_secret = SECRET  # wrong: Marketo answers 401
    sia.configure(sia.endpoints)
    result = sia.log_call(world.id("carla@acme.example"), "Hello")
    assert "401" in result["delivery"]["marketo"]["error"]
    assert leaks(str(result)) == []


@pytest.mark.parametrize("text", [
    f"GET /identity/oauth/token?grant_type=x&client_id=a&client_secret={SECRET}&z=1",
    f'{{"client_secret": "{SECRET}", "password":"{PASSWORD}"}}',
    f"Authorization: Bearer {SECRET}", f"password={PASSWORD}",
    "session 00D5cn000000001!WP3E6MSIlIzmpz9z39BbSfRkBgK8yoILSkMrEgcW4zG5 expired"])
def test_scrub_masks_what_an_error_may_quote(text):
    cleaned = scrub(text)
    assert leaks(cleaned) == [] and "WP3E6MSI" not in cleaned
    assert leaks(RemoteError("Marketo", "connection", text).message) == []

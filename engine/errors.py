"""The errors the engine reports to its callers (CLI, HTTP API, driver)."""

from __future__ import annotations

from engine.redact import scrub


class EngineError(Exception):
    """Something the user asked for that SIA refuses or cannot do; ``code`` is stable."""

    code = "ENGINE_ERROR"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message}


class ReadOnlyPeople(EngineError):
    """P-READONLY: people are created and edited in Marketo or Salesforce only."""

    code = "PEOPLE_READ_ONLY"
    status = 405


class MappingNotConfigurable(EngineError):
    """P-FIELDS-FIXED: which fields sync, and how, cannot be configured."""

    code = "FIELD_MAPPING_FIXED"
    status = 405

    def __init__(self, message: str = "which fields sync from Marketo, and how they map, "
                 "cannot be configured: standard Marketo fields map to standard SIA fields "
                 "automatically") -> None:
        super().__init__(message)


class Blocked(EngineError):
    """A send SIA refuses: the address is unsubscribed (in SIA, or in Marketo)."""

    code = "SEND_BLOCKED"
    status = 409


class CheckFailed(EngineError):
    """U-MARKETO-CHECK: Marketo could not be asked, so the send did not happen."""

    code = "UNSUBSCRIBE_CHECK_FAILED"
    status = 503


class SyncFailed(EngineError):
    """One or more parts of a sync pass failed; ``result`` holds what every part did."""

    code = "SYNC_FAILED"
    status = 502

    def __init__(self, message: str, result: dict) -> None:
        super().__init__(message)
        self.result = result

    def to_dict(self) -> dict:
        return {**super().to_dict(), "result": self.result}


class NotFound(EngineError):
    code = "NOT_FOUND"
    status = 404


class InvalidInput(EngineError):
    code = "INVALID_INPUT"
    status = 400


class NotConfigured(EngineError):
    code = "NOT_CONFIGURED"
    status = 409


class DatabaseUnusable(EngineError):
    """SIA's database file is no SQLite database (or cannot be opened)."""

    code = "DATABASE_UNUSABLE"
    status = 500


class SyncNotInitiated(EngineError):
    """S-INITIATE: nothing syncs before an admin starts the data sync."""

    code = "SYNC_NOT_INITIATED"
    status = 409


class RemoteError(EngineError):
    """Marketo or Salesforce answered with an error we could not get past."""

    code = "REMOTE_ERROR"
    status = 502

    def __init__(self, service: str, code: str, message: str) -> None:
        message = scrub(message)  # it is shown: stderr, sync_runs, SIA's API, the dashboard
        super().__init__(f"{service} error {code}: {message}")
        self.service = service
        self.remote_code = code
        self.remote_message = message


class AmbiguousWrite(RemoteError):
    """A write whose fate is unknown: the connection dropped or timed out after sending.

    The caller must find out whether it landed before sending it again, or it may land
    twice. ``in_flight``: the service may still be working on it (the client gave up
    waiting, or a gateway did: 504), so it can still land until the write horizon has
    passed; otherwise the service is done with it (it answered 5xx, or closed the
    connection), and whether it landed can be read back at once.
    """

    code = "AMBIGUOUS_WRITE"

    def __init__(self, service: str, code: str, message: str, in_flight: bool = False) -> None:
        super().__init__(service, code, message)
        self.in_flight = in_flight


class LoginFailed(RemoteError):
    """A service refused SIA's credentials, or its login answer made no sense: nothing
    that waits to be sent is at fault, so it all waits for the next pass."""

    code = "LOGIN_FAILED"


class QuotaReached(RemoteError):
    """A service's daily quota is used up: nothing more is sent today (Marketo's 607)."""

    code = "QUOTA_REACHED"

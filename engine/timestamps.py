"""The one way the engine writes and reads instants: UTC, to the second, ``Z`` suffix.

``2026-01-15T10:30:00Z`` is what Marketo takes and gives (``activityDate``, ``sinceDatetime``,
export windows), what SOQL takes as a datetime literal, and what SIA's own database keeps;
comparing two such strings compares the instants.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def stamp(moment: datetime) -> str:
    """An instant as text (a naive ``moment`` is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(FORMAT)


def now() -> datetime:
    """This machine's time, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def now_stamp() -> str:
    return stamp(now())


def parse(text: str) -> datetime:
    """An instant from text: ``Z``, an offset, or none (UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def later(text: str, seconds: float) -> str:
    return stamp(parse(text) + timedelta(seconds=seconds))


def today() -> str:
    """Today's date in UTC (a Task's ``ActivityDate``)."""
    return datetime.now(UTC).date().isoformat()

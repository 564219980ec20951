"""Paging tokens: opaque strings that carry a position in an ordered result.

Marketo's tokens are base32 text; a date token from ``pagingtoken.json`` decodes to a
date, and a position token to where the last page stopped. Ours are the same kind of
thing: base32 of ``kind,value,...``. Nothing is kept on the server, so a token stays good
across restarts and any number of clients can page at once.

- ``A`` (activities): ``(activityDate, id)``: the next page starts after that activity.
  A token from ``pagingtoken.json`` is ``(sinceDatetime, 0)``.
- ``L`` (leads by filter, export job lists): the last id (or offset) returned.
"""

from __future__ import annotations

import base64
import binascii


class BadToken(ValueError):
    pass


def _encode(*parts: object) -> str:
    return base64.b32encode(",".join(str(p) for p in parts).encode()).decode()


def _decode(token: str, kind: str, count: int) -> list[str]:
    try:
        text = base64.b32decode(token.strip().upper().encode(), casefold=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadToken(token) from None
    parts = text.split(",")
    if len(parts) != count or parts[0] != kind:
        raise BadToken(token)
    return parts[1:]


def activity_token(activity_date: str, activity_id: int) -> str:
    return _encode("A", activity_date, activity_id)


def read_activity_token(token: str) -> tuple[str, int]:
    date, ident = _decode(token, "A", 3)
    if len(date) != 20 or not date.endswith("Z"):
        raise BadToken(token)
    try:
        return date, int(ident)
    except ValueError:
        raise BadToken(token) from None


def position_token(position: int) -> str:
    return _encode("L", position)


def read_position_token(token: str) -> int:
    (value,) = _decode(token, "L", 2)
    try:
        return int(value)
    except ValueError:
        raise BadToken(token) from None


def start_after(token: str | None) -> int:
    """Where a page of an id-ordered result starts: after the position in ``token``
    (0 without one); a token that does not decode is Marketo's 1003."""
    from mocks.marketo.envelope import ApiError

    if not token:
        return 0
    try:
        return read_position_token(token)
    except BadToken:
        raise ApiError("1003", "Invalid nextPageToken") from None


def page_of(rows: list, batch: int, position=lambda row: row[0]) -> tuple[list, str | None]:
    """The first ``batch`` of ``rows`` (``batch + 1`` were read) and the next page's token,
    ``None`` on the last page."""
    if len(rows) > batch:
        return rows[:batch], position_token(position(rows[batch - 1]))
    return rows, None

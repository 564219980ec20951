"""The Sales Insight Smart Grid (A-GRID): a person's activity, read from Marketo on every
load. Nothing is cached: each load asks Marketo afresh.

Marketo takes ten activity types a call; the grid's ten are the email, call, interesting
moment and web activities a seller looks at.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.clients.marketo import MarketoClient

GRID_TYPES = {
    "Open Email": "email", "Click Email": "email", "Send Sales Email": "email",
    "Open Sales Email": "email", "Click Sales Email": "email",
    "Replied to Sales Email": "email", "Sales Call Received": "call",
    "Interesting Moment": "interesting moment", "Visit Webpage": "web",
    "Fill Out Form": "web",
}
HISTORY = timedelta(days=730)


def load(marketo: MarketoClient, marketo_id: int, type_ids: dict[str, int],
         now: datetime | None = None) -> list[dict]:
    """Every grid activity of the person, newest first."""
    wanted = {type_ids[name]: name for name in GRID_TYPES if name in type_ids}
    since = (now or datetime.now(UTC)) - HISTORY
    items = []
    for item in marketo.all_activities(since, sorted(wanted), [marketo_id]):
        name = wanted.get(item.get("activityTypeId"))
        if name is None:
            continue
        items.append({
            "date": item.get("activityDate"), "type": name, "category": GRID_TYPES[name],
            "primary": item.get("primaryAttributeValue"),
            "attributes": {a.get("name"): a.get("value") for a in item.get("attributes") or []},
            "marketoActivityId": item.get("id"),
        })
    items.sort(key=lambda a: (a["date"] or "", a["marketoActivityId"] or 0), reverse=True)
    return items

"""One person as the three systems hold them: Salesforce's record and Tasks, Marketo's
person, read from the mocks' admin API (SIA's own record comes from SIA's API)."""

from __future__ import annotations

from siasim.dashboard.mockadmin import MockAdmin

TASKS_SHOWN = 50
USER_PREFIX, QUEUE_PREFIX = "005", "00G"


def _present(row: dict | None) -> dict | None:
    """A record without its empty fields: a Marketo person has a hundred, mostly blank."""
    if row is None:
        return None
    return {k: v for k, v in row.items() if v not in (None, "")}


def _owner(salesforce: MockAdmin, owner_id: str | None) -> dict | None:
    if not owner_id:
        return None
    if owner_id.startswith(QUEUE_PREFIX):
        group = salesforce.one("Group", "Id", owner_id)
        return {"Id": owner_id, "kind": "queue", "Name": group and group.get("Name")}
    user = salesforce.one("User", "Id", owner_id) if owner_id.startswith(USER_PREFIX) else None
    return {"Id": owner_id, "kind": "user", "Name": user and user.get("Name"),
            "IsActive": bool(user and user.get("IsActive"))}


def person_view(marketo: MockAdmin, salesforce: MockAdmin, marketo_id: int) -> dict:
    lead = marketo.one("leads", "id", marketo_id)
    contact_id = (lead or {}).get("sfdcContactId")
    lead_id = (lead or {}).get("sfdcLeadId")
    records = {"Contact": salesforce.one("Contact", "Id", contact_id),
               "Lead": salesforce.one("Lead", "Id", lead_id)}
    main = records["Contact"] or records["Lead"]
    who = [i for i in (contact_id, lead_id) if i]
    tasks = salesforce.rows("Task", {"WhoId": who, "IsDeleted": ["0"]}, order="-CreatedDate",
                            limit=TASKS_SHOWN) if who else []
    return {
        "marketoId": marketo_id,
        "marketo": _present(lead),
        "salesforce": {
            "type": "Contact" if records["Contact"] else "Lead" if records["Lead"] else None,
            "record": _present(main),
            # a converted lead stays beside its contact; shown for its history
            "convertedLead": _present(records["Lead"]) if records["Contact"] else None,
            "owner": _owner(salesforce, (main or {}).get("OwnerId")),
        },
        "tasks": [_present(t) for t in tasks],
    }

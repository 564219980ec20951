"""Acting on the mocks' worlds as their own users would: a Salesforce user in the UI, a
Marketo form, flow or API user, Marketo's own Salesforce sync. All through admin APIs.
"""

from __future__ import annotations

import json
from datetime import datetime

from features.harness import MockStack
from fixtures.marketo_types import TYPES_BY_ID, TYPES_BY_NAME


def find(rows: list[dict], **match) -> list[dict]:
    return [r for r in rows if all(r.get(k) == v for k, v in match.items())]


def one(rows: list[dict], what: str, **match) -> dict:
    found = find(rows, **match)
    assert len(found) == 1, f"expected one {what} with {match}, found {len(found)}"
    return found[0]


class SalesforceWorld:
    def __init__(self, mocks: MockStack) -> None:
        self.admin = mocks.salesforce

    def records(self, sobject: str) -> list[dict]:
        return self.admin.rows(sobject)

    def by_email(self, sobject: str, email: str) -> dict:
        return one(self.records(sobject), sobject, Email=email)

    def user(self, key: str) -> dict:
        users = self.records("User")
        found = find(users, Email=key) or find(users, Username=key) or find(users, Name=key)
        assert len(found) == 1, f"no single Salesforce user {key!r}"
        return found[0]

    def queue(self, name: str) -> dict:
        return one(self.records("Group"), "queue", Name=name)

    def now(self) -> datetime:
        """Salesforce's clock (a scenario may have moved it on)."""
        return datetime.fromisoformat(self.admin.call("GET", "/clock")["now"]
                                      .replace("Z", "+00:00"))

    def account(self, name: str) -> dict:
        return one(self.records("Account"), "account", Name=name)

    def create(self, sobject: str, fields: dict) -> dict:
        return self.admin.call("POST", f"/sobjects/{sobject}", json=fields)

    def update(self, sobject: str, record_id: str, fields: dict) -> None:
        self.admin.call("PATCH", f"/sobjects/{sobject}/{record_id}", json=fields,
                        expect=(200, 204))

    def delete(self, sobject: str, record_id: str) -> None:
        self.admin.call("DELETE", f"/sobjects/{sobject}/{record_id}", expect=(200, 204))

    def convert_lead(self, lead_id: str) -> dict:
        return self.admin.call("POST", "/leads/convert", json={"leadId": lead_id})

    def person(self, kind: str, email: str) -> dict:
        """The lead or contact with this email (``kind``: "lead" or "contact")."""
        return self.by_email(kind.capitalize(), email)

    def lead_or_contact(self, email: str) -> dict:
        """The Salesforce contact with this email, else the lead."""
        contacts = find(self.records("Contact"), Email=email)
        return contacts[0] if contacts else self.by_email("Lead", email)

    def tasks(self, who: str | None = None) -> list[dict]:
        """Tasks not deleted, oldest first; those on one lead or contact when ``who``."""
        rows = [t for t in self.records("Task") if not t.get("IsDeleted")]
        return [t for t in rows if who is None or t.get("WhoId") == who]

    def task(self, subject: str) -> dict:
        return one(self.tasks(), "Task", Subject=subject)


class MarketoWorld:
    def __init__(self, mocks: MockStack) -> None:
        self.admin = mocks.marketo

    def persons(self) -> list[dict]:
        return self.admin.rows("leads")

    def by_email(self, email: str) -> dict:
        return one(self.persons(), "Marketo person", email=email)

    def person(self, name: str) -> dict:
        """The person a scenario names: by email, ``x@y.example`` (the one with that
        address, else the one of them that is a Salesforce lead or contact);
        ``x@y.example#2`` (the second person with that address, in Marketo ID order); or,
        for a person without an email, by first and last name."""
        if "@" not in name:
            found = [p for p in self.persons()
                     if f"{p.get('firstName') or ''} {p.get('lastName') or ''}" == name]
            assert len(found) == 1, f"expected one Marketo person named {name!r}, " \
                                    f"found {len(found)}"
            return found[0]
        email, _, nth = name.partition("#")
        found = sorted(find(self.persons(), email=email), key=lambda p: p["id"])
        if nth:
            assert len(found) >= int(nth), f"Marketo has {len(found)} persons {email}"
            return found[int(nth) - 1]
        if len(found) > 1:
            found = [p for p in found if p.get("sfdcType")]
        assert len(found) == 1, f"expected one Marketo person {email}, found {len(found)}"
        return found[0]

    def person_by_id(self, lead_id: int) -> dict:
        return one(self.persons(), "Marketo person", id=lead_id)

    def change(self, lead_id: int, fields: dict, source: str) -> None:
        self.change_many([{"id": lead_id, **fields}], source)

    def change_many(self, records: list[dict], source: str) -> None:
        """Changes as ``source`` makes them (a form, a flow, the API, Marketo's Salesforce
        sync): through Marketo's one write path, so its change feed shows them."""
        results = self.admin.call("POST", "/leads", json={
            "input": records, "action": "updateOnly", "lookupField": "id",
            "source": source})["result"]
        refused = [r for r in results if r.get("status") != "updated"]
        assert not refused, f"Marketo refused the change: {refused[:3]}"

    def create(self, fields: dict, source: str) -> int:
        [result] = self.admin.call("POST", "/leads", json={
            "input": [fields], "action": "createOnly", "lookupField": "email",
            "source": source})["result"]
        assert result.get("status") == "created", f"Marketo refused the person: {result}"
        return result["id"]

    def run_salesforce_sync(self) -> dict:
        return self.admin.call("POST", "/salesforce-sync/run", json={})

    def activities(self, lead_id: int | None = None, type_name: str | None = None) -> list[dict]:
        """Activities as Marketo holds them, oldest first, with ``type`` (the type's name)
        and ``attributes`` as a dict."""
        wanted = TYPES_BY_NAME[type_name].id if type_name else None
        out = []
        for row in self.admin.rows("activities"):
            if lead_id is not None and row["leadId"] != lead_id:
                continue
            if wanted is not None and row["activityTypeId"] != wanted:
                continue
            known = TYPES_BY_ID.get(row["activityTypeId"])
            attributes = {a["name"]: a.get("value")
                          for a in json.loads(row.get("attributes") or "[]")}
            if known is not None and known.primary is not None:
                # the primary attribute is an attribute too, as in Marketo's smart lists
                attributes.setdefault(known.primary[0], row.get("primaryAttributeValue"))
            out.append({**row, "type": known.name if known else None,
                        "attributes": attributes})
        return out

    def add_activity(self, lead_id: int, type_name: str, primary: str | None = None,
                     attributes: dict | None = None, date: str | None = None) -> None:
        """An activity Marketo itself records (a web visit, an interesting moment ...)."""
        self.add_activities([{"leadId": lead_id, "activityType": type_name,
                              "primaryAttributeValue": primary, "activityDate": date,
                              "attributes": attributes}])

    def add_activities(self, items: list[dict]) -> None:
        """Several at once: each with leadId, activityType, and optionally
        primaryAttributeValue, activityDate and attributes (a dict)."""
        self.admin.call("POST", "/activities", json={"input": [
            {**{k: v for k, v in item.items() if k != "attributes" and v is not None},
             "attributes": [{"name": k, "value": v}
                            for k, v in (item.get("attributes") or {}).items()]}
            for item in items]})

    def now(self) -> datetime:
        """Marketo's clock (a scenario may have moved it on)."""
        return datetime.fromisoformat(self.admin.call("GET", "/clock")["now"]
                                      .replace("Z", "+00:00"))

    def select_by_activity(self, type_name: str, attributes: dict) -> list[dict]:
        """The persons a smart list "has <type> with <attribute> = <value>" selects."""
        return self.admin.call("POST", "/leads/by-activity", json={
            "activityType": type_name, "attributes": attributes})["leads"]

    def lead_changes(self, lead_id: int) -> list[dict]:
        return [a for a in self.admin.rows("activities")
                if a["leadId"] == lead_id and a["activityTypeId"] == 13]

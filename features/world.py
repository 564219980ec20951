"""Acting on the mocks' worlds as their own users would: a Salesforce user in the UI, a
Marketo form, flow or API user, Marketo's own Salesforce sync. All through admin APIs.
"""

from __future__ import annotations

from features.harness import MockStack


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

    def create(self, sobject: str, fields: dict) -> dict:
        return self.admin.call("POST", f"/sobjects/{sobject}", json=fields)

    def update(self, sobject: str, record_id: str, fields: dict) -> None:
        self.admin.call("PATCH", f"/sobjects/{sobject}/{record_id}", json=fields,
                        expect=(200, 204))

    def delete(self, sobject: str, record_id: str) -> None:
        self.admin.call("DELETE", f"/sobjects/{sobject}/{record_id}", expect=(200, 204))

    def convert_lead(self, lead_id: str) -> dict:
        return self.admin.call("POST", "/leads/convert", json={"leadId": lead_id})


class MarketoWorld:
    def __init__(self, mocks: MockStack) -> None:
        self.admin = mocks.marketo

    def persons(self) -> list[dict]:
        return self.admin.rows("leads")

    def by_email(self, email: str) -> dict:
        return one(self.persons(), "Marketo person", email=email)

    def change(self, lead_id: int, fields: dict, source: str) -> None:
        result = self.admin.call("POST", "/leads", json={
            "input": [{"id": lead_id, **fields}], "action": "updateOnly", "lookupField": "id",
            "source": source})["result"][0]
        assert result.get("status") == "updated", f"Marketo refused the change: {result}"

    def run_salesforce_sync(self) -> dict:
        return self.admin.call("POST", "/salesforce-sync/run", json={})

    def lead_changes(self, lead_id: int) -> list[dict]:
        return [a for a in self.admin.rows("activities")
                if a["leadId"] == lead_id and a["activityTypeId"] == 13]

"""Marketo's own Salesforce sync, simulated (``@M-SF-SYNC``).

Like the real feature, it reads Salesforce over its REST API (the Salesforce mock, or any
Salesforce) and writes persons through the Marketo mock's one write path, with the source
"salesforce", so every change it makes shows in the lead-change feed like any other:

- each Salesforce lead and contact is a Marketo person, found by its Salesforce ID (never
  by email: two records with one address are two persons), with the Salesforce fields and
  ``sfdcType``, ``sfdcId``, ``sfdcLeadId``, ``sfdcContactId``, ``sfdcAccountId``,
  ``sfdcOpptyId`` (the account's newest opportunity) and ``sfdcLeadOwnerId``;
- the owner is copied when it is a user; a queue is not a sales owner, and leaves the
  owner empty (as Marketo shows a queue-owned lead);
- a converted lead's person becomes the contact's (it keeps ``sfdcLeadId``);
- ``unsubscribed`` follows ``HasOptedOutOfEmail``, and an unsubscribe (or re-subscribe)
  made in Marketo is written back to Salesforce, before Salesforce's values are read.

Each run reads what changed in Salesforce since the last (by Salesforce's own clock: the
``Date`` header of its answers) and what changed in Marketo since the last (by activity id).
Its cursors live in the Marketo store, so they survive restarts with ``--db``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests

from mocks.core.store import Store
from mocks.marketo.models import MarketoModel

log = logging.getLogger("siasim.marketo.salesforce_sync")

STATE_TABLE = "_salesforce_sync"
API_VERSION = "59.0"
USER_PREFIX = "005"
MARGIN = timedelta(seconds=1)
BATCH = 300
SYNC_SOURCE = "Salesforce.com"


@dataclass
class SalesforceLink:
    """Where Marketo's Salesforce sync logs in (a connected app and an integration user)."""

    url: str
    client_id: str
    client_secret: str
    username: str
    password: str
    verify: bool | str = True

    def public(self) -> dict:
        return {"url": self.url, "clientId": self.client_id, "username": self.username}


class SalesforceError(RuntimeError):
    pass


class _Salesforce:
    """The few REST calls the sync makes, with the answers' Date as Salesforce's clock."""

    def __init__(self, link: SalesforceLink) -> None:
        self.link = link
        self.http = requests.Session()
        self.http.verify = link.verify
        self.server_time: datetime | None = None
        body = self._send("POST", f"{link.url.rstrip('/')}/services/oauth2/token", data={
            "grant_type": "password", "client_id": link.client_id,
            "client_secret": link.client_secret, "username": link.username,
            "password": link.password}, auth=False)
        self.instance = body["instance_url"].rstrip("/")
        self.token = body["access_token"]

    def _send(self, method: str, url: str, auth: bool = True, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        try:
            # verify per call: a REQUESTS_CA_BUNDLE in the environment would win over the
            # session's, and the CA of a Salesforce mock served with --tls would be ignored
            response = self.http.request(method, url, headers=headers, timeout=60,
                                         verify=self.link.verify, **kwargs)
        except requests.RequestException as exc:
            raise SalesforceError(f"Salesforce unreachable: {exc}") from None
        if response.headers.get("Date"):
            self.server_time = parsedate_to_datetime(response.headers["Date"]).astimezone(UTC)
        if response.status_code >= 400:
            raise SalesforceError(f"Salesforce answered {response.status_code}: "
                                  f"{response.text[:300]}")
        return response.json() if response.content else None

    def query(self, soql: str) -> Iterator[dict]:
        body = self._send("GET", f"{self.instance}/services/data/v{API_VERSION}/query/",
                          params={"q": soql})
        while True:
            yield from body["records"]
            if body.get("done", True):
                return
            body = self._send("GET", f"{self.instance}{body['nextRecordsUrl']}")

    def update(self, sobject: str, record_id: str, fields: dict) -> None:
        self._send("PATCH", f"{self.instance}/services/data/v{API_VERSION}/sobjects/"
                            f"{sobject}/{record_id}", json=fields)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _owner(owner_id: str | None) -> str | None:
    return owner_id if owner_id and owner_id.startswith(USER_PREFIX) else None


class SalesforceSync:
    def __init__(self, model: MarketoModel, store: Store) -> None:
        self.model = model
        self.store = store
        self.link: SalesforceLink | None = None
        self.interval: float | None = None
        self.last_run: dict | None = None
        self._run_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- state -------------------------------------------------------------------------------
    def _state(self) -> dict[str, str]:
        with self.store.transaction() as db:
            db.execute(f'CREATE TABLE IF NOT EXISTS "{STATE_TABLE}" '
                       "(key TEXT PRIMARY KEY, value TEXT)")
            return dict(db.execute(f'SELECT key, value FROM "{STATE_TABLE}"').fetchall())

    def _save(self, **values: str) -> None:
        with self.store.transaction() as db:
            db.conn.executemany(f'INSERT INTO "{STATE_TABLE}" (key, value) VALUES (?, ?) '
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                list(values.items()))

    def status(self) -> dict:
        state = self._state()
        return {"configured": self.link is not None,
                "salesforce": self.link.public() if self.link else None,
                "interval": self.interval, "salesforceCursor": state.get("salesforce"),
                "marketoCursor": int(state.get("marketo", 0)), "lastRun": self.last_run}

    # --- one run -----------------------------------------------------------------------------
    def run(self) -> dict:
        if self.link is None:
            raise SalesforceError("Marketo's Salesforce sync is not configured: give it a "
                                  "Salesforce URL and credentials")
        with self._run_lock:
            started = datetime.now(UTC)
            sf = _Salesforce(self.link)
            state = self._state()
            counts = {"unsubscribesToSalesforce": self._push_unsubscribes(sf, state)}
            since = state.get("salesforce")
            now = sf.server_time or started
            counts.update(self._pull(sf, since))
            self._save(salesforce=_stamp(now - MARGIN))
            self.last_run = {"at": _stamp(started), **counts}
            return counts

    def _push_unsubscribes(self, sf: _Salesforce, state: dict) -> int:
        """Unsubscribes (and re-subscribes) made in Marketo, written to Salesforce."""
        after = int(state.get("marketo", 0))
        rows = self.store.query(
            "SELECT a.id, a.leadId, a.fields, a.attributes, l.sfdcContactId, l.sfdcLeadId "
            "FROM activities a LEFT JOIN leads l ON l.id = a.leadId "
            "WHERE a.activityTypeId = 13 AND a.id > ? AND a.fields LIKE '%unsubscribed%' "
            "ORDER BY a.id", (after,))
        last = self.store.query("SELECT MAX(id) AS m FROM activities")[0]["m"] or after
        latest: dict[int, tuple] = {}
        for row in rows:
            attributes = {a["name"]: a["value"] for a in json.loads(row["attributes"] or "[]")}
            if attributes.get("Source") == SYNC_SOURCE:
                continue  # our own write, from Salesforce's value
            for change in json.loads(row["fields"] or "[]"):
                if change.get("name") == "unsubscribed":
                    latest[row["leadId"]] = (change.get("newValue") in ("true", True, "1"),
                                             row["sfdcContactId"], row["sfdcLeadId"])
        pushed = 0
        for opted_out, contact_id, lead_id in latest.values():
            target = ("Contact", contact_id) if contact_id else ("Lead", lead_id)
            if target[1]:
                sf.update(target[0], target[1], {"HasOptedOutOfEmail": opted_out})
                pushed += 1
        self._save(marketo=str(last))
        return pushed

    def _pull(self, sf: _Salesforce, since: str | None) -> dict:
        where = f" WHERE LastModifiedDate >= {since}" if since else ""
        leads = list(sf.query(
            "SELECT Id, FirstName, LastName, Email, Company, Title, Phone, LeadSource, OwnerId, "
            "HasOptedOutOfEmail, IsConverted, ConvertedContactId, ConvertedAccountId, "
            f"ConvertedOpportunityId FROM Lead{where} ORDER BY LastModifiedDate"))
        contacts = {c["Id"]: c for c in sf.query(
            "SELECT Id, FirstName, LastName, Email, Title, Phone, LeadSource, OwnerId, "
            f"AccountId, HasOptedOutOfEmail FROM Contact{where} ORDER BY LastModifiedDate")}
        # an account renamed, or given a new opportunity, changes its contacts' persons
        touched = {a["Id"] for a in sf.query(f"SELECT Id FROM Account{where}")} if since \
            else set()
        touched |= {o["AccountId"] for o in sf.query(f"SELECT AccountId FROM Opportunity{where}")
                    if o.get("AccountId")} if since else set()
        touched -= {c.get("AccountId") for c in contacts.values()}
        for start in range(0, len(sorted(touched)), 100):
            chunk = sorted(touched)[start:start + 100]
            ids = ", ".join(f"'{i}'" for i in chunk)
            for contact in sf.query(
                    "SELECT Id, FirstName, LastName, Email, Title, Phone, LeadSource, OwnerId, "
                    f"AccountId, HasOptedOutOfEmail FROM Contact WHERE AccountId IN ({ids})"):
                contacts[contact["Id"]] = contact
        accounts = {c["AccountId"] for c in contacts.values() if c.get("AccountId")}
        names, opportunities = self._accounts(sf, accounts)
        persons_from_leads, converted = [], []
        for lead in leads:
            if lead.get("IsConverted"):
                converted.append({
                    "sfdcLeadId": lead["Id"], "sfdcType": "Contact",
                    "sfdcId": lead.get("ConvertedContactId"),
                    "sfdcContactId": lead.get("ConvertedContactId"),
                    "sfdcAccountId": lead.get("ConvertedAccountId")})
                continue
            persons_from_leads.append({
                "sfdcLeadId": lead["Id"], "firstName": lead.get("FirstName"),
                "lastName": lead.get("LastName"), "email": lead.get("Email"),
                "company": lead.get("Company"), "title": lead.get("Title"),
                "phone": lead.get("Phone"), "leadSource": lead.get("LeadSource"),
                "unsubscribed": bool(lead.get("HasOptedOutOfEmail")), "sfdcType": "Lead",
                "sfdcId": lead["Id"], "sfdcLeadOwnerId": _owner(lead.get("OwnerId"))})
        persons_from_contacts = []
        for contact in contacts.values():
            account = contact.get("AccountId")
            persons_from_contacts.append({
                "sfdcContactId": contact["Id"], "firstName": contact.get("FirstName"),
                "lastName": contact.get("LastName"), "email": contact.get("Email"),
                "company": names.get(account), "title": contact.get("Title"),
                "phone": contact.get("Phone"), "leadSource": contact.get("LeadSource"),
                "unsubscribed": bool(contact.get("HasOptedOutOfEmail")),
                "sfdcType": "Contact", "sfdcId": contact["Id"], "sfdcAccountId": account,
                "sfdcOpptyId": opportunities.get(account),
                "sfdcLeadOwnerId": _owner(contact.get("OwnerId"))})
        counts = {"leads": 0, "contacts": 0, "converted": 0}
        # converted leads first: their person moves to the contact before the contacts come
        for key, records, lookup in (("converted", converted, "sfdcLeadId"),
                                     ("leads", persons_from_leads, "sfdcLeadId"),
                                     ("contacts", persons_from_contacts, "sfdcContactId")):
            for start in range(0, len(records), BATCH):
                batch = records[start:start + BATCH]
                action = "updateOnly" if key == "converted" else "createOrUpdate"
                results = self.model.write_leads(batch, action=action, lookup=lookup,
                                                 source="salesforce", system=True)
                counts[key] += sum(1 for r in results if r.get("status") in ("created",
                                                                             "updated"))
        return counts

    def _accounts(self, sf: _Salesforce, ids: set[str]) -> tuple[dict, dict]:
        """Account names, and each account's newest opportunity."""
        names, opportunities = {}, {}
        ordered = sorted(i for i in ids if i)
        for start in range(0, len(ordered), 100):
            chunk = ", ".join(f"'{i}'" for i in ordered[start:start + 100])
            for account in sf.query(f"SELECT Id, Name FROM Account WHERE Id IN ({chunk})"):
                names[account["Id"]] = account["Name"]
            for opp in sf.query(f"SELECT Id, AccountId FROM Opportunity WHERE AccountId IN "
                                f"({chunk}) ORDER BY CreatedDate"):
                opportunities[opp["AccountId"]] = opp["Id"]  # the newest wins
        return names, opportunities

    # --- on a schedule -----------------------------------------------------------------------
    def start(self, interval: float) -> None:
        self.stop()
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="marketo-salesforce-sync",
                                        daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run()
            except Exception as exc:  # a failed run is retried at the next tick
                log.warning("Marketo's Salesforce sync failed: %s", exc)
                self.last_run = {"at": _stamp(datetime.now(UTC)), "error": str(exc)}

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.interval = None

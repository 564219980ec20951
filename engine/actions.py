"""What sellers do in SIA: send sales emails and record what became of them, log calls,
manage sales campaigns. Each action is stored in SIA's own database with the activity it
logs to Marketo (A-TO-MARKETO) and, when that kind is switched on, the Task it logs to
Salesforce (A-TO-SALESFORCE, A-SF-CONFIG), all in one transaction; delivery follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from engine import activity_types as T
from engine.db import EngineDB, instance_number
from engine.errors import InvalidInput, NotFound
from engine.settings import Settings
from engine.timestamps import parse, today
from engine.timestamps import stamp as _stamp

SUBJECT_LIMIT = 255  # Salesforce's Task.Subject


@dataclass
class Seller:
    name: str = "SIA Seller"
    email: str = "seller@sia.example"
    marketo_sales_person_id: int = 1


def _text(value, name: str, required: bool = True, limit: int = 255) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters")
    return value.strip()


class Actions:
    def __init__(self, db: EngineDB, settings: Settings, seller: Seller | None = None) -> None:
        self.db = db
        self.settings = settings
        self.seller = seller or Seller()

    # --- people and markers ------------------------------------------------------------------
    def person(self, marketo_id) -> dict:
        if isinstance(marketo_id, bool) or not isinstance(marketo_id, int):
            raise InvalidInput("a person is named by its Marketo ID (a whole number)")
        rows = self.db.query("SELECT * FROM people WHERE marketo_id = ?", (marketo_id,))
        if not rows or rows[0]["status"] != "active":
            raise NotFound(f"no person with Marketo ID {marketo_id} in SIA")
        return rows[0]

    def _marker(self, db, table: str, row_id: int) -> str:
        """``SIA-12345678``: unique to this SIA database and this row."""
        offset = {"emails": 0, "calls": 5 * 10**7}[table]
        return f"SIA-{(instance_number(db) + offset + row_id) % 10**8:08d}"

    def _occurred(self, db, marketo_id: int, kind: str) -> str:
        """Now, or a second after this person's last activity of this type: SIA's
        activities of one type and person never share a date (see ``to_marketo``)."""
        now = datetime.now(UTC).replace(microsecond=0)
        last = db.execute("SELECT MAX(occurred_at) FROM activities WHERE marketo_id = ? AND "
                          "type = ?", (marketo_id, kind)).fetchone()[0]
        if last:
            after = parse(last) + timedelta(seconds=1)
            now = max(now, after)
        return _stamp(now)

    def _activity(self, db, person: dict, kind: str, primary: str, attributes: dict,
                  source: str, source_id: int) -> int:
        occurred = self._occurred(db, person["marketo_id"], kind)
        cur = db.execute(
            "INSERT INTO activities (marketo_id, type, primary_value, attributes, occurred_at, "
            "source, source_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (person["marketo_id"], kind, primary, json.dumps(attributes), occurred, source,
             source_id))
        return cur.lastrowid

    def _task(self, db, kind: str, source_id: int, person: dict, subject: str, task_type: str,
              description: str, marker: str, extra: dict | None = None) -> None:
        who = person["sfdc_contact_id"] or person["sfdc_lead_id"]
        if not who:
            return  # reference choice: no lead or contact to log it on, so no Task
        fields = {"WhoId": who, "Subject": subject[:SUBJECT_LIMIT], "Type": task_type,
                  "TaskSubtype": "Call" if task_type == "Call" else "Email",
                  "Status": "Completed", "Priority": "Normal",
                  "ActivityDate": today(),
                  "Description": f"{description}\n\nLogged by Sales Insight Actions ({marker})"
                  .strip(), **(extra or {})}
        db.execute("INSERT INTO logged_tasks (kind, source_id, marketo_id, fields, marker, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (kind, source_id, person["marketo_id"], json.dumps(fields), marker,
                    _stamp(datetime.now(UTC))))

    def _subject(self, template_key: str, person: dict, subject: str, kind: str,
                 campaign: str | None) -> str:
        template = self.settings.get(template_key)
        name = " ".join(p for p in (person["first_name"], person["last_name"]) if p)
        return template.format(subject=subject, type=kind, name=name,
                               email=person["email"] or "", company=person["company"] or "",
                               campaign=campaign or "")

    def _campaign(self, db, name: str | None) -> dict | None:
        if name is None:
            return None
        row = db.execute("SELECT id, name, url FROM campaigns WHERE name = ?", (name,)).fetchone()
        if row is None:
            cur = db.execute("INSERT INTO campaigns (name, created_at) VALUES (?, ?)",
                             (name, _stamp(datetime.now(UTC))))
            url = f"https://sia.example/campaigns/{cur.lastrowid}"
            db.execute("UPDATE campaigns SET url = ? WHERE id = ?", (url, cur.lastrowid))
            return {"id": cur.lastrowid, "name": name, "url": url}
        return {"id": row[0], "name": row[1], "url": row[2]}

    def _email_attributes(self, email: dict, campaign: dict | None) -> dict:
        return {"Sent By": self.seller.name, "Source": T.SOURCE,
                "Template ID": email["template_id"], "Sales Template Name": email["template_name"],
                "Sales Template URL": (f"https://sia.example/templates/{email['template_id']}"
                                       if email["template_id"] else None),
                "Email Subject": email["marketo_subject"],
                "Sales Campaign Name": campaign["name"] if campaign else None,
                "Sales Campaign URL": campaign["url"] if campaign else None,
                "Marketo Sales Person ID": self.seller.marketo_sales_person_id}

    # --- emails ------------------------------------------------------------------------------
    @staticmethod
    def check_email(subject, body, campaign) -> tuple[str, str, str | None]:
        """An email's subject, body and campaign as SIA keeps them; refused when bad."""
        subject = _text(subject, "subject", limit=200)
        campaign = _text(campaign, "campaign", required=False)
        if body is not None and not isinstance(body, str):
            raise InvalidInput("body must be text")
        if body and len(body) > 100_000:
            raise InvalidInput("body is longer than 100,000 characters")
        return subject, body or "", campaign

    def send_email(self, marketo_id: int, subject: str, body: str = "",
                   campaign: str | None = None, template_id: int | None = None,
                   template_name: str | None = None) -> dict:
        person = self.person(marketo_id)
        subject, body, campaign = self.check_email(subject, body, campaign)
        now = _stamp(datetime.now(UTC))
        with self.db.transaction() as db:
            camp = self._campaign(db, campaign)
            cur = db.execute(
                "INSERT INTO emails (marketo_id, subject, marker, body, template_id, "
                "template_name, campaign_id, sent_by, sent_at) VALUES (?, ?, '', ?, ?, ?, ?, ?, ?)",
                (marketo_id, subject, body or "", template_id, template_name,
                 camp["id"] if camp else None, self.seller.name, now))
            email_id = cur.lastrowid
            marker = self._marker(db, "emails", email_id)
            db.execute("UPDATE emails SET marker = ? WHERE id = ?", (marker, email_id))
            email = {"id": email_id, "template_id": template_id, "template_name": template_name,
                     "marketo_subject": f"{subject} ({marker})"}
            self._activity(db, person, T.SEND_EMAIL, email["marketo_subject"],
                           self._email_attributes(email, camp), "email", email_id)
            if self.settings.get("salesforce.log_emails"):
                self._task(db, "email", email_id, person,
                           self._subject("salesforce.email_subject_template", person, subject,
                                         "Email", campaign), "Email", body or "", marker)
        return {"emailId": email_id, "marker": marker, "subject": email["marketo_subject"]}

    def email(self, email_id) -> dict:
        if isinstance(email_id, bool) or not isinstance(email_id, int):
            raise InvalidInput("an email is named by its id (a whole number)")
        rows = self.db.query("SELECT * FROM emails WHERE id = ?", (email_id,))
        if not rows:
            raise NotFound(f"no email {email_id}")
        return rows[0]

    def record_email_event(self, email_id: int, event: str, link: str | None = None,
                           details: str | None = None) -> dict:
        if event not in T.EMAIL_EVENTS:
            raise InvalidInput(f"event is one of {', '.join(T.EMAIL_EVENTS)}, not {event!r}")
        email = self.email(email_id)
        person = self.person(email["marketo_id"])
        link = _text(link, "link", required=event == "click", limit=2000)
        details = _text(details, "details", required=False, limit=2000)
        kind = T.EMAIL_EVENTS[event]
        marketo_subject = f"{email['subject']} ({email['marker']})"
        with self.db.transaction() as db:
            cur = db.execute("INSERT INTO email_events (email_id, kind, at, link, details) "
                             "VALUES (?, ?, ?, ?, ?)",
                             (email_id, event, _stamp(datetime.now(UTC)), link, details))
            camp = None
            if email["campaign_id"]:
                row = db.execute("SELECT id, name, url FROM campaigns WHERE id = ?",
                                 (email["campaign_id"],)).fetchone()
                camp = {"id": row[0], "name": row[1], "url": row[2]}
            base = {"id": email_id, "template_id": email["template_id"],
                    "template_name": email["template_name"], "marketo_subject": marketo_subject}
            if event in ("open", "click"):
                attributes = self._email_attributes(base, camp)
                if event == "click":
                    attributes["Link"] = link
            elif event == "reply":
                attributes = {"Received By": self.seller.name, "Source": T.SOURCE,
                              "Marketo Sales Person ID": self.seller.marketo_sales_person_id}
            else:
                attributes = {"Details": details or "Mailbox unavailable",
                              "Email": person["email"], "Sent By": self.seller.name,
                              "Template ID": email["template_id"],
                              "Marketo Sales Person ID": self.seller.marketo_sales_person_id}
            self._activity(db, person, kind, marketo_subject, attributes, "email_event",
                           cur.lastrowid)
            if event == "reply" and self.settings.get("salesforce.log_emails"):
                # a marker of its own: two replies to one email are two Tasks
                self._task(db, "reply", cur.lastrowid, person, f"Reply: {email['subject']}",
                           "Reply", details or "", f"{email['marker']}-R{cur.lastrowid}")
        return {"eventId": cur.lastrowid, "activity": kind}

    # --- calls -------------------------------------------------------------------------------
    def log_call(self, marketo_id: int, subject: str, status: str = "completed",
                 duration: int | None = None, answered_by: str | None = None,
                 phone: str | None = None, recording_url: str | None = None,
                 campaign: str | None = None, notes: str | None = None) -> dict:
        person = self.person(marketo_id)
        subject = _text(subject, "subject", limit=200)
        if status not in T.CALL_STATUSES:
            raise InvalidInput(f"status is one of {', '.join(T.CALL_STATUSES)}")
        if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)
                                     or duration < 0):
            raise InvalidInput("duration is a whole number of seconds")
        answered_by = _text(answered_by, "answered by", required=False)
        phone = _text(phone, "phone", required=False) or person["phone"]
        recording_url = _text(recording_url, "recording URL", required=False, limit=2000)
        campaign = _text(campaign, "campaign", required=False)
        notes = _text(notes, "notes", required=False, limit=32000)
        with self.db.transaction() as db:
            camp = self._campaign(db, campaign)
            cur = db.execute(
                "INSERT INTO calls (marketo_id, subject, status, duration, answered_by, phone, "
                "recording_url, campaign_id, made_by, notes, at, marker) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
                (marketo_id, subject, status, duration, answered_by, phone, recording_url,
                 camp["id"] if camp else None, self.seller.name, notes,
                 _stamp(datetime.now(UTC))))
            call_id = cur.lastrowid
            marker = self._marker(db, "calls", call_id)
            db.execute("UPDATE calls SET marker = ? WHERE id = ?", (marker, call_id))
            self._activity(db, person, T.CALL, subject, {
                "Sales Call Made By": self.seller.name, "Sales Call Status": status,
                "Sales Call Subject": subject, "Sales Call Duration": duration,
                "Sales Call Answered By": answered_by, "Sales Phone Number Called": phone,
                "Sales Call Recording URL": recording_url,
                "Sales Campaign Name": camp["name"] if camp else None,
                "Sales Campaign URL": camp["url"] if camp else None, "Source": T.SOURCE,
                "Marketo Sales Person ID": self.seller.marketo_sales_person_id}, "call", call_id)
            if self.settings.get("salesforce.log_calls"):
                self._task(db, "call", call_id, person,
                           self._subject("salesforce.call_subject_template", person, subject,
                                         "Call", campaign), "Call", notes or "", marker,
                           {"CallDurationInSeconds": duration, "CallDisposition": status,
                            "CallType": "Outbound"})
        return {"callId": call_id, "marker": marker}

    # --- sales campaigns ---------------------------------------------------------------------
    def add_to_campaign(self, marketo_id: int, campaign: str) -> dict:
        return self._membership(marketo_id, campaign, add=True)

    def remove_from_campaign(self, marketo_id: int, campaign: str) -> dict:
        return self._membership(marketo_id, campaign, add=False)

    def _membership(self, marketo_id: int, campaign: str, add: bool) -> dict:
        person = self.person(marketo_id)
        name = _text(campaign, "campaign")
        now = _stamp(datetime.now(UTC))
        with self.db.transaction() as db:
            row = db.execute("SELECT id FROM campaigns WHERE name = ?", (name,)).fetchone()
            member = row and db.execute(
                "SELECT status FROM campaign_members WHERE campaign_id = ? AND "
                "marketo_id = ?", (row[0], marketo_id)).fetchone()
            active = bool(member) and member[0] == "active"
            if add and active:
                raise InvalidInput(f"the person is already in the sales campaign {name!r}")
            if not add and not active:
                raise InvalidInput(f"the person is not in the sales campaign {name!r}")
            camp = self._campaign(db, name)
            db.execute("INSERT INTO campaign_members (campaign_id, marketo_id, status, added_at) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT(campaign_id, marketo_id) DO UPDATE SET "
                       "status = excluded.status, "
                       + ("added_at = excluded.added_at" if add else "removed_at = ?"),
                       (camp["id"], marketo_id, "active" if add else "removed", now)
                       + (() if add else (now,)))
            kind = T.ADD_TO_CAMPAIGN if add else T.REMOVED_FROM_CAMPAIGN
            self._activity(db, person, kind, name, {
                "Sales Campaign ID": camp["id"], "Sales Campaign URL": camp["url"],
                "Sales Call Status": None, "Sent By": self.seller.name, "Source": T.SOURCE},
                "campaign", camp["id"])
        return {"campaignId": camp["id"], "activity": kind}

    # --- SIA's own view (P-OWN-DB) -----------------------------------------------------------
    def activities(self, marketo_id: int) -> list[dict]:
        rows = self.db.query("SELECT * FROM activities WHERE marketo_id = ? ORDER BY id",
                             (marketo_id,))
        return [{"type": r["type"], "subject": _subject_of(r), "primary": r["primary_value"],
                 "attributes": json.loads(r["attributes"]), "occurredAt": r["occurred_at"],
                 "delivery": r["delivery"]} for r in rows]


def _subject_of(row: dict) -> str | None:
    """What a seller reads as the activity's subject: an email's own subject (without the
    marker SIA adds for Marketo), a call's subject, a campaign's name."""
    attributes = json.loads(row["attributes"])
    if row["type"] == T.CALL:
        return attributes.get("Sales Call Subject")
    primary = row["primary_value"] or ""
    if row["source"] in ("email", "email_event") and primary.endswith(")"):
        return primary.rsplit(" (SIA-", 1)[0]
    return primary

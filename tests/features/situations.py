"""One small situation per rule, played with a driver, and what the driver did in it.

``play(rule, driver_factory, stack)`` resets the mocks, runs the rule's situation and
returns a plain, normalised record: the driver's answers, SIA's people, tasks and
settings, Marketo's persons and activities, Salesforce's persons and Tasks, and the
calls made to both. A broken driver must leave a record other than the reference's
(``test_kit_catches_broken_drivers``): what "caught" means is then a difference a user
could see. Everything that differs from run to run (dates, SIA's random markers, export
job ids, how often an export was polled) is left out or made constant.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from features.harness import MockStack
from features.world import MarketoWorld, SalesforceWorld

# SIA's keys hold a number random to each SIA database (engine.db.instance_number): email
# markers SIA-12345678(-R1), Task keys SIA-T12345678-7
_MARKER = re.compile(r"SIA-(T\d{8}-\d+|\d{8}(-R\d+)?)")
_NOISE = re.compile(r"^/(identity/oauth/token|bulk/v1/leads/export.*|services/oauth2/token|"
                    r"services/data/v[\d.]+/limits/?)$")
_VOLATILE = {"createdAt", "updatedAt", "CreatedDate", "LastModifiedDate", "SystemModstamp",
             "activityDate", "marketoGUID", "id", "Id", "occurredAt", "CompletedDateTime",
             "LastActivityDate", "requestId"}


def _clean(value):
    if isinstance(value, str):
        return _MARKER.sub("SIA-X", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in sorted(value.items()) if k not in _VOLATILE}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class Kit:
    """The situation's hands: the mocks, and a record of what came out."""

    def __init__(self, stack: MockStack, driver) -> None:
        self.stack = stack
        self.driver = driver
        self.mk = MarketoWorld(stack)
        self.sf = SalesforceWorld(stack)
        self.record: list = []

    def seed(self, name: str) -> None:
        self.stack.salesforce.seed_scenario(name)
        self.stack.marketo.seed_scenario(name)

    def generated(self, people: int) -> None:
        self.stack.salesforce.seed_world(1, "tiny", people)
        self.stack.marketo.seed_world(1, "tiny", people)

    def id(self, name: str) -> int:
        return self.mk.person(name)["id"]

    def who(self, name: str, kind: str | None = None) -> str:
        person = self.mk.person(name)
        if kind == "lead":
            return person["sfdcLeadId"]
        return person.get("sfdcContactId") or person["sfdcLeadId"]

    def do(self, action: str, *args, **kwargs):
        """Call the driver and keep its answer (an Outcome as ok, detail keys, error; an
        exception by its type)."""
        try:
            answer = getattr(self.driver, action)(*args, **kwargs)
        except Exception as exc:  # a broken driver may fail where the reference answers
            self.record.append((action, "raised " + type(exc).__name__))
            return _Failed()
        if hasattr(answer, "ok"):
            kept = {"ok": answer.ok, "refused": bool(answer.error),
                    "detail": sorted(answer.detail)}
        else:
            kept = answer
        self.record.append((action, _clean(kept)))
        return answer

    def note(self, what: str, value) -> None:
        self.record.append((what, _clean(value)))

    def advance(self, hours: float) -> None:
        self.stack.salesforce.advance_clock(hours * 3600)
        self.stack.marketo.advance_clock(hours * 3600)

    def ui_task(self, subject: str, who: str) -> str:
        fields = {"Subject": subject, "WhoId": who, "TaskSubtype": "Task",
                  "Status": "Not Started", "Priority": "Normal"}
        return self.sf.admin.call("POST", "/sobjects/Task",
                                  params={"asUser": "rita.rep@acme.example"}, json=fields)["id"]

    def ui_update(self, subject: str, fields: dict) -> None:
        self.sf.admin.call("PATCH", f"/sobjects/Task/{self.sf.task(subject)['Id']}",
                           params={"asUser": "rita.rep@acme.example"}, json=fields,
                           expect=(200, 204))

    def ui_delete(self, subject: str) -> None:
        self.sf.admin.call("DELETE", f"/sobjects/Task/{self.sf.task(subject)['Id']}",
                           params={"asUser": "rita.rep@acme.example"}, expect=(200, 204))

    def opt(self, kind: str, name: str, out: bool) -> None:
        self.sf.update(kind.capitalize(), self.who(name, kind), {"HasOptedOutOfEmail": out})

    def reads(self, action: str, *args) -> None:
        """A read of the driver, and the calls it made."""
        marks = {"m": self.stack.marketo.journal_mark(), "s": self.stack.salesforce.journal_mark()}
        try:
            answer = getattr(self.driver, action)(*args)
        except Exception as exc:
            answer = "raised " + type(exc).__name__
        calls = self.stack.marketo.journal(after=marks["m"]) + \
            self.stack.salesforce.journal(after=marks["s"])
        self.note(f"{action}{args}", {"answer": answer,
                                      "calls": [(c["method"], c["path"]) for c in calls
                                                if not _NOISE.match(c["path"])]})


class _Failed:
    ok, error, detail = False, "raised", {"emailId": None, "taskId": None}


def _body(entry: dict):
    """A write's body, as data where it is JSON."""
    if entry["method"] == "GET":
        return None
    text = entry.get("requestBody") or ""
    try:
        return _clean(json.loads(text))
    except ValueError:
        return _clean(text)


def observe(kit: Kit) -> list:
    """Everything the situation left behind, in a form that compares."""
    d, out = kit.driver, list(kit.record)
    out.append(("people", _clean(sorted(d.people(), key=lambda p: int(p["Marketo ID"])))))
    out.append(("unsubscribed", [(int(p["Marketo ID"]), d.is_unsubscribed(int(p["Marketo ID"])))
                                 for p in d.people()]))
    out.append(("tasks", _clean(sorted((t for t in d.tasks()), key=lambda t: t["name"]))))
    out.append(("settings", d.settings()))
    out.append(("marketo persons", _clean(sorted(kit.mk.persons(), key=lambda p: p["id"]))))
    out.append(("marketo activities", sorted(
        (a["leadId"], a["type"] or a["activityTypeId"], _clean(a["primaryAttributeValue"]),
         str(_clean(a["attributes"]))) for a in kit.mk.activities()
        if a["type"] not in ("New Lead", "Change Data Value"))))
    for kind in ("Lead", "Contact"):
        out.append((kind, _clean(sorted(kit.sf.records(kind), key=lambda r: r["Id"]))))
    out.append(("Task", sorted(str(_clean({k: v for k, v in t.items() if k != "ActivityDate"}))
                               for t in kit.sf.records("Task"))))
    for name, admin in (("marketo calls", kit.stack.marketo),
                        ("salesforce calls", kit.stack.salesforce)):
        out.append((name, [(e["method"], _clean(e["path"]), _body(e)) for e in admin.journal()
                           if not _NOISE.match(e["path"])]))
    return out


def play(rule: str, factory: Callable, stack: MockStack) -> list:
    """The rule's situation (or each of its situations, each with a fresh driver)."""
    parts = SITUATIONS[rule]
    record = []
    for part in parts if isinstance(parts, tuple) else (parts,):
        stack.reset()
        with tempfile.TemporaryDirectory() as folder:
            driver = factory(Path(folder))
            driver.configure(stack.endpoints)
            try:
                kit = Kit(stack, driver)
                part(kit)
                record.append(observe(kit))
            finally:
                driver.close()
    return record


# --- the situations ----------------------------------------------------------------------------

CARLA, LENA, SAM = "carla@acme.example", "lena@leadco.example", "sam@syncco.example"


def _people_edges(k: Kit) -> None:
    k.seed("people-edges")
    k.do("initiate_sync")


def p_direction(k: Kit) -> None:
    _people_edges(k)
    k.do("set_setting", "task_sync", True)
    k.do("send_email", k.id(LENA), "Quarterly review")
    k.do("send_email", k.id(CARLA), "Renewal", "", "Q4 Outreach")
    k.do("log_call", k.id(LENA), "Discovery call", "no answer", 30)
    k.do("unsubscribe", k.id(CARLA))
    k.do("create_task", k.id(CARLA), "Call back")
    k.do("edit_person", k.id(LENA), {"Title": "CEO"})
    k.do("sync_changes")
    k.do("sync_all")


def p_owner(k: Kit) -> None:
    _people_edges(k)
    k.mk.create({"firstName": "Fay", "lastName": "Form", "email": "fay@form.example"}, "form")
    k.mk.change(k.id("mona@only.example"), {"title": "Head of Marketing"}, "form")
    k.do("sync_changes")


def p_owner_later(k: Kit) -> None:
    _people_edges(k)
    k.sf.update("Lead", k.who("quinn@queueco.example", "lead"),
                {"OwnerId": k.sf.user("rita.rep@acme.example")["Id"]})
    k.sf.update("Contact", k.who("chris@globex.example"),
                {"OwnerId": k.sf.user("otto.other@acme.example")["Id"]})
    k.sf.create("Lead", {"FirstName": "Nora", "LastName": "New", "Company": "New Co",
                         "Email": "nora@newco.example",
                         "OwnerId": k.sf.user("marketo.sync@acme.example")["Id"]})
    k.mk.run_salesforce_sync()
    k.do("sync_changes")


def p_fields(k: Kit) -> None:
    p_owner_later(k)


def p_fields_fixed(k: Kit) -> None:
    k.seed("people-edges")
    for mapping in ({"Title": "city"}, {"Title": "title"}, {"First Name": "lastName"}):
        k.do("configure_field_mapping", mapping)
    k.do("initiate_sync")
    for mapping in ({"Company": "industry"}, {"Phone Number": "mobilePhone"}):
        k.do("configure_field_mapping", mapping)
    k.mk.change(k.id(LENA), {"industry": "Energy", "title": "Chief Buyer"}, "api")
    k.do("sync_changes")


def p_duplicates(k: Kit) -> None:
    k.seed("shared-emails")
    k.do("initiate_sync")
    k.note("people at first", k.driver.people())
    k.sf.create("Lead", {"FirstName": "Dana", "LastName": "Third", "Company": "Acme Corp",
                         "Email": "dana.dupe@acme.example",
                         "OwnerId": k.sf.user("rita.rep@acme.example")["Id"]})
    k.mk.run_salesforce_sync()
    k.mk.change(k.id("dana.dupe@acme.example#1"), {"company": "Acme Holdings"}, "form")
    k.mk.change(k.id("Kim Nomail"), {"email": "dana.dupe@acme.example"}, "api")
    k.do("sync_changes")


def p_initial(k: Kit) -> None:
    k.generated(400)
    k.do("initiate_sync")


def p_initial_history(k: Kit) -> None:
    k.seed("long-history")
    k.do("initiate_sync")


def p_initial_edges(k: Kit) -> None:
    _people_edges(k)


def p_incremental(k: Kit) -> None:
    _people_edges(k)
    k.mk.change(k.id(LENA), {"title": "First title"}, "api")
    k.mk.change(k.id(LENA), {"title": "Second title", "mobilePhone": "+351 91 000"}, "form")
    k.mk.change(k.id(CARLA), {"phone": ""}, "form")
    k.mk.change(k.id(SAM), {"leadSource": "Trade Show", "linkedInProfileURL": "https://x.example"},
                "flow")
    k.mk.change_many([{"id": k.id("zoe.oster@globex.example"), "title": f"Title {n}"}
                      for n in range(310)], "api")
    k.do("sync_changes")


def p_readonly(k: Kit) -> None:
    _people_edges(k)
    k.do("edit_person", k.id(LENA), {"Title": "CEO"})
    k.do("edit_person", k.id(LENA), {"Title": "Head of Procurement"})
    k.do("edit_person", k.id(CARLA), {"Phone Number": "+1 000"})
    k.do("create_person", {"First Name": "Eve", "Email": "eve@example.com"})
    k.do("create_person", {"First Name": "Mona", "Marketo ID": k.id("mona@only.example")})
    k.do("unsubscribe", k.id(LENA))
    k.do("sync_changes")


def p_own_db(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    sent = k.do("send_email", k.id(CARLA), "Quarterly review", "", "Q4 Outreach")
    for event in ("open", "click", "reply"):
        k.do("record_email_event", sent.detail["emailId"], event,
             "https://acme.example/x" if event == "click" else None)
    k.do("log_call", k.id(CARLA), "Discovery call", "completed", 60)
    k.do("add_to_campaign", k.id(CARLA), "Spring")
    k.stack.marketo.add_fault(path="*", status=503)
    k.stack.salesforce.add_fault(path="*", status=503)
    k.do("log_call", k.id(LENA), "Offline call", "completed", 10)
    k.reads("people")
    k.reads("activities", k.id(CARLA))
    k.reads("activities", k.id(LENA))
    k.stack.marketo.call("DELETE", "/faults")
    k.stack.salesforce.call("DELETE", "/faults")


def a_grid(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    now = k.mk.now()
    from datetime import timedelta

    def at(days):
        return (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    carla, lena = k.id(CARLA), k.id(LENA)
    k.mk.add_activities([
        {"leadId": carla, "activityType": "Visit Webpage", "primaryAttributeValue": "/c",
         "activityDate": at(1)},
        {"leadId": carla, "activityType": "Visit Webpage", "primaryAttributeValue": "/old",
         "activityDate": at(300)},
        {"leadId": carla, "activityType": "Fill Out Form", "primaryAttributeValue": "Contact us",
         "activityDate": at(2)}])
    k.mk.add_activities([{"leadId": lena, "activityType": "Visit Webpage",
                          "primaryAttributeValue": f"/l/{n}", "activityDate": at(20 - n / 100)}
                         for n in range(310)])
    grid = lambda who: [(i["type"], i["primary"]) for i in k.driver.smart_grid(who)]  # noqa: E731
    k.note("grid carla", grid(carla))
    k.mk.add_activity(carla, "Interesting Moment", "Asked for a demo",
                      {"Description": "Asked for a demo", "Source": "Web"})
    k.note("grid carla again", grid(carla))
    k.note("grid lena", grid(lena))


def a_to_marketo(k: Kit) -> None:
    k.seed("shared-emails")
    k.do("initiate_sync")
    one, two, contact = (k.id("dana.dupe@acme.example#1"), k.id("dana.dupe@acme.example#2"),
                         k.id("cleo@acme.example"))
    sent = k.do("send_email", two, "Quarterly review")
    k.do("send_email", two, "Quarterly review")
    for event in ("open", "click", "reply", "bounce"):
        k.do("record_email_event", sent.detail["emailId"], event,
             "https://acme.example/x" if event == "click" else None)
    k.do("log_call", one, "Discovery call", "completed", 60)
    k.do("log_call", contact, "Discovery call", "no answer", 5)
    k.do("add_to_campaign", contact, "Q4")
    k.do("remove_from_campaign", contact, "Q4")
    k.do("set_setting", "email_logging", False)
    k.do("set_setting", "call_logging", False)
    k.do("send_email", one, "While logging is off")
    k.do("log_call", contact, "While logging is off", "completed", 5)
    k.do("sync_all")


def a_attributes(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    subject = ("Propuesta económica " * 20)[:190]
    sent = k.do("send_email", k.id(CARLA), subject, "", "Q4 Outreach")
    for event in ("open", "click", "reply", "bounce"):
        k.do("record_email_event", sent.detail["emailId"], event,
             "https://acme.example/x" if event == "click" else None)
    k.do("log_call", k.id(LENA), "Discovery call", "no answer", 95, "Lena",
         "https://calls.example/1")
    k.do("remove_from_campaign", k.id(CARLA), "Q4 Outreach")


def a_to_salesforce(k: Kit) -> None:
    k.seed("shared-emails")
    k.do("initiate_sync")
    sent = k.do("send_email", k.id("dana.dupe@acme.example#2"), "Quarterly review")
    k.do("record_email_event", sent.detail["emailId"], "reply")
    k.do("send_email", k.id("cleo@acme.example"), "Renewal", "", "Q4 Outreach")
    k.do("log_call", k.id("dana.dupe@acme.example#1"), "Discovery call", "no answer", 5)
    k.do("log_call", k.id("cleo@acme.example"), "Discovery call", "completed", 50)
    k.do("sync_all")


def a_sf_config(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    k.do("set_setting", "email_logging", False)
    sent = k.do("send_email", k.id(CARLA), "Quarterly review")
    k.do("record_email_event", sent.detail["emailId"], "reply")
    k.do("send_email", k.id(LENA), "Renewal", "", "Q4 Outreach")
    k.do("log_call", k.id(CARLA), "Discovery call", "completed", 10)
    k.do("set_setting", "email_logging", True)
    k.do("set_setting", "call_logging", False)
    k.do("log_call", k.id(LENA), "Discovery call", "completed", 10)
    k.do("send_email", k.id(LENA), "Hello")
    k.do("create_task", k.id(SAM), "Call back")
    k.do("sync_all")


def a_one_way(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    k.do("set_setting", "task_sync", True)
    k.do("send_email", k.id(CARLA), "Quarterly review")
    k.do("log_call", k.id(CARLA), "Discovery call", "completed", 10)
    k.do("sync_all")
    tasks = {t["Type"]: t["Id"] for t in k.sf.tasks(k.who(CARLA))}
    k.sf.update("Task", tasks["Email"], {"Subject": "Edited in Salesforce"})
    k.sf.delete("Task", tasks["Call"])
    k.do("sync_all")
    k.do("sync_all")
    k.reads("activities", k.id(CARLA))


def a_task_shape(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    k.do("set_setting", "email_subject_template", "{subject} for {name}")
    k.do("set_setting", "call_subject_template", "Call: {subject} ({company})")
    sent = k.do("send_email", k.id(CARLA), "Quarterly review")
    k.do("record_email_event", sent.detail["emailId"], "reply")
    k.do("log_call", k.id(LENA), "Discovery call", "completed", 10)
    k.do("set_setting", "email_subject_template", "{subject} " + "x" * 99)
    k.do("send_email", k.id(SAM), ("Ñandú é 名前 " * 30)[:199] + "!")
    k.do("set_setting", "task_sync", True)
    k.do("create_task", k.id(CARLA), "Call back")


def u_sf_two_way(k: Kit) -> None:
    k.seed("shared-emails")
    k.do("initiate_sync")
    k.do("set_setting", "unsubscribe_sync", True)
    k.do("unsubscribe", k.id("Dana.Dupe@ACME.example"))
    k.do("unsubscribe", k.id("Kim Nomail"))
    k.note("opted out at once", sorted(r["Id"] for kind in ("Lead", "Contact")
                                       for r in k.sf.records(kind) if r["HasOptedOutOfEmail"]))
    k.opt("contact", "cleo@acme.example", True)
    k.opt("lead", "dana.dupe@acme.example#1", True)
    k.do("sync_unsubscribes")
    k.advance(1)
    k.opt("lead", "Pat Nomail", True)
    k.do("sync_unsubscribes")
    k.do("resubscribe", k.id("Pat Nomail"))
    k.opt("lead", "Pat Nomail", False)
    k.do("sync_unsubscribes")
    k.opt("lead", "Pat Nomail", True)
    k.do("sync_unsubscribes")


def u_no_resubscribe(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    k.do("unsubscribe", k.id(CARLA))
    k.do("sync_unsubscribes")
    k.opt("contact", CARLA, False)
    k.opt("lead", LENA, True)
    k.do("sync_unsubscribes")
    k.opt("lead", LENA, False)
    k.do("sync_unsubscribes")
    k.do("unsubscribe", k.id(SAM))
    k.do("resubscribe", k.id(SAM))
    k.do("sync_unsubscribes")
    k.do("sync_all")


def u_not_to_marketo(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    k.do("unsubscribe", k.id(CARLA))
    k.do("set_setting", "unsubscribe_sync", False)
    k.do("unsubscribe", k.id(LENA))
    k.do("set_setting", "unsubscribe_sync", True)
    k.do("unsubscribe", k.id(SAM))
    k.do("resubscribe", k.id(SAM))
    k.do("sync_unsubscribes")
    k.do("sync_all")


def u_marketo_check(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    k.do("set_setting", "marketo_unsubscribe_check", True)
    k.mk.change(k.id(CARLA), {"unsubscribed": True}, "form")
    for subject, campaign in (("One", None), ("Two", "Q4")):
        k.do("send_email", k.id(CARLA), subject, "", campaign)
    k.do("send_email", k.id(LENA), "Three")
    k.mk.change(k.id(LENA), {"unsubscribed": True}, "form")
    k.do("send_email", k.id(LENA), "Four")
    k.mk.change(k.id(LENA), {"unsubscribed": False}, "form")
    k.do("send_email", k.id(LENA), "Five")
    k.do("set_setting", "marketo_unsubscribe_check", False)
    k.do("send_email", k.id(CARLA), "Six")


def t_two_way(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    k.do("create_task", k.id(SAM), "Made before switching on")
    k.do("set_setting", "task_sync", True)
    k.do("sync_tasks")
    carla = k.do("create_task", k.id(CARLA), "Carla's task").detail["taskId"]
    lena = k.do("create_task", k.id(LENA), "Lena's task").detail["taskId"]
    k.do("edit_task", lena, {"name": "Lena's task, renamed"})
    k.do("edit_task", lena, {"status": "Complete"})
    k.do("delete_task", carla)
    k.ui_task("From Salesforce", k.who(CARLA))
    k.ui_task("From Salesforce too", k.who(LENA, "lead"))
    k.do("sync_tasks")
    k.ui_update("From Salesforce", {"Description": "Two copies", "Status": "Completed"})
    k.ui_delete("From Salesforce too")
    k.do("sync_tasks")
    k.advance(72)
    k.ui_task("Much later", k.who(CARLA))
    k.advance(48)
    k.do("sync_tasks")


def t_mapping(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    k.do("set_setting", "task_sync", True)
    task = k.do("create_task", k.id(CARLA), "Prepare the demo", "2027-01-15", "High",
                "Bring the slides " * 60).detail["taskId"]
    other = k.do("create_task", k.id(LENA), "Plain task", None, "Normal",
                 "Some details").detail["taskId"]
    k.do("edit_task", other, {"due_date": "2027-12-31", "priority": "High"})
    k.do("edit_task", task, {"status": "Complete"})
    k.do("sync_tasks")
    k.ui_update("Prepare the demo", {"Status": "In Progress", "Priority": "Low",
                                     "Subject": "New subject"})
    k.ui_update("Plain task", {"Description": None, "ActivityDate": "2027-02-01",
                               "Priority": "Normal"})
    k.do("sync_tasks")


def t_first_sync(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    k.do("create_task", k.id(CARLA), "Made while off")
    carla, lena = k.who(CARLA), k.who(LENA, "lead")
    for age, subject, who in ((48, "Two days old", carla), (25, "Over a day", carla),
                              (23, "Under a day", carla), (10, "Ten hours", lena)):
        k.ui_task(subject, who)
        k.advance(age - {48: 25, 25: 23, 23: 10, 10: 0}[age])
    k.do("set_setting", "task_sync", True)
    k.do("sync_tasks")
    ids = [k.do("create_task", k.id(LENA), f"Deleted {n} days ago").detail["taskId"]
           for n in (16, 14, 2)]
    k.do("set_setting", "task_sync", False)
    for name, days in (("Deleted 16 days ago", 2), ("Deleted 14 days ago", 12),
                       ("Deleted 2 days ago", 2)):
        k.ui_delete(name)
        k.advance(days * 24)
    k.do("set_setting", "task_sync", True)
    k.do("sync_tasks")
    k.note("task ids", len(ids))


def s_initiate(k: Kit) -> None:
    k.seed("owner-filter")
    k.note("fields", k.driver.sync_fields())
    k.do("sync_changes")
    k.do("sync_all")
    k.note("people before", k.driver.people())
    k.do("initiate_sync")


def s_settings(k: Kit) -> None:
    k.seed("owner-filter")
    k.do("initiate_sync")
    for name, person, action in (("email_logging", CARLA, "send"), ("call_logging", LENA, "call"),
                                 ("marketo_unsubscribe_check", LENA, "send"),
                                 ("task_sync", CARLA, "task"),
                                 ("unsubscribe_sync", None, "unsubscribe")):
        for n, value in enumerate((not k.driver.settings()[name], None, None)):
            if value is None:
                value = not k.driver.settings()[name]
            k.do("set_setting", name, value)
            k.note(name, k.driver.settings()[name])
            who = k.id(person or (CARLA, LENA, SAM)[n])
            if action == "send":
                k.do("send_email", who, f"{name} {n}")
            elif action == "call":
                k.do("log_call", who, f"{name} {n}", "completed", 5)
            elif action == "unsubscribe":
                k.do("unsubscribe", who)
            else:
                k.do("create_task", who, f"{name} {n}")


SITUATIONS: dict[str, Callable[[Kit], None] | tuple[Callable[[Kit], None], ...]] = {
    "P-DIRECTION": p_direction, "P-OWNER": p_owner, "P-OWNER-LATER": p_owner_later,
    "P-FIELDS": p_fields, "P-FIELDS-FIXED": p_fields_fixed, "P-DUPLICATES": p_duplicates,
    "P-INITIAL": (p_initial, p_initial_history, p_initial_edges),
    "P-INCREMENTAL": p_incremental, "P-READONLY": p_readonly,
    "P-OWN-DB": p_own_db, "A-GRID": a_grid, "A-TO-MARKETO": a_to_marketo,
    "A-ATTRIBUTES": a_attributes, "A-TO-SALESFORCE": a_to_salesforce,
    "A-SF-CONFIG": a_sf_config, "A-ONE-WAY": a_one_way, "A-TASK-SHAPE": a_task_shape,
    "U-SF-TWO-WAY": u_sf_two_way, "U-NO-RESUBSCRIBE": u_no_resubscribe,
    "U-NOT-TO-MARKETO": u_not_to_marketo, "U-MARKETO-CHECK": u_marketo_check,
    "T-TWO-WAY": t_two_way, "T-MAPPING": t_mapping, "T-FIRST-SYNC": t_first_sync,
    "S-INITIATE": s_initiate, "S-SETTINGS": s_settings,
}

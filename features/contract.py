"""The driver contract: how the kit acts on an integration and observes it.

A vendor implements :class:`Driver` for their own Sales Insight Actions integration (or
whatever plays its part) and runs the kit with ``pytest features --sut pkg.module:factory``,
where ``factory(workdir: pathlib.Path) -> Driver`` makes a fresh, unconfigured driver for
one scenario (``workdir`` is a new empty folder it may keep state in).

Arguments and results are plain data: str, int, bool, None, lists and dicts. People are
dicts keyed by the 13 field labels of P-FIELDS ("First Name", ..., "Marketo ID", ...).
Refusals are not exceptions: an action the integration refuses returns
``Outcome(ok=False, error=...)``. A driver that cannot do something at all raises
:class:`NotSupported`; the kit reports the rules that need it as not applicable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

#: The 13 person fields of P-FIELDS, by the labels the kit uses.
PERSON_FIELDS = (
    "First Name", "Last Name", "Salesforce Contact ID", "Salesforce Lead ID",
    "Salesforce Account ID", "Salesforce Opportunity ID", "Marketo ID", "Company", "Title",
    "Email", "Phone Number", "LinkedIn URL", "Source",
)

#: Switches of S-SETTINGS, by the names the kit uses.
SETTINGS = (
    "email_logging",  # log sales emails to Salesforce as Tasks
    "call_logging",  # log calls to Salesforce as Tasks
    "task_sync",  # reminder tasks both ways with Salesforce
    "unsubscribe_sync",  # unsubscribes both ways with Salesforce's Email Opt Out
    "marketo_unsubscribe_check",  # ask Marketo before every send
)
#: Optional settings (A-TASK-SHAPE): a driver without them raises NotSupported. A template
#: is text with placeholders: ``{subject}`` (the email's or the call's), ``{name}`` (the
#: person's first and last name), ``{email}``, ``{company}``, ``{campaign}``, ``{type}``.
TEMPLATE_SETTINGS = ("email_subject_template", "call_subject_template")


class NotSupported(Exception):
    """The integration under test cannot do this at all (not a refusal: a gap)."""


@dataclass
class Endpoints:
    """Where the kit's mocks listen, and the credentials they accept."""

    marketo_url: str
    marketo_client_id: str
    marketo_client_secret: str
    salesforce_url: str
    salesforce_client_id: str
    salesforce_client_secret: str
    salesforce_username: str
    salesforce_password: str
    ca_bundle: str | None = None  # set when the mocks serve TLS


@dataclass
class Outcome:
    ok: bool
    error: str | None = None  # a clear message when refused or failed
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def refused(cls, message: str) -> Outcome:
        return cls(False, message)


@runtime_checkable
class Driver(Protocol):
    # --- set-up -------------------------------------------------------------------------------
    def configure(self, endpoints: Endpoints) -> None:
        """Point the integration at the kit's Marketo and Salesforce."""

    def close(self) -> None:
        """Release whatever the driver holds; called after every scenario."""

    def settings(self) -> dict[str, Any]:
        """The current value of every switch in :data:`SETTINGS`."""

    def set_setting(self, name: str, value: Any) -> Outcome:
        """Change one switch of :data:`SETTINGS`; effective on the next action."""

    # --- people (P-*, S-INITIATE) ------------------------------------------------------------
    def sync_fields(self) -> list[str]:
        """The fields an admin is shown before starting the data sync (S-INITIATE)."""

    def initiate_sync(self) -> Outcome:
        """The admin action that starts the data sync; returns when the initial sync is done."""

    def sync_changes(self) -> Outcome:
        """One pass of incremental people sync; returns when done."""

    def people(self) -> list[dict[str, Any]]:
        """SIA's people, each a dict of the fields SIA holds, keyed by label."""

    def create_person(self, fields: dict[str, Any]) -> Outcome:
        """Try to create a person in SIA (P-READONLY expects a refusal)."""

    def edit_person(self, marketo_id: int, fields: dict[str, Any]) -> Outcome:
        """Try to edit a person in SIA (P-READONLY expects a refusal)."""

    def configure_field_mapping(self, mapping: dict[str, str]) -> Outcome:
        """Try to change which Marketo field feeds which SIA field (P-FIELDS-FIXED)."""

    # --- sales activities (A-*) --------------------------------------------------------------
    def send_email(self, marketo_id: int, subject: str, body: str = "",
                   campaign: str | None = None) -> Outcome:
        """A seller sends a sales email (optionally in a sales campaign). ``detail`` has
        ``emailId``. A send the integration blocks is ``ok=False``. Returns once the send
        and what it logs are done (the kit then looks at Marketo and Salesforce)."""

    def record_email_event(self, email_id: Any, event: str, link: str | None = None) -> Outcome:
        """What became of a sales email: ``event`` is open, click, reply or bounce."""

    def log_call(self, marketo_id: int, subject: str, status: str = "completed",
                 duration: int | None = None, answered_by: str | None = None,
                 recording_url: str | None = None) -> Outcome:
        """A seller logs a call; ``status`` is completed, no answer, cancelled or failed."""

    def add_to_campaign(self, marketo_id: int, campaign: str) -> Outcome:
        """A seller adds a person to a sales campaign."""

    def remove_from_campaign(self, marketo_id: int, campaign: str) -> Outcome:
        """A seller removes a person from a sales campaign."""

    def activities(self, marketo_id: int) -> list[dict[str, Any]]:
        """SIA's own record of the person's sales activities (P-OWN-DB), from its own
        database and with no call to Marketo or Salesforce: each a dict with at least
        ``type`` (one of the 8 activity type names) and ``subject`` (an email's subject as
        the seller wrote it, a call's subject, a sales campaign's name)."""

    def smart_grid(self, marketo_id: int) -> list[dict[str, Any]]:
        """One load of the person's Smart Grid (A-GRID), as a seller opening the panel
        makes it: each item a dict with at least ``type`` (the Marketo activity type name)
        and ``date``."""

    # --- unsubscribes (U-*) ------------------------------------------------------------------
    def unsubscribe(self, marketo_id: int) -> Outcome:
        """The person unsubscribes in SIA (from a sales email's link, or by a seller)."""

    def resubscribe(self, marketo_id: int) -> Outcome:
        """The person is subscribed again in SIA."""

    def is_unsubscribed(self, marketo_id: int) -> bool:
        """Whether SIA holds the person as unsubscribed."""

    def sync_unsubscribes(self) -> Outcome:
        """One pass of the periodic (nightly) unsubscribe sync with Salesforce; returns
        when done."""

    # --- reminder tasks (T-*) ----------------------------------------------------------------
    def create_task(self, marketo_id: int, name: str, due_date: str | None = None,
                    priority: str = "Normal", details: str | None = None) -> Outcome:
        """A seller creates a reminder task; ``detail`` has ``taskId``."""

    def edit_task(self, task_id: Any, fields: dict[str, Any]) -> Outcome:
        """Change a task: keys among name, details, due_date (YYYY-MM-DD), priority
        (Normal, High), status (Open, Complete)."""

    def delete_task(self, task_id: Any) -> Outcome:
        """Delete a reminder task."""

    def tasks(self) -> list[dict[str, Any]]:
        """SIA's reminder tasks: each with id, marketo_id, name, details, due_date,
        priority, status."""

    def sync_tasks(self) -> Outcome:
        """One pass of the reminder task sync with Salesforce; returns when done. The first
        pass after task sync is switched on is its first sync (T-FIRST-SYNC)."""

    def sync_all(self) -> Outcome:
        """One pass of every periodic sync the integration runs (people, unsubscribes,
        tasks, and any pending delivery); ``ok=False`` when any part failed."""

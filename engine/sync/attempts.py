"""Attempt, then settle: how every remote create of SIA happens exactly once.

What SIA must write exactly once (an activity for Marketo, an email or call Task, a
reminder task) is stored first, in an outbox row. Then:

1. before it is sent, the row gets an :class:`Attempt`: when it was sent (by the service's
   clock, for searches) and until when it may still land there (by this machine's clock:
   the client's ``write_horizon``, longer than the service takes for any request);
2. it is sent; an answer settles the row (done, refused for good, refused for now). A lost
   answer (:class:`~engine.errors.AmbiguousWrite`) leaves the attempt on the row: open
   while the service may still be working on it (the client timed out), ended at once
   when the service is done with it (a 5xx, a dropped connection);
3. whoever finds a row with an attempt (the sender after the lost answer, the next
   flush, an engine restarted after a crash) :func:`settle` s it before anything is sent
   again: it looks on the remote side; found, the row is done; not found while the
   attempt may still land, it is *in flight* and nothing is sent (a write that lands
   after the client's timeout is never doubled); not found once the horizon has passed,
   it never landed and is sent again.

A write the remote side makes idempotent needs no horizon: Salesforce Tasks carry SIA's
own key in a custom External ID field (``SIA_Id__c``) and are upserted by it, so one that
is not found is simply sent again; should the first attempt land after all, it finds the
Task there and is refused (an update may not set the create-only ``TaskSubtype``), so
there is never a second Task. The client does not repeat an upsert on its own: a lost
answer is settled here, by looking for the key.
:func:`create_task_once` is that protocol for Tasks (the email and call Tasks of
``to_salesforce`` and the reminder tasks of ``reminders``); ``to_marketo`` follows it
for activities, a batch at a time.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from engine.clients.salesforce import SalesforceClient
from engine.errors import AmbiguousWrite, RemoteError
from engine.timestamps import now, now_stamp, parse, stamp

log = logging.getLogger("siasim.engine.attempts")
#: the custom External ID field on Task that carries SIA's key (the mock's metadata
#: declares it, as an org that runs SIA would)
TASK_KEY_FIELD = "SIA_Id__c"
SENDS = 2  # creates per call when one's answer is lost and it is known not to have landed


@dataclass(frozen=True)
class Attempt:
    at: str  # when it was sent, by the service's clock (where searches start)
    until: str  # after this (this machine's clock) it can no longer land

    @classmethod
    def begin(cls, horizon: float, service_time: datetime | None = None) -> Attempt:
        return cls(stamp(service_time or now()), stamp(now() + timedelta(seconds=horizon)))

    @classmethod
    def of(cls, at: str | None, until: str | None) -> Attempt | None:
        """The attempt stored on a row; a row from before horizons were kept is taken as
        one whose horizon has passed (its delivery held the lock that now is free)."""
        if not at and not until:
            return None
        return cls(at or until or now_stamp(), until or at or now_stamp())

    def ended(self) -> Attempt:
        """The same attempt, known to be over: the service is done with it."""
        return replace(self, until=min(self.until, now_stamp()))

    @property
    def over(self) -> bool:
        return parse(self.until) <= now()


class State(enum.Enum):
    FOUND = "found"  # it landed: adopt what it made
    ABSENT = "absent"  # it did not land and no longer can: send it again
    IN_FLIGHT = "in flight"  # not there yet, and it still may land: send nothing


def settle(attempt: Attempt | None, look: Callable[[], str | None],
           repeatable: bool = False) -> tuple[State, str | None]:
    """What became of an attempt whose answer was lost: ``look`` finds what it made (an
    ID) or None. ``repeatable``: sending again cannot double it (an upsert)."""
    found = look()
    if found is not None:
        return State.FOUND, found
    if repeatable or attempt is None or attempt.over:
        return State.ABSENT, None
    return State.IN_FLIGHT, None


def task_finder(salesforce: SalesforceClient, key: str,
                search: Callable[[Attempt], str | None]) -> Callable[[Attempt], str | None]:
    """How to find the Task an attempt made: by SIA's key where the org has the field
    (queryAll: one that landed and was deleted since is still SIA's), else ``search``."""
    if salesforce.has_field("Task", TASK_KEY_FIELD):
        return lambda _attempt: salesforce.find_by("Task", TASK_KEY_FIELD, key)
    return search


@dataclass
class Outcome:
    state: State | None  # None: created by this call
    task_id: str | None = None

    @property
    def in_flight(self) -> bool:
        return self.state is State.IN_FLIGHT


def create_task_once(salesforce: SalesforceClient, key: str, fields: dict,
                     attempt: Attempt | None, record: Callable[[Attempt], None],
                     search: Callable[[Attempt], str | None]) -> Outcome:
    """Create the Task SIA knows by ``key`` exactly once.

    ``attempt``: the row's last attempt, if any (it is settled first); ``record`` stores a
    new attempt on the row before it is sent; ``search`` finds, without the key field, a
    Task an attempt made (an org without ``SIA_Id__c``). Raises
    :class:`~engine.errors.RemoteError` when Salesforce refuses the Task (the row keeps its
    attempt, so a later call looks before it sends).
    """
    keyed = salesforce.has_field("Task", TASK_KEY_FIELD)
    look = task_finder(salesforce, key, search)

    if attempt is not None:
        state, task_id = settle(attempt, lambda: look(attempt), repeatable=keyed)
        if state is not State.ABSENT:
            return Outcome(state, task_id)
    for _ in range(SENDS):
        attempt = Attempt.begin(salesforce.write_horizon, salesforce.clock())
        record(attempt)  # if we die during the call, whoever comes next looks first
        try:
            if keyed:
                return Outcome(None, salesforce.upsert("Task", TASK_KEY_FIELD, key, fields))
            return Outcome(None, salesforce.create("Task", fields))
        except AmbiguousWrite as exc:
            log.info("Task create answer lost (%s): looking for it", exc.message)
            if not exc.in_flight:
                attempt = attempt.ended()
                record(attempt)
            state, task_id = settle(attempt, lambda current=attempt: look(current),
                                    repeatable=keyed)
            if state is not State.ABSENT:
                return Outcome(state, task_id)
        except RemoteError:
            # keyed: refused because it is there already (an attempt that landed late
            # meets the create-only fields of an update): it is the one to adopt
            found = look(attempt) if keyed else None
            if found is None:
                raise
            return Outcome(State.FOUND, found)
    return Outcome(State.ABSENT)

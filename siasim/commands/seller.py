"""A seller's actions in the reference SIA: sales emails and what became of them, calls,
sales campaigns, unsubscribes, the Smart Grid and SIA's own record of a person.

Each is stored in SIA's database and logged at once to Marketo (and, when switched on, to
Salesforce); what cannot be delivered now is kept and delivered by the next sync pass.
"""

from __future__ import annotations

import click

from engine.activity_types import CALL_STATUSES, EMAIL_EVENTS
from siasim.engine_options import engine_options
from siasim.running import echo, json_option, person_id, run


@click.group()
def email() -> None:
    """Sales emails: send one, and record what became of it (A-TO-MARKETO, A-TO-SALESFORCE)."""


@email.command("send")
@click.argument("person")
@click.argument("subject")
@click.option("--body", default="", help="The email's text.")
@click.option("--campaign", default=None, help="The sales campaign it is part of.")
@engine_options
@json_option
def email_send(person: str, subject: str, body: str, campaign: str | None, as_json: bool,
               **kwargs) -> None:
    """Send the sales email SUBJECT to PERSON: logged to Marketo as "Send Sales Email" and,
    when email logging is on, to Salesforce as an Email Task. With the Marketo
    Unsubscribe Check on, Marketo is asked first, and a send to an unsubscribed address is
    refused. PERSON is a Marketo ID, or an email SIA holds for one person only."""
    result = run(kwargs, lambda sia: sia.send_email(person_id(sia, person), subject, body,
                                                     campaign))
    echo(result, as_json, lambda r: click.echo(
        f"sent email {r['emailId']}: {r['subject']}\n" + _delivery(r)))


@email.command("event")
@click.argument("email_id", type=int)
@click.argument("event", type=click.Choice(list(EMAIL_EVENTS)))
@click.option("--link", default=None, help="The link clicked (a click needs one).")
@click.option("--details", default=None, help="A bounce's reason, or a reply's text.")
@engine_options
@json_option
def email_event(email_id: int, event: str, link: str | None, details: str | None,
                as_json: bool, **kwargs) -> None:
    """Record what became of sales email EMAIL_ID: open, click, reply or bounce (each a
    Marketo activity; a reply also a Reply Task in Salesforce)."""
    result = run(kwargs, lambda sia: sia.record_email_event(email_id, event, link, details))
    echo(result, as_json, lambda r: click.echo(f"recorded {r['activity']}\n" + _delivery(r)))


@click.command()
@click.argument("person")
@click.argument("subject")
@click.option("--status", type=click.Choice(CALL_STATUSES), default="completed",
              show_default=True, help="How the call went.")
@click.option("--duration", type=click.IntRange(min=0), default=None, help="Seconds.")
@click.option("--answered-by", default=None, help="Who picked up.")
@click.option("--phone", default=None, help="The number called (default: the person's).")
@click.option("--recording-url", default=None, help="Where the recording is.")
@click.option("--campaign", default=None, help="The sales campaign it is part of.")
@click.option("--notes", default=None, help="Notes, logged as the Task's comments.")
@engine_options
@json_option
def call(person: str, subject: str, as_json: bool, **kwargs) -> None:
    """Log a call with PERSON: a "Sales Call Received" activity in Marketo and, when call
    logging is on, a Call Task in Salesforce. PERSON is a Marketo ID, or an email SIA holds
    for one person only."""
    details = {k: kwargs.pop(k) for k in ("status", "duration", "answered_by", "phone",
                                          "recording_url", "campaign", "notes")}
    result = run(kwargs, lambda sia: sia.log_call(person_id(sia, person), subject, **details))
    echo(result, as_json, lambda r: click.echo(f"logged call {r['callId']}\n" + _delivery(r)))


@click.group()
def campaign() -> None:
    """Sales campaigns: add a person to one, or remove them (Marketo activities)."""


@campaign.command("add")
@click.argument("person")
@click.argument("name")
@engine_options
@json_option
def campaign_add(person: str, name: str, as_json: bool, **kwargs) -> None:
    """Add PERSON to the sales campaign NAME ("Add to Sales Campaign" in Marketo)."""
    result = run(kwargs, lambda sia: sia.add_to_campaign(person_id(sia, person), name))
    echo(result, as_json, lambda r: click.echo(f"{r['activity']}: {name}\n" + _delivery(r)))


@campaign.command("remove")
@click.argument("person")
@click.argument("name")
@engine_options
@json_option
def campaign_remove(person: str, name: str, as_json: bool, **kwargs) -> None:
    """Remove PERSON from the sales campaign NAME ("Removed from Sales Campaign")."""
    result = run(kwargs, lambda sia: sia.remove_from_campaign(person_id(sia, person), name))
    echo(result, as_json, lambda r: click.echo(f"{r['activity']}: {name}\n" + _delivery(r)))


@click.command()
@click.argument("person")
@engine_options
@json_option
def unsubscribe(person: str, as_json: bool, **kwargs) -> None:
    """PERSON unsubscribes in SIA: no more sales email to them. With Unsubscribe Sync on,
    Salesforce's Email Opt Out is set at once; Marketo is never written."""
    result = run(kwargs, lambda sia: sia.unsubscribe(person_id(sia, person)))
    echo(result, as_json, lambda r: click.echo(
        "unsubscribed in SIA" + ("; opted out in Salesforce" if r["pushedToSalesforce"] else "")
        + (f"\nSalesforce later: {r['pushError']}" if r.get("pushError") else "")))


@click.command()
@click.argument("person")
@engine_options
@json_option
def resubscribe(person: str, as_json: bool, **kwargs) -> None:
    """PERSON is subscribed again, in SIA only: a re-subscribe is never synced."""
    result = run(kwargs, lambda sia: sia.resubscribe(person_id(sia, person)))
    echo(result, as_json, lambda r: click.echo("subscribed again in SIA (only)"))


@click.command()
@click.argument("person")
@engine_options
@json_option
def grid(person: str, as_json: bool, **kwargs) -> None:
    """The Smart Grid of PERSON: their email, call, interesting moment and web activity,
    read from Marketo now (never from a cache), newest first."""
    items = run(kwargs, lambda sia: sia.smart_grid(person_id(sia, person)))

    def table(rows):
        for item in rows:
            click.echo(f"{item['date']}  {item['category']:<18} {item['type']:<24} "
                       f"{item['primary'] or ''}")
        click.echo(f"{len(rows)} activities, read from Marketo")

    echo(items, as_json, table)


@click.command()
@click.argument("person")
@engine_options
@json_option
def activities(person: str, as_json: bool, **kwargs) -> None:
    """SIA's own record of PERSON's sales activity (from its database, no remote call), with
    the state of each activity's delivery to Marketo."""
    items = run(kwargs, lambda sia: sia.activities(person_id(sia, person)))

    def table(rows):
        for item in rows:
            click.echo(f"{item['occurredAt']}  {item['type']:<28} {item['delivery']:<8} "
                       f"{item['subject'] or ''}")
        click.echo(f"{len(rows)} activities in SIA")

    echo(items, as_json, table)


def _delivery(result: dict) -> str:
    parts = []
    for channel, counts in result.get("delivery", {}).items():
        if "error" in counts:
            parts.append(f"{channel}: kept for the next sync ({counts['error']})")
        else:
            parts.append(f"{channel}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return "delivery: " + ("; ".join(parts) or "nothing")

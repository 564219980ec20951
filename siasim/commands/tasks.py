"""``siasim task``: a seller's reminder tasks in SIA (T-*), pushed to Salesforce at once
when task sync is on."""

from __future__ import annotations

import click

from engine.sync.reminders import PRIORITIES, STATUS_TO_SF
from siasim.engine_options import engine_options
from siasim.running import echo, json_option, person_id, run


@click.group()
def task() -> None:
    """Reminder tasks: create, edit, complete, delete and list them. With task sync on
    (`siasim settings salesforce.sync_tasks on`), each change reaches Salesforce at once,
    and `siasim sync tasks` brings Salesforce's in."""


def _show(result: dict) -> None:
    due = f", due {result['dueDate']}" if result.get("dueDate") else ""
    where = (f"Salesforce Task {result['salesforceTaskId']}" if result.get("salesforceTaskId")
             else "not in Salesforce")
    click.echo(f"task {result['id']}: {result['name']} ({result['status']}, "
               f"{result['priority']}{due}; {where})")
    if result.get("syncError"):
        click.echo(f"Salesforce later: {result['syncError']}")


@task.command("create")
@click.argument("person")
@click.argument("name")
@click.option("--due", default=None, metavar="YYYY-MM-DD", help="Due date.")
@click.option("--priority", type=click.Choice(PRIORITIES), default="Normal", show_default=True,
              help="Priority.")
@click.option("--details", default=None, help="Details (Salesforce's Comments).")
@engine_options
@json_option
def task_create(person: str, name: str, due: str | None, priority: str, details: str | None,
                as_json: bool, **kwargs) -> None:
    """Create the reminder task NAME for PERSON (a Marketo ID, or an email SIA holds for
    one person only)."""
    result = run(kwargs, lambda sia: sia.create_task(person_id(sia, person), name, due,
                                                     priority, details))
    echo(result, as_json, _show)


@task.command("edit")
@click.argument("task_id", type=int)
@click.option("--name", default=None, help="New name (Salesforce's Subject).")
@click.option("--due", default=None, metavar="YYYY-MM-DD", help="New due date.")
@click.option("--priority", type=click.Choice(PRIORITIES), default=None, help="New priority.")
@click.option("--details", default=None, help="New details.")
@click.option("--status", type=click.Choice(list(STATUS_TO_SF)), default=None,
              help="New status.")
@engine_options
@json_option
def task_edit(task_id: int, as_json: bool, **kwargs) -> None:
    """Change reminder task TASK_ID: only the fields given change."""
    given = {"name": kwargs.pop("name"), "due_date": kwargs.pop("due"),
             "priority": kwargs.pop("priority"), "details": kwargs.pop("details"),
             "status": kwargs.pop("status")}
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise click.UsageError("give at least one of --name, --due, --priority, --details, "
                               "--status")
    echo(run(kwargs, lambda sia: sia.edit_task(task_id, changes)), as_json, _show)


@task.command("complete")
@click.argument("task_id", type=int)
@engine_options
@json_option
def task_complete(task_id: int, as_json: bool, **kwargs) -> None:
    """Mark reminder task TASK_ID complete ("Completed" in Salesforce)."""
    echo(run(kwargs, lambda sia: sia.complete_task(task_id)), as_json, _show)


@task.command("delete")
@click.argument("task_id", type=int)
@engine_options
@json_option
def task_delete(task_id: int, as_json: bool, **kwargs) -> None:
    """Delete reminder task TASK_ID (and its Salesforce Task, with task sync on)."""
    result = run(kwargs, lambda sia: sia.delete_task(task_id))
    echo(result, as_json, lambda r: click.echo(f"deleted task {r['deleted']}"))


@task.command("list")
@click.option("--person", default=None, help="Only this person's (a Marketo ID or email).")
@engine_options
@json_option
def task_list(person: str | None, as_json: bool, **kwargs) -> None:
    """SIA's reminder tasks, from its own database."""
    tasks = run(kwargs, lambda sia: sia.tasks(person_id(sia, person) if person else None))

    def table(rows):
        for row in rows:
            click.echo(f"{row['id']:>5}  {row['marketoId']:>8}  {row['status']:<8} "
                       f"{row['priority']:<6} {row['dueDate'] or '':<10}  {row['name']}")
        click.echo(f"{len(rows)} tasks")

    echo(tasks, as_json, table)

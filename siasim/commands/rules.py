"""``siasim rules``: the specification the kit checks, from ``features/RULES.md``."""

from __future__ import annotations

import json
import textwrap

import click

from features.rules import BY_ID, LEVELS, SPEC, Rule


@click.command()
@click.argument("rule_ids", nargs=-1, metavar="[RULE_ID]...")
@click.option("--level", type=click.Choice(LEVELS), default=None,
              help="Only the rules of this level.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the rules as JSON: id, level, topic and text of each.")
def rules(rule_ids: tuple[str, ...], level: str | None, as_json: bool) -> None:
    """Print the rules of the sync, every one with its ID, level and text.

    The kit's scenarios are tagged with these IDs and its reports give a verdict for each.
    Name rule IDs (e.g. `siasim rules P-OWNER U-MARKETO-CHECK`) to print only those.
    """
    unknown = [rule_id for rule_id in rule_ids if rule_id.upper() not in BY_ID]
    if unknown:
        raise click.BadParameter(f"no rule {', '.join(unknown)} (rules: "
                                 f"{', '.join(BY_ID)})", param_hint="RULE_ID")
    wanted = {rule_id.upper() for rule_id in rule_ids}

    def chosen(rule: Rule) -> bool:
        return (not wanted or rule.id in wanted) and (level is None or rule.level == level)

    if as_json:
        click.echo(json.dumps({
            "title": SPEC.title,
            "rules": [rule.to_dict() for rule in SPEC.rules if chosen(rule)],
            "otherTags": SPEC.other_tags}, ensure_ascii=False, indent=2))
        return
    width = max(len(rule.id) for rule in SPEC.rules)
    for section in SPEC.sections:
        picked = [rule for rule in section.rules if chosen(rule)]
        if not picked:
            continue
        click.echo(click.style(section.heading, bold=True))
        for rule in picked:
            lead = f"  {rule.id:<{width}}  {rule.level:<9} "
            lines = textwrap.wrap(rule.text, width=max(40, 96 - len(lead)))
            click.echo(lead + lines[0])
            for line in lines[1:]:
                click.echo(" " * len(lead) + line)
        table_notes = section.notes and picked[0].level != "simulated"  # else: its text
        if table_notes and not wanted and level is None:  # e.g. the activity attributes
            click.echo()
            for line in section.notes.splitlines():
                click.echo("\n".join(textwrap.wrap(line, 94, initial_indent="  ",
                                                    subsequent_indent="    ")))
        click.echo()
    if not wanted and level is None:
        click.echo(f"{len(SPEC.rules)} rules. Tags that are not rules: " + "; ".join(
            f"@{tag} ({text})" for tag, text in SPEC.other_tags.items()))

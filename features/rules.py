"""The rules the kit encodes, read from ``features/RULES.md``: the specification itself.

``RULES.md`` is the one source of truth: the kit's markers, the catalogue, ``siasim
rules`` and the reports all read it through this module, so there is no second copy to
keep in step. Its shape is plain Markdown:

- ``## Heading`` opens a section (its topic is the heading before any ``:`` or ``(``);
- a table ``| ID | Level | Rule |`` lists the section's rules, one row each, with level
  ``must`` or ``should``;
- a section with no table that asks for a tag (``Tag scenarios about it `@M-SF-SYNC```)
  defines a *simulated* rule: behaviour of the mocks the kit checks too, not SIA's;
- a lower-case tag asked for the same way (```@reference```) is a tag that is not a rule.

A row or section that does not fit is an error (:class:`RulesFormatError`) naming its line,
never a rule silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("RULES.md")
LEVELS = ("must", "should", "simulated")

_RULE_ID = re.compile(r"^[A-Z]+(?:-[A-Z0-9]+)+$")
_TAG_ASKED = re.compile(r"`@([A-Za-z][\w-]*)`")
_SEPARATOR = re.compile(r"^\|\s*:?-+")


class RulesFormatError(ValueError):
    """RULES.md has a line the kit cannot read as the spec's structure."""


@dataclass(frozen=True)
class Rule:
    id: str
    level: str  # "must", "should", or "simulated" (the mocks' own behaviour)
    topic: str  # the section's short heading, e.g. "People", "Reminder tasks"
    text: str  # the rule as RULES.md states it, whole

    @property
    def summary(self) -> str:
        """The rule's first sentence: for one-line listings (pytest's markers)."""
        first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", self.text, maxsplit=1)[0]
        return first

    def to_dict(self) -> dict:
        return {"id": self.id, "level": self.level, "topic": self.topic, "text": self.text}


@dataclass(frozen=True)
class Section:
    heading: str  # as written in RULES.md
    topic: str
    rules: tuple[Rule, ...]
    notes: str  # the section's prose beside its table (e.g. the activity attributes)


@dataclass(frozen=True)
class Spec:
    title: str
    sections: tuple[Section, ...]
    #: tags that are not rules, with what they mark (``reference``)
    other_tags: dict[str, str] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for section in self.sections for rule in section.rules)


def _topic(heading: str) -> str:
    return re.split(r"[:(]", heading, maxsplit=1)[0].strip()


def _cells(line: str, number: int) -> list[str]:
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    if len(cells) != 3:
        raise RulesFormatError(f"RULES.md line {number}: a rule row has three cells "
                               f"(ID, level, rule), not {len(cells)}: {line.strip()!r}")
    return cells


def parse(text: str) -> Spec:
    """The spec in ``text`` (the content of a RULES.md)."""
    title = ""
    sections: list[Section] = []
    other_tags: dict[str, str] = {}
    seen: dict[str, int] = {}
    heading: str | None = None
    rows: list[Rule] = []
    prose: list[str] = []

    def close(end: int) -> None:
        if heading is None:
            return
        topic = _topic(heading)
        notes = "\n".join(prose).strip()
        rules = list(rows)
        if not rules:
            for tag in _TAG_ASKED.findall(notes):
                if _RULE_ID.match(tag):
                    paragraph = " ".join(line.strip() for line in notes.split("\n\n")[0]
                                         .splitlines())
                    rules.append(Rule(tag, "simulated", topic, paragraph))
                    _unique(seen, tag, end)
                else:
                    other_tags[tag] = f"{heading}. {_first_sentence(notes)}"
        sections.append(Section(heading, topic, tuple(rules), notes))

    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif line.startswith("## "):
            close(number)
            heading, rows, prose = line[3:].strip(), [], []
        elif heading is None:
            continue
        elif line.lstrip().startswith("|"):
            if _SEPARATOR.match(line.strip()):
                continue
            rule_id, level, rule_text = _cells(line, number)
            if rule_id == "ID":  # the table's header
                continue
            if not _RULE_ID.match(rule_id):
                raise RulesFormatError(f"RULES.md line {number}: {rule_id!r} is not a rule ID "
                                       "(capitals and digits in dash-separated parts)")
            if level not in ("must", "should"):
                raise RulesFormatError(f"RULES.md line {number}: {rule_id} has level "
                                       f"{level!r}; a rule is must or should")
            if not rule_text:
                raise RulesFormatError(f"RULES.md line {number}: {rule_id} has no text")
            _unique(seen, rule_id, number)
            rows.append(Rule(rule_id, level, _topic(heading), rule_text))
        else:
            prose.append(line)
    close(len(text.splitlines()))
    if not any(section.rules for section in sections):
        raise RulesFormatError("RULES.md lists no rules")
    return Spec(title, tuple(sections), other_tags)


def _unique(seen: dict[str, int], rule_id: str, number: int) -> None:
    if rule_id in seen:
        raise RulesFormatError(f"RULES.md line {number}: {rule_id} is defined twice "
                               f"(first on line {seen[rule_id]})")
    seen[rule_id] = number


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    return re.split(r"(?<=[.:])\s", flat, maxsplit=1)[0].rstrip(":")


@cache
def load(path: Path = RULES_FILE) -> Spec:
    return parse(path.read_text(encoding="utf-8"))


SPEC = load()
RULES: tuple[Rule, ...] = SPEC.rules
BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
#: Tags that are not rules: ``@reference`` marks what the reference engine chose where the
#: sources are silent.
OTHER_TAGS: dict[str, str] = SPEC.other_tags

"""The kit's overall verdict, from the verdict of each rule.

- ``conformant``: every must rule passed (or the vendor declared it out of scope by name);
- ``conformant with should-rule failures``: so, but a should rule did not pass;
- ``not conformant``: a must rule failed, erred, or is not applicable (the driver cannot do
  what it needs) without being declared out of scope.

Rules of the simulated level (Marketo's own Salesforce sync) are the mocks' behaviour, not
the integration's, and never count. A rule with no scenario in the run (a ``--rules``
selection) is not run: the verdict covers the rules that ran, and says so.
Exit codes: 0 conformant (with or without should-rule failures), 1 not conformant,
2 usage error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CONFORMANT = "conformant"
SHOULD_FAILURES = "conformant with should-rule failures"
NOT_CONFORMANT = "not conformant"
VERDICTS = (CONFORMANT, SHOULD_FAILURES, NOT_CONFORMANT)
EXIT_CODES = {CONFORMANT: 0, SHOULD_FAILURES: 0, NOT_CONFORMANT: 1}
USAGE_ERROR = 2


@dataclass
class Verdict:
    verdict: str
    blocking: list[str] = field(default_factory=list)  # must rules that did not pass
    should_failures: list[str] = field(default_factory=list)
    out_of_scope: list[str] = field(default_factory=list)  # declared by the vendor
    not_run: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def partial(self) -> bool:
        return bool(self.not_run)

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "exitCode": self.exit_code,
                "blocking": self.blocking, "shouldFailures": self.should_failures,
                "outOfScope": self.out_of_scope, "notRun": self.not_run}

    def explain(self) -> str:
        """One line on why, for the terminal and the report."""
        parts = []
        if self.blocking:
            parts.append("must rules not passed: " + ", ".join(self.blocking))
        if self.should_failures:
            parts.append("should rules not passed: " + ", ".join(self.should_failures))
        if self.out_of_scope:
            parts.append("declared out of scope: " + ", ".join(self.out_of_scope))
        if self.not_run:
            parts.append(f"{len(self.not_run)} rules not run (partial run)")
        return "; ".join(parts) or "every must and should rule passed"


def decide(rules: Iterable[dict], out_of_scope: Iterable[str] = ()) -> Verdict:
    """``rules``: each with ``id``, ``level`` and ``status`` (pass, fail, error,
    not applicable, not run), as the report builds them."""
    declared = set(out_of_scope)
    result = Verdict(CONFORMANT)
    for rule in rules:
        level, status, rule_id = rule["level"], rule["status"], rule["id"]
        if level not in ("must", "should"):
            continue
        if rule_id in declared:
            result.out_of_scope.append(rule_id)
        elif status == "not run":
            result.not_run.append(rule_id)
        elif status != "pass":
            (result.blocking if level == "must" else result.should_failures).append(rule_id)
    if result.blocking:
        result.verdict = NOT_CONFORMANT
    elif result.should_failures:
        result.verdict = SHOULD_FAILURES
    return result


def parse_out_of_scope(text: str | None, known: Iterable[str]) -> list[str]:
    """``--out-of-scope RULE[,RULE]``: rule IDs, each a must or should rule of the kit.
    Raises ``ValueError`` with a clear message for a name that is not one."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    known = set(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"--out-of-scope names no rule: {', '.join(unknown)} "
                         f"(rules: {', '.join(sorted(known))})")
    return names

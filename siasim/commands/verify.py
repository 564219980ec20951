"""``siasim verify``: run the conformance kit and write its per-rule report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from features.verdict import USAGE_ERROR


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--sut", default="engine.driver:create_driver", show_default=True,
              metavar="MODULE:FACTORY",
              help="Driver factory of the integration under test (default: the reference "
                   "engine).")
@click.option("--report", "report_dir", default="reports/kit", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the report (report.json and report.md).")
@click.option("--rules", "rule_filter", default=None, metavar="EXPR",
              help="Only the scenarios of these rules: a pytest marker expression, "
                   "e.g. 'P-OWNER or P-FIELDS'.")
@click.option("--out-of-scope", "out_of_scope", default=None, metavar="RULE[,RULE]",
              help="Rules your integration does not cover: they do not count against "
                   "conformance, and the report lists them.")
@click.option("--workers", "-n", type=click.IntRange(min=0), default=2, show_default=True,
              help="Parallel workers (0 runs in this process).")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def verify(sut: str, report_dir: Path, rule_filter: str | None, out_of_scope: str | None,
           workers: int, pytest_args: tuple[str, ...]) -> None:
    """Run the conformance kit against an integration and write the per-rule report.

    Every rule of the specification is a set of Gherkin scenarios in the kit; each runs
    against fresh Marketo and Salesforce mocks through the driver. Extra arguments go to
    pytest. Ends with the verdict: conformant, conformant with should-rule failures (exit
    code 0 for both), or not conformant (1); a usage error is 2.
    """
    import pytest

    import features

    kit = Path(features.__file__).parent
    args = [str(kit), "--sut", sut, "--kit-report", str(report_dir), "-p", "no:cacheprovider",
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
            "--strict-markers", "-q", "--rootdir", str(kit), "-c", str(kit / "kit.ini")]
    if workers:
        args += ["-n", str(workers)]
    if rule_filter:
        args += ["-m", rule_filter]
    if out_of_scope:
        args += ["--out-of-scope", out_of_scope]
    code = pytest.main([*args, *pytest_args])
    sys.exit(USAGE_ERROR if code == pytest.ExitCode.USAGE_ERROR else int(code))

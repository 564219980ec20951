"""``siasim verify``: run the conformance kit and write its per-rule report."""

from __future__ import annotations

import sys
from pathlib import Path

import click


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
@click.option("--workers", "-n", type=click.IntRange(min=0), default=2, show_default=True,
              help="Parallel workers (0 runs in this process).")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def verify(sut: str, report_dir: Path, rule_filter: str | None, workers: int,
           pytest_args: tuple[str, ...]) -> None:
    """Run the conformance kit against an integration and write the per-rule report.

    Every rule of the specification is a set of Gherkin scenarios in the kit; each runs
    against fresh Marketo and Salesforce mocks through the driver. Extra arguments go to
    pytest. Exits 0 when every scenario passes.
    """
    import pytest

    import features

    kit = Path(features.__file__).parent
    args = [str(kit), "--sut", sut, "--kit-report", str(report_dir), "-p", "no:cacheprovider",
            "--strict-markers", "-q", "--rootdir", str(kit), "-c", str(kit / "kit.ini")]
    if workers:
        args += ["-n", str(workers)]
    if rule_filter:
        args += ["-m", rule_filter]
    code = pytest.main([*args, *pytest_args])
    click.echo(f"report: {report_dir / 'report.md'}")
    sys.exit(int(code))

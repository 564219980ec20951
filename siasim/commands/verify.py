"""``siasim verify``: run the conformance kit and write its per-rule report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from features.verdict import USAGE_ERROR


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--sut", default="engine.driver:create_driver", show_default=True,
              metavar="MODULE:FACTORY|URL",
              help="The integration under test: a Python driver factory, or the base URL "
                   "(http://HOST:PORT) of a service that speaks the HTTP driver protocol "
                   "(`siasim driver-spec`). Default: the reference engine, in process.")
@click.option("--report", "report_dir", default="reports/kit", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the report (report.json, report.md, report.html).")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE", help="Also write JUnit XML: one testsuite per rule, the rule ID "
                                   "as classname, the scenario as test name.")
@click.option("--driver-timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="How long one call to an HTTP driver may take "
                                      "(default: 120).")
@click.option("--mock-host", default=None, metavar="HOST",
              help="Interface the kit's mocks listen on (default: 127.0.0.1); the driver is "
                   "told URLs with this host (0.0.0.0: this machine's name).")
@click.option("--mock-public-host", default=None, metavar="NAME",
              help="Host name the driver is told in the mocks' URLs, when it reaches them by "
                   "another name (e.g. host.docker.internal).")
@click.option("--marketo-port", type=click.IntRange(1, 65535), default=None, metavar="PORT",
              help="Fixed port of the Marketo mock; worker N uses PORT+N (default: free).")
@click.option("--salesforce-port", type=click.IntRange(1, 65535), default=None,
              metavar="PORT", help="Fixed port of the Salesforce mock; worker N uses PORT+N.")
@click.option("--tls", is_flag=True, help="The mocks serve HTTPS; the driver gets the CA "
                                          "file's path in Endpoints.ca_bundle.")
@click.option("--rules", "rule_filter", default=None, metavar="EXPR",
              help="Only the scenarios of these rules: a pytest marker expression, "
                   "e.g. 'P-OWNER or P-FIELDS'.")
@click.option("--out-of-scope", "out_of_scope", default=None, metavar="RULE[,RULE]",
              help="Rules your integration does not cover: they do not count against "
                   "conformance, and the report lists them.")
@click.option("--workers", "-n", type=click.IntRange(min=0), default=2, show_default=True,
              help="Parallel workers (0 runs in this process).")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def verify(sut: str, report_dir: Path, junit: Path | None, driver_timeout: float | None,
           mock_host: str | None, mock_public_host: str | None, marketo_port: int | None,
           salesforce_port: int | None, tls: bool, rule_filter: str | None,
           out_of_scope: str | None, workers: int, pytest_args: tuple[str, ...]) -> None:
    """Run the conformance kit against an integration and write the per-rule report.

    Every rule of the specification is a set of Gherkin scenarios in the kit; each runs
    against fresh Marketo and Salesforce mocks through the driver: a Python object in this
    process, or a service in any language over HTTP. Extra arguments go to pytest. Ends
    with the verdict: conformant, conformant with should-rule failures (exit code 0 for
    both), or not conformant (1); a usage error is 2.
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
    for option, value in (("--kit-junit", junit), ("--driver-timeout", driver_timeout),
                          ("--mock-host", mock_host), ("--mock-public-host", mock_public_host),
                          ("--marketo-port", marketo_port),
                          ("--salesforce-port", salesforce_port)):
        if value is not None:
            args += [option, str(value)]
    if tls:
        args.append("--tls")
    code = pytest.main([*args, *pytest_args])
    sys.exit(USAGE_ERROR if code == pytest.ExitCode.USAGE_ERROR else int(code))

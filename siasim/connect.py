"""The block ``siasim up`` prints: every URL and credential, and code to paste.

The snippets are for the unmodified clients developers use against the real services,
``marketorestpython`` and ``simple-salesforce``, pointed at the mocks; the tests run
them as printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class StackInfo:
    dashboard_url: str
    marketo_url: str
    marketo_client_id: str
    marketo_client_secret: str
    salesforce_url: str
    salesforce_client_id: str
    salesforce_client_secret: str
    salesforce_username: str
    salesforce_password: str
    ca_file: Path | None  # the CA of a Salesforce mock served with --tls
    data_dir: Path | None  # None: temporary
    sia_db: Path
    log_file: Path
    continuous_interval: float
    marketo_salesforce_sync: str  # what Marketo's own Salesforce sync does, in words
    admin_token: str | None = None  # asked by the mocks' admin API when bound beyond loopback
    salesforce_refresh_token: str = ""  # the refresh_token grant accepts it
    salesforce_jwt_key: str | None = None  # the connected app's certificate: JWT bearer on


#: simple-salesforce builds every URL with https://, whatever instance_url says: over plain
#: HTTP there is nothing it could be handed that works
NO_TLS_NOTE = ("simple-salesforce speaks HTTPS only: `siasim up --tls` serves Salesforce over "
               "HTTPS and prints code for it.")


def marketo_snippet(info: StackInfo) -> str:
    return f'''from marketorestpython.client import MarketoClient
mc = MarketoClient("siasim", "{info.marketo_client_id}", "{info.marketo_client_secret}")
mc.host = "{info.marketo_url}"  # instead of https://<munchkin id>.mktorest.com
print(mc.execute(method="get_multiple_leads_by_filter_type", filterType="id",
                 filterValues=["1", "2", "3"], fields=["id", "email", "sfdcLeadOwnerId"]))'''


def salesforce_snippet(info: StackInfo) -> str:
    """For a Salesforce mock served over HTTPS (``ca_file``). The CA goes in
    REQUESTS_CA_BUNDLE, which requests reads before CURL_CA_BUNDLE and which, unlike a
    session's ``verify``, no other variable overrides."""
    return f'''import os
os.environ["REQUESTS_CA_BUNDLE"] = "{info.ca_file}"  # trust the mock's CA
import requests
from simple_salesforce import Salesforce
token = requests.post("{info.salesforce_url}/services/oauth2/token", data={{
    "grant_type": "password", "client_id": "{info.salesforce_client_id}",
    "client_secret": "{info.salesforce_client_secret}",
    "username": "{info.salesforce_username}", "password": "{info.salesforce_password}"}}).json()
sf = Salesforce(instance_url=token["instance_url"], session_id=token["access_token"])
print(sf.query("SELECT Id, Name, OwnerId FROM Lead LIMIT 3")["records"])'''


#: the line before each snippet; the code follows flush-left, to paste as it is, and ends at
#: the next blank line
SNIPPET_HEADER = "{client}, to paste into Python:"


def _row(title: str, value: str, indent: str = "") -> str:
    return f"{indent}{title + ':':<{18 - len(indent)}} {value}"


def describe_stack(info: StackInfo) -> list[str]:
    lines = [
        _row("Dashboard", f"{info.dashboard_url}/"),
        _row("SIA API", f"{info.dashboard_url}/api  (GET /api lists the routes)"),
        _row("SIA database", str(info.sia_db)),
        _row("Log", str(info.log_file)),
        _row("SIA sync", f"every {info.continuous_interval:g} s (continuous mode)"),
        _row("Marketo-SF sync", info.marketo_salesforce_sync),
        "",
        _row("Marketo mock", info.marketo_url),
        _row("token URL", f"{info.marketo_url}/identity/oauth/token", "  "),
        _row("client id", info.marketo_client_id, "  "),
        _row("client secret", info.marketo_client_secret, "  "),
        _row("Salesforce mock", info.salesforce_url),
        _row("login URL", f"{info.salesforce_url}/services/oauth2/token", "  "),
        _row("client id", info.salesforce_client_id, "  "),
        _row("client secret", info.salesforce_client_secret, "  "),
        _row("username", info.salesforce_username, "  "),
        _row("password", info.salesforce_password, "  "),
        *([_row("refresh token", info.salesforce_refresh_token, "  ")]
          if info.salesforce_refresh_token else []),
        *([_row("JWT key", f"{info.salesforce_jwt_key}  (JWT bearer flow on)", "  ")]
          if info.salesforce_jwt_key else []),
    ]
    if info.ca_file:
        lines.append(_row("CA file", f"{info.ca_file}  (export REQUESTS_CA_BUNDLE=...)", "  "))
    lines += [
        _row("Admin API", f"{info.marketo_url}/__admin__/  {info.salesforce_url}/__admin__/"),
        *([_row("admin token", f"{info.admin_token}  (header X-Siasim-Admin-Token)", "  ")]
          if info.admin_token else []),
        _row("Data", f"{info.data_dir} (kept: `siasim up --data {info.data_dir}` continues "
                     "from here)" if info.data_dir
                     else "temporary, discarded on exit (keep it with --data DIR)"),
        "",
        SNIPPET_HEADER.format(client="marketorestpython"),
        *marketo_snippet(info).splitlines(),
        "",
    ]
    if info.ca_file:
        lines += [SNIPPET_HEADER.format(client="simple-salesforce"),
                  *salesforce_snippet(info).splitlines()]
    else:
        lines.append(NO_TLS_NOTE)
    return lines

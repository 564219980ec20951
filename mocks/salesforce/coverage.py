"""The implementation coverage page: which of Salesforce's documented resources the mock
serves, worked out from the mock's own route table.

:data:`RESOURCES` lists the resources of Salesforce's REST API reference (and the login,
SOAP and Bulk API 1.0 endpoints clients use beside it), written down from Salesforce's
documentation: a name, the documented path and its methods. For each method the page asks
the mock's URL map whether a sample of the path is routed there: a resource is served when
its path and method match a route whose fixed segments cover the documented ones (so a
broad route, ``sobjects/X/{field}/{value}``, does not pass for ``sobjects/X/listviews``).

``python -m mocks.salesforce.coverage`` rewrites ``docs/salesforce-coverage.md``; a test
fails when the page is stale (a route was added or removed without regenerating it).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from mocks.salesforce import metadata

PAGE = Path(__file__).resolve().parents[2] / "docs" / "salesforce-coverage.md"
DATA = "/services/data/vXX.X"


@dataclass(frozen=True)
class Resource:
    group: str
    name: str
    path: str  # as documented; {placeholders} for the parts a call fills in
    methods: tuple[str, ...]


def _r(group: str, name: str, path: str, *methods: str) -> Resource:
    return Resource(group, name, path if path.startswith("/services/") or path.startswith(
        "/id/") else DATA + path, methods)


#: From Salesforce's REST API Developer Guide (the Reference chapter), the Bulk API 2.0
#: and 1.0 guides and the OAuth and SOAP login documentation.
RESOURCES: tuple[Resource, ...] = (
    _r("Versions and org", "Versions", "/services/data", "GET"),
    _r("Versions and org", "Resources by Version", "", "GET"),
    _r("Versions and org", "Limits", "/limits", "GET"),
    _r("Versions and org", "Record Count", "/limits/recordCount", "GET"),
    _r("Versions and org", "AppMenu", "/appMenu/AppSwitcher", "GET"),
    _r("Versions and org", "Tabs", "/tabs", "GET"),
    _r("Versions and org", "Themes", "/theme", "GET"),
    _r("Versions and org", "Recently Viewed Items", "/recent", "GET"),
    _r("Versions and org", "Compact Layouts", "/compactLayouts", "GET"),
    _r("Versions and org", "Quick Actions", "/quickActions", "GET"),
    _r("Versions and org", "Invocable Actions (standard)", "/actions/standard", "GET"),
    _r("Versions and org", "Invocable Actions (custom)", "/actions/custom", "GET"),
    _r("Versions and org", "Consent", "/consent/action/{action}", "GET"),
    _r("Versions and org", "Process Approvals", "/process/approvals", "GET", "POST"),
    _r("Versions and org", "Process Rules", "/process/rules", "GET", "POST"),
    _r("Versions and org", "Support Knowledge", "/support/knowledgeArticles", "GET"),
    _r("sObjects", "Describe Global", "/sobjects", "GET"),
    _r("sObjects", "sObject Basic Information", "/sobjects/{sObject}", "GET", "POST"),
    _r("sObjects", "sObject Describe", "/sobjects/{sObject}/describe", "GET"),
    _r("sObjects", "sObject Get Deleted", "/sobjects/{sObject}/deleted", "GET"),
    _r("sObjects", "sObject Get Updated", "/sobjects/{sObject}/updated", "GET"),
    _r("sObjects", "sObject Named Layouts",
       "/sobjects/{sObject}/describe/namedLayouts/{layoutName}", "GET"),
    _r("sObjects", "sObject Rows", "/sobjects/{sObject}/{id}", "GET", "PATCH", "DELETE"),
    _r("sObjects", "sObject Rows by External ID",
       "/sobjects/{sObject}/{fieldName}/{fieldValue}", "GET", "PATCH", "POST", "DELETE"),
    _r("sObjects", "sObject Blob Retrieve", "/sobjects/{sObject}/{id}/{blobField}", "GET"),
    _r("sObjects", "sObject ApprovalLayouts", "/sobjects/{sObject}/describe/approvalLayouts",
       "GET"),
    _r("sObjects", "sObject CompactLayouts", "/sobjects/{sObject}/describe/compactLayouts",
       "GET"),
    _r("sObjects", "Describe Layouts", "/sobjects/{sObject}/describe/layouts", "GET"),
    _r("sObjects", "sObject PlatformAction", "/sobjects/PlatformAction", "GET"),
    _r("sObjects", "sObject Quick Actions", "/sobjects/{sObject}/quickActions", "GET"),
    _r("sObjects", "sObject Relationships",
       "/sobjects/{sObject}/{id}/{relationshipName}/related", "GET", "PATCH", "DELETE"),
    _r("sObjects", "sObject Suggested Articles", "/sobjects/{sObject}/suggestedArticles",
       "GET"),
    _r("sObjects", "sObject User Password", "/sobjects/User/{userId}/password", "GET",
       "POST", "DELETE"),
    _r("sObjects", "Platform Event Schema by Event Name",
       "/sobjects/{eventName}/eventSchema", "GET"),
    _r("sObjects", "Platform Event Schema by Schema ID", "/event/eventSchema/{schemaId}",
       "GET"),
    _r("sObjects", "List Views", "/sobjects/{sObject}/listviews", "GET"),
    _r("sObjects", "List View Describe",
       "/sobjects/{sObject}/listviews/{queryLocator}/describe", "GET"),
    _r("sObjects", "List View Results", "/sobjects/{sObject}/listviews/{listViewId}/results",
       "GET"),
    _r("sObjects", "Relevant Items", "/sobjects/relevantItems", "GET"),
    _r("Query and search", "Query", "/query", "GET"),
    _r("Query and search", "Query (next page)", "/query/{queryLocator}", "GET"),
    _r("Query and search", "QueryAll", "/queryAll", "GET"),
    _r("Query and search", "QueryAll (next page)", "/queryAll/{queryLocator}", "GET"),
    _r("Query and search", "Search", "/search", "GET"),
    _r("Query and search", "Parameterized Search", "/parameterizedSearch", "GET", "POST"),
    _r("Query and search", "Search Scope and Order", "/search/scopeOrder", "GET"),
    _r("Query and search", "Search Result Layouts", "/search/layout", "GET"),
    _r("Query and search", "Search Suggested Records", "/search/suggestions", "GET"),
    _r("Query and search", "Search Suggested Article Title Matches",
       "/search/suggestTitleMatches", "GET"),
    _r("Query and search", "Search Suggested Queries", "/search/suggestSearchQueries", "GET"),
    _r("Composite", "Composite", "/composite", "POST"),
    _r("Composite", "Composite Batch", "/composite/batch", "POST"),
    _r("Composite", "Composite Graph", "/composite/graph", "POST"),
    _r("Composite", "sObject Tree", "/composite/tree/{sObject}", "POST"),
    _r("Composite", "sObject Collections", "/composite/sobjects", "POST", "PATCH", "DELETE"),
    _r("Composite", "sObject Collections: retrieve", "/composite/sobjects/{sObject}", "GET",
       "POST"),
    _r("Composite", "sObject Collections: upsert",
       "/composite/sobjects/{sObject}/{externalIdField}", "PATCH"),
    _r("Bulk API 2.0", "Ingest jobs", "/jobs/ingest", "POST", "GET"),
    _r("Bulk API 2.0", "Ingest job", "/jobs/ingest/{jobId}", "GET", "PATCH", "DELETE"),
    _r("Bulk API 2.0", "Upload job data", "/jobs/ingest/{jobId}/batches", "PUT"),
    _r("Bulk API 2.0", "Successful records", "/jobs/ingest/{jobId}/successfulResults",
       "GET"),
    _r("Bulk API 2.0", "Failed records", "/jobs/ingest/{jobId}/failedResults", "GET"),
    _r("Bulk API 2.0", "Unprocessed records", "/jobs/ingest/{jobId}/unprocessedrecords",
       "GET"),
    _r("Bulk API 2.0", "Query jobs", "/jobs/query", "POST", "GET"),
    _r("Bulk API 2.0", "Query job", "/jobs/query/{jobId}", "GET", "PATCH", "DELETE"),
    _r("Bulk API 2.0", "Query job results", "/jobs/query/{jobId}/results", "GET"),
    _r("Bulk API 2.0", "Query job result pages", "/jobs/query/{jobId}/resultPages", "GET"),
    _r("Bulk API 1.0", "Jobs", "/services/async/XX.X/job", "POST"),
    _r("Bulk API 1.0", "Job", "/services/async/XX.X/job/{jobId}", "GET", "POST"),
    _r("Bulk API 1.0", "Batches", "/services/async/XX.X/job/{jobId}/batch", "GET", "POST"),
    _r("Bulk API 1.0", "Batch", "/services/async/XX.X/job/{jobId}/batch/{batchId}", "GET"),
    _r("Bulk API 1.0", "Batch request",
       "/services/async/XX.X/job/{jobId}/batch/{batchId}/request", "GET"),
    _r("Bulk API 1.0", "Batch results",
       "/services/async/XX.X/job/{jobId}/batch/{batchId}/result", "GET"),
    _r("Bulk API 1.0", "Query result",
       "/services/async/XX.X/job/{jobId}/batch/{batchId}/result/{resultId}", "GET"),
    _r("Bulk API 1.0", "Field mapping spec", "/services/async/XX.X/job/{jobId}/spec", "POST"),
    _r("Logins", "OAuth token", "/services/oauth2/token", "POST"),
    _r("Logins", "OAuth authorize", "/services/oauth2/authorize", "GET"),
    _r("Logins", "OAuth revoke", "/services/oauth2/revoke", "GET", "POST"),
    _r("Logins", "OAuth userinfo", "/services/oauth2/userinfo", "GET", "POST"),
    _r("Logins", "OAuth introspect", "/services/oauth2/introspect", "POST"),
    _r("Logins", "Identity URL", "/id/{orgId}/{userId}", "GET"),
    _r("Logins", "SOAP partner API (login, logout, getUserInfo)", "/services/Soap/u/XX.X",
       "POST"),
)

_SAMPLES = {"sObject": "Account", "id": "001000000000001AAA", "userId": "005000000000001AAA",
            "fieldName": "External_Id__c", "fieldValue": "x-1", "externalIdField":
            "External_Id__c", "queryLocator": "01g000000000001AAA-2000",
            "jobId": "750000000000001AAA", "batchId": "751000000000001AAA",
            "resultId": "752000000000001AAA", "orgId": "00D000000000001AAA"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _sample(path: str) -> str:
    path = path.replace("vXX.X", "v59.0").replace("/XX.X", "/59.0")
    return _PLACEHOLDER.sub(lambda m: _SAMPLES.get(m.group(1), f"sample{m.group(1)}"), path)


def _statics(path: str) -> list[str]:
    out = []
    for part in path.strip("/").split("/"):
        choices = re.fullmatch(r"<any\((.*)\):\w+>", part)
        if choices:  # a segment that is one of a few fixed words counts as each of them
            out += [c.strip().strip("'\"") for c in choices.group(1).split(",")]
        elif part and not part.startswith(("{", "<")) and part not in ("vXX.X", "XX.X"):
            out.append(part)
    return out


def _covers(rule: Rule, documented: str) -> bool:
    """The rule's fixed segments cover the documented ones (an object name may stand
    where the rule takes any object)."""
    mine = set(_statics(rule.rule))
    objects = set(metadata.objects()) | {"PlatformAction"}
    return all(part in mine or (part in objects and part != "PlatformAction")
               for part in _statics(documented))


def served(app: Flask, resource: Resource, method: str) -> bool:
    adapter = app.url_map.bind("localhost")
    try:
        rule, _args = adapter.match(_sample(resource.path), method, return_rule=True)
    except HTTPException:
        return False
    return _covers(rule, resource.path)


def _mock_routes(app: Flask) -> list[tuple[str, str]]:
    """Every route the mock answers beside the admin API (for the list of extras)."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/__admin__", "/static")):
            continue
        methods = sorted(m for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS"))
        out.append((rule.rule, ", ".join(methods)))
    return sorted(set(out))


def render(app: Flask) -> str:
    lines = ["# Salesforce mock: implementation coverage", "",
             "Generated by `python -m mocks.salesforce.coverage` from the mock's route table "
             "(do not edit by hand; `tests/mocks/salesforce/test_coverage.py` fails when it "
             "is stale). Each row is a resource of Salesforce's REST API reference, or a "
             "login, SOAP or Bulk API 1.0 endpoint beside it; each method is served (yes) or "
             "not (no). What each served resource does, and where the mock differs, is in "
             "the README's Salesforce section.", ""]
    total = done = 0
    groups: dict[str, list[Resource]] = {}
    for resource in RESOURCES:
        groups.setdefault(resource.group, []).append(resource)
    body = []
    for group, resources in groups.items():
        body += [f"## {group}", "", "| resource | path | methods |", "|---|---|---|"]
        for resource in resources:
            marks = []
            for method in resource.methods:
                ok = served(app, resource, method)
                total += 1
                done += ok
                marks.append(f"{method} {'yes' if ok else 'no'}")
            body.append(f"| {resource.name} | `{resource.path}` | {', '.join(marks)} |")
        body.append("")
    lines.append(f"**{done} of {total}** documented resource methods are served.")
    lines.append("")
    lines += body
    lines += ["## Every route of the mock", "",
              "Beside the shared admin API (`/__admin__/`, see the README).", "",
              "| route | methods |", "|---|---|"]
    lines += [f"| `{rule}` | {methods} |" for rule, methods in _mock_routes(app)]
    return "\n".join(lines) + "\n"


def page_text() -> str:
    """The page as the mock's routes make it now (an empty mock on a temporary store)."""
    from mocks.salesforce import SalesforceConfig, create_app

    app = create_app(SalesforceConfig())
    try:
        return render(app)
    finally:
        app.extensions["siasim"].store.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = page_text()
    if argv and argv[0] == "--check":
        current = PAGE.read_text() if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE} is stale: run python -m mocks.salesforce.coverage")
            return 1
        return 0
    PAGE.write_text(text)
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The kit's results as one self-contained HTML page (``report.html``).

One file, no external assets, no script: it opens from a CI artifact as it is. The verdict
first; then a table of every rule; then each rule's card with the rule's text beside its
verdict, its scenarios, and for each one that did not pass the failing step, the message
and the evidence: the last calls to the driver and to each mock, with their request and
response bodies (secrets were masked where the evidence was taken).
"""

from __future__ import annotations

import json
from html import escape

STATUS_CLASS = {"pass": "pass", "fail": "fail", "error": "error",
                "not applicable": "na", "not run": "notrun"}
ORDER = {"fail": 0, "error": 1, "not applicable": 2, "pass": 3}
VERDICT_CLASS = {"conformant": "pass", "conformant with should-rule failures": "warn",
                 "not conformant": "fail"}

CSS = """
:root { --pass: #1a7f37; --fail: #cf222e; --error: #9a3412; --na: #6e7781; --warn: #9a6700;
  --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
  margin: 0; background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
code, pre { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 10px; margin: 6px 0; white-space: pre-wrap; word-break: break-word;
  max-height: 420px; overflow: auto; }
.verdict { border-radius: 8px; padding: 14px 18px; color: #fff; margin-bottom: 14px; }
.verdict strong { font-size: 20px; display: block; }
.verdict.pass { background: var(--pass); } .verdict.warn { background: var(--warn); }
.verdict.fail { background: var(--fail); }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
dl.run dt { color: #59636e; } dl.run dd { margin: 0; }
.chips span { display: inline-block; margin: 8px 6px 0 0; padding: 1px 10px;
  border-radius: 12px; border: 1px solid var(--line); background: var(--soft); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
.badge { display: inline-block; min-width: 64px; text-align: center; padding: 0 8px;
  border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
.badge.error { background: var(--error); } .badge.na, .badge.notrun { background: var(--na); }
.rule { border: 1px solid var(--line); border-radius: 8px; margin: 14px 0; }
.rule > header { display: grid; grid-template-columns: 1fr max-content; gap: 16px;
  padding: 12px 14px; background: var(--soft); border-bottom: 1px solid var(--line); }
.rule > header h3 { margin: 0 0 4px; font-size: 15px; }
.rule > header p { margin: 0; }
.meta { color: #59636e; font-size: 12px; }
.scenarios { padding: 6px 14px 12px; }
.scenario { padding: 6px 0; border-bottom: 1px dashed var(--line); }
.scenario:last-child { border-bottom: 0; }
.scenario .name { margin-left: 6px; }
.detail { margin: 6px 0 0 74px; }
.detail .step { font-weight: 600; }
details > summary { cursor: pointer; color: #0969da; }
table.evidence { table-layout: fixed; }
table.evidence th:first-child { width: 90px; } table.evidence th:last-child { width: 60px; }
table.evidence td { font-size: 12px; overflow-wrap: anywhere; }
.status-ok { color: var(--pass); } .status-bad { color: var(--fail); font-weight: 600; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
"""


def _badge(status: str) -> str:
    return f'<span class="badge {STATUS_CLASS.get(status, "na")}">{escape(status)}</span>'


def _body(text: str | None) -> str:
    """A body as readable text: pretty JSON when it parses (a cut body does not)."""
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _evidence(entries: list[dict]) -> str:
    if not entries:
        return ""
    rows = []
    for entry in entries:
        status = entry.get("status")
        good = isinstance(status, int) and status < 400
        query = f"?{entry['query']}" if entry.get("query") else ""
        bodies = []
        for label, key in (("request", "request"), ("response", "response")):
            text = _body(entry.get(key))
            if text:
                bodies.append(f"<details><summary>{label} body</summary>"
                              f"<pre>{escape(text)}</pre></details>")
        rows.append(
            f"<tr><td>{escape(str(entry.get('service', '')))}</td>"
            f"<td><code>{escape(str(entry.get('method', '')))} "
            f"{escape(str(entry.get('path', '')))}{escape(query)}</code>{''.join(bodies)}</td>"
            f'<td class="{"status-ok" if good else "status-bad"}">{escape(str(status))}</td>'
            "</tr>")
    return ("<details><summary>evidence: the last calls to the driver and the mocks "
            f"({len(entries)})</summary><table class=\"evidence\"><tr><th>to</th>"
            "<th>call</th><th>status</th></tr>" + "".join(rows) + "</table></details>")


def _scenario(scenario: dict) -> str:
    out = [f'<div class="scenario">{_badge(scenario["outcome"])}'
           f'<span class="name">{escape(scenario["scenario"])}</span> '
           f'<span class="meta">{escape(scenario["feature"])} · '
           f'{scenario.get("seconds", 0):.2f} s</span>']
    if scenario["outcome"] != "pass":
        out.append('<div class="detail">')
        if scenario.get("step"):
            out.append(f'<div>failing step: <span class="step">{escape(scenario["step"])}'
                       "</span></div>")
        if scenario.get("message"):
            label = "reason" if scenario["outcome"] == "not applicable" else "message"
            out.append(f"<div>{label}:</div><pre>{escape(scenario['message'])}</pre>")
        out.append(_evidence(scenario.get("evidence") or []))
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def _rule(rule: dict) -> str:
    scope = ' <span class="meta">(declared out of scope)</span>' if rule.get("outOfScope") \
        else ""
    passed = sum(1 for s in rule["scenarios"] if s["outcome"] == "pass")
    scenarios = "".join(_scenario(s) for s in rule["scenarios"]) or \
        '<div class="scenario meta">no scenario of this rule ran</div>'
    return (f'<section class="rule" id="rule-{escape(rule["id"])}"><header><div>'
            f'<h3>{escape(rule["id"])} <span class="meta">{escape(rule["level"])} · '
            f'{escape(rule.get("topic", ""))}</span></h3>'
            f'<p>{escape(rule.get("text") or rule.get("summary", ""))}</p></div>'
            f'<div>{_badge(rule["status"])}{scope}<div class="meta">{passed}/'
            f'{len(rule["scenarios"])} scenarios passed</div></div></header>'
            f'<div class="scenarios">{scenarios}</div></section>')


def html_report(data: dict) -> str:
    """``data``: the kit's report (``KitReport.build()``)."""
    run, verdict = data["run"], data["verdict"]
    totals = "".join(f"<span>{n} {escape(k)}</span>" for k, n in data["totals"].items() if n)
    table = "".join(
        f'<tr><td><a href="#rule-{escape(r["id"])}">{escape(r["id"])}</a></td>'
        f'<td>{escape(r["level"])}</td><td>{escape(r.get("topic", ""))}</td>'
        f"<td>{_badge(r['status'])}{' (out of scope)' if r.get('outOfScope') else ''}</td>"
        f'<td>{sum(1 for s in r["scenarios"] if s["outcome"] == "pass")}/'
        f'{len(r["scenarios"])}</td></tr>' for r in data["rules"])
    scope = ", ".join(verdict.get("outOfScope") or []) or "none"
    skipped = [r["id"] for r in data["rules"] if r["status"] == "not run"]
    ran = [r for r in data["rules"] if r["status"] != "not run"]  # what needs a look first
    not_run = (f'<p class="meta">Not run (no scenario of theirs was selected): '
               f'{escape(", ".join(skipped))}</p>') if skipped else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>siasim conformance report: {escape(verdict['verdict'])}</title>
<style>{CSS}</style></head>
<body><main>
<h1>Conformance report</h1>
<div class="verdict {VERDICT_CLASS.get(verdict['verdict'], 'fail')}">
<strong>{escape(verdict['verdict'])}</strong>{escape(verdict.get('explanation', ''))}</div>
<dl class="run">
<dt>driver</dt><dd><code>{escape(str(run['driver']))}</code></dd>
<dt>kit</dt><dd>siasim {escape(run['kit']['version'])}, specs
<code>{escape(run['kit']['hash'])}</code></dd>
<dt>run</dt><dd>{run['scenarios']} scenarios, seed {run['seed']}, {escape(run['started'])} to
{escape(run['finished'])}, Python {escape(run['python'])}</dd>
<dt>out of scope</dt><dd>{escape(scope)}</dd>
</dl>
<div class="chips">{totals}</div>
<h2>Rules</h2>
<table><tr><th>rule</th><th>level</th><th>topic</th><th>verdict</th><th>passed</th></tr>
{table}</table>
<h2>Each rule, its scenarios and the evidence</h2>
<p class="meta">Failed rules first, then errors, not applicable, and passed.</p>
{''.join(_rule(r) for r in sorted(ran, key=lambda r: ORDER[r['status']]))}
{not_run}
</main></body></html>
"""

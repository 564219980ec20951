"""Composite resources: several calls in one request.

- ``POST composite`` ``{"allOrNone", "collateSubrequests", "compositeRequest": [...]}``:
  up to 25 subrequests, run in order; a later one may use an earlier one's answer through
  ``@{referenceId.field}`` (``.name`` for a field, ``[n]`` for an item of a list) in its
  URL or body. With ``allOrNone`` the first failure rolls every subrequest back (and
  overrides the ``allOrNone`` of any sObject Collections subrequest); without it, the
  subrequests that depend on a failed one are not run and the others are kept.
- ``POST composite/batch`` ``{"batchRequests": [...], "haltOnError"}``: up to 25
  independent subrequests, each its own transaction; ``haltOnError`` stops at the first
  failure (412 ``BATCH_PROCESSING_HALTED`` for the rest).
- ``POST composite/tree/{object}``: a tree of records and their children (:mod:`tree`).

Where Salesforce's documentation is silent, the mock answers a subrequest that needs a
value its reference cannot give (a failed subrequest, a field not in the answer) with 400
``PROCESSING_HALTED`` "Invalid reference specified...", and refuses a malformed request
(too many subrequests, a bad method, URL or reference ID) whole, with 400, running none.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint

from mocks.salesforce import rest, subrequests, tree
from mocks.salesforce.refusals import SalesforceError
from mocks.salesforce.subrequests import SubResponse

MAX_SUBREQUESTS = 25
MAX_COLLECTIONS_AND_QUERIES = 5
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_REFERENCE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_REFERENCE = re.compile(r"@\{([A-Za-z][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")
_FORBIDDEN_HEADERS = ("accept", "authorization", "content-type")
_ROLLED_BACK = [{"errorCode": "PROCESSING_HALTED",
                 "message": "The transaction was rolled back since another operation in the "
                            "same transaction failed."}]
_HALTED = [{"errorCode": "BATCH_PROCESSING_HALTED",
            "message": "Batch processing halted per request"}]


class _RollBack(Exception):
    """Leaves the transaction of an all-or-none composite request that had a failure."""


class _Unresolved(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _invalid(message: str) -> SalesforceError:
    return SalesforceError("INVALID_INPUT", message)


def _flag(body: dict, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise SalesforceError("JSON_PARSER_ERROR", f"Cannot deserialize instance of boolean "
                                                   f"from {name}")
    return value


def _data_url(url: str) -> str:
    """A subrequest's URL as a path under /services/data/ (batch URLs may be relative)."""
    if url.startswith("/services/data/"):
        return url
    if re.match(r"^v\d+\.\d+(/|$)", url):
        return "/services/data/" + url
    raise _invalid(f"The URL {url} is not a resource of the REST API: it must start with "
                   "/services/data/")


def _check_headers(headers) -> dict:
    if headers is None:
        return {}
    if not isinstance(headers, dict):
        raise SalesforceError("JSON_PARSER_ERROR", "httpHeaders must be a JSON object")
    bad = [k for k in headers if str(k).lower() in _FORBIDDEN_HEADERS]
    if bad:
        raise _invalid(f"The {bad[0]} header can't be set in a subrequest: subrequests "
                       "inherit it from the top-level request")
    return headers


def _counts_as_collection_or_query(path: str) -> bool:
    tail = path.split("/services/data/", 1)[-1].split("/", 1)[-1].split("?")[0]
    return tail.startswith(("query", "queryAll", "composite/sobjects"))


def _lookup(value, path: str, reference: str):
    for name, index in _STEP.findall(path):
        if index:
            if not isinstance(value, list) or int(index) >= len(value):
                raise _Unresolved(reference)
            value = value[int(index)]
            continue
        if not isinstance(value, dict):
            raise _Unresolved(reference)
        if name in value:
            value = value[name]
        else:
            key = next((k for k in value if k.lower() == name.lower()), None)
            if key is None:
                raise _Unresolved(reference)
            value = value[key]
    return value


def _resolve(item, answers: dict[str, SubResponse], whole_values: bool = True):
    """``item`` with every ``@{ref.path}`` replaced by the value it names."""
    if isinstance(item, dict):
        return {k: _resolve(v, answers) for k, v in item.items()}
    if isinstance(item, list):
        return [_resolve(v, answers) for v in item]
    if not isinstance(item, str) or "@{" not in item:
        return item

    def value_of(match: re.Match):
        ref, path = match.group(1), match.group(2)
        answer = answers.get(ref)
        shown = f"{ref}{path}"
        if answer is None or not answer.ok:
            raise _Unresolved(f"Invalid reference specified. No value for {shown} found in "
                              f"{ref}. Provided referenceId ('{ref}') must be the "
                              "referenceId of a successful earlier subrequest.")
        try:
            return _lookup(answer.body, path, shown)
        except _Unresolved:
            raise _Unresolved(f"Invalid reference specified. No value for {shown} found in "
                              f"{ref}.") from None

    whole = _REFERENCE.fullmatch(item)
    if whole and whole_values:
        return value_of(whole)
    return _REFERENCE.sub(lambda m: "" if (v := value_of(m)) is None else str(v), item)


def _parse_composite(body) -> tuple[list[dict], bool]:
    if not isinstance(body, dict) or not isinstance(body.get("compositeRequest"), list):
        raise SalesforceError("JSON_PARSER_ERROR", "Expected a JSON object with a "
                                                   "'compositeRequest' list")
    all_or_none = _flag(body, "allOrNone", False)
    _flag(body, "collateSubrequests", False)  # only how Salesforce schedules: same answers
    items = body["compositeRequest"]
    if not items:
        raise _invalid("compositeRequest must hold at least one subrequest")
    if len(items) > MAX_SUBREQUESTS:
        raise SalesforceError("LIMIT_EXCEEDED", f"Exceeded max limit of subrequests: "
                                                f"{MAX_SUBREQUESTS}")
    seen: set[str] = set()
    heavy = 0
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise SalesforceError("JSON_PARSER_ERROR", "Each subrequest must be a JSON object")
        method, url, ref = item.get("method"), item.get("url"), item.get("referenceId")
        if method not in METHODS:
            raise _invalid(f"Invalid method {method!r}: one of {', '.join(METHODS)}")
        if not isinstance(url, str) or not url:
            raise _invalid("Each subrequest needs a url")
        if not isinstance(ref, str) or not _REFERENCE_ID.match(ref):
            raise _invalid(f"Invalid referenceId {ref!r}: letters, numbers and underscores, "
                           "starting with a letter")
        if ref in seen:
            raise _invalid(f"Duplicate referenceId provided in the request: {ref}")
        seen.add(ref)
        path = _data_url(url)
        if subrequests.nested(path.split("?")[0]):
            raise _invalid(f"The resource {url} can't be used in a composite subrequest")
        heavy += _counts_as_collection_or_query(path)
        if heavy > MAX_COLLECTIONS_AND_QUERIES:
            raise SalesforceError("LIMIT_EXCEEDED", "Exceeded max limit of "
                                                    f"{MAX_COLLECTIONS_AND_QUERIES} sObject "
                                                    "Collections and query subrequests")
        out.append({"method": method, "url": path, "referenceId": ref,
                    "body": item.get("body"), "headers": _check_headers(item.get("httpHeaders"))})
    return out, all_or_none


def _with_all_or_none(item: dict) -> dict:
    """An sObject Collections subrequest under an all-or-none composite is all-or-none."""
    path = item["url"].split("?")[0].rstrip("/")
    if not path.split("/services/data/", 1)[-1].split("/", 1)[-1].startswith(
            "composite/sobjects"):
        return item
    if item["method"] == "DELETE":
        parts = urlsplit(item["url"])
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "allOrNone"]
        query.append(("allOrNone", "true"))
        return {**item, "url": f"{parts.path}?{urlencode(query)}"}
    if isinstance(item["body"], dict):
        return {**item, "body": {**item["body"], "allOrNone": True}}
    return item


def _location(item: dict, answer: SubResponse) -> None:
    if answer.status == 201 and isinstance(answer.body, dict) and answer.body.get("id") \
            and "Location" not in answer.headers:
        path = item["url"].split("?")[0].rstrip("/")
        answer.headers["Location"] = f"{path}/{answer.body['id']}"


def composite_blueprint() -> Blueprint:
    bp = rest.data_blueprint("sf_composite")

    @bp.post("/composite")
    def composite():
        items, all_or_none = _parse_composite(rest.body_json())
        org = rest.org()
        answers: dict[str, SubResponse] = {}
        results: list[dict] = []
        try:
            with org.writing():
                for item in items:
                    ref = item["referenceId"]
                    try:
                        url = _resolve(item["url"], answers, whole_values=False)
                        body = _resolve(item["body"], answers)
                    except _Unresolved as exc:
                        answer = SubResponse(400, {}, [{"errorCode": "PROCESSING_HALTED",
                                                        "message": exc.message}])
                    else:
                        call = {**item, "url": url, "body": body}
                        if all_or_none:
                            call = _with_all_or_none(call)
                        answer = subrequests.run(call["method"], call["url"], call["body"],
                                                 call["headers"])
                        _location(call, answer)
                    answers[ref] = answer
                    results.append({"body": answer.body, "httpHeaders": answer.headers,
                                    "httpStatusCode": answer.status, "referenceId": ref})
                    if all_or_none and not answer.ok:
                        raise _RollBack
        except _RollBack:
            failed = results[-1]["referenceId"]
            done = {r["referenceId"] for r in results}
            results = [r if r["referenceId"] == failed else
                       {"body": _ROLLED_BACK, "httpHeaders": {}, "httpStatusCode": 400,
                        "referenceId": r["referenceId"]} for r in results]
            results += [{"body": _ROLLED_BACK, "httpHeaders": {}, "httpStatusCode": 400,
                         "referenceId": i["referenceId"]} for i in items
                        if i["referenceId"] not in done]
        return rest.sf_json({"compositeResponse": results})

    @bp.post("/composite/batch")
    def batch():
        body = rest.body_json()
        if not isinstance(body, dict) or not isinstance(body.get("batchRequests"), list):
            raise SalesforceError("JSON_PARSER_ERROR", "Expected a JSON object with a "
                                                       "'batchRequests' list")
        halt = _flag(body, "haltOnError", False)
        items = body["batchRequests"]
        if len(items) > MAX_SUBREQUESTS:
            raise SalesforceError("LIMIT_EXCEEDED", f"Exceeded max limit of subrequests: "
                                                    f"{MAX_SUBREQUESTS}")
        calls = []
        for item in items:
            if not isinstance(item, dict):
                raise SalesforceError("JSON_PARSER_ERROR", "Each subrequest must be a JSON "
                                                           "object")
            method, url = item.get("method"), item.get("url")
            if method not in METHODS:
                raise _invalid(f"Invalid method {method!r}: one of {', '.join(METHODS)}")
            if not isinstance(url, str) or not url:
                raise _invalid("Each subrequest needs a url")
            path = _data_url(url)
            if subrequests.nested(path.split("?")[0]):
                raise _invalid(f"The resource {url} can't be used in a batch subrequest")
            calls.append((method, path, item.get("richInput"),
                          _check_headers(item.get("httpHeaders"))))
        results, has_errors, halted = [], False, False
        for method, path, rich_input, headers in calls:
            if halted:
                results.append({"statusCode": 412, "result": _HALTED})
                continue
            answer = subrequests.run(method, path, rich_input, headers)
            results.append({"statusCode": answer.status, "result": answer.body})
            if not answer.ok:
                has_errors = True
                halted = halt
        return rest.sf_json({"hasErrors": has_errors, "results": results})

    @bp.post("/composite/tree/<name>")
    def sobject_tree(name: str):
        org = rest.org()
        obj = org.sobject(name)
        roots = tree.parse(obj, rest.body_json())
        try:
            with org.writing() as conn:
                results = tree.insert(org.writer(conn, rest.user_id()), roots)
        except tree.TreeRefused as refused:
            return rest.sf_json({"hasErrors": True, "results": refused.results}, 400)
        return rest.sf_json({"hasErrors": False, "results": results}, 201)

    return bp

"""SOSL over REST: ``search/?q=FIND {...}`` and ``parameterizedSearch`` (GET and POST).

Both answer ``{"searchRecords": [record, ...]}``, each record with its ``attributes``
and the fields RETURNING asked for (``Id`` alone otherwise), as Salesforce does from API
version 37.0 on.
"""

from __future__ import annotations

from flask import Blueprint, request

from mocks.salesforce import rest
from mocks.salesforce.refusals import SalesforceError
from mocks.salesforce.soql import SoqlError


def search_blueprint() -> Blueprint:
    bp = rest.data_blueprint("sf_search")

    def answer(run):
        try:
            return rest.raw_json(run())
        except SoqlError as exc:
            raise SalesforceError(exc.code, exc.message) from None

    @bp.get("/search")
    def search():
        text = request.args.get("q")
        if text is None or not text.strip():
            raise SalesforceError("MALFORMED_SEARCH", "No search term found. The search term "
                                                      "must be enclosed in braces.")
        return answer(lambda: rest.org().search(text, rest.version()))

    @bp.get("/parameterizedSearch")
    def parameterized_get():
        return answer(lambda: rest.org().parameterized_search(request.args, True,
                                                              rest.version()))

    @bp.post("/parameterizedSearch")
    def parameterized_post():
        body = rest.body_json()
        if not isinstance(body, dict):
            raise SalesforceError("JSON_PARSER_ERROR", "The search must be a JSON object")
        return answer(lambda: rest.org().parameterized_search(body, False, rest.version()))

    return bp

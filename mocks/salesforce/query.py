"""SOQL over REST: ``query/?q=``, ``queryAll/?q=`` (deleted records too) and their pages.

A result holds up to 2,000 records (``Sforce-Query-Options: batchSize=200..2000`` asks for
fewer); when more remain, ``nextRecordsUrl`` points at the next page,
``/services/data/vXX.X/query/01g...-2000``, served from a snapshot taken when the query
ran, as Salesforce's query cursors are.
"""

from __future__ import annotations

from flask import Blueprint, request

from mocks.salesforce import rest
from mocks.salesforce.models import SalesforceError
from mocks.salesforce.soql import SoqlError


def query_blueprint() -> Blueprint:
    bp = rest.data_blueprint("sf_query")

    def run(all_rows: bool):
        text = request.args.get("q")
        if text is None or not text.strip():
            raise SalesforceError("MALFORMED_QUERY", "A query string has to be specified")
        try:
            result = rest.org().query(text, all_rows, rest.batch_size(), rest.version(),
                                      rest.user_id())
        except SoqlError as exc:
            raise SalesforceError(exc.code, exc.message) from None
        return rest.raw_json(result.to_json())

    def more(locator: str):
        page = rest.org().query_more(locator, rest.version(), rest.batch_size(), rest.user_id())
        return rest.raw_json(page.to_json())

    @bp.get("/query")
    def query():
        return run(False)

    @bp.get("/queryAll")
    def query_all():
        return run(True)

    @bp.get("/query/<locator>")
    def query_more(locator: str):
        return more(locator)

    @bp.get("/queryAll/<locator>")
    def query_all_more(locator: str):
        return more(locator)

    return bp

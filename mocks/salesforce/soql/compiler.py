"""``compile``: a query's text to a :class:`~mocks.salesforce.soql.plan.Plan`, or a refusal."""

from __future__ import annotations

from datetime import UTC, datetime

from mocks.salesforce.soql import aggregates, records
from mocks.salesforce.soql.errors import QueryText, SoqlError
from mocks.salesforce.soql.parser import Parser
from mocks.salesforce.soql.plan import Plan
from mocks.salesforce.soql.scope import Scope, Settings, Shared
from mocks.salesforce.soql.syntax import Call

MAX_LENGTH = 100_000  # characters in a SOQL statement


def compile(text: str, now: datetime, include_deleted: bool = False,
            version: str = "59.0") -> Plan:
    """Parse and check ``text`` against the metadata; :class:`SoqlError` if Salesforce would
    refuse it. ``now`` anchors the date literals (TODAY, LAST_N_DAYS:n ...); ``version``
    goes into the records' ``attributes.url``; ``include_deleted`` is queryAll."""
    if not isinstance(text, str) or not text.strip():
        raise SoqlError("MALFORMED_QUERY", "unexpected token: '<EOF>'")
    if len(text) > MAX_LENGTH:
        raise SoqlError("MALFORMED_QUERY", f"SOQL statements cannot be longer than "
                                           f"{MAX_LENGTH:,} characters.")
    ctx = QueryText(text)
    query = Parser(text).statement()
    settings = Settings(now.astimezone(UTC).date(), version, include_deleted)
    scope = Scope.of(query, ctx, settings, Shared())
    if query.is_count and not query.is_aggregate:
        if len(query.items) > 1:
            bare = next(i for i in query.items if isinstance(i, Call) and i.name == "COUNT"
                        and not i.args)
            raise ctx.malformed(bare.pos, "COUNT() must be the only element in the SELECT list")
        return records.plan(scope, count_only=True)
    if query.is_aggregate:
        return aggregates.plan(scope)
    return records.plan(scope)

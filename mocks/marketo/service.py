"""How the Marketo mock answers errors and limits, and manages its state (for the core)."""

from __future__ import annotations

from flask import Response

from fixtures.world import WorldSource
from mocks.core.service import MockContext, MockService
from mocks.core.worlds import load_world_into
from mocks.marketo import envelope, params, schema
from mocks.marketo.gateway import RetryMemory
from mocks.marketo.models import MarketoModel
from mocks.marketo.salesforce_sync import SalesforceSync

_LIMIT_CODES = {"rate": "606", "concurrency": "615", "daily": "607"}


class MarketoService(MockService):
    name = "marketo"

    def __init__(self, ctx: MockContext) -> None:
        super().__init__(ctx)
        self.model = MarketoModel(ctx.store, ctx.clock, ctx.config)
        self.retries = RetryMemory(ctx.clock)
        self.salesforce_sync = SalesforceSync(self.model, ctx.store)
        self.salesforce_sync.link = ctx.config.salesforce

    # every refusal with a retryable code is remembered: see gateway (the 601 retry)
    def error_response(self, code: str, message: str | None = None) -> Response:
        self.retries.note(str(code))
        return envelope.failure(code, message)

    def status_response(self, status: int) -> Response:
        self.retries.note(str(status))
        return envelope.failure(str(status), None, status=status)

    def limit_response(self, limit: str) -> Response:
        return self.error_response(_LIMIT_CODES[limit])

    def unexpected_error_response(self) -> Response:
        return envelope.failure("611")

    def not_found_response(self) -> Response:
        return envelope.failure("610")

    def body_refused_response(self, status: int, message: str) -> Response:
        # as 413 and 414: an HTTP error, with the envelope saying why
        return envelope.failure(str(status), f"{envelope.MESSAGES.get(str(status), 'Bad Request')}"
                                             f": {message}", status)

    def method_not_allowed_response(self) -> Response:
        return envelope.failure("605")

    def method_override(self) -> str | None:
        return "GET" if params.method_override() else None

    def counts_toward_limits(self, path: str) -> bool:
        return not path.startswith("/identity/")  # identity calls are free, as in Marketo

    def ensure_schema(self) -> None:
        self.model.open()

    def load_world(self, world: WorldSource) -> dict:
        # a world replaces the whole state: the mock's own tables go too
        with self.ctx.store.transaction() as db:
            records = [t for t in db.table_names() if t.startswith("co_")]  # custom objects
            for table in (*schema.NOT_IN_WORLDS, *records):
                db.execute(f'DROP TABLE IF EXISTS "{table}"')
        counts = load_world_into(self.ctx.store, "marketo", world)
        self.model.open()
        return counts

    def reset(self) -> None:
        super().reset()
        self.retries.clear()
        self.model.usage.clear()

    def expire_tokens(self) -> None:
        self.model.tokens.expire_all()

"""How the Marketo mock answers errors and limits, and manages its state (for the core)."""

from __future__ import annotations

from flask import Response

from fixtures.world import WorldSource
from mocks.core.service import MockService
from mocks.core.worlds import load_world_into
from mocks.marketo import envelope, schema

_LIMIT_CODES = {"rate": "606", "concurrency": "615", "daily": "607"}


class MarketoService(MockService):
    name = "marketo"

    def error_response(self, code: str, message: str | None = None) -> Response:
        return envelope.failure(code, message)

    def status_response(self, status: int) -> Response:
        return envelope.failure(str(status), None, status=status)

    def limit_response(self, limit: str) -> Response:
        return envelope.failure(_LIMIT_CODES[limit])

    def unexpected_error_response(self) -> Response:
        return envelope.failure("611")

    def not_found_response(self) -> Response:
        return envelope.failure("610")

    def counts_toward_limits(self, path: str) -> bool:
        return not path.startswith("/identity/")  # identity calls are free, as in Marketo

    def ensure_schema(self) -> None:
        with self.ctx.store.transaction() as db:
            schema.ensure_schema(db)

    def load_world(self, world: WorldSource) -> dict:
        counts = load_world_into(self.ctx.store, "marketo", world)
        self.ensure_schema()
        return counts

    def expire_tokens(self) -> None:
        pass  # identity arrives with the Marketo mock issue

"""What a mock tells the shared core about itself.

The core runs the pipeline every request goes through (faults, limits, journal, the
catch-all error handler, the admin API); a :class:`MockService` supplies what differs
between Marketo and Salesforce: how an error looks, which calls count toward the limits,
and how to reset, seed and dump its state.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Response, current_app

if TYPE_CHECKING:
    from fixtures.world import WorldSource
    from mocks.core.clock import Clock
    from mocks.core.config import MockConfig
    from mocks.core.faults import Faults
    from mocks.core.journal import Journal
    from mocks.core.limits import Limits
    from mocks.core.store import Store


class AdminError(Exception):
    """A bad admin request: answered 400 with this message, nothing changed."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class MockService(abc.ABC):
    name: str = "mock"

    def __init__(self, ctx: MockContext) -> None:
        self.ctx = ctx

    # --- how errors look ---------------------------------------------------------------------
    @abc.abstractmethod
    def error_response(self, code: str, message: str | None = None) -> Response:
        """An API error with this code, as the real service would answer it."""

    @abc.abstractmethod
    def status_response(self, status: int) -> Response:
        """A bare HTTP failure (a 502 from a proxy, a 503 during maintenance)."""

    @abc.abstractmethod
    def limit_response(self, limit: str) -> Response:
        """The answer when ``limit`` ("rate", "concurrency", "daily") is exceeded."""

    @abc.abstractmethod
    def unexpected_error_response(self) -> Response:
        """The service's own answer to a server-side failure: never a traceback."""

    @abc.abstractmethod
    def not_found_response(self) -> Response:
        """An unknown path or method."""

    def body_refused_response(self, status: int, message: str) -> Response:
        """A body refused unread: badly framed (400) or over the size limit (413)."""
        return self.status_response(status)

    def method_not_allowed_response(self) -> Response:
        return self.not_found_response()

    # --- how a request reads ------------------------------------------------------------------
    def method_override(self) -> str | None:
        """The method a request asks to be read as, when it differs from the one it was
        sent with (Marketo's POST with ``_method=GET``); faults match this one."""
        return None

    # --- which calls count -------------------------------------------------------------------
    def counts_toward_limits(self, path: str) -> bool:
        return True

    def max_body_bytes(self, path: str) -> int:
        """The largest request body a call to ``path`` may send (a bulk upload may send
        more than an ordinary call)."""
        return self.ctx.config.max_body_bytes

    # --- state -------------------------------------------------------------------------------
    @abc.abstractmethod
    def ensure_schema(self) -> None:
        """Create missing tables, columns and indexes (idempotent)."""

    @abc.abstractmethod
    def load_world(self, world: WorldSource) -> dict:
        """Replace the state with a world (generated or a scenario); counts per table."""

    def reset(self) -> None:
        """Empty every table and forget every token."""
        self.ctx.store.wipe()
        self.ensure_schema()
        self.expire_tokens()

    @abc.abstractmethod
    def expire_tokens(self) -> None:
        """Make every token or session issued so far invalid (expired)."""

    def state(self, table: str | None, limit: int, where: dict[str, list[str]] | None = None,
              order: str | None = None) -> dict:
        """A dump of the store: row counts, or the rows of one table.

        ``where`` keeps the rows whose column equals one of the values given for it (so a
        dashboard can show one person without dumping them all); ``order`` is a column,
        with a leading ``-`` for descending. ``count`` counts the rows that match.
        """
        db = self.ctx.store.db
        names = [t for t in db.table_names() if not t.startswith(("sqlite_", "_"))]
        if table is None:
            if where or order:
                raise AdminError("'where.*' and 'order' need a 'table'")
            return {"tables": {name: db[name].count for name in names}}
        if table not in names:
            raise AdminError(f"no table named '{table}'; tables: {', '.join(names)}", 404)
        columns = set(db[table].columns_dict)
        clauses, params = [], []
        for column, values in (where or {}).items():
            if column not in columns:
                raise AdminError(f"'{table}' has no column '{column}'")
            clauses.append(f'"{column}" IN ({", ".join("?" for _ in values)})')
            params.extend(values)
        sql_where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sort = "rowid"
        if order:
            column = order.removeprefix("-")
            if column not in columns:
                raise AdminError(f"'{table}' has no column '{column}' to order by")
            sort = f'"{column}"{" DESC" if order.startswith("-") else ""}, rowid'
        count = db.execute(f'SELECT COUNT(*) FROM "{table}"{sql_where}', params).fetchone()[0]
        rows = list(db.query(f'SELECT * FROM "{table}"{sql_where} ORDER BY {sort} LIMIT ?',
                             [*params, limit]))
        return {"table": table, "count": count, "rows": rows}


@dataclass
class MockContext:
    """Everything one running mock owns; kept on the Flask app."""

    name: str
    config: MockConfig
    store: Store
    clock: Clock
    journal: Journal
    faults: Faults
    limits: Limits
    service: MockService | None = None


def current_mock() -> MockContext:
    return current_app.extensions["siasim"]

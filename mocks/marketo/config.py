"""The Marketo mock's configuration and its documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mocks.core.config import MockConfig
from mocks.core.limits import LimitSettings

if TYPE_CHECKING:
    from mocks.marketo.salesforce_sync import SalesforceLink

DEFAULT_CLIENT_ID = "siasim-marketo-client"
DEFAULT_CLIENT_SECRET = "siasim-marketo-secret"
#: Sales Insight Actions' own integration: the one client that may log its 8 native sales
#: activity types (see the README, "Sales activities")
SIA_CLIENT_ID = "siasim-sia-client"
SIA_CLIENT_SECRET = "siasim-sia-secret"


def marketo_limits() -> LimitSettings:
    """Marketo's real limits: 100 calls per 20 s, 10 at once, 50,000 a day."""
    return LimitSettings(rate_calls=100, rate_window=20.0, concurrency=10, daily=50_000)


@dataclass
class ExportSettings:
    """How bulk export jobs move on their own (seconds of the mock's clock)."""

    max_processing: int = 2  # jobs processing at once
    max_queued: int = 10  # jobs waiting; one more is refused with 1029
    start_delay: float = 0.5  # from enqueue to the earliest start
    min_seconds: float = 0.5  # the shortest processing time
    rows_per_second: int = 100_000  # processing time grows with the file
    max_days: int = 31  # the widest createdAt / updatedAt window
    daily_quota_bytes: int = 500 * 1024 * 1024  # Marketo's 500 MB of files a day
    keep_days: int = 7  # jobs listed (and files kept) this long


@dataclass
class MarketoConfig(MockConfig):
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    limits: LimitSettings = field(default_factory=marketo_limits)
    api_user: str = "siasim-api@marketo.example"  # the token's "scope"
    sia_client_id: str = SIA_CLIENT_ID
    sia_client_secret: str = SIA_CLIENT_SECRET
    sia_api_user: str = "sales-insight-actions@marketo.example"
    max_body_bytes: int = 1024 * 1024  # a bigger request body is answered 413
    max_uri_bytes: int = 8 * 1024  # a longer URI is answered 414
    exports: ExportSettings = field(default_factory=ExportSettings)
    #: Marketo's own Salesforce sync: where it logs in (None: not configured), and how
    #: often it runs on its own (None: only when triggered through the admin API)
    salesforce: SalesforceLink | None = None
    salesforce_sync_interval: float | None = None

    def user_of(self, client_id: str | None) -> str | None:
        """The API user of a client (the ``scope`` of its tokens, the user of its calls)."""
        if client_id == self.sia_client_id:
            return self.sia_api_user
        return self.api_user if client_id == self.client_id else None

"""The Salesforce mock's configuration and its documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from mocks.core.config import MockConfig
from mocks.core.limits import LimitSettings

DEFAULT_CLIENT_ID = "siasim-salesforce-client"
DEFAULT_CLIENT_SECRET = "siasim-salesforce-secret"
DEFAULT_USERNAME = "admin@siasim.example"
DEFAULT_PASSWORD = "siasim-password"
#: A refresh token the mock always accepts for the API user (tap-salesforce's only way in);
#: the shape of Salesforce's, and printed by `siasim serve salesforce` and `siasim up`.
DEFAULT_REFRESH_TOKEN = "5Aep861SiasimMockRefreshTokenForTheApiUser.0000000000000000000000000"


def salesforce_limits() -> LimitSettings:
    """A developer edition's daily API request allowance; no per-window limit."""
    return LimitSettings(rate_calls=None, concurrency=25, daily=100_000)


@dataclass
class BulkSettings:
    """How Bulk API jobs move on their own (seconds of the mock's clock), and the daily
    allowances ``/limits`` counts down (a rolling 24 hours, as in Salesforce)."""

    start_delay: float = 0.5  # from a batch's arrival (or a job's UploadComplete) to its start
    min_seconds: float = 0.5  # the shortest processing time of a batch
    rows_per_second: int = 20_000  # processing time grows with the batch
    daily_batches: int = 15_000  # DailyBulkApiBatches
    daily_query_jobs: int = 10_000  # DailyBulkV2QueryJobs
    daily_query_storage_mb: int = 976_562  # DailyBulkV2QueryFileStorageMB


@dataclass
class SalesforceConfig(MockConfig):
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    security_token: str = ""  # appended to the password by clients that use one
    token_ttl: int = 7200  # a session's lifetime, seconds
    refresh_token: str = DEFAULT_REFRESH_TOKEN  # accepted by the refresh_token grant
    #: PEM certificate or public key that JWT bearer assertions are signed for (the
    #: connected app's "use digital signatures"); None: the JWT bearer flow is off
    jwt_certificate: str | None = None
    limits: LimitSettings = field(default_factory=salesforce_limits)
    bulk: BulkSettings = field(default_factory=BulkSettings)
    # "Maximum size of request is 52428800 bytes" (JSON_PARSER_ERROR), as Salesforce says
    max_body_bytes: int = 52_428_800

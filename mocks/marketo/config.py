"""The Marketo mock's configuration and its documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from mocks.core.config import MockConfig
from mocks.core.limits import LimitSettings

DEFAULT_CLIENT_ID = "siasim-marketo-client"
DEFAULT_CLIENT_SECRET = "siasim-marketo-secret"


def marketo_limits() -> LimitSettings:
    """Marketo's real limits: 100 calls per 20 s, 10 at once, 50,000 a day."""
    return LimitSettings(rate_calls=100, rate_window=20.0, concurrency=10, daily=50_000)


@dataclass
class MarketoConfig(MockConfig):
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    limits: LimitSettings = field(default_factory=marketo_limits)
    api_user: str = "siasim-api@marketo.example"  # the token's "scope"

"""Where SIA finds Marketo and Salesforce, and how it logs in."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Endpoints:
    marketo_url: str
    marketo_client_id: str
    marketo_client_secret: str
    salesforce_url: str | None = None
    salesforce_client_id: str | None = None
    salesforce_client_secret: str | None = None
    salesforce_username: str | None = None
    salesforce_password: str | None = None
    verify: bool | str = True  # a CA bundle path for a mock served with --tls
    #: SIA paces itself under Marketo's rate limit instead of running into 606s
    marketo_calls_per_window: int | None = 100
    marketo_window_seconds: float = 20.0
    #: how long SIA waits for an answer (seconds without a byte)
    marketo_timeout: float = 60.0
    salesforce_timeout: float = 60.0
    #: how long after it was sent a write may still land: longer than either service
    #: works on any request (Salesforce ends a request after 10 minutes; the mocks' latency
    #: faults hold one at most that long). Until then a write whose answer was lost is in
    #: flight, never sent again (engine.sync.attempts)
    write_horizon: float = 660.0

    def public(self) -> dict:
        """The endpoints without their secrets, for status pages and logs."""
        data = asdict(self)
        for key in ("marketo_client_secret", "salesforce_client_secret", "salesforce_password"):
            if data.get(key):
                data[key] = "***"
        return data

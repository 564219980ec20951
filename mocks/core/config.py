"""Configuration every mock shares; each service extends it with its own defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from fixtures import scenarios
from fixtures.world import WorldSource, generate
from mocks.core.limits import LimitSettings


@dataclass
class WorldSpec:
    """Which generated world a mock starts with (see ``fixtures.world``)."""

    seed: int = 1
    profile: str = "default"
    people: int | None = None  # None: the profile's own size
    scenario: str | None = None  # a named data set of fixtures.scenarios instead
    workers: int | None = None  # processes generating it (None: one per core)

    def build(self) -> WorldSource:
        if self.scenario:
            return scenarios.load(self.scenario)
        return generate(seed=self.seed, profile=self.profile, people=self.people,
                        workers=self.workers)


@dataclass
class MockConfig:
    db: str | None = None  # None: a temporary file, gone when the server stops
    world: WorldSpec | None = field(default_factory=WorldSpec)  # None: start empty
    client_id: str = ""
    client_secret: str = ""
    token_ttl: int = 3600  # seconds
    limits: LimitSettings = field(default_factory=LimitSettings)
    journal_size: int = 2000
    fault_seed: int = 0
    base_url: str | None = None  # the URL clients reach us at, once known (for links)
    # a bigger request body is refused before it is read (each service its own figure)
    max_body_bytes: int = 10 * 1024 * 1024
    admin_body_bytes: int = 64 * 1024 * 1024
    #: required of every admin call (header X-Siasim-Admin-Token) when set: the servers
    #: make one when bound to an address other machines can reach (``admin_token_for``)
    admin_token: str | None = None
    #: host names (besides IP literals and localhost) the admin API answers under
    admin_hosts: tuple[str, ...] = ()

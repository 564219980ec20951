"""What the syncs with Salesforce that one setting switches on and off have in common."""

from __future__ import annotations

from collections.abc import Callable

from engine.clients.salesforce import SalesforceClient
from engine.db import EngineDB
from engine.settings import Settings


class SwitchedSync:
    setting: str  # the key of the switch in SIA's settings

    def __init__(self, db: EngineDB, settings: Settings,
                 salesforce: Callable[[], SalesforceClient]) -> None:
        self.db = db
        self.settings = settings
        self._salesforce = salesforce  # a callable: the client is built only when needed

    @property
    def salesforce(self) -> SalesforceClient:
        return self._salesforce()

    @property
    def on(self) -> bool:
        """Read on every action, never cached: a switch takes effect on the next one."""
        return bool(self.settings.get(self.setting))

"""What the dashboard's buttons do to the mocks: inject faults, move clocks, expire tokens.

Each fault is a preset of the shared admin API's fault rules (README, "The admin API"),
chosen to show how SIA copes: limits it must wait out, errors it must retry, a write
whose answer is lost and must not land twice, a session it must renew.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FaultPreset:
    key: str
    label: str
    rule: dict | None  # None: not a fault rule but a token expiry


FAULTS: dict[str, tuple[FaultPreset, ...]] = {
    "marketo": (
        FaultPreset("rate-limit", "Rate limit (606), next 3 calls",
                    {"path": "/rest/*", "error": "606", "times": 3}),
        FaultPreset("system-error", "System error (611), next call",
                    {"path": "/rest/*", "error": "611", "times": 1}),
        FaultPreset("lost-answer", "Activity write lands, answer lost",
                    {"path": "/rest/v1/activities/external.json", "method": "POST",
                     "drop": "after", "times": 1}),
        FaultPreset("slow", "2 s latency, next 5 calls",
                    {"path": "/rest/*", "latencyMs": 2000, "times": 5}),
        FaultPreset("expire-tokens", "Expire access tokens", None),
    ),
    "salesforce": (
        FaultPreset("unavailable", "Unavailable (503), next 3 calls",
                    {"path": "/services/data/*", "status": 503, "times": 3}),
        FaultPreset("lost-answer", "Task write lands, answer lost",
                    {"path": "/services/data/*/sobjects/Task*", "method": "POST",
                     "drop": "after", "times": 1}),
        FaultPreset("expire-tokens", "Expire sessions", None),
    ),
}

CLOCK_STEPS = (("+1 hour", 3600), ("+1 day", 86_400), ("+15 days", 15 * 86_400))


def preset(service: str, key: str) -> FaultPreset | None:
    return next((p for p in FAULTS.get(service, ()) if p.key == key), None)

#: Marketo's own Salesforce sync, one run now (the Marketo mock's admin API)
MARKETO_SALESFORCE_SYNC_RUN = "/salesforce-sync/run"

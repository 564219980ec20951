"""Who changed a person: the Source and Reason a Change Data Value or New Lead records.

Every change to a person goes through one write path, and the path says where the change
came from, so the change feed tells a form fill from a flow step, the API or Marketo's own
Salesforce sync, as Marketo's activity log does. The keys are what callers pass
(``source="salesforce"``); any other text is taken as the Source itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChangeSource:
    key: str
    source: str  # the "Source" attribute of Change Data Value
    reason: str  # its "Reason" attribute
    source_type: str  # the "Source Type" attribute of New Lead

    def with_reason(self, reason: str | None) -> ChangeSource:
        if not reason:
            return self
        return ChangeSource(self.key, self.source, reason, self.source_type)


SOURCES: dict[str, ChangeSource] = {
    s.key: s
    for s in (
        ChangeSource("api", "Web service API", "Web service API", "Web service API"),
        ChangeSource("form", "Web form fillout", "Form fill", "Web form fillout"),
        ChangeSource("flow", "Marketo Flow Action", "Change Data Value flow action",
                     "Marketo flow action"),
        ChangeSource("salesforce", "Salesforce.com", "Salesforce sync", "Salesforce.com"),
        ChangeSource("admin", "Marketo admin", "Edited in Marketo", "New person"),
        ChangeSource("import", "List import", "List import", "List import"),
    )
}


def change_source(source: str | ChangeSource, reason: str | None = None) -> ChangeSource:
    if isinstance(source, ChangeSource):
        return source.with_reason(reason)
    known = SOURCES.get(source)
    if known is not None:
        return known.with_reason(reason)
    return ChangeSource(source, source, reason or source, source)

"""The Marketo backend: its state and rules, with no HTTP in it.

The blueprints, the admin routes and (in a later issue) Marketo's own Salesforce sync all
go through :class:`MarketoModel`: the person store and its single write path, the activity
log and change feed, the field catalogue, access tokens and bulk export jobs.
"""

from __future__ import annotations

from collections.abc import Sequence

from fixtures.marketo_types import ALL_TYPES, TYPES_BY_ID, ActivityType
from mocks.core.clock import Clock
from mocks.core.store import Store
from mocks.marketo import activitylog, fieldschema, leadstore, schema
from mocks.marketo.activityexport import ActivityExport
from mocks.marketo.activitylog import NewActivity
from mocks.marketo.config import MarketoConfig
from mocks.marketo.customobjects import CustomObjectExport, CustomObjects
from mocks.marketo.customtypes import CustomActivityTypes
from mocks.marketo.exports import Exports, LeadExport
from mocks.marketo.fields import FieldCatalogue, check_custom_spec, is_integer
from mocks.marketo.fieldschema import MemberFields
from mocks.marketo.leadstore import WriteRequest
from mocks.marketo.objects import ObjectStore
from mocks.marketo.partitions import Partitions
from mocks.marketo.programs import MemberExport, Programs
from mocks.marketo.smartcampaigns import SmartCampaigns
from mocks.marketo.sources import ChangeSource, change_source
from mocks.marketo.staticlists import StaticLists
from mocks.marketo.tokens import TokenRegistry
from mocks.marketo.usage import UsageLog


class MarketoModel:
    def __init__(self, store: Store, clock: Clock, config: MarketoConfig) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.catalogue = FieldCatalogue()
        self.tokens = TokenRegistry(clock, config)
        self.usage = UsageLog(clock)
        self.lists = StaticLists(store, clock)
        self.programs = Programs(store, clock, MemberFields(store, self._person_field))
        self.campaigns = SmartCampaigns(store, clock, self.programs)
        self.partitions = Partitions(store)
        self.custom_types = CustomActivityTypes(store, clock)
        self.objects = ObjectStore(store, clock)
        self.custom_objects = CustomObjects(store, clock)
        self.exports = Exports(store, clock, config.exports, [
            LeadExport(lambda: self.catalogue, config.exports, self.lists.resolve),
            ActivityExport(config.exports, self.is_activity_type),
            MemberExport(lambda: self.catalogue, self.programs, config.exports),
        ])
        self.exports.resolver = lambda entity: (
            CustomObjectExport(self.custom_objects, entity[3:], config.exports)
            if entity.startswith("co:") else None)

    def _person_field(self, name: str):
        return self.catalogue.get(name)  # the catalogue of now, not of construction

    def open(self) -> None:
        """Create or complete the tables, and read the field catalogue they hold."""
        with self.store.transaction() as db:
            self.catalogue = schema.ensure_schema(db)

    def now_text(self) -> str:
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    # --- persons ------------------------------------------------------------------------
    def write_leads(self, records: Sequence, *, action: str = "createOrUpdate",
                    lookup: str = "email", source: str | ChangeSource = "api",
                    reason: str | None = None, system: bool = False,
                    partition: int | None = None) -> list[dict]:
        """Create or update persons: the one write path (see :mod:`leadstore`).

        ``source`` says who made the change ("api", "form", "flow", "salesforce", "admin",
        or any text); it is recorded in every New Lead and Change Data Value activity.
        ``system`` lets Marketo's own processes write the fields the API may not;
        ``partition`` is the lead partition new persons are created in.
        Callers check ``action`` and ``lookup`` first, to answer a bad one in their own
        way (the API with an error code, the admin routes with a 400); here it is a bug.
        """
        field = self.catalogue.get(lookup)
        if action not in leadstore.ACTIONS or field is None or not field.searchable:
            raise ValueError(f"bad action {action!r} or lookup field {lookup!r}")
        lookup = field.name
        request = WriteRequest(records, action, lookup, change_source(source, reason), system,
                               partition)
        with self.store.transaction() as db:
            return leadstore.write_leads(db, self.catalogue, request, self.now_text())

    def seed_fields(self, rows: Sequence[tuple[int, dict]]) -> None:
        """Set fields of persons as a world has them from the start: no change feed entry,
        no ``updatedAt`` moved. Raises ``ValueError`` for a field or value that is not one."""
        with self.store.transaction() as db:
            for lead_id, fields in rows:
                values = {}
                for name, value in fields.items():
                    field = self.catalogue.get(name)
                    if field is None or name == "id":
                        raise ValueError(f"person {lead_id}: no person field {name!r}")
                    values[field.name] = field.to_db(value)
                sets = ", ".join(f'"{name}" = ?' for name in values)
                db.conn.execute(f'UPDATE "{schema.LEADS}" SET {sets} WHERE id = ?',
                                [*values.values(), lead_id])

    def delete_leads(self, lead_ids: Sequence[int]) -> list[dict]:
        with self.store.transaction() as db:
            return leadstore.delete_leads(db, lead_ids, self.now_text())

    def add_custom_field(self, spec: dict) -> dict:
        """Add a custom person field (a column, searchable if string, email or integer)."""
        name, display, data_type, length = check_custom_spec(self.catalogue, spec)
        if self.programs.fields.is_custom(name):
            raise ValueError(f"'{name}' is a program member field: a person field cannot "
                             "share its name")
        meta = fieldschema.metadata_of(spec)
        with self.store.transaction() as db:
            fid = self.catalogue.next_custom_id()
            db.conn.execute(f'INSERT INTO "{schema.CUSTOM_FIELDS}" (id, name, displayName, '
                            'dataType, length) VALUES (?, ?, ?, ?, ?)',
                            [fid, name, display, data_type, length])
            if meta:
                fieldschema.save_metadata(db.conn, "leads", name, meta)
            self.catalogue = schema.ensure_schema(db)
        return self.catalogue.get(name).describe()

    def update_lead_field(self, name: str, body: dict) -> list[dict]:
        """Update Lead Field: display name, description and flags of one person field."""
        results = fieldschema.update_lead_field(self.store, self.catalogue.fields, name,
                                                body)
        self.catalogue = schema.read_catalogue(self.store.db)
        return results

    # --- activities ---------------------------------------------------------------------
    def add_activities(self, items: Sequence[NewActivity]) -> list[int]:
        with self.store.transaction() as db:
            return activitylog.append(db, items)

    def activity_types(self) -> list[ActivityType]:
        """Every type ``types.json`` lists: the standard ones, then the approved custom
        ones."""
        return [*ALL_TYPES, *self.custom_types.live_types()]

    def activity_type(self, type_id: int) -> ActivityType | None:
        known = TYPES_BY_ID.get(type_id)
        if known is None and type_id >= 100_000:
            known = next((t for t in self.custom_types.live_types() if t.id == type_id), None)
        return known

    def is_activity_type(self, type_id: int) -> bool:
        return self.activity_type(type_id) is not None

    def existing_leads(self, lead_ids: Sequence[int]) -> set[int]:
        ids = sorted(set(lead_ids))
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        return {row[0] for row in self.store.db.conn.execute(
            f'SELECT id FROM "leads" WHERE id IN ({marks})', ids)}

    def check_attributes(self, type_id: int, attributes) -> list[dict]:
        """An activity's attributes, checked against its type; raises ``ValueError``."""
        activity_type = self.activity_type(type_id)
        if attributes is None:
            return []
        by_api_name = self.custom_types.api_names(type_id)  # custom attributes go by apiName
        if not isinstance(attributes, list):
            raise ValueError("attributes must be a list of {name, value} objects")
        kinds = dict(activity_type.attributes)
        if activity_type.primary:
            kinds.setdefault(*activity_type.primary)
        checked = []
        for item in attributes:
            if not isinstance(item, dict):
                raise ValueError("attributes must be a list of {name, value} objects")
            name = item.get("name", item.get("apiName"))
            name = by_api_name.get(name, name)
            if name not in kinds:
                raise ValueError(f"Attribute '{name}' is not an attribute of activity type "
                                 f"'{activity_type.name}'")
            checked.append({"name": name, "value": _attribute_value(item.get("value"),
                                                                    kinds[name], name)})
        return checked


def _attribute_value(value, kind: str, name: str):
    """An attribute value as its type stores it: integers as numbers, the rest as text."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise ValueError(f"Invalid value for attribute '{name}': a plain value is expected")
    if kind == "integer":
        try:
            number = value if is_integer(value) else int(str(value).strip())
        except ValueError:
            number = None
        if isinstance(value, bool) or number is None or not is_integer(number):
            raise ValueError(f"Invalid value '{value}' for attribute '{name}'. Required of "
                             "type 'integer'")
        return number
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).strip().lower() == "true"
    return str(value)


__all__ = ["MarketoModel", "NewActivity"]

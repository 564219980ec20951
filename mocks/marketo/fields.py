"""The lead field catalogue: what ``describe`` lists, what filters and writes accept.

One place knows each field's REST and SOAP names, display name, data type and whether
the API may write it, so describe, the filters, the write path, the change feed and the
bulk export all agree. Custom fields (added through the admin API) join the standard
ones at run time and are kept in the ``lead_fields`` table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from mocks.core.clock import parse_instant

#: Data types a custom field may have; the first three make it searchable, as in Marketo.
SEARCHABLE_TYPES = ("string", "email", "integer")
CUSTOM_TYPES = (*SEARCHABLE_TYPES, "text", "url", "phone", "boolean", "float", "currency",
                "date", "datetime")
_STRING_TYPES = frozenset({"string", "email", "text", "url", "phone", "reference"})
_SQL_TYPES = {"integer": "INTEGER", "boolean": "INTEGER", "float": "REAL", "currency": "REAL"}


def is_integer(value) -> bool:
    """A JSON integer SQLite can hold (64 bits); a bool is no integer here."""
    return isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63


class FieldValueError(ValueError):
    """A value that does not fit its field's type (record-level 1001)."""


@dataclass(frozen=True)
class LeadField:
    id: int
    name: str  # the REST name
    display: str
    data_type: str
    length: int | None = None
    read_only: bool = False  # through the REST API; Marketo's own processes may write it
    soap: str | None = None
    searchable: bool = False
    custom: bool = False
    # what the schema/fields calls show beside the name; Update Field changes these
    description: str = ""
    hidden: bool = False
    html_encoding: bool = True
    sensitive: bool = False

    def with_metadata(self, meta: dict) -> LeadField:
        """This field with the attributes an update set (``displayName``, ``description``,
        ``isHidden``, ``isHtmlEncodingInEmail``, ``isSensitive``; absent ones unchanged)."""
        if not meta:
            return self
        return replace(self, display=meta.get("displayName", self.display),
                       description=meta.get("description", self.description),
                       hidden=meta.get("isHidden", self.hidden),
                       html_encoding=meta.get("isHtmlEncodingInEmail", self.html_encoding),
                       sensitive=meta.get("isSensitive", self.sensitive))

    @property
    def sql_type(self) -> str:
        return _SQL_TYPES.get(self.data_type, "TEXT")

    def describe(self) -> dict:
        item: dict = {"id": self.id, "displayName": self.display, "dataType": self.data_type}
        if self.length is not None:
            item["length"] = self.length
        item["rest"] = {"name": self.name, "readOnly": self.read_only}
        item["soap"] = {"name": self.soap or self.name[:1].upper() + self.name[1:],
                        "readOnly": self.read_only}
        return item

    def describe2(self) -> dict:
        item: dict = {"name": self.name, "displayName": self.display,
                      "dataType": self.data_type}
        if self.length is not None:
            item["length"] = self.length
        item["updateable"] = not self.read_only
        item["crmManaged"] = self.name.startswith("sfdc")
        return item

    # -- values ------------------------------------------------------------------------
    def to_db(self, value):
        """A value from a client, as stored; raises :class:`FieldValueError`."""
        if value is None:
            return None
        kind = self.data_type
        if isinstance(value, dict | list):
            raise FieldValueError(self._invalid(value))
        if kind in _STRING_TYPES:
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            if self.length is not None and len(text) > self.length:
                raise FieldValueError(f"Value for field '{self.name}' exceeds its maximum "
                                      f"length of {self.length} characters ({len(text)})")
            return text
        if kind == "boolean":
            if isinstance(value, bool):
                return int(value)
            text = str(value).strip().lower()
            if text in ("true", "1", "yes"):
                return 1
            if text in ("false", "0", "no", ""):
                return 0
            raise FieldValueError(self._invalid(value))
        if kind == "integer":
            if isinstance(value, bool):
                raise FieldValueError(self._invalid(value))
            try:
                number = int(value) if isinstance(value, float) and value.is_integer() \
                    else int(str(value).strip())
            except ValueError:
                raise FieldValueError(self._invalid(value)) from None
            if not is_integer(number):
                raise FieldValueError(self._invalid(value))
            return number
        if kind in ("float", "currency"):
            if isinstance(value, bool):
                raise FieldValueError(self._invalid(value))
            try:
                return float(value)
            except ValueError:
                raise FieldValueError(self._invalid(value)) from None
        if kind == "date":
            try:
                return date.fromisoformat(str(value)[:10]).isoformat()
            except ValueError:
                raise FieldValueError(self._invalid(value)) from None
        if kind == "datetime":
            try:
                return format_instant_text(str(value))
            except ValueError:
                raise FieldValueError(self._invalid(value)) from None
        return value

    def to_api(self, stored):
        """A stored value as the REST API shows it."""
        if self.data_type == "boolean" and stored is not None:
            return bool(stored)
        return stored

    def to_text(self, stored) -> str | None:
        """A stored value as the activity log keeps it (Change Data Value is text)."""
        if stored is None:
            return None
        if self.data_type == "boolean":
            return "true" if stored else "false"
        if isinstance(stored, float) and stored.is_integer():
            return str(int(stored))
        return str(stored)

    def _invalid(self, value) -> str:
        return f"Invalid value '{value}'. Required of type '{self.data_type}'"


def format_instant_text(text: str) -> str:
    """An ISO 8601 instant as Marketo writes it: ``2024-01-15T10:30:00Z`` (UTC)."""
    return parse_instant(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def _f(fid: int, name: str, display: str, kind: str, length: int | None = None, *,
       ro: bool = False, soap: str | None = None, search: bool = False) -> LeadField:
    return LeadField(fid, name, display, kind, length, ro, soap, search)


#: Marketo's standard person fields (REST names), the Salesforce and owner fields included.
#: ``linkedInProfileURL`` stands for SIA's "LinkedIn URL" (API-NOTES: unconfirmed).
STANDARD_FIELDS: tuple[LeadField, ...] = (
    _f(1, "id", "Id", "integer", ro=True, soap="Id", search=True),
    _f(2, "company", "Company Name", "string", 255, soap="Company"),
    _f(3, "site", "Site", "string", 255),
    _f(4, "billingStreet", "Billing Address", "text"),
    _f(5, "billingCity", "Billing City", "string", 255),
    _f(6, "billingState", "Billing State", "string", 255),
    _f(7, "billingCountry", "Billing Country", "string", 255),
    _f(8, "billingPostalCode", "Billing Postal Code", "string", 255),
    _f(9, "website", "Website", "url", 255),
    _f(10, "mainPhone", "Main Phone", "phone", 255),
    _f(11, "annualRevenue", "Annual Revenue", "currency"),
    _f(12, "numberOfEmployees", "Num Employees", "integer", soap="NumberOfEmployees"),
    _f(13, "industry", "Industry", "string", 255),
    _f(14, "sicCode", "SIC Code", "string", 40, soap="SICCode"),
    _f(21, "salutation", "Salutation", "string", 255),
    _f(22, "firstName", "First Name", "string", 255, soap="FirstName"),
    _f(23, "middleName", "Middle Name", "string", 255),
    _f(24, "lastName", "Last Name", "string", 255, soap="LastName"),
    _f(25, "email", "Email Address", "email", 255, soap="Email", search=True),
    _f(26, "phone", "Phone Number", "phone", 255, soap="Phone"),
    _f(27, "mobilePhone", "Mobile Phone Number", "phone", 255),
    _f(28, "fax", "Fax Number", "phone", 255),
    _f(29, "title", "Job Title", "string", 255, soap="Title"),
    _f(30, "contactCompany", "Contact Company", "reference", ro=True),
    _f(31, "dateOfBirth", "Date of Birth", "date"),
    _f(32, "address", "Address", "text", soap="Address"),
    _f(33, "city", "City", "string", 255, soap="City"),
    _f(34, "state", "State", "string", 255, soap="State"),
    _f(35, "country", "Country", "string", 255, soap="Country"),
    _f(36, "postalCode", "Postal Code", "string", 255, soap="PostalCode"),
    _f(37, "personTimeZone", "Person Time Zone", "string", 255, ro=True),
    _f(38, "originalSourceType", "Original Source Type", "string", 255, ro=True),
    _f(39, "originalSourceInfo", "Original Source Info", "string", 255, ro=True),
    _f(40, "registrationSourceType", "Registration Source Type", "string", 255),
    _f(41, "registrationSourceInfo", "Registration Source Info", "string", 2000),
    _f(42, "originalSearchEngine", "Original Search Engine", "string", 255, ro=True),
    _f(43, "originalSearchPhrase", "Original Search Phrase", "string", 255, ro=True),
    _f(44, "originalReferrer", "Original Referrer", "string", 255, ro=True),
    _f(45, "emailInvalid", "Email Invalid", "boolean"),
    _f(46, "emailInvalidCause", "Email Invalid Cause", "string", 255),
    _f(47, "unsubscribed", "Unsubscribed", "boolean", soap="Unsubscribed"),
    _f(48, "unsubscribedReason", "Unsubscribed Reason", "text"),
    _f(49, "doNotCall", "Do Not Call", "boolean"),
    _f(50, "doNotCallReason", "Do Not Call Reason", "string", 512),
    _f(51, "marketingSuspended", "Marketing Suspended", "boolean"),
    _f(52, "leadSource", "Person Source", "string", 255, soap="LeadSource"),
    _f(53, "leadStatus", "Lead Status", "string", 255),
    _f(54, "leadRole", "Role", "string", 50, ro=True),
    _f(55, "rating", "Lead Rating", "string", 255),
    _f(56, "leadScore", "Lead Score", "integer", soap="LeadScore"),
    _f(57, "urgency", "Urgency", "float"),
    _f(58, "priority", "Priority", "integer"),
    _f(59, "relativeScore", "Relative Score", "integer"),
    _f(60, "relativeUrgency", "Relative Urgency", "integer"),
    _f(61, "department", "Department", "string", 255),
    _f(62, "linkedInId", "LinkedIn Id", "string", 255, ro=True, soap="LinkedInId",
       search=True),
    _f(63, "linkedInProfileURL", "LinkedIn Profile URL", "url", 255,
       soap="LinkedInProfileURL"),
    _f(64, "facebookId", "Facebook Id", "string", 255, ro=True),
    _f(65, "twitterId", "Twitter Id", "string", 255, ro=True),
    _f(66, "isAnonymous", "Anonymous", "boolean", ro=True),
    _f(67, "leadPerson", "Lead Person", "integer", ro=True),
    _f(68, "cookies", "Cookies", "string", 255, ro=True, search=True),
    _f(80, "sfdcType", "SFDC Type", "string", 255, ro=True, soap="SFDCType"),
    _f(81, "sfdcId", "SFDC Id", "string", 18, ro=True, soap="SFDCId"),
    _f(82, "sfdcLeadId", "SFDC Lead ID", "string", 18, ro=True, soap="SFDCLeadId",
       search=True),
    _f(83, "sfdcContactId", "SFDC Contact ID", "string", 18, ro=True,
       soap="SFDCContactId", search=True),
    _f(84, "sfdcAccountId", "SFDC Account ID", "string", 18, ro=True,
       soap="SFDCAccountId", search=True),
    _f(85, "sfdcOpptyId", "SFDC Oppty ID", "string", 18, ro=True, soap="SFDCOpptyId",
       search=True),
    _f(86, "sfdcLeadOwnerId", "SFDC Lead Owner ID", "string", 18, ro=True,
       soap="SFDCLeadOwnerId", search=True),
    _f(87, "sfdcName", "SFDC Name", "string", 255, ro=True),
    _f(88, "sfdcIsDeleted", "SFDC Is Deleted", "boolean", ro=True),
    _f(89, "sfdcCampaignId", "SFDC Campaign ID", "string", 18, ro=True),
    _f(97, "createdAt", "Created At", "datetime", ro=True),
    _f(98, "updatedAt", "Updated At", "datetime", ro=True),
    _f(99, "acquisitionProgramId", "Acquisition Program Id", "string", 255),
    _f(100, "leadPartitionId", "Lead Partition Id", "integer", ro=True),
)

DEFAULT_FIELDS = ("id", "updatedAt", "lastName", "email", "createdAt", "firstName")
FIRST_CUSTOM_ID = 1000
_REST_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


class FieldCatalogue:
    """The fields of this mock's lead database: the standard ones and any custom ones."""

    def __init__(self, custom: tuple[LeadField, ...] = (),
                 metadata: dict[str, dict] | None = None) -> None:
        metadata = metadata or {}
        self.fields: tuple[LeadField, ...] = tuple(
            f.with_metadata(metadata.get(f.name, {})) for f in STANDARD_FIELDS + custom)
        self.by_name: dict[str, LeadField] = {f.name: f for f in self.fields}
        # Marketo names are case-sensitive in JSON, but filters and field lists are not
        self._folded: dict[str, LeadField] = {f.name.lower(): f for f in self.fields}
        self.by_id: dict[int, LeadField] = {f.id: f for f in self.fields}

    def get(self, name: str) -> LeadField | None:
        return self.by_name.get(name) or self._folded.get(name.lower())

    def searchable(self) -> list[LeadField]:
        return [f for f in self.fields if f.searchable]

    def columns(self) -> list[tuple[str, str]]:
        return [(f.name, f.sql_type) for f in self.fields]

    def next_custom_id(self) -> int:
        return max([FIRST_CUSTOM_ID - 1, *(f.id for f in self.fields if f.custom)]) + 1

    @staticmethod
    def custom_field(fid: int, name: str, display: str, data_type: str,
                     length: int | None) -> LeadField:
        return LeadField(fid, name, display, data_type, length, False, None,
                         data_type in SEARCHABLE_TYPES, True)


def check_custom_spec(catalogue: FieldCatalogue, spec: dict) -> tuple[str, str, str, int | None]:
    """Validate an admin's custom field; ``(name, display, dataType, length)``."""
    name = spec.get("name")
    if not isinstance(name, str) or not _REST_NAME.match(name):
        raise ValueError("'name' is the field's REST name: a letter, then letters, digits "
                         "or '_', at most 64 characters")
    if catalogue.get(name) is not None:
        raise ValueError(f"a field named '{name}' exists already")
    data_type = spec.get("dataType", "string")
    if data_type not in CUSTOM_TYPES:
        raise ValueError(f"'dataType' is one of: {', '.join(CUSTOM_TYPES)}")
    display = spec.get("displayName", name)
    if not isinstance(display, str) or not display.strip():
        raise ValueError("'displayName' must be a non-empty string")
    length = spec.get("length", 255 if data_type in ("string", "email", "url", "phone")
                      else None)
    if length is not None and (not is_integer(length) or length < 1):
        raise ValueError("'length' must be a positive whole number")
    return name, display, data_type, length

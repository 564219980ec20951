"""The objects the Salesforce mock knows: their fields, types, rules and describe output.

One table of facts per object (from Salesforce's object reference), read by validation
(required, read-only, picklists, lengths, references), by SOQL (field names, types,
relationships), by the schema (one column per stored field) and by describe. Names are
looked up case-insensitively, as Salesforce does; output always uses the canonical case.

Where the object reference leaves a choice open, this module writes it down: which
standard picklists are restricted (the status-like ones that other fields derive from:
Task Status and Priority, TaskSubtype, CallType), and one custom field per business
object, ``External_Id__c`` (text, External ID, unique), so that upsert by external ID has
something to work on, as in most real orgs; and on Task ``SIA_Id__c``, the key the
reference Sales Insight Actions upserts its Tasks by.

Behaviour is declared here too, beside the fields it concerns: the computed fields an
object keeps right on every write (``derived``: rules from :mod:`mocks.salesforce.derived`,
in the order they run), the references whose parent's deletion deletes the record with it
(``cascade_delete``), and the flag that makes a record read-only (``frozen_when``: a
converted lead).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from fixtures.sfid import KEY_PREFIXES
from mocks.salesforce.derived import (
    DefaultBy,
    Fallback,
    FullName,
    Membership,
    Rule,
    Slug,
    StampedWhen,
)

#: Field types and the SOAP type describe reports for each.
SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "string": "xsd:string", "email": "xsd:string",
    "phone": "xsd:string", "url": "xsd:string", "textarea": "xsd:string",
    "picklist": "xsd:string", "combobox": "xsd:string", "boolean": "xsd:boolean",
    "date": "xsd:date", "datetime": "xsd:dateTime", "int": "xsd:int", "double": "xsd:double",
    "currency": "xsd:double", "percent": "xsd:double",
}
TEXT_TYPES = frozenset({"string", "email", "phone", "url", "textarea", "picklist", "combobox"})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
ID_TYPES = frozenset({"id", "reference"})


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted: bool = False  # defaultedOnCreate: Salesforce fills it when left out
    default: object = None
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None
    external_id: bool = False
    unique: bool = False
    calculated: bool = False
    custom: bool = False
    name_field: bool = False
    id_lookup: bool = False
    precision: int = 0
    scale: int = 0
    sortable: bool = True  # long text areas cannot be sorted or filtered
    filterable: bool = True
    cascade_delete: bool = False  # deleting the referenced record deletes this one

    @property
    def polymorphic(self) -> bool:
        return len(self.reference_to) > 1

    @property
    def required_on_create(self) -> bool:
        return (not self.nillable and self.createable and not self.defaulted
                and self.type != "boolean")

    @property
    def read_only(self) -> bool:
        return not self.createable and not self.updateable

    @property
    def aggregatable(self) -> bool:
        """COUNT, MIN, MAX ... may take it (SOQL and describe agree): not a long text
        area, not a checkbox."""
        return self.filterable and self.type != "boolean"

    @property
    def groupable(self) -> bool:
        """GROUP BY may name it: not a long text area, a number with decimals or a
        datetime (group those by a date function: ``DAY_ONLY(CreatedDate)``)."""
        return self.filterable and self.type not in ("double", "currency", "percent",
                                                     "datetime")

    def describe(self) -> dict:
        text = self.type in TEXT_TYPES or self.type in ID_TYPES
        return {
            "aggregatable": self.aggregatable,
            "autoNumber": False,
            "byteLength": self.length * 3 if text else 0,
            "calculated": self.calculated,
            "calculatedFormula": None,
            "cascadeDelete": False,
            "caseSensitive": False,
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": self.default if self.type != "boolean" else bool(self.default),
            "defaultValueFormula": None,
            "defaultedOnCreate": self.defaulted or self.type == "boolean",
            "dependentPicklist": False,
            "deprecatedAndHidden": False,
            "digits": 9 if self.type == "int" else 0,
            "externalId": self.external_id,
            "filterable": self.filterable,
            "groupable": self.groupable,
            "htmlFormatted": False,
            "idLookup": self.id_lookup or self.type == "id",
            "label": self.label,
            "length": self.length if text else 0,
            "name": self.name,
            "nameField": self.name_field,
            "namePointing": self.polymorphic,
            "nillable": self.nillable,
            "permissionable": self.nillable and not self.read_only,
            "picklistValues": [
                {"active": True, "defaultValue": value == self.default, "label": value,
                 "validFor": None, "value": value} for value in self.picklist],
            "polymorphicForeignKey": self.polymorphic,
            "precision": self.precision,
            "referenceTargetField": None,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship,
            "relationshipOrder": None,
            "restrictedPicklist": self.restricted,
            "scale": self.scale,
            "soapType": SOAP_TYPES[self.type],
            "sortable": self.sortable,
            "type": self.type,
            "unique": self.unique,
            "updateable": self.updateable,
        }


@dataclass(frozen=True)
class SObject:
    name: str
    label: str
    label_plural: str
    fields: tuple[Field, ...]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    owner_types: tuple[str, ...] = ()  # who may own a record ("User", "Group")
    derived: tuple[Rule, ...] = ()  # computed fields, kept right on every write
    frozen_when: str | None = None  # a boolean field that, once set, locks the record
    _by_name: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)
    _by_relationship: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for f in self.fields:
            self._by_name[f.name.lower()] = f
            if f.relationship:
                self._by_relationship[f.relationship.lower()] = f

    @property
    def key_prefix(self) -> str:
        return KEY_PREFIXES[self.name]

    def field(self, name: str) -> Field | None:
        return self._by_name.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        return self._by_relationship.get(name.lower())

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def urls(self, version: str) -> dict:
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {"compactLayouts": f"{base}/describe/compactLayouts",
                "rowTemplate": f"{base}/{{ID}}",
                "approvalLayouts": f"{base}/describe/approvalLayouts",
                "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
                "listviews": f"{base}/listviews", "describe": f"{base}/describe",
                "quickActions": f"{base}/quickActions", "layouts": f"{base}/describe/layouts",
                "sobject": base}

    def summary(self, version: str) -> dict:
        """The entry describe global lists, and ``objectDescribe`` of the basic info."""
        return {
            "activateable": False,
            "associateEntityType": None,
            "associateParentEntity": None,
            "createable": self.createable,
            "custom": False,
            "customSetting": False,
            "deepCloneable": False,
            "deletable": self.deletable,
            "deprecatedAndHidden": False,
            "feedEnabled": self.name != "Task",
            "hasSubtypes": False,
            "isInterface": False,
            "isSubtype": False,
            "keyPrefix": self.key_prefix,
            "label": self.label,
            "labelPlural": self.label_plural,
            "layoutable": True,
            "mergeable": self.name in ("Account", "Contact", "Lead"),
            "mruEnabled": True,
            "name": self.name,
            "queryable": True,
            "replicateable": True,
            "retrieveable": True,
            "searchable": True,
            "triggerable": True,
            "undeletable": self.deletable,
            "updateable": self.updateable,
            "urls": {k: v for k, v in self.urls(version).items()
                     if k in ("rowTemplate", "describe", "sobject")},
        }

    def describe(self, version: str) -> dict:
        out = self.summary(version)
        out.update({
            "actionOverrides": [],
            "childRelationships": child_relationships(self.name),
            "compactLayoutable": True,
            "defaultImplementation": None,
            "extendedBy": None,
            "extendsInterfaces": None,
            "fields": [f.describe() for f in self.fields],
            "implementedBy": None,
            "implementsInterfaces": None,
            "listviewable": None,
            "lookupLayoutable": None,
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "recordTypeInfos": [{
                "active": True, "available": True, "defaultRecordTypeMapping": True,
                "developerName": "Master", "master": True, "name": "Master",
                "recordTypeId": "012000000000000AAA",
                "urls": {"layout": f"/services/data/v{version}/sobjects/{self.name}"
                                   "/describe/layouts/012000000000000AAA"}}],
            "searchLayoutable": True,
            "sobjectDescribeOption": "FULL",
            "supportedScopes": [{"label": "All " + self.label_plural.lower(),
                                 "name": "everything"}],
            "urls": self.urls(version),
        })
        return out


# --- building the tables --------------------------------------------------------------------

def _f(name: str, type_: str, label: str | None = None, length: int | None = None,
       **kw) -> Field:
    if length is None:
        length = {"string": 255, "email": 80, "phone": 40, "url": 255, "textarea": 32000,
                  "picklist": 255, "combobox": 255, "id": 18, "reference": 18}.get(type_, 0)
    if type_ in ("double", "currency", "percent") and "precision" not in kw:
        kw.setdefault("precision", 18)
        kw.setdefault("scale", 2)
    if type_ == "textarea" and length > 255:
        kw.setdefault("sortable", False)
        kw.setdefault("filterable", False)
    return Field(name, type_, label or _label(name), length, **kw)


def _label(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if i and ch.isupper() and not name[i - 1].isupper():
            out.append(" ")
        out.append(ch)
    return "".join(out).replace(" Id", " ID")


def _system(owner: tuple[str, ...] | None = None, *, owner_label: str = "Owner ID") -> list[Field]:
    """Id and the audit fields every object has, plus OwnerId when it has owners."""
    fields = [_f("Id", "id", "Record ID", nillable=False, createable=False, updateable=False,
                 defaulted=True)]
    if owner:
        fields.append(_f("OwnerId", "reference", owner_label, nillable=False, defaulted=True,
                         reference_to=owner, relationship="Owner"))
    fields += [
        _f("IsDeleted", "boolean", "Deleted", nillable=False, createable=False,
           updateable=False, defaulted=True, default=False),
        _f("CreatedDate", "datetime", "Created Date", nillable=False, createable=False,
           updateable=False, defaulted=True),
        _f("CreatedById", "reference", "Created By ID", nillable=False, createable=False,
           updateable=False, defaulted=True, reference_to=("User",), relationship="CreatedBy"),
        _f("LastModifiedDate", "datetime", "Last Modified Date", nillable=False,
           createable=False, updateable=False, defaulted=True),
        _f("LastModifiedById", "reference", "Last Modified By ID", nillable=False,
           createable=False, updateable=False, defaulted=True, reference_to=("User",),
           relationship="LastModifiedBy"),
        _f("SystemModstamp", "datetime", "System Modstamp", nillable=False, createable=False,
           updateable=False, defaulted=True),
    ]
    return fields


def _external_id() -> Field:
    return _f("External_Id__c", "string", "External ID", 255, external_id=True, unique=True,
              custom=True, id_lookup=True)


LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other",
                "Trade Show", "Webinar", "Employee Referral")
INDUSTRIES = ("Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals",
              "Communications", "Construction", "Consulting", "Education", "Electronics",
              "Energy", "Engineering", "Entertainment", "Environmental", "Finance",
              "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance",
              "Machinery", "Manufacturing", "Media", "Not For Profit", "Recreation", "Retail",
              "Shipping", "Technology", "Telecommunications", "Transportation", "Utilities",
              "Other")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                 "Closed - Not Converted")
CONVERTED_STATUSES = ("Closed - Converted",)
#: Stage, default probability, closed, won (Salesforce's standard sales process).
STAGES = (("Prospecting", 10, False, False), ("Qualification", 10, False, False),
          ("Needs Analysis", 20, False, False), ("Value Proposition", 50, False, False),
          ("Id. Decision Makers", 60, False, False), ("Perception Analysis", 70, False, False),
          ("Proposal/Price Quote", 75, False, False), ("Negotiation/Review", 90, False, False),
          ("Closed Won", 100, True, True), ("Closed Lost", 0, True, False))
STAGE_INFO = {name: (probability, closed, won) for name, probability, closed, won in STAGES}
STAGE_PROBABILITIES = {name: float(probability) for name, probability, _, _ in STAGES}
CLOSED_STAGES = frozenset(name for name, _, closed, _ in STAGES if closed)
WON_STAGES = frozenset(name for name, _, _, won in STAGES if won)
TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else",
                 "Deferred")
CLOSED_TASK_STATUSES = frozenset({"Completed"})
TASK_PRIORITIES = ("High", "Normal", "Low")
HIGH_PRIORITIES = frozenset({"High"})
TASK_SUBTYPES = ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")


def _user() -> SObject:
    return SObject("User", "User", "Users", (
        *_system(),
        _f("Username", "string", "Username", 80, nillable=False, unique=True, id_lookup=True),
        _f("FirstName", "string", "First Name", 40),
        _f("LastName", "string", "Last Name", 80, nillable=False),
        _f("Name", "string", "Full Name", 121, createable=False, updateable=False,
           calculated=True, name_field=True),
        _f("Email", "email", "Email", 128, nillable=False),
        _f("Alias", "string", "Alias", 8, nillable=False),
        _f("IsActive", "boolean", "Active", nillable=False, defaulted=True, default=True),
        _f("UserType", "picklist", "User Type", 40, createable=False, updateable=False,
           picklist=("Standard", "PowerPartner", "CsnOnly", "Guest"), restricted=True),
        _f("Title", "string", "Title", 80),
        _f("Phone", "phone", "Phone", 40),
    ), deletable=False, derived=(FullName("Name"), Fallback("UserType", "Standard")))


def _group() -> SObject:
    return SObject("Group", "Group", "Groups", (
        *_system(),
        _f("Name", "string", "Name", 40, nillable=False, name_field=True),
        _f("DeveloperName", "string", "Developer Name", 80, defaulted=True),
        _f("Type", "picklist", "Type", 40, nillable=False, defaulted=True, default="Regular",
           picklist=("Regular", "Queue"), restricted=True, updateable=False),
        _f("Email", "email", "Email", 255),
    ), derived=(Slug("DeveloperName", "Name"),))


def _account() -> SObject:
    return SObject("Account", "Account", "Accounts", (
        *_system(("User",), owner_label="Owner ID"),
        _f("Name", "string", "Account Name", 255, nillable=False, name_field=True),
        _f("Type", "picklist", "Account Type", picklist=(
            "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
            "Installation Partner", "Technology Partner", "Other")),
        _f("Industry", "picklist", "Industry", picklist=INDUSTRIES),
        _f("Website", "url", "Website"),
        _f("Phone", "phone", "Account Phone"),
        _f("BillingCity", "string", "Billing City", 40),
        _f("BillingCountry", "string", "Billing Country", 80),
        _f("NumberOfEmployees", "int", "Employees", precision=8),
        _f("Description", "textarea", "Account Description"),
        _external_id(),
    ), owner_types=("User",))


def _opportunity() -> SObject:
    return SObject("Opportunity", "Opportunity", "Opportunities", (
        *_system(("User",), owner_label="Owner ID"),
        _f("Name", "string", "Name", 120, nillable=False, name_field=True),
        _f("AccountId", "reference", "Account ID", reference_to=("Account",),
           relationship="Account", cascade_delete=True),
        _f("StageName", "picklist", "Stage", nillable=False, picklist=tuple(s[0] for s in STAGES)),
        _f("CloseDate", "date", "Close Date", nillable=False),
        _f("Amount", "currency", "Amount"),
        _f("Probability", "percent", "Probability (%)", defaulted=True, precision=3, scale=0),
        _f("IsClosed", "boolean", "Closed", nillable=False, createable=False, updateable=False,
           defaulted=True, default=False),
        _f("IsWon", "boolean", "Won", nillable=False, createable=False, updateable=False,
           defaulted=True, default=False),
        _f("LeadSource", "picklist", "Lead Source", picklist=LEAD_SOURCES),
        _f("Type", "picklist", "Opportunity Type", picklist=(
            "Existing Customer - Upgrade", "Existing Customer - Replacement",
            "Existing Customer - Downgrade", "New Customer")),
        _f("Description", "textarea", "Description"),
        _external_id(),
    ), owner_types=("User",), derived=(
        Membership("IsClosed", "StageName", CLOSED_STAGES),
        Membership("IsWon", "StageName", WON_STAGES),
        DefaultBy("Probability", "StageName", STAGE_PROBABILITIES)))


def _contact() -> SObject:
    return SObject("Contact", "Contact", "Contacts", (
        *_system(("User",), owner_label="Owner ID"),
        _f("AccountId", "reference", "Account ID", reference_to=("Account",),
           relationship="Account", cascade_delete=True),
        _f("FirstName", "string", "First Name", 40),
        _f("LastName", "string", "Last Name", 80, nillable=False),
        _f("Name", "string", "Full Name", 121, createable=False, updateable=False,
           calculated=True, name_field=True),
        _f("Email", "email", "Email", 80, id_lookup=True),
        _f("Title", "string", "Title", 128),
        _f("Phone", "phone", "Business Phone"),
        _f("HasOptedOutOfEmail", "boolean", "Email Opt Out", nillable=False, defaulted=True,
           default=False),
        _f("LeadSource", "picklist", "Lead Source", picklist=LEAD_SOURCES),
        _f("MailingCity", "string", "Mailing City", 40),
        _f("MailingCountry", "string", "Mailing Country", 80),
        _f("Description", "textarea", "Contact Description"),
        _external_id(),
    ), owner_types=("User",), derived=(FullName("Name"),))


def _lead() -> SObject:
    return SObject("Lead", "Lead", "Leads", (
        *_system(("Group", "User"), owner_label="Owner ID"),
        _f("FirstName", "string", "First Name", 40),
        _f("LastName", "string", "Last Name", 80, nillable=False),
        _f("Name", "string", "Full Name", 121, createable=False, updateable=False,
           calculated=True, name_field=True),
        _f("Company", "string", "Company", 255, nillable=False),
        _f("Email", "email", "Email", 80, id_lookup=True),
        _f("Title", "string", "Title", 128),
        _f("Phone", "phone", "Phone"),
        _f("LeadSource", "picklist", "Lead Source", picklist=LEAD_SOURCES),
        _f("Status", "picklist", "Status", nillable=False, defaulted=True,
           default="Open - Not Contacted", picklist=LEAD_STATUSES),
        _f("Industry", "picklist", "Industry", picklist=INDUSTRIES),
        _f("City", "string", "City", 40),
        _f("Country", "string", "Country", 80),
        _f("HasOptedOutOfEmail", "boolean", "Email Opt Out", nillable=False, defaulted=True,
           default=False),
        _f("IsConverted", "boolean", "Converted", nillable=False, createable=False,
           updateable=False, defaulted=True, default=False),
        _f("ConvertedDate", "date", "Converted Date", createable=False, updateable=False),
        _f("ConvertedAccountId", "reference", "Converted Account ID", createable=False,
           updateable=False, reference_to=("Account",), relationship="ConvertedAccount"),
        _f("ConvertedContactId", "reference", "Converted Contact ID", createable=False,
           updateable=False, reference_to=("Contact",), relationship="ConvertedContact"),
        _f("ConvertedOpportunityId", "reference", "Converted Opportunity ID",
           createable=False, updateable=False, reference_to=("Opportunity",),
           relationship="ConvertedOpportunity"),
        _f("Description", "textarea", "Description"),
        _external_id(),
    ), owner_types=("Group", "User"), derived=(FullName("Name"),), frozen_when="IsConverted")


def _task() -> SObject:
    return SObject("Task", "Task", "Tasks", (
        *_system(("Group", "User"), owner_label="Assigned To ID"),
        _f("WhoId", "reference", "Name ID", reference_to=("Contact", "Lead"),
           relationship="Who", cascade_delete=True),
        _f("WhatId", "reference", "Related To ID", reference_to=("Account", "Opportunity"),
           relationship="What", cascade_delete=True),
        _f("Subject", "combobox", "Subject", 255,
           picklist=("Call", "Send Letter", "Send Quote", "Other")),
        _f("ActivityDate", "date", "Due Date Only"),
        _f("Status", "picklist", "Status", 40, nillable=False, defaulted=True,
           default="Not Started", picklist=TASK_STATUSES, restricted=True),
        _f("Priority", "picklist", "Priority", 40, nillable=False, defaulted=True,
           default="Normal", picklist=TASK_PRIORITIES, restricted=True),
        _f("IsHighPriority", "boolean", "High Priority", nillable=False, createable=False,
           updateable=False, defaulted=True, default=False),
        _f("Description", "textarea", "Description"),
        _f("Type", "picklist", "Type", 40, picklist=("Call", "Email", "Meeting", "Other")),
        _f("TaskSubtype", "picklist", "Task Subtype", 40, updateable=False,
           picklist=TASK_SUBTYPES, restricted=True),
        _f("IsClosed", "boolean", "Closed", nillable=False, createable=False, updateable=False,
           defaulted=True, default=False),
        _f("CompletedDateTime", "datetime", "Completed Date/Time", createable=False,
           updateable=False),
        _f("IsReminderSet", "boolean", "Reminder Set", nillable=False, defaulted=True,
           default=False),
        _f("ReminderDateTime", "datetime", "Reminder Date/Time"),
        _f("CallType", "picklist", "Call Type", 40, picklist=("Internal", "Inbound", "Outbound"),
           restricted=True),
        _f("CallDurationInSeconds", "int", "Call Duration", precision=8),
        _f("CallDisposition", "string", "Call Result", 255),
        _external_id(),
        # the key Sales Insight Actions gives each Task it logs, so that it can upsert them
        # (a custom External ID field, as an org running a sync of its own would add)
        _f("SIA_Id__c", "string", "Sales Insight Actions ID", 80, external_id=True,
           unique=True, custom=True, id_lookup=True),
    ), owner_types=("Group", "User"), derived=(
        Membership("IsClosed", "Status", CLOSED_TASK_STATUSES),
        Membership("IsHighPriority", "Priority", HIGH_PRIORITIES),
        StampedWhen("CompletedDateTime", "IsClosed")))


#: The "Name" object: what a polymorphic relationship (Who, What, Owner) can reach.
#: Field -> the objects that give it a value (Salesforce documents Email as the user's or
#: queue's, Alias, IsActive, Phone, Title and Username as the user's only).
NAME_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Id": ("id", ("*",)),
    "Name": ("string", ("*",)),
    "Type": ("picklist", ("*",)),
    "FirstName": ("string", ("User", "Contact", "Lead")),
    "LastName": ("string", ("User", "Contact", "Lead")),
    "Email": ("email", ("User", "Group")),
    "Alias": ("string", ("User",)),
    "IsActive": ("boolean", ("User",)),
    "Phone": ("phone", ("User",)),
    "Title": ("string", ("User",)),
    "Username": ("string", ("User",)),
}
NAME_OBJECT = SObject("Name", "Name", "Names", tuple(
    _f(name, kind, nillable=name != "Id", createable=False, updateable=False)
    for name, (kind, _) in NAME_FIELDS.items()), createable=False, updateable=False,
    deletable=False)


@functools.cache
def objects() -> dict[str, SObject]:
    built = [_user(), _group(), _account(), _contact(), _lead(), _opportunity(), _task()]
    return {o.name: o for o in built}


@functools.cache
def _lower_index() -> dict[str, SObject]:
    return {name.lower(): obj for name, obj in objects().items()}


def get(name: str) -> SObject | None:
    """The object named ``name`` (any case), or None."""
    return _lower_index().get(name.lower())


def type_value(sobject: str, record: dict | None = None) -> str:
    """What ``Owner.Type`` / ``Who.Type`` says for a record of this object."""
    if sobject == "Group":
        return (record or {}).get("Type") or "Queue"
    return sobject


@functools.cache
def _children() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    plural = {"Task": "Tasks", "Contact": "Contacts", "Opportunity": "Opportunities",
              "Lead": "Leads", "Account": "Accounts"}
    for obj in objects().values():
        for f in obj.fields:
            if f.type != "reference" or f.name in ("CreatedById", "LastModifiedById"):
                continue
            for target in f.reference_to:
                name = plural.get(obj.name) if f.name in ("WhoId", "WhatId", "AccountId",
                                                           "OwnerId") else None
                out.setdefault(target, []).append({
                    "cascadeDelete": f.cascade_delete, "childSObject": obj.name,
                    "deprecatedAndHidden": False, "field": f.name, "junctionIdListNames": [],
                    "junctionReferenceTo": [], "relationshipName": name,
                    "restrictedDelete": False})
    return out


def child_relationships(name: str) -> list[dict]:
    return list(_children().get(name, []))


@functools.cache
def cascades(name: str) -> tuple[tuple[SObject, Field], ...]:
    """(child object, its reference field) for every record deleted with one of ``name``."""
    return tuple((obj, f) for obj in objects().values() for f in obj.fields
                 if f.cascade_delete and name in f.reference_to)

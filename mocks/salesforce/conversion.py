"""Lead conversion, as Salesforce's LeadConvert does it (there is no REST call for it:
the mock offers it as an admin operation).

An account, a contact and (unless told not to) an opportunity are made through the
ordinary write path, or an existing account and contact are used; the lead gets
``IsConverted``, its ``Converted*`` fields and a converted status, and its tasks move
to the contact (and to the opportunity or account).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fixtures.sfid import object_of
from mocks.salesforce import crud, metadata, records, soql
from mocks.salesforce.crud import Writer
from mocks.salesforce.ids import repair_id
from mocks.salesforce.refusals import SalesforceError


def _owner(lead: dict, options: dict) -> str:
    owner = options.get("ownerId")
    if owner is not None:
        owner = repair_id(str(owner))
        if owner is None or object_of(owner) != "User":
            raise SalesforceError("INVALID_CROSS_REFERENCE_KEY",
                                  "invalid cross reference id", ["ownerId"])
        return owner
    if object_of(lead["OwnerId"]) == "User":
        return lead["OwnerId"]
    raise SalesforceError(
        "INVALID_CROSS_REFERENCE_KEY",
        "Converted objects can only be owned by users.  If the lead is not owned by a "
        "user, you must specify a user for the Owner field.", ["OwnerId"])


def convert_lead(w: Writer, options: dict, now: datetime) -> dict:
    objects = metadata.objects()
    conn = w.conn
    lead = records.existing(conn, objects["Lead"], str(options.get("leadId") or ""))
    if lead.get("IsConverted"):
        raise SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD",
                              "This lead was already converted to the contact "
                              f"{lead.get('ConvertedContactId')}.", [])
    status = options.get("convertedStatus") or metadata.CONVERTED_STATUSES[0]
    if status not in metadata.CONVERTED_STATUSES:
        raise SalesforceError("INVALID_STATUS", f"invalid convertedStatus: {status}",
                              ["convertedStatus"])
    owner = _owner(lead, options)
    account_id = options.get("accountId")
    if account_id:
        account_id = records.existing(conn, objects["Account"], str(account_id))["Id"]
    else:
        account_id = crud.create(w, objects["Account"], {
            "Name": lead["Company"], "OwnerId": owner, "Industry": lead.get("Industry"),
            "Phone": lead.get("Phone"), "BillingCity": lead.get("City"),
            "BillingCountry": lead.get("Country")})
    contact_id = options.get("contactId")
    if contact_id:
        contact = records.existing(conn, objects["Contact"], str(contact_id))
        if contact.get("AccountId") != account_id:
            raise SalesforceError("INVALID_CROSS_REFERENCE_KEY",
                                  "The contact is not related to the account", ["contactId"])
        contact_id = contact["Id"]
    else:
        contact_id = crud.create(w, objects["Contact"], {
            "FirstName": lead.get("FirstName"), "LastName": lead["LastName"],
            "Email": lead.get("Email"), "Title": lead.get("Title"),
            "Phone": lead.get("Phone"), "AccountId": account_id, "OwnerId": owner,
            "LeadSource": lead.get("LeadSource"),
            "HasOptedOutOfEmail": bool(lead.get("HasOptedOutOfEmail")),
            "MailingCity": lead.get("City"), "MailingCountry": lead.get("Country"),
            "Description": lead.get("Description")})
    opportunity_id = None
    if not options.get("doNotCreateOpportunity"):
        today = now.date()
        quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        quarter_end = soql.add_months(quarter, 3) - timedelta(days=1)
        opportunity_id = crud.create(w, objects["Opportunity"], {
            "Name": options.get("opportunityName") or f"{lead['Company']}-",
            "AccountId": account_id, "OwnerId": owner, "StageName": "Prospecting",
            "CloseDate": quarter_end.isoformat(), "LeadSource": lead.get("LeadSource")})
    stamp, actor = w.stamp, w.actor
    conn.execute(
        'UPDATE "Lead" SET IsConverted = 1, ConvertedDate = ?, ConvertedAccountId = ?, '
        "ConvertedContactId = ?, ConvertedOpportunityId = ?, Status = ?, "
        "LastModifiedDate = ?, LastModifiedById = ?, SystemModstamp = ? WHERE Id = ?",
        [now.date().isoformat(), account_id, contact_id, opportunity_id, status,
         stamp, actor, stamp, lead["Id"]])
    # the lead's activities move to the new contact (and account)
    conn.execute(
        'UPDATE "Task" SET WhoId = ?, WhatId = COALESCE(WhatId, ?), LastModifiedDate = ?, '
        "LastModifiedById = ?, SystemModstamp = ? WHERE WhoId = ? AND IsDeleted = 0",
        [contact_id, opportunity_id or account_id, stamp, actor, stamp, lead["Id"]])
    return {"leadId": lead["Id"], "accountId": account_id, "contactId": contact_id,
            "opportunityId": opportunity_id, "success": True}

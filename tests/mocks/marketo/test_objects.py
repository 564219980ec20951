"""Companies, sales persons, opportunities and roles, named accounts and their lists: the
one shape (sync by dedupe field, query by filter type, delete, describe) they share."""

from __future__ import annotations

import pytest


def test_company_sync_query_delete(api):
    created = api.ok("post", "/rest/v1/companies.json", json={"input": [
        {"externalCompanyId": "acme", "company": "Acme", "numberOfEmployees": 50},
        {"company": "No key"}]})["result"]
    assert created[0] == {"seq": 0, "id": 1, "status": "created"}
    assert created[1]["status"] == "skipped"
    again = api.ok("post", "/rest/v1/companies.json", json={"action": "createOnly", "input": [
        {"externalCompanyId": "acme"}]})["result"][0]
    assert again["reasons"][0]["code"] == "1005"
    api.ok("post", "/rest/v1/companies.json", json={"action": "updateOnly", "input": [
        {"externalCompanyId": "acme", "industry": "Tools"}]})
    found = api.ok("get", "/rest/v1/companies.json?filterType=externalCompanyId"
                   "&filterValues=acme&fields=company,industry,numberOfEmployees")["result"]
    assert found == [{"seq": 0, "id": 1, "company": "Acme", "industry": "Tools",
                      "numberOfEmployees": 50}]
    by_id = api.ok("post", "/rest/v1/companies.json", json={
        "dedupeBy": "idField", "action": "updateOnly",
        "input": [{"id": 1, "website": "https://acme.example"}]})["result"][0]
    assert by_id["status"] == "updated"
    for bad, code in (({"externalCompanyId": "x", "colour": "red"}, "1006"),
                      ({"externalCompanyId": "x", "numberOfEmployees": "many"}, "1001"),
                      ({"externalCompanyId": "x", "company": "y" * 256}, "1001"),
                      ({"externalCompanyId": "x", "createdAt": "2020-01-01"}, "1003")):
        result = api.ok("post", "/rest/v1/companies.json", json={"input": [bad]})["result"]
        assert result[0]["reasons"][0]["code"] == code, bad
    assert api.error("get", "/rest/v1/companies.json?filterType=industry&filterValues=x"
                     )["code"] == "1003"
    deleted = api.ok("post", "/rest/v1/companies/delete.json", json={
        "input": [{"externalCompanyId": "acme"}, {"externalCompanyId": "gone"}]})["result"]
    assert [d["status"] for d in deleted] == ["deleted", "skipped"]
    described = api.ok("get", "/rest/v1/companies/describe.json")["result"][0]
    assert described["dedupeFields"] == ["externalCompanyId"] and described["idField"] == "id"


def test_opportunities_come_from_salesforce_and_roles_use_compound_keys(api):
    opportunities = api.admin("get", "/state?table=opportunities&limit=100").json["rows"]
    assert opportunities
    first = opportunities[0]
    found = api.ok("get", "/rest/v1/opportunities.json?filterType=externalOpportunityId"
                   f"&filterValues={first['externalOpportunityId']}&fields=name,stage,amount"
                   )["result"]
    assert found[0]["marketoGUID"] == first["marketoGUID"] and found[0]["name"] == first["name"]
    role = api.admin("get", "/state?table=opportunity_roles&limit=1").json["rows"][0]
    compound = api.ok("post", "/rest/v1/opportunities/roles.json?_method=GET", json={
        "filterType": "dedupeFields", "fields": ["role", "leadId"],
        "input": [{"externalOpportunityId": role["externalOpportunityId"],
                   "leadId": role["leadId"]}]})["result"]
    assert compound[0]["marketoGUID"] == role["marketoGUID"]
    made = api.ok("post", "/rest/v1/opportunities/roles.json", json={"input": [
        {"externalOpportunityId": first["externalOpportunityId"], "leadId": 1,
         "role": "Champion"}]})["result"][0]
    assert made["status"] == "created" and made["marketoGUID"]


def test_named_accounts_and_their_lists(api):
    account = api.ok("post", "/rest/v1/namedaccounts.json", json={"input": [
        {"name": "Big Co", "domainName": "big.example"}]})["result"][0]["marketoGUID"]
    listed = api.ok("post", "/rest/v1/namedAccountLists.json", json={
        "action": "createOnly", "input": [{"name": "Tier 1"}]})["result"][0]["marketoGUID"]
    assert api.error("post", "/rest/v1/namedAccountLists.json", json={
        "action": "createOrUpdate", "input": [{"name": "x"}]})["code"] == "1003"
    lists = api.ok("get", "/rest/v1/namedAccountLists.json?filterType=dedupeFields"
                   "&filterValues=Tier 1&fields=name,type,updateable")["result"]
    assert lists[0]["type"] == "default" and lists[0]["updateable"] is True
    added = api.ok("post", f"/rest/v1/namedAccountList/{listed}/namedAccounts.json",
                   json={"input": [{"marketoGUID": account}]})["result"]
    assert added[0]["status"] == "added"
    members = api.ok("get", f"/rest/v1/namedAccountList/{listed}/namedAccounts.json")["result"]
    assert [m["marketoGUID"] for m in members] == [account]
    removed = api.ok("post", f"/rest/v1/namedAccountList/{listed}/namedAccounts/remove.json",
                     json={"input": [{"marketoGUID": account}]})["result"]
    assert removed[0]["status"] == "removed"


@pytest.mark.parametrize("area", ["companies", "opportunities", "namedaccounts",
                                  "programs/members", "leads"])
def test_field_schemas_read(api, area):
    fields = api.ok("get", f"/rest/v1/{area}/schema/fields.json")["result"]
    assert fields and all({"name", "displayName", "dataType"} <= set(f) for f in fields)
    one = api.ok("get", f"/rest/v1/{area}/schema/fields/{fields[1]['name']}.json")["result"]
    assert one == [fields[1]]


def test_lead_fields_can_be_created(api):
    result = api.ok("post", "/rest/v1/leads/schema/fields.json", json={"input": [
        {"name": "favouriteColour", "displayName": "Favourite Colour", "dataType": "string"},
        {"name": "email", "displayName": "Twice", "dataType": "string"}]})["result"]
    assert [r["status"] for r in result] == ["created", "skipped"]
    assert "favouriteColour" in {f["rest"]["name"] for f in api.ok(
        "get", "/rest/v1/leads/describe.json")["result"]}

"""Leads: filters, fields, paging, lead by id, writes with per-record status, delete, describe."""

from __future__ import annotations

from urllib.parse import urlencode

LEADS = "/rest/v1/leads.json"


def query(api, **params) -> dict:
    return api.ok("get", f"{LEADS}?{urlencode(params, doseq=True)}")


def person(api, lead_id: int, fields: str) -> dict:
    return api.ok("get", f"/rest/v1/lead/{lead_id}.json?fields={fields}")["result"][0]


def test_default_fields_and_id_first(api):
    (record,) = query(api, filterType="id", filterValues="1")["result"]
    assert next(iter(record)) == "id"
    assert set(record) == {"id", "email", "firstName", "lastName", "createdAt", "updatedAt"}
    assert record["createdAt"].endswith("Z")


def test_every_standard_filter_type(api):
    fields = ("email,sfdcLeadId,sfdcContactId,sfdcAccountId,sfdcOpptyId,sfdcLeadOwnerId,"
              "linkedInId,cookies")
    contact = query(api, filterType="id", filterValues="5", fields=fields)["result"][0]
    lead = query(api, filterType="id", filterValues="1", fields=fields)["result"][0]
    for filter_type, source in (("sfdcContactId", contact), ("sfdcAccountId", contact),
                                ("sfdcOpptyId", contact), ("sfdcLeadId", lead),
                                ("email", lead)):
        found = query(api, filterType=filter_type, filterValues=source[filter_type])["result"]
        assert source["id"] in [r["id"] for r in found], filter_type
    owned = query(api, filterType="sfdcLeadOwnerId", filterValues=lead["sfdcLeadOwnerId"],
                  fields="sfdcLeadOwnerId")["result"]
    assert owned and all(r["sfdcLeadOwnerId"] == lead["sfdcLeadOwnerId"] for r in owned)
    # LinkedIn ids and cookies are set by Marketo itself: an admin plays that part
    api.admin("post", "/leads", json={"lookupField": "id", "input": [
        {"id": 3, "linkedInId": "li-77", "cookies": "id:123-ABC-456&token:_mch-x"}]})
    assert [r["id"] for r in query(api, filterType="linkedInId",
                                   filterValues="li-77")["result"]] == [3]
    assert [r["id"] for r in query(api, filterType="cookies",
                                   filterValues="id:123-ABC-456&token:_mch-x")["result"]] == [3]


def test_email_matches_without_regard_to_case_and_keeps_duplicates(api):
    email = query(api, filterType="id", filterValues="1")["result"][0]["email"]
    found = query(api, filterType="email", filterValues=email.upper())["result"]
    assert {1, 12, 14} <= {r["id"] for r in found}  # the roster's duplicates of person 1


def test_custom_string_field_filter(api):
    created = api.admin("post", "/fields", json={"name": "salesRegion",
                                                 "displayName": "Sales Region"})
    assert created.status_code == 201
    api.admin("post", "/leads", json={"lookupField": "id", "input": [
        {"id": 2, "salesRegion": "EMEA"}, {"id": 7, "salesRegion": "EMEA"},
        {"id": 9, "salesRegion": "APAC"}]})
    found = query(api, filterType="salesRegion", filterValues="EMEA,nowhere",
                  fields="salesRegion")["result"]
    assert found == [{"id": 2, "salesRegion": "EMEA"}, {"id": 7, "salesRegion": "EMEA"}]


def test_filter_errors(api):
    def code(**params) -> str:
        return api.error("get", f"{LEADS}?{urlencode(params)}")["code"]

    assert code(filterValues="1") == "701"
    assert code(filterType="id") == "701"
    assert code(filterType="colour", filterValues="red") == "1006"
    assert code(filterType="firstName", filterValues="Ann") == "1011"
    assert code(filterType="createdAt", filterValues="2024-01-01") == "1011"
    assert code(filterType="id", filterValues="one") == "1001"
    assert code(filterType="id", filterValues=",".join(map(str, range(301)))) == "1003"
    assert code(filterType="id", filterValues="1", fields="id,colour") == "1006"
    assert code(filterType="id", filterValues="1", batchSize="0") == "1003"
    assert code(filterType="id", filterValues="1", batchSize="many") == "1001"
    assert code(filterType="id", filterValues="1", nextPageToken="garbage!") == "1003"


def test_no_match_is_an_empty_result(api):
    body = query(api, filterType="email", filterValues="nobody@nowhere.example")
    assert body["result"] == [] and "nextPageToken" not in body


def test_fields_repeated_or_comma_joined_and_empty_fields_left_out(api):
    repeated = query(api, filterType="id", filterValues="15",
                     fields=["email", "title", "phone", "unsubscribed", "leadScore"])
    joined = query(api, filterType="id", filterValues="15",
                   fields="email,title,phone,unsubscribed,leadScore")
    assert repeated["result"] == joined["result"]
    (sparse,) = joined["result"]
    assert "title" not in sparse and "phone" not in sparse  # the roster's sparse person
    assert sparse["unsubscribed"] is False and isinstance(sparse["leadScore"], int)
    assert query(api, filterType="id", filterValues="11",
                 fields="unsubscribed")["result"][0]["unsubscribed"] is True


def test_paging_with_batch_size_and_tokens(api):
    ids = ",".join(map(str, range(1, 26)))
    seen, token, pages = [], None, 0
    while True:
        params = {"filterType": "id", "filterValues": ids, "batchSize": 10}
        if token:
            params["nextPageToken"] = token
        body = query(api, **params)
        pages += 1
        seen += [r["id"] for r in body["result"]]
        token = body.get("nextPageToken")
        if not token:
            assert "moreResult" not in body
            break
        assert body["moreResult"] is True
    assert seen == list(range(1, 26)) and pages == 3
    # a batch size over 300 is served as 300
    assert len(query(api, filterType="id", filterValues=ids, batchSize=500)["result"]) == 25


def test_post_with_method_get_reads_leads(api):
    response = api.post(LEADS, data={"_method": "GET", "filterType": "id",
                                     "filterValues": "1,2", "fields": ["email", "title"]})
    assert response.json["success"] is True
    assert [r["id"] for r in response.json["result"]] == [1, 2]
    assert "email" in response.json["result"][0]
    also = api.post(f"{LEADS}?_method=GET", data={"filterType": "id", "filterValues": "3"})
    assert [r["id"] for r in also.json["result"]] == [3]


def test_more_than_1000_matches_is_1003(api):
    api.admin("post", "/fields", json={"name": "batchTag"})
    api.admin("post", "/leads", json={"action": "createOnly", "input": [
        {"email": f"bulk{i}@example.com", "batchTag": "big"} for i in range(1001)]})
    error = api.error("get", f"{LEADS}?filterType=batchTag&filterValues=big")
    assert error == {"code": "1003", "message": "Too many results match the filter"}
    api.admin("delete", "/leads", json={"ids": [26]})
    assert len(query(api, filterType="batchTag", filterValues="big")["result"]) == 300


def test_lead_by_id(api):
    assert api.ok("get", "/rest/v1/lead/1.json")["result"][0]["id"] == 1
    assert person(api, 5, "sfdcType,sfdcContactId")["sfdcType"] == "Contact"
    assert api.ok("get", "/rest/v1/lead/999.json")["result"] == []
    assert api.error("get", "/rest/v1/lead/abc.json")["code"] == "610"


def test_create_or_update_by_email(api, client):
    result = api.ok("post", LEADS, json={"input": [
        {"email": "new.person@example.com", "firstName": "New", "unsubscribed": "false"},
        {"email": query(api, filterType="id", filterValues="2")["result"][0]["email"],
         "title": "Chief Tester"},
    ]})["result"]
    assert result == [{"id": 26, "status": "created"}, {"id": 2, "status": "updated"}]
    assert person(api, 26, "firstName,unsubscribed") == {"id": 26, "firstName": "New",
                                                         "unsubscribed": False}
    assert person(api, 2, "title")["title"] == "Chief Tester"


def test_actions_and_their_reasons(api):
    email = query(api, filterType="id", filterValues="3")["result"][0]["email"]
    dupe = query(api, filterType="id", filterValues="1")["result"][0]["email"]

    def write(action, records, lookup=None):
        body = {"action": action, "input": records}
        if lookup:
            body["lookupField"] = lookup
        return api.ok("post", LEADS, json=body)["result"]

    assert write("createOnly", [{"email": email}]) == [
        {"status": "skipped", "reasons": [{"code": "1005", "message": "Lead already exists"}]}]
    assert write("updateOnly", [{"email": "ghost@example.com", "title": "x"}]) == [
        {"status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]}]
    assert write("createOrUpdate", [{"email": dupe, "title": "x"}])[0]["reasons"][0][
        "code"] == "1007"
    assert write("createDuplicate", [{"email": email}]) == [{"id": 26, "status": "created"}]
    assert write("updateOnly", [{"id": 4, "title": "By Id"}], lookup="id") == [
        {"id": 4, "status": "updated"}]
    assert write("updateOnly", [{"id": 999, "title": "x"}], lookup="id")[0]["reasons"][0][
        "code"] == "1004"
    sf_id = query(api, filterType="id", filterValues="1", fields="sfdcLeadId")["result"][0][
        "sfdcLeadId"]
    assert write("updateOnly", [{"sfdcLeadId": sf_id, "phone": "+1 555 0100"}],
                 lookup="sfdcLeadId") == [{"id": 1, "status": "updated"}]
    mixed = write("createOrUpdate", [
        {"email": "ok@example.com"},
        {"email": "bad@example.com", "colour": "red"},
        {"email": "bad2@example.com", "leadScore": "lots"},
        {"email": "bad3@example.com", "sfdcLeadOwnerId": "005000000000001"},
        {"firstName": "No Email"},
        "not a record",
    ])
    assert mixed[0] == {"id": 27, "status": "created"}
    assert [m["reasons"][0]["code"] for m in mixed[1:]] == ["1006", "1001", "1003", "1003",
                                                           "1003"]
    assert mixed[1]["reasons"][0]["message"] == "Field 'colour' not found"
    assert mixed[4]["reasons"][0]["message"] == "Value for lookup field 'email' not found"
    assert query(api, filterType="email", filterValues="bad@example.com")["result"] == []


def test_new_ids_continue_after_the_world_and_are_deterministic(make_api):
    first, second = make_api(), make_api()
    for api in (first, second):
        result = api.ok("post", LEADS, json={"input": [{"email": "a@example.com"},
                                                       {"email": "b@example.com"}]})
        assert [r["id"] for r in result["result"]] == [26, 27]


def test_delete(api, client):
    result = api.ok("delete", LEADS, json={"input": [{"id": 3}, {"id": 999}]})["result"]
    assert result == [{"id": 3, "status": "deleted"},
                      {"id": 999, "status": "skipped",
                       "reasons": [{"code": "1004", "message": "Lead not found"}]}]
    assert api.ok("get", "/rest/v1/lead/3.json")["result"] == []
    assert api.ok("post", "/rest/v1/leads/delete.json",
                  json={"input": [{"id": 25}]})["result"] == [{"id": 25, "status": "deleted"}]
    assert api.ok("delete", f"{LEADS}?id=4,5")["result"][1] == {"id": 5, "status": "deleted"}
    # a deleted person's id is never handed out again
    created = api.ok("post", LEADS, json={"input": [{"email": "after@example.com"}]})
    assert created["result"] == [{"id": 26, "status": "created"}]
    assert api.error("delete", LEADS, json={"input": [{"nope": 1}]})["code"] == "1003"
    assert api.error("delete", LEADS, json={"input": []})["code"] == "701"


def test_describe_lists_every_standard_field(api):
    fields = api.ok("get", "/rest/v1/leads/describe.json")["result"]
    by_name = {f["rest"]["name"]: f for f in fields}
    for name in ("id", "email", "firstName", "lastName", "company", "title", "phone",
                 "leadSource", "unsubscribed", "linkedInProfileURL", "createdAt", "updatedAt",
                 "sfdcType", "sfdcId", "sfdcLeadId", "sfdcContactId", "sfdcAccountId",
                 "sfdcOpptyId", "sfdcLeadOwnerId"):
        assert name in by_name, name
    owner = by_name["sfdcLeadOwnerId"]
    assert set(owner) == {"id", "displayName", "dataType", "length", "rest", "soap"}
    assert owner["rest"] == {"name": "sfdcLeadOwnerId", "readOnly": True}
    assert owner["soap"]["name"] == "SFDCLeadOwnerId"
    assert by_name["email"]["dataType"] == "email"
    assert by_name["unsubscribed"]["dataType"] == "boolean"
    (described,) = api.ok("get", "/rest/v1/leads/describe2.json")["result"]
    assert ["sfdcLeadOwnerId"] in described["searchableFields"]
    assert ["email"] in described["searchableFields"] and described["idField"] == "id"
    assert {f["name"] for f in described["fields"]} == set(by_name)


def test_an_empty_mock(make_api):
    api = make_api(None)
    assert query(api, filterType="email", filterValues="a@example.com")["result"] == []
    created = api.ok("post", LEADS, json={"input": [{"email": "a@example.com"}]})["result"]
    assert created == [{"id": 1, "status": "created"}]
    token = api.paging_token()
    changes = api.ok("get", f"/rest/v1/activities/leadchanges.json?fields=email&"
                            f"nextPageToken={token}")["result"]
    assert [(c["leadId"], c["activityTypeId"], c["id"]) for c in changes] == [(1, 12, 1)]

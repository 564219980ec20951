"""Records over REST: create, read, update, delete, upsert, batches, replication, errors."""

from __future__ import annotations

import pytest

from fixtures.sfid import IdFactory, checksum

IDS = IdFactory("5cn")  # the owner-filter scenario's pod
REP, SYNC, GONE, API_USER = (IDS.make("User", n) for n in (1, 2, 3, 4))
QUEUE = IDS.make("Group", 1)
ACME = IDS.make("Account", 1)
CARLA = IDS.make("Contact", 1)
LENA, SAM, INES, QUINN = (IDS.make("Lead", n) for n in (1, 2, 3, 4))
START = "2026-01-10T12:00:00Z"


@pytest.fixture
def frozen(api):
    """The mock's clock stopped at START; ``frozen(seconds)`` moves it on."""
    api.admin("post", "clock", json={"freeze": True})  # frozen first: then set is exact
    api.admin("post", "clock", json={"set": START})

    def advance(seconds: float) -> None:
        api.admin("post", "clock", json={"advance": seconds})

    return advance


def error_of(response, status: int = 400) -> dict:
    assert response.status_code == status, (response.status_code, response.data)
    body = response.json
    assert isinstance(body, list) and len(body) == 1, body
    return body[0]


def new_lead(api, **fields) -> str:
    body = {"LastName": "Tester", "Company": "Test Co", **fields}
    response = api.post("sobjects/Lead/", json=body)
    assert response.status_code == 201, response.json
    return response.json["id"]


def count(api, soql: str) -> int:
    return api.query(soql).json["totalSize"]


# --- create and read ----------------------------------------------------------------------

def test_create_answers_201_with_an_id(api):
    response = api.post("sobjects/Lead/", json={"LastName": "Tester", "Company": "Test Co"})
    assert response.status_code == 201
    assert response.json == {"id": response.json["id"], "success": True, "errors": []}


def test_new_ids_have_prefix_checksum_and_continue_after_the_world(api):
    lead = new_lead(api)
    task = api.post("sobjects/Task", json={"Subject": "hi"}).json["id"]
    assert lead == IDS.make("Lead", 5)  # the scenario has 4 leads, pod 5cn
    assert task == IDS.make("Task", 1)
    for record_id in (lead, task):
        assert len(record_id) == 18 and record_id[15:] == checksum(record_id[:15])
    assert lead.startswith("00Q") and task.startswith("00T")


def test_same_world_same_new_ids(sf):
    made = []
    for _ in range(2):
        api = sf.Api(sf.make_app())
        made.append([new_lead(api), new_lead(api, LastName="Two")])
    assert made[0] == made[1]


def test_read_a_record_with_attributes_and_every_field(api):
    record = api.get(f"sobjects/Lead/{LENA}").json
    assert record["attributes"] == {"type": "Lead",
                                    "url": f"/services/data/v59.0/sobjects/Lead/{LENA}"}
    assert record["Id"] == LENA and record["Email"] == "lena@leadco.example"
    assert record["IsConverted"] is False and record["HasOptedOutOfEmail"] is False
    assert record["OwnerId"] == REP


def test_read_chosen_fields_and_ids_in_any_form(api):
    for form in (LENA, LENA[:15], LENA.lower(), LENA.upper()):
        record = api.get(f"sobjects/Lead/{form}", fields="Email,Name").json
        assert record == {"attributes": record["attributes"], "Email": "lena@leadco.example",
                          "Name": "Lena Lead"}, form


def test_read_errors(api):
    assert error_of(api.get("sobjects/Lead/00Q5cn0000000ZZ"), 404)["errorCode"] == "NOT_FOUND"
    assert error_of(api.get(f"sobjects/Lead/{CARLA}"), 404)["errorCode"] == "NOT_FOUND"
    assert error_of(api.get("sobjects/Lead/garbage"), 404)["errorCode"] == "NOT_FOUND"
    assert error_of(api.get("sobjects/Leed/" + LENA), 404)["errorCode"] == "NOT_FOUND"
    error = error_of(api.get(f"sobjects/Lead/{LENA}", fields="Email,Nope"))
    assert error["errorCode"] == "INVALID_FIELD" and "No such column 'Nope'" in error["message"]


def test_defaults_and_computed_fields_on_create(api, frozen):
    lead = api.get(f"sobjects/Lead/{new_lead(api, FirstName='Ana')}").json
    assert lead["Name"] == "Ana Tester" and lead["Status"] == "Open - Not Contacted"
    assert lead["OwnerId"] == API_USER and lead["CreatedById"] == API_USER
    assert lead["CreatedDate"] == lead["LastModifiedDate"] == lead["SystemModstamp"] == \
        "2026-01-10T12:00:00.000+0000"
    assert lead["IsDeleted"] is False and lead["HasOptedOutOfEmail"] is False
    task_id = api.post("sobjects/Task", json={"Subject": "Call", "WhoId": LENA,
                                             "Priority": "High"}).json["id"]
    task = api.get(f"sobjects/Task/{task_id}").json
    assert (task["Status"], task["Priority"], task["IsClosed"], task["IsHighPriority"]) == (
        "Not Started", "High", False, True)
    assert task["CompletedDateTime"] is None


def test_update_answers_204_and_stamps_the_change(api, frozen):
    lead = new_lead(api)
    frozen(90)
    response = api.patch(f"sobjects/Lead/{lead}", json={"HasOptedOutOfEmail": True,
                                                        "FirstName": "Zoë"})
    assert response.status_code == 204 and response.data == b""
    record = api.get(f"sobjects/Lead/{lead}").json
    assert record["HasOptedOutOfEmail"] is True and record["Name"] == "Zoë Tester"
    assert record["CreatedDate"] == "2026-01-10T12:00:00.000+0000"
    assert record["LastModifiedDate"] == record["SystemModstamp"] == \
        "2026-01-10T12:01:30.000+0000"


def test_opt_out_on_a_world_lead_owned_by_an_inactive_user(api):
    # assigning an inactive owner is refused, but other changes to such a lead are not
    assert api.patch(f"sobjects/Lead/{INES}", json={"HasOptedOutOfEmail": True}).status_code \
        == 204
    assert api.patch(f"sobjects/Contact/{CARLA}",
                     json={"HasOptedOutOfEmail": True}).status_code == 204
    assert api.get(f"sobjects/Contact/{CARLA}").json["HasOptedOutOfEmail"] is True


def test_task_lifecycle_computes_closed_fields(api, frozen):
    task = api.post("sobjects/Task", json={"Subject": "Follow up", "WhoId": CARLA,
                                          "WhatId": ACME}).json["id"]
    frozen(60)
    api.patch(f"sobjects/Task/{task}", json={"Status": "Completed"})
    record = api.get(f"sobjects/Task/{task}").json
    assert record["IsClosed"] is True
    assert record["CompletedDateTime"] == "2026-01-10T12:01:00.000+0000"
    api.patch(f"sobjects/Task/{task}", json={"Status": "In Progress"})
    record = api.get(f"sobjects/Task/{task}").json
    assert record["IsClosed"] is False and record["CompletedDateTime"] is None


def test_opportunity_stage_sets_closed_won_and_probability(api):
    opp = api.post("sobjects/Opportunity", json={"Name": "Deal", "StageName": "Prospecting",
                                                "CloseDate": "2026-03-31",
                                                "AccountId": ACME}).json["id"]
    record = api.get(f"sobjects/Opportunity/{opp}").json
    assert (record["IsClosed"], record["IsWon"], record["Probability"]) == (False, False, 10.0)
    api.patch(f"sobjects/Opportunity/{opp}", json={"StageName": "Closed Won"})
    record = api.get(f"sobjects/Opportunity/{opp}").json
    assert (record["IsClosed"], record["IsWon"], record["Probability"]) == (True, True, 100.0)


def test_delete_answers_204_and_the_record_moves_to_the_recycle_bin(api):
    lead = new_lead(api)
    assert api.delete(f"sobjects/Lead/{lead}").status_code == 204
    assert error_of(api.get(f"sobjects/Lead/{lead}"), 404)["errorCode"] == "NOT_FOUND"
    deleted = error_of(api.delete(f"sobjects/Lead/{lead}"), 404)
    assert deleted == {"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED",
                       "fields": []}
    assert error_of(api.patch(f"sobjects/Lead/{lead}", json={"Title": "x"}),
                    404)["errorCode"] == "ENTITY_IS_DELETED"
    assert count(api, f"SELECT COUNT() FROM Lead WHERE Id = '{lead}'") == 0
    rows = api.records(f"SELECT Id, IsDeleted FROM Lead WHERE Id = '{lead}'", all_rows=True)
    assert rows[0]["IsDeleted"] is True


def test_deleting_cascades_to_activities_and_an_accounts_records(api):
    task = api.post("sobjects/Task", json={"Subject": "x", "WhoId": LENA}).json["id"]
    contact_task = api.post("sobjects/Task", json={"Subject": "y", "WhoId": CARLA}).json["id"]
    api.delete(f"sobjects/Lead/{LENA}")
    assert api.get(f"sobjects/Task/{task}").status_code == 404
    api.delete(f"sobjects/Account/{ACME}")
    assert api.get(f"sobjects/Contact/{CARLA}").status_code == 404
    assert api.get(f"sobjects/Task/{contact_task}").status_code == 404


def test_users_cannot_be_deleted(api):
    error = error_of(api.delete(f"sobjects/User/{REP}"), 405)
    assert error["errorCode"] == "METHOD_NOT_ALLOWED"


# --- refusals --------------------------------------------------------------------------------

@pytest.mark.parametrize("path,body,code,fields,words", [
    ("sobjects/Lead", {"FirstName": "A"}, "REQUIRED_FIELD_MISSING", ["LastName", "Company"],
     "Required fields are missing: [LastName, Company]"),
    ("sobjects/Lead", {"LastName": "A", "Company": ""}, "REQUIRED_FIELD_MISSING", ["Company"],
     "[Company]"),
    ("sobjects/Opportunity", {"Name": "A"}, "REQUIRED_FIELD_MISSING",
     ["StageName", "CloseDate"], "Required fields are missing"),
    ("sobjects/Lead", {"LastName": "A", "Company": "B", "Colour": "red"}, "INVALID_FIELD", None,
     "No such column 'Colour' on sobject of type Lead"),
    ("sobjects/Lead", {"LastName": "A", "Company": "B", "IsConverted": True},
     "INVALID_FIELD_FOR_INSERT_UPDATE", ["IsConverted"], "Unable to create/update fields: "
                                                         "IsConverted"),
    ("sobjects/Lead", {"LastName": "A", "Company": "B", "Id": LENA},
     "INVALID_FIELD_FOR_INSERT_UPDATE", ["Id"], "Unable to create/update fields: Id"),
    ("sobjects/Task", {"WhoId": IDS.make("Lead", 99)}, "INVALID_CROSS_REFERENCE_KEY",
     ["WhoId"], "invalid cross reference id"),
    ("sobjects/Task", {"OwnerId": IDS.make("User", 99)}, "INVALID_CROSS_REFERENCE_KEY",
     ["OwnerId"], "invalid cross reference id"),
    ("sobjects/Task", {"WhoId": ACME}, "FIELD_INTEGRITY_EXCEPTION", ["WhoId"],
     "id value of incorrect type"),
    ("sobjects/Task", {"WhoId": "not-an-id"}, "MALFORMED_ID", ["WhoId"],
     "id value of incorrect type: not-an-id"),
    ("sobjects/Contact", {"LastName": "A", "OwnerId": QUEUE}, "FIELD_INTEGRITY_EXCEPTION",
     ["OwnerId"], "id value of incorrect type"),
    ("sobjects/Task", {"Status": "Done-ish"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
     ["Status"], "Status: bad value for restricted picklist field: Done-ish"),
    ("sobjects/Task", {"TaskSubtype": "Fax"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
     ["TaskSubtype"], "bad value for restricted picklist field: Fax"),
    ("sobjects/Task", {"OwnerId": GONE}, "INACTIVE_OWNER_OR_USER", ["OwnerId"],
     f"operation performed with inactive user [{GONE}] as owner of task"),
    ("sobjects/Task", {"WhoId": LENA, "WhatId": ACME}, "FIELD_INTEGRITY_EXCEPTION", ["WhatId"],
     "lead"),
    ("sobjects/Lead", {"LastName": "x" * 81, "Company": "B"}, "STRING_TOO_LONG", ["LastName"],
     "(max length=80)"),
    ("sobjects/Lead", {"LastName": "A", "Company": "B", "Email": "nope"},
     "INVALID_EMAIL_ADDRESS", ["Email"], "Email: invalid email address: nope"),
    ("sobjects/Lead", {"LastName": "A", "Company": "B", "HasOptedOutOfEmail": "maybe"},
     "JSON_PARSER_ERROR", None, "Cannot deserialize instance of boolean"),
    ("sobjects/Task", {"ActivityDate": "next week"}, "JSON_PARSER_ERROR", None,
     "Cannot deserialize instance of date"),
    ("sobjects/Task", {"CallDurationInSeconds": 1.5}, "JSON_PARSER_ERROR", None,
     "Cannot deserialize instance of int"),
    ("sobjects/Lead", ["not", "an", "object"], "JSON_PARSER_ERROR", None,
     "Cannot deserialize instance of Lead"),
])
def test_refused_creates(api, path, body, code, fields, words):
    before = count(api, "SELECT COUNT() FROM Task") + count(api, "SELECT COUNT() FROM Lead")
    error = error_of(api.post(path, json=body))
    assert error["errorCode"] == code
    assert words in error["message"], error["message"]
    assert error.get("fields") == fields
    after = count(api, "SELECT COUNT() FROM Task") + count(api, "SELECT COUNT() FROM Lead")
    assert after == before


def test_bad_json_and_empty_bodies(api):
    for data in (b"{bad json", b"", b"   "):
        response = api.client.post("/services/data/v59.0/sobjects/Lead", data=data,
                                   headers={**api.headers, "Content-Type": "application/json"})
        assert error_of(response)["errorCode"] == "JSON_PARSER_ERROR"


def test_refused_updates(api):
    error = error_of(api.patch(f"sobjects/Lead/{LENA}", json={"LastName": None}))
    assert (error["errorCode"], error["fields"]) == ("REQUIRED_FIELD_MISSING", ["LastName"])
    error = error_of(api.patch(f"sobjects/Lead/{LENA}", json={"OwnerId": GONE}))
    assert error["errorCode"] == "INACTIVE_OWNER_OR_USER"
    error = error_of(api.patch(f"sobjects/Lead/{LENA}", json={"Name": "Sneaky"}))
    assert (error["errorCode"], error["fields"]) == ("INVALID_FIELD_FOR_INSERT_UPDATE", ["Name"])
    task = api.post("sobjects/Task", json={"Subject": "x", "TaskSubtype": "Call"}).json["id"]
    error = error_of(api.patch(f"sobjects/Task/{task}", json={"TaskSubtype": "Email"}))
    assert error["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    error = error_of(api.patch(f"sobjects/Task/{task}", json={"Status": None}))
    assert error["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert error_of(api.patch("sobjects/Lead/junk", json={"Title": "x"}))["errorCode"] == \
        "MALFORMED_ID"
    assert error_of(api.patch(f"sobjects/Lead/{IDS.make('Lead', 50)}", json={"Title": "x"}),
                    404)["errorCode"] == "NOT_FOUND"
    assert api.get(f"sobjects/Lead/{LENA}").json["LastName"] == "Lead"


def test_a_refused_write_consumes_no_id(api):
    error_of(api.post("sobjects/Lead", json={"FirstName": "no last name"}))
    assert new_lead(api) == IDS.make("Lead", 5)


def test_external_ids_are_unique(api):
    new_lead(api, External_Id__c="ext-1")
    error = error_of(api.post("sobjects/Lead", json={"LastName": "B", "Company": "C",
                                                     "External_Id__c": "EXT-1"}))
    assert error["errorCode"] == "DUPLICATE_VALUE" and error["fields"] == ["External_Id__c"]
    assert "duplicate value found: External_Id__c duplicates value on record with id" in \
        error["message"]


# --- upsert -----------------------------------------------------------------------------

def test_upsert_by_external_id(api):
    created = api.patch("sobjects/Lead/External_Id__c/sia-42",
                        json={"LastName": "Upserted", "Company": "U"})
    assert created.status_code == 201
    assert created.json == {"id": created.json["id"], "success": True, "errors": [],
                            "created": True}
    updated = api.patch("sobjects/Lead/External_Id__c/sia-42/", json={"Title": "CTO"})
    assert updated.status_code == 200
    assert updated.json == {"id": created.json["id"], "success": True, "errors": [],
                            "created": False}
    record = api.get("sobjects/Lead/External_Id__c/sia-42").json
    assert record["Title"] == "CTO" and record["External_Id__c"] == "sia-42"
    assert api.delete("sobjects/Lead/External_Id__c/sia-42").status_code == 204
    assert api.get("sobjects/Lead/External_Id__c/sia-42").status_code == 404


def test_upsert_update_only_and_bad_fields(api):
    response = api.patch("sobjects/Lead/External_Id__c/missing?updateOnly=true",
                         json={"Title": "x"})
    assert error_of(response, 404)["errorCode"] == "NOT_FOUND"
    response = api.patch("sobjects/Lead/Email/lena@leadco.example", json={"Title": "x"})
    assert error_of(response, 404) == {"message": "The requested resource does not exist",
                                       "errorCode": "NOT_FOUND"}
    response = api.patch("sobjects/Lead/External_Id__c/new", json={"Title": "no names"})
    assert error_of(response)["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert count(api, "SELECT COUNT() FROM Lead") == 4


def test_upsert_by_id(api):
    response = api.patch(f"sobjects/Lead/Id/{LENA}", json={"Title": "Boss"})
    assert response.status_code == 200 and response.json["created"] is False
    assert api.get(f"sobjects/Lead/{LENA}").json["Title"] == "Boss"


# --- replication ----------------------------------------------------------------------------

def test_updated_and_deleted(api, frozen):
    lead = new_lead(api)
    frozen(60)
    api.patch(f"sobjects/Lead/{LENA}", json={"Title": "Changed"})
    task = api.post("sobjects/Task", json={"Subject": "x", "WhoId": SAM}).json["id"]
    frozen(60)
    api.delete(f"sobjects/Lead/{SAM}")
    frozen(120)
    window = {"start": "2026-01-10T12:00:00+00:00", "end": "2026-01-10T13:00:00Z"}
    updated = api.get("sobjects/Lead/updated/", **window).json
    assert updated == {"ids": [lead, LENA], "latestDateCovered": "2026-01-10T12:04:00.000+0000"}
    deleted = api.get("sobjects/Lead/deleted", **window).json
    assert deleted["deletedRecords"] == [{"id": SAM,
                                          "deletedDate": "2026-01-10T12:02:00.000+0000"}]
    assert deleted["latestDateCovered"] == "2026-01-10T12:04:00.000+0000"
    assert deleted["earliestDateAvailable"] == "2025-12-26T12:04:00.000+0000"
    # the task went with its lead
    assert api.get("sobjects/Task/deleted/", **window).json["deletedRecords"] == [
        {"id": task, "deletedDate": "2026-01-10T12:02:00.000+0000"}]
    narrow = api.get("sobjects/Lead/updated/", start="2026-01-10T12:01:00Z",
                     end="2026-01-10T12:01:59Z").json
    assert narrow["ids"] == []  # times are cut to the minute: [12:01, 12:01)


def test_replication_window_errors(api, frozen):
    cases = [
        ({"end": "2026-01-10T12:00:00Z"}, "MISSING_ARGUMENT"),
        ({"start": "2026-01-10T12:00:00Z"}, "MISSING_ARGUMENT"),
        ({"start": "yesterday", "end": "2026-01-10T12:00:00Z"}, "INVALID_PARAMETER_VALUE"),
        ({"start": "2026-01-10T12:00:00Z", "end": "2026-01-09T12:00:00Z"},
         "INVALID_REPLICATION_DATE"),
        ({"start": "2025-11-01T12:00:00Z", "end": "2026-01-09T12:00:00Z"},
         "INVALID_REPLICATION_DATE"),
    ]
    for params, code in cases:
        assert error_of(api.get("sobjects/Task/updated/", **params))["errorCode"] == code
        assert error_of(api.get("sobjects/Task/deleted/", **params))["errorCode"] == code


# --- composite/sobjects ---------------------------------------------------------------------

def test_composite_create_update_read_delete(api):
    records = [{"attributes": {"type": "Task"}, "Subject": f"Task {n}", "WhoId": LENA}
               for n in range(3)] + [{"attributes": {"type": "Account"}, "Name": "Batch Co"}]
    results = api.post("composite/sobjects", json={"allOrNone": True, "records": records}).json
    assert [r["success"] for r in results] == [True] * 4
    ids = [r["id"] for r in results]
    assert ids[0].startswith("00T") and ids[3].startswith("001")
    changes = [{"attributes": {"type": "Task"}, "id": ids[0], "Status": "Completed"},
               {"attributes": {"type": "Task"}, "Id": ids[1], "Priority": "High"}]
    assert [r["success"] for r in api.patch("composite/sobjects",
                                            json={"records": changes}).json] == [True, True]
    got = api.get("composite/sobjects/Task", ids=",".join(ids[:3]) + "," + IDS.make("Task", 77),
                  fields="Id,Status,Priority").json
    assert [g["Status"] for g in got[:3]] == ["Completed", "Not Started", "Not Started"]
    assert got[1]["Priority"] == "High" and got[3] is None
    deleted = api.delete("composite/sobjects", ids=",".join(ids[:2]), allOrNone="false").json
    assert deleted == [{"id": ids[0], "success": True, "errors": []},
                       {"id": ids[1], "success": True, "errors": []}]


def test_composite_all_or_none_writes_nothing_when_one_fails(api):
    records = [{"attributes": {"type": "Account"}, "Name": "Fine"},
               {"attributes": {"type": "Account"}},
               {"attributes": {"type": "Account"}, "Name": "Also fine"}]
    results = api.post("composite/sobjects", json={"allOrNone": True, "records": records}).json
    rolled = {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
              "message": "Record rolled back because not all records were valid and the "
                         "request was using AllOrNone header", "fields": []}
    assert results[0] == {"success": False, "errors": [rolled]}
    assert results[1] == {"success": False, "errors": [
        {"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Name]",
         "fields": ["Name"]}]}
    assert results[2] == results[0]
    assert count(api, "SELECT COUNT() FROM Account") == 1
    partial = api.post("composite/sobjects", json={"allOrNone": False, "records": records}).json
    assert [r["success"] for r in partial] == [True, False, True]
    assert count(api, "SELECT COUNT() FROM Account") == 3


def test_composite_refusals(api):
    many = [{"attributes": {"type": "Account"}, "Name": str(n)} for n in range(201)]
    error = error_of(api.post("composite/sobjects", json={"records": many}))
    assert error["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert count(api, "SELECT COUNT() FROM Account") == 1
    results = api.post("composite/sobjects", json={"records": [
        {"Name": "no type"}, {"attributes": {"type": "Widget"}, "Name": "x"}]}).json
    assert [r["errors"][0]["statusCode"] for r in results] == ["INVALID_TYPE", "INVALID_TYPE"]
    results = api.patch("composite/sobjects", json={"records": [
        {"attributes": {"type": "Lead"}, "Title": "no id"}]}).json
    assert results[0]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert error_of(api.get("composite/sobjects/Lead", ids=LENA))["errorCode"] == \
        "MISSING_ARGUMENT"
    assert error_of(api.delete("composite/sobjects"))["errorCode"] == "MISSING_ARGUMENT"
    assert error_of(api.post("composite/sobjects", json={"allOrNone": True}))["errorCode"] == \
        "JSON_PARSER_ERROR"


# --- paths, versions, headers, limits, faults ---------------------------------------------------

def test_trailing_slashes_both_ways_and_any_version_from_50(api):
    for path in (f"/services/data/v59.0/sobjects/Lead/{LENA}",
                 f"/services/data/v59.0/sobjects/Lead/{LENA}/",
                 "/services/data/v50.0/sobjects/Lead/describe",
                 "/services/data/v65.0/sobjects/Lead/describe/",
                 "/services/data/v62.0/limits", "/services/data/v62.0/limits/"):
        assert api.client.get(path, headers=api.headers).status_code == 200, path
    for path in ("/services/data/v49.0/limits", "/services/data/v59/limits",
                 "/services/data/vX/limits"):
        assert error_of(api.client.get(path, headers=api.headers), 404)["errorCode"] == \
            "NOT_FOUND"


def test_wrong_method_and_unknown_path(api):
    error = error_of(api.client.put(f"/services/data/v59.0/sobjects/Lead/{LENA}",
                                    headers=api.headers), 405)
    assert error["errorCode"] == "METHOD_NOT_ALLOWED" and "PUT" in error["message"]
    assert error_of(api.client.get("/services/data/v59.0/nowhere", headers=api.headers),
                    404)["errorCode"] == "NOT_FOUND"


def test_every_answer_reports_api_usage(api):
    responses = [api.get(f"sobjects/Lead/{LENA}"), api.get("sobjects/Lead/junk"),
                 api.post("sobjects/Lead", json={}), api.client.get("/services/data/")]
    usages = [r.headers["Sforce-Limit-Info"] for r in responses]
    assert usages == ["api-usage=1/100000", "api-usage=2/100000", "api-usage=3/100000",
                      "api-usage=3/100000"]


def test_daily_limit_gives_request_limit_exceeded(api):
    api.admin("patch", "limits", json={"daily": 2})
    assert api.get(f"sobjects/Lead/{LENA}").status_code == 200
    assert api.get(f"sobjects/Lead/{LENA}").status_code == 200
    response = api.get(f"sobjects/Lead/{LENA}")
    assert error_of(response, 403) == {"message": "TotalRequests Limit exceeded.",
                                       "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    assert response.headers["Sforce-Limit-Info"] == "api-usage=2/2"
    assert error_of(api.post("sobjects/Lead", json={"LastName": "A", "Company": "B"}),
                    403)["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert count_after_reset(api) == 4


def count_after_reset(api) -> int:
    api.admin("patch", "limits", json={"daily": None})
    return count(api, "SELECT COUNT() FROM Lead")


def test_faults_answer_in_salesforce_format(api):
    api.admin("post", "faults", json={"path": "/services/data/*/sobjects/Lead/*",
                                      "error": "UNABLE_TO_LOCK_ROW",
                                      "message": "unable to obtain exclusive access", "times": 1})
    error = error_of(api.patch(f"sobjects/Lead/{LENA}", json={"Title": "x"}))
    assert error == {"message": "unable to obtain exclusive access",
                     "errorCode": "UNABLE_TO_LOCK_ROW"}
    api.admin("post", "faults", json={"path": "/services/data/*", "status": 503, "times": 1})
    assert error_of(api.get("limits"), 503)["errorCode"] == "SERVER_UNAVAILABLE"
    assert api.patch(f"sobjects/Lead/{LENA}", json={"Title": "x"}).status_code == 204
    journal = api.admin("get", "journal?path=/services/data/*").json["entries"]
    assert [e["status"] for e in journal[-3:]] == [400, 503, 204]


def test_composite_upsert_by_external_id(api):
    records = [{"attributes": {"type": "Task"}, "External_Id__c": f"sia-task-{n}",
                "Subject": f"Reminder {n}", "WhoId": LENA} for n in range(3)]
    first = api.patch("composite/sobjects/Task/External_Id__c",
                      json={"allOrNone": True, "records": records}).json
    assert [(r["success"], r["created"]) for r in first] == [(True, True)] * 3
    records[1]["Status"] = "Completed"
    records.append({"attributes": {"type": "Task"}, "Subject": "no key"})
    second = api.patch("composite/sobjects/Task/External_Id__c",
                       json={"allOrNone": False, "records": records}).json
    assert [r.get("created") for r in second] == [False, False, False, None]
    assert second[1]["id"] == first[1]["id"]
    assert second[3]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert api.get(f"sobjects/Task/{first[1]['id']}").json["IsClosed"] is True
    error = error_of(api.patch("composite/sobjects/Task/Subject", json={"records": records}))
    assert error["errorCode"] == "INVALID_FIELD"


@pytest.mark.parametrize("fields", [
    {"CallDurationInSeconds": 1e400}, {"CallDurationInSeconds": 10 ** 30},
    {"CallDurationInSeconds": "NaN"}, {"CallDurationInSeconds": [1]},
])
def test_numbers_out_of_range_are_refused(api, fields):
    error = error_of(api.post("sobjects/Task", json={"Subject": "x", **fields}))
    assert error["errorCode"] in ("NUMBER_OUTSIDE_VALID_RANGE", "JSON_PARSER_ERROR")


def test_a_world_file_from_siasim_seed_gets_the_api_fields(sf, tmp_path):
    from fixtures.world import generate, write_world

    write_world(generate(seed=2, profile="tiny"), tmp_path / "world")
    app = sf.make_app(scenario=None, db=str(tmp_path / "world" / "salesforce.db"))
    api = sf.Api(app)
    lead = api.records("SELECT Id, CreatedById, LastModifiedById, HasOptedOutOfEmail, "
                       "CreatedBy.Username FROM Lead LIMIT 1")[0]
    assert lead["CreatedBy"]["Username"] == "admin@siasim.example"
    task = api.records("SELECT Id, IsHighPriority, IsReminderSet, Priority FROM Task LIMIT 1")[0]
    assert task["IsHighPriority"] is (task["Priority"] == "High")
    assert task["IsReminderSet"] is False
    assert new_lead(api)[:6] == lead["Id"][:6]  # same pod, numbered after the world's

"""Bad input, everywhere: every operation of the Lead Database API answers garbage (wrong
types, missing fields, unknown ids, oversize batches, bad dates, bad filter types) with
Marketo's envelope and one of the error codes Marketo documents (never 611, the mock's
answer to its own failure, never a traceback), and a call refused as a whole writes
nothing. Then each kind of mistake route by route, with the code Marketo gives, and the
particular cases a skeptical review found."""

from __future__ import annotations

import hashlib
import io
import re

import pytest

from mocks.marketo.coverage import operations

# path parameters that name things the tiny world has (or that the fixture makes)
EXISTING = {"leadId": "1", "listId": "1", "campaignId": "2003", "programId": "1002",
            "apiName": "car", "customObjectName": "car", "fieldApiName": "email",
            "exportId": "00000000-0000-0000-0000-000000000000", "batchId": "1", "id": "1"}
# well-formed path parameters that name nothing
UNKNOWN = {"leadId": "999999", "listId": "999999", "campaignId": "999999",
           "programId": "999999", "apiName": "nosuch", "customObjectName": "nosuch",
           "fieldApiName": "nosuch", "exportId": "11111111-2222-3333-4444-555555555555",
           "batchId": "999999", "id": "999999"}
# where Marketo answers an unknown id with an empty result rather than an error
EMPTY_FOR_UNKNOWN = {("GET", "/rest/v1/lead/{leadId}.json")}
GARBAGE = [
    # not JSON, JSON of the wrong shape
    {"data": "{not json", "content_type": "application/json"},
    {"json": [1, 2]},
    # wrong types
    {"json": {"input": "x", "filter": "x", "fields": "x", "action": 5, "attributes": 7}},
    {"json": {"input": [None, 1, [], {"id": {"a": 1}, "leadId": [1], "email": 5}]}},
    # an oversize batch, with more wrong types beside it
    {"json": {"input": [{"id": 1}] * 301, "batchSize": "abc", "filterType": ["id"],
              "nextPageToken": 7, "statusName": [1], "status": {"a": 1}}},
    {"data": {"id": ",".join(["1"] * 300_000), "_method": "GET"},
     "content_type": "application/x-www-form-urlencoded"},
    # bad dates and bad filters, in every place a body carries them
    {"json": {"filter": {"createdAt": {"startAt": "noon", "endAt": "2026-13-45"},
                         "updatedAt": {"startAt": 5, "endAt": [1]},
                         "activityTypeIds": ["x"], "programIds": "x", "staticListId": [1],
                         "leadIds": [{}], "smartListId": "x"},
              "fields": ["id"], "input": {"runAt": "noon", "tokens": "x"}, "runAt": "noon",
              "activityDate": "soon", "filterType": "nope", "filterValues": [{}],
              "format": "XLS"}},
    # missing fields
    {"json": {}},
]
# the query-string forms of the same mistakes
BAD_QUERIES = [
    "batchSize=-1&nextPageToken=%00&fields=nope&filterType=nope&filterValues=1&leadIds=x"
    "&sinceDatetime=x",
    "batchSize=1.5&nextPageToken=abc&filterType=id&filterValues=x,&earliestUpdatedAt=noon"
    "&latestUpdatedAt=2026-13-45&activityTypeIds=x&listId=x&programId=x&id=x&name="
    "&maxReturn=0&offset=-1",
]
# the response-level codes Marketo documents ("Error Codes" in Marketo's developer docs)
DOCUMENTED = ({"413", "414", "502"} | {str(c) for c in range(601, 617)}
              | {str(c) for c in range(701, 720)} | {str(c) for c in range(1001, 1050)}
              | {"1076", "1077", "1078", "1079"})


def _fingerprint(store) -> str:
    digest = hashlib.sha1()
    conn = store.db.conn
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                 "ORDER BY name"):
        if table in ("export_jobs", "import_batches"):
            continue  # kept by design for every job or batch asked, refused ones included
        digest.update(repr(conn.execute(f'SELECT * FROM "{table}"').fetchall()).encode())
    return digest.hexdigest()


def _make_car(api) -> None:
    api.ok("post", "/rest/v1/customobjects/schema.json", json={
        "apiName": "car", "displayName": "Car", "pluralName": "Cars"})
    api.ok("post", "/rest/v1/customobjects/schema/car/addField.json", json={"input": [
        {"name": "vin", "displayName": "VIN", "dataType": "string", "isDedupeField": True}]})
    api.ok("post", "/rest/v1/customobjects/schema/car/approve.json")


def _documented(error, where) -> None:
    """One error object as Marketo writes it: a documented code, and a message that says
    what was wrong (never a traceback, never a path of the server's)."""
    assert isinstance(error["code"], str) and error["code"] in DOCUMENTED, (where, error)
    assert error["code"] != "611", (where, error)  # the mock's answer to its own failure
    message = error["message"]
    assert isinstance(message, str) and message.strip(), (where, error)
    assert "Traceback" not in message and "File \"" not in message, (where, error)


def _skipped_records(result) -> list[dict] | None:
    """The records of a per-record answer, when every one of them was refused."""
    if not isinstance(result, list) or not result:
        return None
    if not all(isinstance(r, dict) and r.get("status") == "skipped" for r in result):
        return None
    return result


def _check(api, store, method: str, url: str, body: dict, *, must_fail: bool = False) -> None:
    changes, before = store.db.conn.total_changes, _fingerprint(store)
    answer = getattr(api, method.lower())(url, **body)
    where = f"{method} {url[:90]} {str(body)[:60]}"
    assert answer.status_code in (200, 413), where
    if answer.mimetype != "application/json":
        assert url.split("?")[0].endswith(("file.json", "failures.json", "warnings.json")
                                          ), where
        assert not must_fail, where
        return
    envelope = answer.json
    assert isinstance(envelope["success"], bool) and envelope["requestId"], where
    if envelope["success"]:
        assert not must_fail, (where, envelope)
        refused = _skipped_records(envelope.get("result"))
        for record in envelope.get("result") or []:
            if isinstance(record, dict) and record.get("status") == "skipped":
                for error in record.get("reasons") or record.get("errors") or []:
                    _documented(error, where)
        if refused is None:
            return  # some of it was taken: a write is allowed
    else:
        _documented(envelope["errors"][0], where)
    if store.db.conn.total_changes != changes:
        assert _fingerprint(store) == before, (where, envelope)


def _calls(op, values: dict) -> tuple[str, str]:
    return op.method, re.sub(r"\{([^}]+)\}", lambda m: values[m[1]], op.path)


def _with_method_get(op, method: str, url: str, body: dict) -> str:
    if method == "POST" and op.method == "GET" and "data" not in body:
        url += ("&" if "?" in url else "?") + "_method=GET"
    return url


def test_every_operation_answers_garbage_with_an_envelope(api, app):
    _make_car(api)
    store = app.extensions["siasim"].store
    checked = 0
    for op in operations():
        if op.left_out:
            continue
        _, path = _calls(op, EXISTING)
        huge = re.sub(r"\{([^}]+)\}", lambda m: "9" * 30 if m[1] in (
            "leadId", "listId", "campaignId", "programId", "batchId") else EXISTING[m[1]],
            op.path)
        calls = [("POST" if op.method == "GET" else op.method, path, body) for body in GARBAGE]
        calls.append((op.method, huge, {"json": {}}))
        calls += [(op.method, f"{path}?{query}", {}) for query in BAD_QUERIES]
        for method, url, body in calls:
            _check(api, store, method, _with_method_get(op, method, url, body), body)
            checked += 1
    assert checked > 1500


def test_every_operation_on_an_unknown_id_is_refused_and_writes_nothing(api, app):
    _make_car(api)
    store = app.extensions["siasim"].store
    checked = 0
    for op in operations():
        if op.left_out or "{" not in op.path:
            continue
        method, url = _calls(op, UNKNOWN)
        # an empty body, and one a careless client might send for any route
        for body in ({"json": {}}, {"json": {
                "input": [{"id": 1, "leadId": 1, "name": "x"}], "status": "Member",
                "statusName": "Member", "leadId": [1], "cookie": "id:123-ABC-456&token:x",
                "attributes": [{"apiName": "x", "name": "X", "dataType": "string"}],
                "fields": ["leadId"], "filter": {"leadIds": [1]}}}):
            if method == "GET":
                body = {}
            must_fail = (op.method, op.path) not in EMPTY_FOR_UNKNOWN
            _check(api, store, method, url, body, must_fail=must_fail)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("path", [
    "/rest/v1/campaigns/{}.json", "/rest/v1/lists/{}.json", "/rest/v1/lists/{}/leads.json",
    "/rest/v1/leads/{}/listMembership.json", "/rest/v1/lead/{}.json",
    "/rest/v1/programs/{}/members.json?filterType=leadId&filterValues=1",
    "/bulk/v1/leads/batch/{}.json", "/bulk/v1/program/members/import/{}/status.json",
    "/bulk/v1/customobjects/car/import/{}/failures.json"])
def test_an_id_no_store_could_hold_is_a_resource_not_found(api, path):
    # ids are 64-bit in SQLite: a 30-digit one names nothing, and says so (not 611)
    assert api.error("get", path.format("9" * 30))["code"] == "610"
    assert api.error("get", path.format(2**63))["code"] == "610"


@pytest.mark.parametrize("body, code", [
    ({"batchSize": "abc"}, "1001"), ({"batchSize": -5}, "1003"), ({"batchSize": True}, "1001"),
    ({"nextPageToken": 7}, "1003"), ({"fields": [1, {}]}, "1003"),
    ({"filterType": ["idField"]}, "1003")])
def test_a_query_in_a_json_body_checks_each_member(api, body, code):
    api.ok("post", "/rest/v1/companies.json", json={"input": [{"externalCompanyId": "C1"}]})
    query = {"filterType": "dedupeFields", "input": [{"externalCompanyId": "C1"}], **body}
    assert api.error("post", "/rest/v1/companies.json?_method=GET", json=query)["code"] == code
    fine = api.ok("post", "/rest/v1/companies.json?_method=GET", json={
        "filterType": "dedupeFields", "batchSize": 1,
        "input": [{"externalCompanyId": "C1"}]})["result"]
    assert [r["externalCompanyId"] for r in fine] == ["C1"]


@pytest.mark.parametrize("path, key, value", [
    ("/rest/v1/lists.json", "id", 1), ("/rest/v1/lists.json", "name", "Trade Show Leads"),
    ("/rest/v1/campaigns.json", "id", 2003),
    ("/rest/v1/campaigns.json", "programName", "Q4 Product Webinar")])
def test_a_list_of_values_of_any_length_is_read(api, path, key, value):
    # 300,000 values in a form body of 600 KB: more than SQLite binds in one statement
    values = ",".join([str(value), *["0"] * 299_999])
    found = api.ok("post", path, data={"_method": "GET", key: values})
    assert found["result"] and all(r[key] == value for r in found["result"])


def test_custom_activity_type_attributes_must_be_objects_with_an_api_name(api):
    types = "/rest/v1/activities/external/type"
    api.ok("post", f"{types}.json", json={
        "apiName": "pod", "name": "Pod", "triggerName": "Listens", "filterName": "Listened",
        "primaryAttribute": {"apiName": "episode", "name": "Episode", "dataType": "string"}})
    api.ok("post", f"{types}/pod/attributes/create.json", json={"attributes": [
        {"apiName": "minutes", "name": "Minutes", "dataType": "integer"}]})
    before = api.ok("get", f"{types}/pod/describe.json")["result"]
    for how in ("update", "delete"):
        for attributes in ([None], [5], ["minutes"], [{"apiName": ["minutes"]}],
                           [{"apiName": {"a": 1}}]):
            refused = api.error("post", f"{types}/pod/attributes/{how}.json",
                                json={"attributes": attributes})
            assert refused["code"] == "1003", (how, attributes)
    assert api.ok("get", f"{types}/pod/describe.json")["result"] == before


def test_a_custom_object_field_to_delete_is_named_by_a_string(api):
    _make_car(api)
    schema = "/rest/v1/customobjects/schema/car"
    before = api.ok("get", f"{schema}/describe.json")["result"]
    for name in (["vin"], {"a": 1}, 5):
        assert api.error("post", f"{schema}/deleteField.json",
                         json={"input": [{"name": name}]})["code"] == "1006"
    assert api.ok("get", f"{schema}/describe.json")["result"] == before


def test_a_form_fill_needs_a_program_id_that_is_a_number(api):
    for program_id in ([1004], {"id": 1004}, "Content Syndication", 10**30):
        refused = api.error("post", "/rest/v1/leads/submitForm.json", json={
            "formId": 7, "programId": program_id,
            "input": [{"leadFormFields": {"email": "form@example.com"}}]})
        assert refused["code"] == "1003", program_id
    found = api.ok("get", "/rest/v1/leads.json?filterType=email"
                   "&filterValues=form@example.com")
    assert "result" not in found or found["result"] == []


def test_a_lead_export_by_static_list_names_it_by_a_number_or_a_name(api):
    create = "/bulk/v1/leads/export/create.json"
    for value in ([1], {"id": 1}, 10**30, 1.5, True):
        assert api.error("post", create, json={"fields": ["id"], "filter": {
            "staticListId": value}})["code"] == "1003", value
    assert api.error("post", create, json={"fields": ["id"], "filter": {
        "staticListName": ["Trade Show Leads"]}})["code"] == "1003"
    for value in (1, "1"):
        job = api.ok("post", create, json={"fields": ["id"], "filter": {
            "staticListId": value}})["result"][0]
        assert job["status"] == "Created"


# --- each kind of mistake, route by route, with the code Marketo gives ---------------------

START, END = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"


def _csv(text: str) -> dict:
    return {"data": {"file": (io.BytesIO(text.encode()), "rows.csv")},
            "content_type": "multipart/form-data"}


CASES = {
    "wrong types": [
        ("post", "/rest/v1/lists/1/leads.json", {"json": {"input": [{"id": "abc"}]}}, "1001"),
        ("delete", "/rest/v1/lists/1/leads.json", {"json": {"input": [{"id": [1]}]}}, "1001"),
        ("get", "/rest/v1/lists/1/leads/ismember.json?id=abc", {}, "1001"),
        ("post", "/rest/v1/campaigns/2003/schedule.json", {"json": {"input": {"tokens": "x"}}},
         "1003"),
        ("post", "/rest/v1/campaigns/2003/schedule.json", {"json": {"input": "x"}}, "1003"),
        ("get", "/rest/v1/programs/1002/members.json?filterType=leadId&filterValues=abc", {},
         "1001"),
        ("get", "/rest/asset/v1/programs.json?maxReturn=abc", {}, "1001"),
        ("get", "/rest/v1/leads/1/programMembership.json?filterType=programId&filterValues=x",
         {}, "1001"),
        ("post", "/rest/v1/leads/1/merge.json?leadId=abc", {}, "1001"),
        ("post", "/rest/v1/companies.json", {"json": {
            "action": "nope", "input": [{"externalCompanyId": "C9"}]}}, "1003"),
        ("post", "/rest/v1/companies.json", {"json": {
            "dedupeBy": "nope", "input": [{"externalCompanyId": "C9"}]}}, "1003"),
        ("post", "/rest/v1/activities/external/type.json", {"json": {
            "apiName": "pod", "name": "P", "triggerName": "T", "filterName": "F",
            "primaryAttribute": {"apiName": "e", "name": "E", "dataType": "blob"}}}, "1003"),
        ("post", "/rest/v1/customobjects/schema/car/addField.json", {"json": {"input": [
            {"name": "x", "displayName": "X", "dataType": "blob"}]}}, "1003"),
        ("post", "/bulk/v1/program/members/export/create.json", {"json": {
            "fields": ["leadId"], "filter": {"programIds": ["x"]}}}, "1003"),
        ("post", "/bulk/v1/leads.json?format=XLS", _csv("email\na@b.c\n"), "1003"),
        ("post", "/bulk/v1/leads.json?format=csv&listId=abc", _csv("email\na@b.c\n"), "1001"),
        ("post", "/bulk/v1/leads.json?format=csv", _csv(""), "1003"),
        ("get", "/rest/v1/leads/schema/fields.json?batchSize=x", {}, "1001"),
    ],
    "missing fields": [
        ("post", "/rest/v1/lists/1/leads.json", {"json": {}}, "1003"),
        ("get", "/rest/v1/lists/1/leads/ismember.json", {}, "701"),
        ("post", "/rest/v1/campaigns/2003/trigger.json", {"json": {"input": {}}}, "701"),
        ("post", "/rest/v1/programs/1002/members/status.json", {"json": {
            "input": [{"leadId": 1}]}}, "701"),
        ("get", "/rest/v1/programs/1002/members.json?filterType=leadId", {}, "701"),
        ("get", "/rest/v1/opportunities.json?filterType=externalOpportunityId", {}, "701"),
        ("post", "/rest/v1/leads/1/associate.json?cookie=", {}, "701"),
        ("post", "/rest/v1/leads/push.json", {"json": {"input": [{"email": "a@b.c"}]}},
         "701"),
        ("post", "/rest/v1/leads/submitForm.json", {"json": {
            "input": [{"leadFormFields": {"email": "a@b.c"}}]}}, "701"),
        ("post", "/rest/v1/activities/external/type.json", {"json": {"apiName": "x"}}, "701"),
        ("post", "/rest/v1/namedAccountLists.json", {"json": {"input": [{"name": "x"}]}},
         "701"),
        ("post", "/bulk/v1/activities/export/create.json", {"json": {"filter": {}}}, "701"),
        ("post", "/bulk/v1/program/members/export/create.json", {"json": {
            "fields": ["leadId"]}}, "701"),
    ],
    "unknown ids": [
        ("post", "/rest/v1/campaigns/999999/trigger.json", {"json": {
            "input": {"leads": [{"id": 1}]}}}, "1013"),
        ("post", "/rest/v1/programs/999999/members/status.json", {"json": {
            "statusName": "Member", "input": [{"leadId": 1}]}}, "1013"),
        ("post", "/rest/v1/leads/1/merge.json?leadId=999999", {}, "1004"),
        ("post", "/rest/v1/leads/push.json", {"json": {
            "programName": "Nope", "input": [{"email": "a@b.c"}]}}, "1013"),
        ("get", "/rest/v1/lists/999999/leads.json", {}, "1013"),
        ("get", "/rest/v1/leads/999999/listMembership.json", {}, "1004"),
        ("post", "/bulk/v1/program/members/export/create.json", {"json": {
            "fields": ["leadId"], "filter": {"programIds": [999999]}}}, "1013"),
        ("get", "/bulk/v1/customobjects/nosuch/export.json", {}, "1013"),
        ("get", "/bulk/v1/leads/batch/999999.json", {}, "1013"),
        ("get", "/rest/v1/opportunities/schema/fields/nosuch.json", {}, "1006"),
        ("post", "/rest/v1/activities/external/type/nosuch/approve.json", {}, "1013"),
        ("post", "/bulk/v1/program/1002/members/import.json?format=csv"
         "&programMemberStatus=Nope", _csv("email\na@b.c\n"), "1003"),
        ("post", "/bulk/v1/leads.json?format=csv", _csv("nosuchfield\nx\n"), "1006"),
    ],
    "oversize batches": [
        ("post", "/rest/v1/lists/1/leads.json", {"json": {
            "input": [{"id": i} for i in range(1, 302)]}}, "1003"),
        ("post", "/rest/v1/campaigns/2003/trigger.json", {"json": {
            "input": {"leads": [{"id": i} for i in range(1, 102)]}}}, "1003"),
        ("post", "/rest/v1/programs/1002/members/status.json", {"json": {
            "statusName": "Attended", "input": [{"leadId": 1}] * 301}}, "1003"),
        ("post", "/rest/v1/activities/external.json", {"json": {
            "input": [{"leadId": 1}] * 301}}, "1003"),
        ("post", "/rest/v1/companies.json", {"json": {
            "input": [{"externalCompanyId": "C9"}] * 301}}, "1003"),
        ("post", "/rest/v1/leads/partitions.json", {"json": {"input": [{"id": 1}] * 301}},
         "1003"),
        ("get", "/rest/v1/opportunities.json?filterType=externalOpportunityId&filterValues="
         + ",".join(["x"] * 301), {}, "1003"),
        ("post", "/rest/v1/leads/1/merge.json?leadIds=2,3,4,5", {}, "1003"),
    ],
    "bad dates": [
        ("get", "/rest/v1/activities/pagingtoken.json?sinceDatetime=yesterday", {}, "1001"),
        ("get", "/rest/v1/activities/pagingtoken.json?sinceDatetime=2026-13-45", {}, "1001"),
        ("get", "/rest/asset/v1/programs.json?earliestUpdatedAt=noon"
         "&latestUpdatedAt=2026-01-01", {}, "1001"),
        ("get", "/rest/v1/leads/1/programMembership.json?earliestUpdatedAt=noon", {}, "1001"),
        ("post", "/rest/v1/campaigns/2003/schedule.json", {"json": {"input": {"runAt": "noon"}}},
         "1003"),
        ("post", "/rest/v1/campaigns/2003/schedule.json", {"json": {"input": {"runAt": 5}}},
         "1003"),
        ("post", "/bulk/v1/activities/export/create.json", {"json": {"filter": {
            "createdAt": {"startAt": "noon", "endAt": END}}}}, "1003"),
        ("post", "/bulk/v1/activities/export/create.json", {"json": {"filter": {
            "createdAt": {"startAt": 5, "endAt": [1]}}}}, "1003"),
        ("post", "/bulk/v1/activities/export/create.json", {"json": {"filter": {
            "createdAt": "x"}}}, "1003"),
        ("post", "/bulk/v1/activities/export/create.json", {"json": {"filter": {
            "createdAt": {"startAt": END, "endAt": START}}}}, "1003"),
        ("post", "/bulk/v1/activities/export/create.json", {"json": {"filter": {
            "createdAt": {"startAt": START, "endAt": "2026-03-01T00:00:00Z"}}}}, "1003"),
        ("post", "/bulk/v1/program/members/export/create.json", {"json": {
            "fields": ["leadId"], "filter": {"programId": 1002, "updatedAt": {
                "startAt": "2026-13-01", "endAt": "x"}}}}, "1003"),
        ("post", "/bulk/v1/customobjects/car/export/create.json", {"json": {
            "fields": ["vin"], "filter": {"updatedAt": {"startAt": "x", "endAt": "y"}}}},
         "1003"),
    ],
    "bad filter types": [
        ("get", "/rest/v1/programs/1002/members.json?filterType=nope&filterValues=1", {},
         "1003"),
        ("get", "/rest/v1/companies.json?filterType=nope&filterValues=1", {}, "1003"),
        ("get", "/rest/v1/opportunities.json?filterType=nope&filterValues=1", {}, "1003"),
        ("get", "/rest/v1/customobjects/car.json?filterType=nope&filterValues=1", {}, "1003"),
        ("post", "/rest/v1/companies.json?_method=GET", {"json": {
            "filterType": ["idField"], "input": [{"externalCompanyId": "C1"}]}}, "1003"),
        ("post", "/bulk/v1/activities/export/create.json", {"json": {"filter": {
            "createdAt": {"startAt": START, "endAt": END}, "bogus": 1}}}, "1035"),
        ("post", "/bulk/v1/activities/export/create.json", {"json": {"filter": {
            "createdAt": {"startAt": START, "endAt": END}, "activityTypeIds": ["x"]}}}, "1003"),
        ("post", "/bulk/v1/activities/export/create.json", {"json": {"fields": ["nope"],
            "filter": {"createdAt": {"startAt": START, "endAt": END}}}}, "1003"),
        ("post", "/bulk/v1/leads.json?format=csv&lookupField=nope", _csv("email\na@b.c\n"),
         "1003"),
    ],
}


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_of_mistake_gets_marketos_code_and_writes_nothing(api, app, kind):
    _make_car(api)
    api.ok("post", "/rest/v1/companies.json", json={"input": [{"externalCompanyId": "C1"}]})
    store = app.extensions["siasim"].store
    for method, path, body, code in CASES[kind]:
        where = f"{kind}: {method.upper()} {path[:100]} {str(body)[:80]}"
        for part in body.get("data", {}).values():
            part[0].seek(0)  # a file part is read anew on every run
        before = _fingerprint(store)
        error = api.error(method, path, **body)
        assert error["code"] == code, (where, error)
        _documented(error, where)
        assert _fingerprint(store) == before, where

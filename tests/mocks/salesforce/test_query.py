"""SOQL over REST: results, paging with nextRecordsUrl, batch sizes, queryAll, cursors."""

from __future__ import annotations

import re

import pytest

from fixtures.sfid import IdFactory

IDS = IdFactory("5cn")
LENA = IDS.make("Lead", 1)
STAMP = "2026-01-01T00:00:00.000+0000"


def add_tasks(app, n: int, deleted_every: int = 0) -> list[str]:
    """Write ``n`` Tasks straight into the store (fast set-up for paging)."""
    store = app.extensions["siasim"].store
    rows = []
    for i in range(1, n + 1):
        deleted = 1 if deleted_every and i % deleted_every == 0 else 0
        rows.append((IDS.make("Task", i), f"Task {i:05d}", LENA, IDS.make("User", 1),
                     "Not Started", "Normal", 0, 0, deleted, STAMP, STAMP, STAMP))
    with store.transaction() as db:
        db.conn.executemany(
            'INSERT INTO "Task" (Id, Subject, WhoId, OwnerId, Status, Priority, IsClosed, '
            "IsHighPriority, IsDeleted, CreatedDate, LastModifiedDate, SystemModstamp) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return [r[0] for r in rows]


def follow(api, first: dict, headers: dict | None = None) -> list[dict]:
    pages = [first]
    while not pages[-1]["done"]:
        url = pages[-1]["nextRecordsUrl"]
        response = api.client.get(url, headers={**api.headers, **(headers or {})})
        assert response.status_code == 200, response.json
        pages.append(response.json)
    return pages


def test_a_result_of_one_page(api):
    body = api.query("SELECT Id, Name FROM Lead ORDER BY Name").json
    assert body["totalSize"] == 4 and body["done"] is True and "nextRecordsUrl" not in body
    assert [r["Name"] for r in body["records"]] == ["Inés Núñez", "Lena Lead", "Quinn Queue",
                                                    "Sam Synced"]


def test_paging_by_2000_with_next_records_url(app, api):
    ids = add_tasks(app, 4500)
    first = api.query("SELECT Id, Subject FROM Task ORDER BY Subject").json
    assert first["totalSize"] == 4500 and first["done"] is False
    assert len(first["records"]) == 2000
    assert re.fullmatch(r"/services/data/v59\.0/query/01g\w{15}-2000", first["nextRecordsUrl"])
    pages = follow(api, first)
    assert [len(p["records"]) for p in pages] == [2000, 2000, 500]
    assert all(p["totalSize"] == 4500 for p in pages)
    assert pages[1]["nextRecordsUrl"].endswith("-4000") and "nextRecordsUrl" not in pages[2]
    got = [r["Id"] for p in pages for r in p["records"]]
    assert got == ids  # Subjects sort in the order the tasks were made
    assert pages[2]["records"][0]["attributes"]["url"].endswith(ids[4000])


def test_batch_size_header(app, api):
    add_tasks(app, 1100)
    for asked, size in (("batchSize=500", 500), ("batchSize=50", 200), ("batchSize=9000", 2000)):
        headers = {"Sforce-Query-Options": asked}
        first = api.query("SELECT Id FROM Task", headers=headers).json
        assert len(first["records"]) == min(size, 1100), asked
        pages = follow(api, first, headers)
        assert sum(len(p["records"]) for p in pages) == 1100


def test_limit_applies_across_pages(app, api):
    add_tasks(app, 3000)
    first = api.query("SELECT Id FROM Task ORDER BY Subject DESC LIMIT 2100").json
    pages = follow(api, first)
    assert first["totalSize"] == 2100
    assert [len(p["records"]) for p in pages] == [2000, 100]
    assert pages[-1]["records"][-1]["Id"] == IDS.make("Task", 901)


def test_query_all_pages_through_deleted_rows(app, api):
    add_tasks(app, 2400, deleted_every=4)
    assert api.query("SELECT COUNT() FROM Task").json["totalSize"] == 1800
    first = api.query("SELECT Id, IsDeleted FROM Task", all_rows=True).json
    assert first["totalSize"] == 2400 and "/queryAll/" in first["nextRecordsUrl"]
    records = [r for p in follow(api, first) for r in p["records"]]
    assert sum(r["IsDeleted"] for r in records) == 600


def test_pages_come_from_the_snapshot_taken_when_the_query_ran(app, api):
    ids = add_tasks(app, 2100)
    first = api.query("SELECT Id, Subject FROM Task ORDER BY Subject").json
    # changes after the query ran do not move rows between pages
    api.post("sobjects/Task", json={"Subject": "Task 00000 (new)"})
    api.patch(f"sobjects/Task/{ids[2050]}", json={"Subject": "Task 99999"})
    rest = api.client.get(first["nextRecordsUrl"], headers=api.headers).json
    assert [r["Id"] for r in rest["records"]] == ids[2000:]
    assert rest["records"][50]["Subject"] == "Task 99999"  # values are read when served


def test_bad_and_expired_locators(app, api):
    add_tasks(app, 2100)
    first = api.query("SELECT Id FROM Task").json
    url = first["nextRecordsUrl"]
    for bad in (url.replace("-2000", "-9999"), url.replace("-2000", "-x"),
                "/services/data/v59.0/query/01gNOPE-2000"):
        response = api.client.get(bad, headers=api.headers)
        assert response.status_code == 400
        assert response.json == [{"message": "invalid query locator",
                                  "errorCode": "INVALID_QUERY_LOCATOR"}]
    api.admin("post", "clock", json={"advance": 16 * 60})
    response = api.client.get(url, headers=api.headers)
    assert response.json[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_only_ten_cursors_stay_open(app, api):
    add_tasks(app, 2100)
    urls = [api.query("SELECT Id FROM Task").json["nextRecordsUrl"] for _ in range(11)]
    assert api.client.get(urls[0], headers=api.headers).status_code == 400
    assert api.client.get(urls[1], headers=api.headers).status_code == 200


def test_count_and_aggregate(api):
    assert api.query("SELECT COUNT() FROM Lead WHERE Owner.Type = 'User'").json == {
        "totalSize": 3, "done": True, "records": []}
    body = api.query("SELECT COUNT(Id) total FROM Contact").json
    assert body == {"totalSize": 1, "done": True,
                    "records": [{"attributes": {"type": "AggregateResult"}, "total": 1}]}


def test_group_by_over_rest(app, api):
    add_tasks(app, 30)
    body = api.query("SELECT Status, COUNT(Id) n FROM Task GROUP BY Status").json
    assert body == {"totalSize": 1, "done": True, "records": [
        {"attributes": {"type": "AggregateResult"}, "Status": "Not Started", "n": 30}]}


def test_an_aggregate_result_is_one_page_or_refused(app, api):
    add_tasks(app, 2001)  # 2,001 subjects: 2,001 groups
    response = api.query("SELECT Subject, COUNT(Id) FROM Task GROUP BY Subject")
    assert response.status_code == 400
    assert response.json == [{"errorCode": "EXCEEDED_ID_LIMIT", "message":
                              "Aggregate query does not support queryMore(), use LIMIT to "
                              "restrict the results to a single batch"}]
    body = api.query("SELECT Subject, COUNT(Id) FROM Task GROUP BY Subject LIMIT 2000",
                     headers={"Sforce-Query-Options": "batchSize=200"}).json
    assert body["totalSize"] == 2000 and body["done"] is True
    assert len(body["records"]) == 2000 and "nextRecordsUrl" not in body


def test_children_over_rest(app, api):
    add_tasks(app, 2100)  # all on Lena
    first = api.query("SELECT Id, (SELECT Subject FROM Tasks ORDER BY Subject DESC LIMIT 2) "
                      "FROM Lead ORDER BY Name").json
    lena = next(r for r in first["records"] if r["Id"] == LENA)
    assert lena["Tasks"]["totalSize"] == 2
    assert [t["Subject"] for t in lena["Tasks"]["records"]] == ["Task 02100", "Task 02099"]
    contacts = api.query("SELECT Id, (SELECT Id FROM Tasks) FROM Contact").json["records"]
    assert contacts[0]["Tasks"] is None
    body = api.query("SELECT Id, (SELECT Id FROM Tasks) FROM Lead", all_rows=True).json
    assert next(r for r in body["records"] if r["Id"] == LENA)["Tasks"]["totalSize"] == 2100


CHILD_URL = re.compile(r"^/services/data/v59\.0/(query|queryAll)/01g\w{15}-(\d+)$")


def test_a_child_list_past_its_page_has_its_own_next_records_url(app, api):
    add_tasks(app, 450)  # all on Lena
    q = f"SELECT Id, (SELECT Subject FROM Tasks ORDER BY Subject) FROM Lead WHERE Id = '{LENA}'"
    top = api.query(q).json
    assert (top["totalSize"], top["done"]) == (1, True) and "nextRecordsUrl" not in top
    tasks = top["records"][0]["Tasks"]
    assert list(tasks) == ["totalSize", "done", "nextRecordsUrl", "records"]
    assert (tasks["totalSize"], tasks["done"], len(tasks["records"])) == (450, False, 200)
    assert CHILD_URL.match(tasks["nextRecordsUrl"]).groups() == ("query", "200")
    pages = follow(api, tasks)
    assert [len(p["records"]) for p in pages] == [200, 250]
    assert {(p["totalSize"]) for p in pages} == {450} and "nextRecordsUrl" not in pages[-1]
    subjects = [t["Subject"] for p in pages for t in p["records"]]
    assert subjects == [f"Task {i:05d}" for i in range(1, 451)]
    assert pages[1]["records"][0]["attributes"]["type"] == "Task"
    # pages after the first come in the batch size asked for
    small = follow(api, api.query(q).json["records"][0]["Tasks"],
                   headers={"Sforce-Query-Options": "batchSize=200"})
    assert [len(p["records"]) for p in small] == [200, 200, 50]
    other = api.client.get(tasks["nextRecordsUrl"], headers={
        "Authorization": f"Bearer {api.login()}"})
    assert other.status_code == 200  # the same user, another session


def test_a_child_list_within_its_page_or_limit_is_done(app, api):
    add_tasks(app, 300, deleted_every=3)  # 200 live on Lena, 100 deleted
    q = f"SELECT Id, (SELECT Id FROM Tasks) FROM Lead WHERE Id = '{LENA}'"
    tasks = api.query(q).json["records"][0]["Tasks"]
    assert (tasks["totalSize"], tasks["done"], len(tasks["records"])) == (200, True, 200)
    assert "nextRecordsUrl" not in tasks
    everything = api.query(q, all_rows=True).json["records"][0]["Tasks"]
    assert (everything["totalSize"], everything["done"]) == (300, False)
    assert CHILD_URL.match(everything["nextRecordsUrl"]).group(1) == "queryAll"
    assert [len(p["records"]) for p in follow(api, everything)] == [200, 100]
    limited = api.query(f"SELECT Id, (SELECT Subject FROM Tasks ORDER BY Subject DESC "
                        f"LIMIT 230) FROM Lead WHERE Id = '{LENA}'", all_rows=True).json
    pages = follow(api, limited["records"][0]["Tasks"])
    assert pages[0]["totalSize"] == 230 and [len(p["records"]) for p in pages] == [200, 30]
    assert pages[1]["records"][-1]["Subject"] == "Task 00071"  # the 230th from the top


def test_grandchildren_past_their_page_are_paged_too(app, api):
    store = app.extensions["siasim"].store
    contact = api.records("SELECT Id, AccountId FROM Contact WHERE AccountId != null "
                          "LIMIT 1")[0]
    add_tasks(app, 210)
    with store.transaction() as db:
        db.conn.execute('UPDATE "Task" SET WhoId = ? WHERE WhoId = ?', [contact["Id"], LENA])
    top = api.query("SELECT Id, (SELECT Id, (SELECT Subject FROM Tasks) FROM Contacts) "
                    f"FROM Account WHERE Id = '{contact['AccountId']}'").json
    mine = next(c for c in top["records"][0]["Contacts"]["records"]
                if c["Id"] == contact["Id"])
    assert (mine["Tasks"]["totalSize"], mine["Tasks"]["done"]) == (210, False)
    assert [len(p["records"]) for p in follow(api, mine["Tasks"])] == [200, 10]


def test_semi_join_over_rest(api):
    body = api.query("SELECT Id FROM Lead WHERE OwnerId IN (SELECT Id FROM User WHERE "
                     "IsActive = false)").json
    assert body["totalSize"] == 1
    response = api.query("SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)")
    assert response.status_code == 400
    assert response.json[0]["errorCode"] == "MALFORMED_QUERY"
    assert response.json[0]["message"].endswith(
        "Entity 'Task' is not supported for semi join inner selects")


def test_query_refusals_are_json_lists(api):
    response = api.get("query/")
    assert response.status_code == 400 and response.json[0]["errorCode"] == "MALFORMED_QUERY"
    response = api.query("SELECT Id FROM Lead WHERE Email = 'x' AND Name = 'y' OR Name = 'z'")
    assert response.status_code == 400
    error = response.json[0]
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert error["message"].endswith("unexpected token: 'OR'")
    response = api.query("SELECT Id FROM Widget")
    assert response.json[0]["errorCode"] == "INVALID_TYPE"


@pytest.mark.parametrize("soql", [
    "SELECT Id, Email, Owner.Email, Owner.Type FROM Lead WHERE LastModifiedDate > "
    "2020-01-01T00:00:00Z ORDER BY LastModifiedDate, Id",
    "SELECT Id, Who.Name, What.Name, Owner.Name FROM Task WHERE IsClosed = false",
    "SELECT Id, Account.Name, Owner.Email FROM Contact WHERE HasOptedOutOfEmail = true",
    "SELECT Id, Name, Email, IsActive FROM User WHERE IsActive = true",
    "SELECT Id, Name, Type, Email FROM Group WHERE Type = 'Queue'",
    "SELECT Id FROM Opportunity WHERE IsClosed = false AND Account.Name != null",
])
def test_the_queries_the_syncs_will_send_run_on_a_world(tiny, soql):
    body = tiny.query(soql).json
    assert isinstance(body, dict), body
    assert body["totalSize"] == len(body["records"])
    assert body["totalSize"] > 0


def test_queries_too_long_or_too_complicated_are_refused(api):
    deep = "SELECT Id FROM Lead WHERE " + "(" * 150 + "Email = 'x'" + ")" * 150
    assert api.query(deep).json[0]["errorCode"] == "QUERY_TOO_COMPLICATED"
    long_query = "SELECT Id FROM Lead WHERE Email IN (" + ", ".join(
        f"'{n}@x.example'" for n in range(6000)) + ")"
    assert api.query(long_query).json[0]["errorCode"] == "MALFORMED_QUERY"
    many = " OR ".join(f"Email = '{n}'" for n in range(2500))
    response = api.query(f"SELECT Id FROM Lead WHERE {many}")
    assert response.status_code in (200, 400)  # SQLite's limit or not: never a crash

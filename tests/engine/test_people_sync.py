"""People from Marketo to SIA, against the real Marketo mock."""

from __future__ import annotations

import pytest

from engine.errors import ReadOnlyPeople, SyncNotInitiated
from features.contract import PERSON_FIELDS


def ids(engine) -> list[int]:
    return sorted(p["Marketo ID"] for p in engine.people())


def change(marketo, lead_id: int, source: str = "api", **fields) -> None:
    result = marketo.admin("POST", "/leads", json={
        "input": [{"id": lead_id, **fields}], "action": "updateOnly", "lookupField": "id",
        "source": source})["result"][0]
    assert result["status"] == "updated", result


def test_nothing_syncs_before_the_admin_starts(stack, sia):
    engine = sia(*stack())
    with pytest.raises(SyncNotInitiated):
        engine.sync_changes()
    assert engine.people() == []
    assert [f["field"] for f in engine.sync_fields()] == list(PERSON_FIELDS)


def test_initial_sync_copies_exactly_the_qualified_persons(stack, sia, qualified_ids):
    marketo, salesforce = stack(people=400)
    engine = sia(marketo, salesforce)
    result = engine.initiate_sync()
    assert ids(engine) == qualified_ids(marketo)
    assert result.added == len(qualified_ids(marketo))
    persons = {p["id"]: p for p in marketo.rows("leads")}
    for person in engine.people():
        marketo_person = persons[person["Marketo ID"]]
        assert person["Email"] == marketo_person["email"]
        assert person["Salesforce Lead ID"] == marketo_person.get("sfdcLeadId")
        assert person["LinkedIn URL"] == marketo_person.get("linkedInProfileURL")


def test_initial_sync_is_paced_under_marketos_real_limits(stack, sia, qualified_ids):
    marketo, salesforce = stack(people=200, limits=True)
    engine = sia(marketo, salesforce, paced=True)
    engine.initiate_sync()
    assert ids(engine) == qualified_ids(marketo)
    codes = [e["responseBody"] for e in marketo.journal(path="/rest/")]
    assert not any('"606"' in body for body in codes)


def test_incremental_sync_follows_the_change_feed(stack, sia):
    marketo, salesforce = stack(people=60)
    engine = sia(marketo, salesforce)
    engine.initiate_sync()
    first = engine.people()[0]
    marketo_id = first["Marketo ID"]
    change(marketo, marketo_id, "form", title="Chief Buyer", city="Lisbon")
    change(marketo, marketo_id, "flow", phone="+34 600 000 000")
    result = engine.sync_changes()
    person = engine.person(marketo_id)
    assert person["Title"] == "Chief Buyer" and person["Phone Number"] == "+34 600 000 000"
    assert "Lisbon" not in person.values()
    assert result.updated == 1  # two changes of one person, applied in one batch
    assert engine.sync_changes().updated == 0  # the cursor moved on


def test_a_change_to_an_unsynced_field_changes_nothing(stack, sia):
    marketo, salesforce = stack(people=30)
    engine = sia(marketo, salesforce)
    engine.initiate_sync()
    before = engine.people()
    change(marketo, before[0]["Marketo ID"], city="Porto", leadScore=99)
    result = engine.sync_changes()
    assert engine.people() == before and result.updated == 0


def test_owner_gained_and_lost(stack, sia, qualified_ids):
    marketo, salesforce = stack(scenario="owner-filter", profile=None)
    engine = sia(marketo, salesforce)
    engine.initiate_sync()
    users = {u["Email"]: u["Id"] for u in salesforce.rows("User")}
    quinn = next(p for p in marketo.rows("leads") if p["email"] == "quinn@queueco.example")
    assert quinn["id"] not in ids(engine)
    change(marketo, quinn["id"], "salesforce", sfdcLeadOwnerId=users["rita.rep@acme.example"])
    lena = next(p for p in marketo.rows("leads") if p["email"] == "lena@leadco.example")
    change(marketo, lena["id"], "salesforce", sfdcLeadOwnerId=None)
    result = engine.sync_changes()
    assert quinn["id"] in ids(engine) and lena["id"] not in ids(engine)
    assert result.added == 1 and result.removed == 1
    assert ids(engine) == qualified_ids(marketo)


def test_a_new_person_and_a_deleted_one(stack, sia, qualified_ids):
    marketo, salesforce = stack(people=40)
    engine = sia(marketo, salesforce)
    engine.initiate_sync()
    owner = next(p["sfdcLeadOwnerId"] for p in marketo.rows("leads") if p["sfdcLeadOwnerId"])
    created = marketo.admin("POST", "/leads", json={"source": "salesforce", "input": [{
        "email": "new.person@x.example", "firstName": "New", "lastName": "Person",
        "sfdcType": "Lead", "sfdcLeadId": "00Q5g00000000ZZZZZ", "sfdcLeadOwnerId": owner}],
        "action": "createDuplicate"})["result"][0]
    gone = ids(engine)[0]
    marketo.admin("DELETE", "/leads", json={"ids": [gone]})
    engine.sync_changes()
    assert created["id"] in ids(engine) and gone not in ids(engine)
    assert ids(engine) == qualified_ids(marketo)


def test_duplicates_are_kept(stack, sia):
    marketo, salesforce = stack(scenario="duplicates", profile=None)
    engine = sia(marketo, salesforce)
    engine.initiate_sync()
    emails = sorted((p["Email"] for p in engine.people()), key=str.lower)
    assert emails == ["dana.dupe@acme.example", "dana.dupe@acme.example",
                      "Dana.Dupe@ACME.example"]


def test_people_are_read_only(stack, sia):
    engine = sia(*stack(people=20))
    engine.initiate_sync()
    before = engine.people()
    with pytest.raises(ReadOnlyPeople, match="Marketo Engage or Salesforce"):
        engine.create_person({"Email": "x@y.example"})
    with pytest.raises(ReadOnlyPeople):
        engine.edit_person(before[0]["Marketo ID"], {"Title": "CEO"})
    assert engine.people() == before


def test_restart_of_an_interrupted_initial_sync_finishes_it(stack, sia, qualified_ids):
    marketo, salesforce = stack(people=300)
    engine = sia(marketo, salesforce)
    sync = engine.people_sync()
    sync._plan()
    windows = engine.db.query("SELECT * FROM export_windows ORDER BY start_at")
    # the first half of the windows done, as if the engine had stopped there
    marketo.admin("POST", "/faults", json={"path": "/bulk/v1/leads/export/*/file.json",
                                           "status": 503})
    with pytest.raises(Exception):  # noqa: B017 (any failure stops it half-way)
        sync.initiate()
    marketo.admin("DELETE", "/faults")
    assert engine.db.query("SELECT COUNT(*) AS n FROM export_windows WHERE status = 'done'")[0][
        "n"] < len(windows)
    engine.initiate_sync()
    assert ids(engine) == qualified_ids(marketo)


def _people_indexes(engine) -> set[str]:
    return {row["name"] for row in engine.db.query("PRAGMA index_list(people)")
            if row["origin"] == "c"}


def test_the_first_copy_is_indexed_once_it_is_done(stack, sia, qualified_ids):
    """Into an empty table the rows go in first and the indexes are built at the end; a
    sync that stops half-way leaves them built too."""
    marketo, salesforce = stack(people=300)
    engine = sia(marketo, salesforce)
    expected = _people_indexes(engine)
    assert expected == {"people_email", "people_lead", "people_contact"}
    marketo.admin("POST", "/faults", json={"path": "/bulk/v1/leads/export/*/file.json",
                                           "status": 400, "times": 1})
    with pytest.raises(Exception):  # noqa: B017 (a file that cannot be read stops it)
        engine.initiate_sync()
    assert _people_indexes(engine) == expected
    marketo.admin("DELETE", "/faults")
    engine.initiate_sync()
    assert _people_indexes(engine) == expected
    assert ids(engine) == qualified_ids(marketo)
    plan = engine.db.query("EXPLAIN QUERY PLAN SELECT * FROM people WHERE email = 'x'")
    assert "people_email" in str(plan)

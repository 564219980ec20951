from engine.fields import MARKETO_READ_FIELDS, SYNCED_FIELDS, qualifies, to_labels, to_row
from features.contract import PERSON_FIELDS


def test_exactly_the_13_fields_of_the_rule():
    assert [f.label for f in SYNCED_FIELDS] == list(PERSON_FIELDS)
    assert len({f.marketo for f in SYNCED_FIELDS}) == 13
    assert set(MARKETO_READ_FIELDS) == {f.marketo for f in SYNCED_FIELDS} | {
        "sfdcType", "sfdcLeadOwnerId"}


def test_owner_filter():
    lead = {"sfdcType": "Lead", "sfdcLeadId": "00Q5g0000000001EAA",
            "sfdcLeadOwnerId": "0055g0000000001AAA"}
    assert qualifies(lead)
    assert qualifies({**lead, "sfdcType": "Contact", "sfdcLeadId": None,
                      "sfdcContactId": "0035g0000000001AAA"})
    assert not qualifies({**lead, "sfdcLeadOwnerId": None})
    assert not qualifies({**lead, "sfdcLeadOwnerId": "00G5g0000000001AAA"})  # a queue
    assert not qualifies({**lead, "sfdcType": None})  # Marketo only
    assert not qualifies({**lead, "sfdcLeadId": None})


def test_row_and_labels_keep_only_the_13_fields():
    person = {"id": "7", "firstName": "Zoë", "lastName": "Ñúñez", "email": "z@x.example",
              "city": "Lisbon", "title": "", "sfdcLeadOwnerId": "0055g0000000001AAA"}
    row = to_row(person)
    assert row["marketo_id"] == 7 and row["first_name"] == "Zoë" and row["title"] is None
    labels = to_labels(row)
    assert list(labels) == list(PERSON_FIELDS)
    assert "Lisbon" not in labels.values()

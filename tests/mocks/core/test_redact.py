from mocks.core.clock import Clock
from mocks.core.journal import Journal
from mocks.core.redact import MASK, redact_body, redact_query


def test_json_form_and_xml_secrets_are_masked():
    assert redact_body('{"access_token":"abc","n":1}') == f'{{"access_token":"{MASK}","n":1}}'
    assert "hunter2" not in redact_body("grant_type=password&password=hunter2&user=ann")
    assert "user=ann" in redact_body("grant_type=password&password=hunter2&user=ann")
    assert "pw" not in redact_body("<n1:password>pw</n1:password>")
    assert redact_query("access_token=t0k&x=1") == f"access_token={MASK.replace('*', '%2A')}&x=1"


def test_a_secret_cut_in_half_by_the_journal_is_still_masked():
    journal = Journal(body_limit=40, redact=redact_body)
    body = '{"records": [1, 2], "access_token": "' + "s" * 100 + '"}'
    entry = journal.record(at=Clock().now(), method="POST", path="/t", query="",
                           request_headers={}, request_body="", status=200,
                           response_body=body, duration_ms=1.0)
    assert "sss" not in entry.responseBody and "more characters" in entry.responseBody


def test_salesforce_session_headers_are_masked_in_the_journal(client):
    client.get("/api/items", headers={"X-SFDC-Session": "00Dsecret!session",
                                      "Authorization": "Bearer 00Dother!token"})
    entry = client.get("/__admin__/journal").json["entries"][-1]
    assert entry["requestHeaders"]["X-SFDC-Session"] == MASK
    assert "secret" not in str(entry) and "00Dother" not in str(entry)

"""The real simple-salesforce client, unchanged, against the mock on a real server.

simple-salesforce always builds ``https://`` URLs and logs in at
``https://login.salesforce.com``; these tests hand it a ``requests.Session`` whose adapter
sends those URLs to the mock (``session_to``), and one test goes through ``--tls`` with
``REQUESTS_CA_BUNDLE``, as unmodified code would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from fixtures.sfid import IdFactory

IDS = IdFactory("5cn")
REP = IDS.make("User", 1)
ACME = IDS.make("Account", 1)
CARLA = IDS.make("Contact", 1)
LENA, SAM, INES, QUINN = (IDS.make("Lead", n) for n in (1, 2, 3, 4))
CREDENTIALS = {"username": "admin@siasim.example", "password": "siasim-password"}
APP = {"consumer_key": "siasim-salesforce-client",
       "consumer_secret": "siasim-salesforce-secret"}


def oauth_token(base_url: str) -> dict:
    """A session from the mock's OAuth endpoint, with plain requests."""
    return requests.post(base_url + "/services/oauth2/token", data={
        "grant_type": "password", "client_id": APP["consumer_key"],
        "client_secret": APP["consumer_secret"], **CREDENTIALS}, timeout=10).json()


@pytest.fixture
def sf(sf_server, session_to) -> Salesforce:
    """simple-salesforce logged in through the SOAP login (its username/password/token way)."""
    return Salesforce(security_token="", session=session_to(sf_server.url), **CREDENTIALS)


# --- logging in ---------------------------------------------------------------------------

def test_soap_login(sf, sf_server):
    assert sf.sf_instance == sf_server.url.split("://")[1]
    assert sf.session_id.startswith("00D")
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 4


def test_oauth_password_login(sf_server, session_to):
    sf = Salesforce(session=session_to(sf_server.url), **CREDENTIALS, **APP)
    assert sf.auth_type == "password"
    assert sf.sf_instance == sf_server.url.split("://")[1]  # instance_url had no trailing /
    assert sf.query(f"SELECT Id FROM Lead WHERE Id = '{LENA}'")["totalSize"] == 1


def test_client_credentials_login(sf_server, session_to):
    sf = Salesforce(session=session_to(sf_server.url), domain="siasim.my", **APP)
    assert sf.auth_type == "client-credentials"
    assert sf.limits()["DailyApiRequests"]["Max"] == 100000


def test_organization_id_login(sf_server, session_to):
    token = oauth_token(sf_server.url)
    org_id = token["id"].split("/")[-2]
    sf = Salesforce(organizationId=org_id[:15], session=session_to(sf_server.url),
                    **CREDENTIALS)
    assert sf.auth_type == "ipfilter" and sf.Lead.get(LENA)["Id"] == LENA


def test_direct_session(sf_server, session_to):
    token = oauth_token(sf_server.url)
    sf = Salesforce(instance_url=token["instance_url"], session_id=token["access_token"],
                    session=session_to(sf_server.url))
    assert sf.Contact.get(CARLA)["Email"] == "carla@acme.example"


@pytest.mark.parametrize("kwargs", [
    {"security_token": "", "username": "admin@siasim.example", "password": "wrong"},
    {"username": "admin@siasim.example", "password": "wrong", **APP},
    {"username": "admin@siasim.example", "password": "siasim-password",
     "consumer_key": "siasim-salesforce-client", "consumer_secret": "wrong"},
    {"domain": "siasim.my", "consumer_key": "nope", "consumer_secret": "nope"},
])
def test_bad_logins_raise_authentication_failed(sf_server, session_to, kwargs):
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(session=session_to(sf_server.url), **kwargs)
    assert info.value.code in ("INVALID_LOGIN", "invalid_grant", "invalid_client")


def test_jwt_login_with_a_private_key(jwt_server, session_to, jwt_keys):
    sf = Salesforce(username=CREDENTIALS["username"], consumer_key=APP["consumer_key"],
                    privatekey=jwt_keys.private_pem, session=session_to(jwt_server.url))
    assert sf.sf_instance == jwt_server.url.split("://")[1]
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 4
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(username=CREDENTIALS["username"], consumer_key=APP["consumer_key"],
                   privatekey=jwt_keys.other_pem, session=session_to(jwt_server.url))
    assert info.value.code == "invalid_grant"


def test_logout_revokes_the_session(sf_server, session_to):
    sf = Salesforce(session=session_to(sf_server.url), **CREDENTIALS, **APP)
    assert sf.oauth2("revoke", params={"token": sf.session_id}, method="POST") is None
    direct = Salesforce(instance_url=sf_server.url, session_id=sf.session_id,
                        session=session_to(sf_server.url))
    with pytest.raises(SalesforceExpiredSession):
        direct.query("SELECT Id FROM Lead")


def test_logs_in_again_after_the_session_expires(sf, sf_server):
    admin = sf_server.url + "/__admin__"
    assert sf.Lead.get(LENA)["Id"] == LENA
    first = sf.session_id
    requests.post(admin + "/tokens/expire", json={})
    assert sf.Lead.get(LENA)["Id"] == LENA  # 401 INVALID_SESSION_ID, login, retry
    assert sf.session_id != first
    requests.post(admin + "/clock", json={"advance": 7201})  # past the session timeout
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 4
    logins = requests.get(admin + "/journal", params={"path": "/services/Soap/*"}).json()
    assert len(logins["entries"]) == 3


def test_an_expired_direct_session_raises_expired_session(sf_server, session_to):
    token = oauth_token(sf_server.url)
    sf = Salesforce(instance_url=token["instance_url"], session_id=token["access_token"],
                    session=session_to(sf_server.url))
    requests.post(sf_server.url + "/__admin__/tokens/expire", json={})
    with pytest.raises(SalesforceExpiredSession) as info:
        sf.query("SELECT Id FROM Lead")
    assert info.value.content[0]["errorCode"] == "INVALID_SESSION_ID"


# --- queries ------------------------------------------------------------------------------

def test_search_and_quick_search(sf):
    result = sf.search("FIND {lena*} IN NAME FIELDS RETURNING Lead(Id, Email)")
    assert result == {"searchRecords": [{
        "attributes": {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{LENA}"},
        "Id": LENA, "Email": "lena@leadco.example"}]}
    quick = sf.quick_search("carla@acme.example")["searchRecords"]
    assert [(r["attributes"]["type"], r["Id"]) for r in quick] == [("Contact", CARLA)]
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.quick_search("x")
    assert info.value.content[0]["errorCode"] == "INVALID_SEARCH"


def test_query_all_with_subqueries_aggregates_and_semi_joins(sf):
    accounts = sf.query_all("SELECT Name, (SELECT LastName, Email FROM Contacts) FROM Account")
    acme = accounts["records"][0]
    assert acme["Contacts"]["totalSize"] == 1
    assert acme["Contacts"]["records"][0]["Email"] == "carla@acme.example"
    groups = sf.query_all("SELECT Owner.Name, COUNT(Id) n FROM Lead GROUP BY Owner.Name "
                          "ORDER BY COUNT(Id) DESC, Owner.Name")
    assert groups["totalSize"] == 4
    assert groups["records"][0]["attributes"] == {"type": "AggregateResult"}
    assert {r["Name"]: r["n"] for r in groups["records"]} == {
        "Rita Rep": 1, "Marketo Sync": 1, "Ivan Inactive": 1, "Inbound Leads": 1}
    inactive = sf.query_all("SELECT Id FROM Lead WHERE OwnerId IN "
                            "(SELECT Id FROM User WHERE IsActive = false)")
    assert [r["Id"] for r in inactive["records"]] == [INES]
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query_all("SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)")
    assert info.value.content[0]["errorCode"] == "MALFORMED_QUERY"


def test_query_like_not_in_and_parent_lookups(sf):
    result = sf.query("SELECT Id, Name, Owner.Email, Owner.Type FROM Lead "
                      f"WHERE Email LIKE '%CO.EXAMPLE' AND Id NOT IN ('{SAM}', '{INES}') "
                      "ORDER BY Name")
    assert result["totalSize"] == 2 and result["done"] is True
    lena, quinn = result["records"]
    assert lena["Name"] == "Lena Lead" and lena["Owner"]["Email"] == "rita.rep@acme.example"
    assert lena["attributes"]["type"] == "Lead"
    assert quinn["Owner"]["Type"] == "Queue"
    contact = sf.query("SELECT Account.Name FROM Contact")["records"][0]
    assert contact["Account"]["Name"] == "Acme Corp"


def test_count(sf):
    assert sf.query("SELECT COUNT() FROM Lead WHERE Owner.Type = 'User'") == {
        "totalSize": 3, "done": True, "records": []}


def test_query_all_across_pages(sf):
    records = [{"attributes": {"type": "Task"}, "Subject": f"Task {n:04d}", "WhoId": LENA}
               for n in range(200)]
    for _ in range(11):
        results = sf.restful("composite/sobjects", method="POST",
                             json={"allOrNone": True, "records": records})
        assert all(r["success"] for r in results)
    first = sf.query("SELECT Id FROM Task")
    assert first["done"] is False and len(first["records"]) == 2000
    everything = sf.query_all("SELECT Id, Subject, Who.Name FROM Task ORDER BY Subject")
    assert everything["totalSize"] == 2200 and len(everything["records"]) == 2200
    assert len({r["Id"] for r in everything["records"]}) == 2200
    assert everything["records"][-1]["Who"]["Name"] == "Lena Lead"
    more = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(more["records"]) == 200 and more["done"] is True


def test_query_all_with_deleted_rows(sf):
    lead = sf.Lead.create({"LastName": "Gone", "Company": "Soon"})["id"]
    sf.Lead.delete(lead)
    assert sf.query(f"SELECT Id FROM Lead WHERE Id = '{lead}'")["totalSize"] == 0
    found = sf.query_all(f"SELECT Id, IsDeleted FROM Lead WHERE Id = '{lead}'",
                         include_deleted=True)
    assert found["records"][0]["IsDeleted"] is True


# --- records ----------------------------------------------------------------------------

def test_create_get_update_upsert_delete(sf):
    created = sf.Task.create({"Subject": "Email: Hello", "WhoId": LENA, "Type": "Email",
                              "TaskSubtype": "Email", "ActivityDate": "2026-01-20"})
    assert created == {"id": created["id"], "success": True, "errors": []}
    task = sf.Task.get(created["id"])
    assert task["Status"] == "Not Started" and task["WhoId"] == LENA
    assert sf.Task.update(created["id"], {"Status": "Completed"}) == 204
    assert sf.Task.get(created["id"])["IsClosed"] is True
    assert sf.Lead.update(LENA, {"HasOptedOutOfEmail": True}) == 204
    assert sf.Contact.update(CARLA, {"HasOptedOutOfEmail": True}) == 204
    assert sf.Lead.upsert("External_Id__c/sia-1", {"LastName": "New", "Company": "Co"}) == 201
    assert sf.Lead.upsert("External_Id__c/sia-1", {"Title": "VP"}) == 200
    assert sf.Lead.get_by_custom_id("External_Id__c", "sia-1")["Title"] == "VP"
    assert sf.Task.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Task.get(created["id"])


def test_updated_and_deleted(sf, sf_server):
    requests.post(sf_server.url + "/__admin__/clock", json={"set": "2026-01-10T12:00:00Z"})
    task = sf.Task.create({"Subject": "Will go", "WhoId": CARLA})["id"]
    sf.Task.delete(task)
    requests.post(sf_server.url + "/__admin__/clock", json={"advance": 120})
    start = datetime(2026, 1, 10, 11, 0, tzinfo=UTC)
    end = start + timedelta(hours=2)
    assert sf.Task.deleted(start, end)["deletedRecords"][0]["id"] == task
    other = sf.Task.create({"Subject": "Stays", "WhoId": CARLA})["id"]
    requests.post(sf_server.url + "/__admin__/clock", json={"advance": 120})
    assert sf.Task.updated(start, end + timedelta(minutes=10))["ids"] == [other]


def test_describe_metadata_and_limits(sf):
    names = [o["name"] for o in sf.describe()["sobjects"]]
    assert {"Lead", "Contact", "Task", "User", "Group", "Account", "Opportunity"} <= set(names)
    fields = {f["name"]: f for f in sf.Lead.describe()["fields"]}
    assert fields["Company"]["nillable"] is False
    assert sf.Task.metadata()["objectDescribe"]["keyPrefix"] == "00T"
    assert sf.limits()["DailyApiRequests"]["Max"] == 100000
    assert sf.api_usage["api-usage"].total == 100000


# --- errors: the exception class simple-salesforce raises for each --------------------------

@pytest.mark.parametrize("call,code", [
    (lambda sf: sf.Lead.create({"FirstName": "x"}), "REQUIRED_FIELD_MISSING"),
    (lambda sf: sf.Lead.create({"LastName": "x", "Company": "y", "Colour": "red"}),
     "INVALID_FIELD"),
    (lambda sf: sf.Lead.update(LENA, {"IsConverted": True}), "INVALID_FIELD_FOR_INSERT_UPDATE"),
    (lambda sf: sf.Task.create({"WhoId": IDS.make("Lead", 99)}), "INVALID_CROSS_REFERENCE_KEY"),
    (lambda sf: sf.Task.create({"OwnerId": IDS.make("User", 99)}),
     "INVALID_CROSS_REFERENCE_KEY"),
    (lambda sf: sf.Task.create({"Status": "Nope"}), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
    (lambda sf: sf.query("SELECT Id FROM Lead WHERE"), "MALFORMED_QUERY"),
    (lambda sf: sf.query("SELECT Nope FROM Lead"), "INVALID_FIELD"),
    (lambda sf: sf.query("SELECT Id FROM Nope"), "INVALID_TYPE"),
])
def test_bad_requests_raise_malformed_request(sf, call, code):
    with pytest.raises(SalesforceMalformedRequest) as info:
        call(sf)
    assert info.value.status == 400 and info.value.content[0]["errorCode"] == code


def test_converted_lead_and_deleted_entity_errors(sf, sf_server):
    requests.post(sf_server.url + "/__admin__/leads/convert", json={"leadId": SAM})
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Lead.update(SAM, {"Title": "x"})
    assert info.value.content[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    lead = sf.Lead.create({"LastName": "x", "Company": "y"})["id"]
    sf.Lead.delete(lead)
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Lead.update(lead, {"Title": "x"})
    assert info.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Lead.get(IDS.make("Lead", 98))
    assert info.value.content[0]["errorCode"] == "NOT_FOUND"


def test_daily_limit_raises_refused_request(sf, sf_server):
    requests.patch(sf_server.url + "/__admin__/limits", json={"daily": 1})
    sf.Lead.get(LENA)
    with pytest.raises(SalesforceRefusedRequest) as info:
        sf.Lead.get(LENA)
    assert info.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_other_statuses_raise_general_error(sf, sf_server):
    requests.post(sf_server.url + "/__admin__/faults",
                  json={"path": "/services/data/*", "status": 503, "times": 1})
    with pytest.raises(SalesforceGeneralError) as info:
        sf.Lead.get(LENA)
    assert info.value.status == 503
    with pytest.raises(SalesforceGeneralError) as info:
        sf.User.delete(REP)
    assert info.value.status == 405


# --- through TLS, as unmodified code ------------------------------------------------------------

def test_through_tls_with_requests_ca_bundle(tmp_path, monkeypatch, siasim):
    proc = siasim("serve", "salesforce", "--tls", "--port", "0", "--profile", "tiny",
                  "--db", str(tmp_path / "sf.db"))
    proc.wait_for("Ctrl-C", timeout=60)
    url = proc.value("Salesforce mock")
    ca = next(line.split()[2] for line in proc.lines if line.strip().startswith("CA file"))
    try:
        assert url.startswith("https://127.0.0.1:")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
        # plain requests, no session tricks: the mock's OAuth endpoint, then the client
        token = oauth_token(url)
        assert token["instance_url"] == url
        sf = Salesforce(instance_url=token["instance_url"], session_id=token["access_token"])
        leads = sf.query_all("SELECT Id, Email, Owner.Email FROM Lead")
        assert leads["totalSize"] > 5
        created = sf.Task.create({"Subject": "Over TLS", "WhoId": leads["records"][0]["Id"]})
        assert sf.Task.get(created["id"])["Subject"] == "Over TLS"
        assert sf.Task.update(created["id"], {"Status": "Completed"}) == 204
        assert sf.Task.delete(created["id"]) == 204
        monkeypatch.delenv("REQUESTS_CA_BUNDLE")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(url + "/services/data/", timeout=10)
    finally:
        code = proc.stop(timeout=20)
    assert code == 0

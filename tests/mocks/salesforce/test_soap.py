"""The partner SOAP API's session calls besides login: logout, getUserInfo, and refusals."""

from __future__ import annotations

from xml.dom import minidom

import pytest

SOAP = "/services/Soap/u/59.0"


def envelope(operation: str, session: str | None = None,
             namespace: str = "urn:partner.soap.sforce.com") -> str:
    header = (f'<SessionHeader xmlns="urn:partner.soap.sforce.com"><sessionId>{session}'
              "</sessionId></SessionHeader>") if session is not None else ""
    return ('<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/">'
            f"<se:Header>{header}</se:Header><se:Body><{operation} xmlns=\"{namespace}\"/>"
            "</se:Body></se:Envelope>")


def call(api, body: str, path: str = SOAP):
    response = api.client.post(path, data=body, headers={"Content-Type": "text/xml",
                                                         "SOAPAction": '""'})
    return response, minidom.parseString(response.data)


def text(dom, tag: str) -> str:
    return dom.getElementsByTagName(tag)[0].firstChild.nodeValue


def server_path(api) -> str:
    """The serverUrl a SOAP login answers, as a path."""
    body = ('<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body>'
            '<login xmlns="urn:partner.soap.sforce.com"><username>admin@siasim.example'
            "</username><password>siasim-password</password></login></se:Body></se:Envelope>")
    _, dom = call(api, body)
    return "/" + text(dom, "serverUrl").split("/", 3)[3], text(dom, "sessionId")


def test_get_user_info(api):
    response, dom = call(api, envelope("getUserInfo", api.token))
    assert response.status_code == 200
    assert text(dom, "userName") == "admin@siasim.example"
    assert text(dom, "userFullName") == "Siasim Admin"
    assert text(dom, "organizationId").startswith("00D")
    assert text(dom, "userTimeZone") == "GMT"


def test_logout_ends_the_session(api):
    response, dom = call(api, envelope("logout", api.token))
    assert response.status_code == 200 and dom.getElementsByTagName("logoutResponse")
    assert api.get("limits/").status_code == 401
    response, dom = call(api, envelope("logout", api.token))
    assert response.status_code == 500
    assert text(dom, "faultcode") == "sf:INVALID_SESSION_ID"
    assert text(dom, "sf:exceptionMessage") == (
        "Invalid Session ID found in SessionHeader: Illegal Session")


def test_calls_at_the_server_url_a_login_answers(api):
    path, session = server_path(api)
    assert path.startswith(SOAP + "/00D")
    response, dom = call(api, envelope("getUserInfo", session), path)
    assert response.status_code == 200 and text(dom, "userId").startswith("005")
    response, _ = call(api, envelope("logout", session), path)
    assert response.status_code == 200
    assert api.client.get("/services/data/v59.0/limits/",
                          headers={"Authorization": f"Bearer {session}"}).status_code == 401


@pytest.mark.parametrize("body,fault", [
    (envelope("getUserInfo"), "sf:INVALID_SESSION_ID"),
    (envelope("getUserInfo", "nope"), "sf:INVALID_SESSION_ID"),
    (envelope("query", "x"), "soapenv:Client"),
    (envelope("logout", "x", namespace="urn:enterprise.soap.sforce.com"), "soapenv:Client"),
])
def test_refusals_are_faults(api, body, fault):
    response, dom = call(api, body)
    assert response.status_code == 500
    assert text(dom, "faultcode") == fault


def test_unknown_operations_say_so(api):
    _, dom = call(api, envelope("describeGlobal", api.token))
    assert text(dom, "faultstring") == (
        "No operation available for request {urn:partner.soap.sforce.com}describeGlobal")

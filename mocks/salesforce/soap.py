"""The partner SOAP API's session calls: ``login``, ``logout`` and ``getUserInfo``.

``POST /services/Soap/u/{version}`` (and the ``serverUrl`` a login answers,
``/services/Soap/u/{version}/{orgId}``) reads the operation from the envelope's body:

- ``login`` (simple-salesforce's default for username, password and token) answers
  ``sessionId`` and ``serverUrl``; a failure is an ``sf:INVALID_LOGIN`` LoginFault;
- ``logout`` ends the session of the ``SessionHeader`` (jsforce's ``logout()`` of a SOAP
  session); ``getUserInfo`` tells who its user is; without a good session either is an
  ``sf:INVALID_SESSION_ID`` fault;
- any other operation is a client fault ("No operation available"), as Salesforce
  answers one it does not know: the mock serves the REST API, not SOAP's data calls.

Faults are HTTP 500, as SOAP wants them.
"""

from __future__ import annotations

from xml.etree import ElementTree
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request

from mocks.salesforce import rest

_ENVELOPE = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
             'xmlns="urn:partner.soap.sforce.com" '
             'xmlns:sf="urn:fault.partner.soap.sforce.com" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
             "<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>")
_PARTNER = "urn:partner.soap.sforce.com"
_BAD_LOGIN = "Invalid username, password, security token; or user locked out."
_BAD_SESSION = "Invalid Session ID found in SessionHeader: Illegal Session"


def _xml(body: str, status: int = 200) -> Response:
    return current_app.response_class(_ENVELOPE.format(body=body), status=status,
                                      mimetype="text/xml")


def _fault(code: str, message: str, kind: str) -> Response:
    return _xml("<soapenv:Fault>"
                f"<faultcode>sf:{code}</faultcode>"
                f"<faultstring>{escape(code)}: {escape(message)}</faultstring>"
                f'<detail><sf:{kind} xsi:type="sf:{kind}">'
                f"<sf:exceptionCode>{escape(code)}</sf:exceptionCode>"
                f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
                f"</sf:{kind}></detail></soapenv:Fault>", 500)


def _client_fault(message: str) -> Response:
    return _xml("<soapenv:Fault><faultcode>soapenv:Client</faultcode>"
                f"<faultstring>{escape(message)}</faultstring></soapenv:Fault>", 500)


class _Call:
    """A SOAP request: its operation (the body's first element) and every element's text
    by local name (namespaces dropped)."""

    def __init__(self, raw: bytes) -> None:
        root = ElementTree.fromstring(raw)
        self.values: dict[str, str] = {}
        self.operation = ""
        self.namespace = ""
        for element in root.iter():
            name = element.tag.rsplit("}", 1)[-1]
            self.values.setdefault(name, element.text or "")
            if name == "Body" and len(element) and not self.operation:
                first = element[0].tag
                self.namespace = first[1:].split("}", 1)[0] if first.startswith("{") else ""
                self.operation = first.rsplit("}", 1)[-1]


def _user_info(session) -> str:
    org = rest.org()
    user = org.user(session.user_id) or {}
    return (
        "<accessibilityMode>false</accessibilityMode><currencySymbol>$</currencySymbol>"
        "<orgAttachmentFileSizeLimit>5242880</orgAttachmentFileSizeLimit>"
        "<orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode>"
        "<orgDisallowHtmlAttachments>false</orgDisallowHtmlAttachments>"
        "<orgHasPersonAccounts>false</orgHasPersonAccounts>"
        f"<organizationId>{org.org_id}</organizationId>"
        "<organizationMultiCurrency>false</organizationMultiCurrency>"
        "<organizationName>siasim</organizationName>"
        f"<sessionSecondsValid>{int(org.config.token_ttl)}</sessionSecondsValid>"
        f"<userEmail>{escape(user.get('Email') or '')}</userEmail>"
        f"<userFullName>{escape(user.get('Name') or '')}</userFullName>"
        f"<userId>{session.user_id}</userId>"
        "<userLanguage>en_US</userLanguage><userLocale>en_US</userLocale>"
        f"<userName>{escape(user.get('Username') or '')}</userName>"
        "<userTimeZone>GMT</userTimeZone><userType>Standard</userType>"
        "<userUiSkin>Theme3</userUiSkin>")


def _login(call: _Call, version: str) -> Response:
    org = rest.org()
    scope = call.values.get("organizationId")
    if (not org.check_password(call.values.get("username"), call.values.get("password"))
            or (scope and scope[:15] != org.org_id[:15])):
        return _fault("INVALID_LOGIN", _BAD_LOGIN, "LoginFault")
    session = org.login()
    base = rest.base_url()
    org15 = org.org_id[:15]
    return _xml(
        "<loginResponse><result>"
        f"<metadataServerUrl>{base}/services/Soap/m/{escape(version)}/{org15}"
        "</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
        f"<serverUrl>{base}/services/Soap/u/{escape(version)}/{org15}</serverUrl>"
        f"<sessionId>{session.token}</sessionId>"
        f"<userId>{session.user_id}</userId>"
        f"<userInfo>{_user_info(session)}</userInfo>"
        "</result></loginResponse>")


def soap_blueprint() -> Blueprint:
    bp = Blueprint("sf_soap", __name__)

    @bp.post("/services/Soap/u/<version>")
    @bp.post("/services/Soap/u/<version>/<org_id>")
    def partner(version: str, org_id: str | None = None):
        try:
            call = _Call(request.get_data())
        except ElementTree.ParseError:
            return _fault("INVALID_LOGIN", _BAD_LOGIN, "LoginFault") if org_id is None \
                else _client_fault("Unable to parse the request")
        if call.operation == "login":
            return _login(call, version)
        if call.operation not in ("logout", "getUserInfo") or call.namespace != _PARTNER:
            if not call.operation:  # no body: what the old mock took for a bad login
                return _fault("INVALID_LOGIN", _BAD_LOGIN, "LoginFault")
            return _client_fault(f"No operation available for request "
                                 f"{{{call.namespace}}}{call.operation}")
        org = rest.org()
        token = call.values.get("sessionId") or ""
        session = org.sessions.check(token.strip()) if token.strip() else None
        if session is None:
            return _fault("INVALID_SESSION_ID", _BAD_SESSION, "UnexpectedErrorFault")
        if call.operation == "logout":
            org.sessions.revoke(session.token)
            return _xml("<logoutResponse/>")
        return _xml(f"<getUserInfoResponse><result>{_user_info(session)}</result>"
                    "</getUserInfoResponse>")

    return bp

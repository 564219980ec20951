"""Logging in: the OAuth 2.0 token endpoint and the SOAP ``login()`` call.

- ``POST /services/oauth2/token`` with ``grant_type=password`` (client id and secret of
  the connected app, username, password with the security token appended if one is set)
  or ``grant_type=client_credentials`` (the app's id and secret, in HTTP Basic auth or the
  form; the session runs as the configured user);
- ``POST /services/Soap/u/{version}``: the partner API's login, answering ``sessionId``
  and ``serverUrl`` (simple-salesforce's default for username, password and token);
- ``POST /services/oauth2/revoke`` ends a session.

Failures answer as Salesforce does: OAuth errors are ``{"error", "error_description"}``
with HTTP 400, a SOAP login failure is a SOAP fault with HTTP 500.
"""

from __future__ import annotations

import base64
import binascii
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, jsonify, request

from mocks.salesforce import rest


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


def _client_credentials() -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return request.form.get("client_id"), request.form.get("client_secret")


def _token_answer(session) -> Response:
    org = rest.org()
    base = rest.base_url()
    issued_at = str(int(session.issued * 1000))
    identity = f"{base}/id/{org.org_id}/{session.user_id}"
    return jsonify({
        "access_token": session.token,
        "instance_url": base,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": org.signature(identity, issued_at),
    })


def _soap_fault(code: str, message: str, status: int = 500) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body><soapenv:Fault>"
        f"<faultcode>sf:{code}</faultcode>"
        f"<faultstring>{escape(code)}: {escape(message)}</faultstring>"
        '<detail><sf:LoginFault xsi:type="sf:LoginFault">'
        f"<sf:exceptionCode>{escape(code)}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
        "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>")
    return current_app.response_class(body, status=status, mimetype="text/xml")


def _soap_values(raw: bytes) -> dict[str, str]:
    """The text of every element of a SOAP request, by local name (namespaces dropped)."""
    root = ElementTree.fromstring(raw)
    values: dict[str, str] = {}
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        values.setdefault(name, element.text or "")
    return values


def oauth_blueprint() -> Blueprint:
    bp = Blueprint("sf_oauth", __name__)

    @bp.post("/services/oauth2/token")
    def token():
        org = rest.org()
        grant = request.form.get("grant_type")
        if grant == "password":
            client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
            if client_id != org.config.client_id:
                return _oauth_error("invalid_client_id", "client identifier invalid")
            if secret != org.config.client_secret:
                return _oauth_error("invalid_client", "invalid client credentials")
            if not org.check_password(request.form.get("username"),
                                      request.form.get("password")):
                return _oauth_error("invalid_grant", "authentication failure")
            return _token_answer(org.login())
        if grant == "client_credentials":
            client_id, secret = _client_credentials()
            if client_id != org.config.client_id or secret != org.config.client_secret:
                return _oauth_error("invalid_client", "invalid client credentials")
            return _token_answer(org.login())
        return _oauth_error("unsupported_grant_type", "grant type not supported")

    @bp.post("/services/oauth2/revoke")
    def revoke():
        token = request.form.get("token") or request.args.get("token") or ""
        if not rest.org().sessions.revoke(token):
            return _oauth_error("unsupported_token_type", "this token type is not supported")
        return current_app.response_class(b"", status=200)

    @bp.get("/id/<org_id>/<user_id>")
    def identity(org_id: str, user_id: str):
        """The identity URL a token answer names: who the session's user is."""
        org = rest.org()
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        session = org.sessions.check(token.strip()) if scheme.lower() in (
            "bearer", "oauth") else None
        if session is None:
            return _oauth_error("Bad_OAuth_Token", "Bad_OAuth_Token", 403)
        user = org.user(user_id)
        if user is None or org_id[:15] != org.org_id[:15]:
            return _oauth_error("Bad_Id", "Bad_Id", 404)
        base = rest.base_url()
        data = f"{base}/services/data/v{{version}}/"
        return jsonify({
            "id": f"{base}/id/{org.org_id}/{user['Id']}", "asserted_user":
                session.user_id == user["Id"], "user_id": user["Id"],
            "organization_id": org.org_id, "username": user["Username"],
            "nick_name": (user["Username"] or "").split("@")[0],
            "display_name": user["Name"], "email": user["Email"],
            "first_name": user["FirstName"], "last_name": user["LastName"],
            "active": bool(user["IsActive"]), "user_type": "STANDARD", "language": "en_US",
            "locale": "en_US", "utcOffset": 0, "timezone": "GMT",
            "urls": {"rest": data, "sobjects": data + "sobjects/", "query": data + "query/",
                     "limits": data + "limits/"},
        })

    @bp.post("/services/Soap/u/<version>")
    def soap_login(version: str):
        org = rest.org()
        try:
            values = _soap_values(request.get_data())
        except ElementTree.ParseError:
            return _soap_fault("INVALID_LOGIN", "Invalid username, password, security token; "
                                                "or user locked out.")
        scope = values.get("organizationId")
        if (not org.check_password(values.get("username"), values.get("password"))
                or (scope and scope[:15] != org.org_id[:15])):
            return _soap_fault("INVALID_LOGIN", "Invalid username, password, security token; "
                                                "or user locked out.")
        session = org.login()
        base = rest.base_url()
        user = org.user(session.user_id) or {}
        org15 = org.org_id[:15]
        expires = int(org.config.token_ttl)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns="urn:partner.soap.sforce.com" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<soapenv:Body><loginResponse><result>"
            f"<metadataServerUrl>{base}/services/Soap/m/{escape(version)}/{org15}"
            "</metadataServerUrl>"
            "<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
            f"<serverUrl>{base}/services/Soap/u/{escape(version)}/{org15}</serverUrl>"
            f"<sessionId>{session.token}</sessionId>"
            f"<userId>{session.user_id}</userId>"
            "<userInfo>"
            f"<organizationId>{org.org_id}</organizationId>"
            "<organizationName>siasim</organizationName>"
            f"<sessionSecondsValid>{expires}</sessionSecondsValid>"
            f"<userEmail>{escape(user.get('Email') or '')}</userEmail>"
            f"<userFullName>{escape(user.get('Name') or '')}</userFullName>"
            f"<userId>{session.user_id}</userId>"
            f"<userName>{escape(user.get('Username') or '')}</userName>"
            "<userTimeZone>GMT</userTimeZone>"
            "</userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>")
        return current_app.response_class(body, status=200, mimetype="text/xml")

    return bp

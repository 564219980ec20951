"""OAuth 2.0: the token endpoint, authorization, revocation, userinfo and identity URLs.

- ``POST /services/oauth2/token``: every grant of :mod:`grants`;
- ``GET|POST /services/oauth2/authorize``: the web-server flow (``response_type=code``,
  PKCE ``code_challenge`` optional) and the user-agent flow (``response_type=token``).
  The mock has no login page: it authorizes as the API user at once and redirects to
  ``redirect_uri`` with the code, or with the tokens in the fragment;
- ``POST|GET /services/oauth2/revoke`` ends a session, or a refresh token and the
  sessions it gave;
- ``GET|POST /services/oauth2/userinfo`` and ``GET /id/{org}/{user}``: who the session's
  user is.

Failures answer as Salesforce does: ``{"error", "error_description"}`` with HTTP 400
(403 for a bad token at userinfo and the identity URL).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from mocks.salesforce import grants, identity, rest
from mocks.salesforce.grants import Granted, OAuthRefused


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


def _basic_credentials() -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return request.form.get("client_id"), request.form.get("client_secret")


def token_fields(granted: Granted) -> dict[str, str]:
    """What a token answer holds (also the user-agent flow's fragment)."""
    org = rest.org()
    base = rest.base_url()
    session = granted.session
    issued_at = str(int(session.issued * 1000))
    identity_url = f"{base}/id/{org.org_id}/{session.user_id}"
    fields = {"access_token": session.token}
    if granted.refresh_token:
        fields["refresh_token"] = granted.refresh_token
    fields.update({"signature": org.signature(identity_url, issued_at)})
    if granted.scope:
        fields["scope"] = granted.scope
    fields.update({"instance_url": base, "id": identity_url, "token_type": "Bearer",
                   "issued_at": issued_at})
    return fields


def _session_of_request(allow_query: bool = False):
    """The session a call carries: ``Authorization: Bearer|OAuth``, or (identity URL and
    userinfo) ``oauth_token``/``access_token`` in the query string, as jsforce sends it."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() not in ("bearer", "oauth") or not token.strip():
        token = (request.args.get("oauth_token") or request.args.get("access_token") or ""
                 if allow_query else "")
    token = token.strip()
    return rest.org().sessions.check(token) if token else None


def _grant() -> Granted:
    org = rest.org()
    form = request.form
    kind = form.get("grant_type")
    if kind == "password":
        return grants.password(org, form)
    if kind == "client_credentials":
        return grants.client_credentials(org, *_basic_credentials())
    if kind == "refresh_token":
        return grants.refresh(org, form)
    if kind == "authorization_code":
        return grants.authorization_code(org, form)
    if kind == grants.JWT_BEARER:
        return grants.jwt_bearer(org, form, rest.base_url(), org.clock.timestamp())
    raise OAuthRefused("unsupported_grant_type", "grant type not supported")


def _redirect_to(uri: str, values: dict[str, str], fragment: bool) -> Response:
    encoded = urlencode(values)
    if fragment:
        target = f"{uri}#{encoded}"
    else:
        target = f"{uri}{'&' if '?' in uri else '?'}{encoded}"
    # no body (Flask's would repeat the URL, tokens and all, into the journal)
    return current_app.response_class(b"", status=302, headers={"Location": target})


def oauth_blueprint() -> Blueprint:
    bp = Blueprint("sf_oauth", __name__)

    @bp.post("/services/oauth2/token")
    def token():
        try:
            granted = _grant()
        except OAuthRefused as refused:
            return _oauth_error(refused.error, refused.description, refused.status)
        return jsonify(token_fields(granted))

    @bp.route("/services/oauth2/authorize", methods=["GET", "POST"])
    def authorize():
        org = rest.org()
        values = request.values
        if values.get("client_id") != org.config.client_id:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        redirect_uri = values.get("redirect_uri")
        if not redirect_uri:
            return _oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration")
        state = {"state": values["state"]} if "state" in values else {}
        kind = values.get("response_type")
        user_id = org.api_user_id()
        if kind == "code":
            code = org.sessions.issue_code(user_id, org.config.client_id, redirect_uri,
                                           values.get("code_challenge") or None)
            return _redirect_to(redirect_uri, {"code": code, **state}, fragment=False)
        if kind == "token":
            refresh_token = org.sessions.issue_refresh(user_id)
            session = org.sessions.issue(org.org_id, user_id, refresh=refresh_token)
            fields = token_fields(Granted(session, refresh_token, grants.FULL_SCOPE))
            return _redirect_to(redirect_uri, {**fields, **state}, fragment=True)
        return _redirect_to(redirect_uri, {"error": "unsupported_response_type",
                                           "error_description": "response type not supported",
                                           **state}, fragment=kind == "token")

    @bp.route("/services/oauth2/revoke", methods=["GET", "POST"])
    def revoke():
        org = rest.org()
        token = request.form.get("token") or request.args.get("token") or ""
        if org.sessions.revoke(token):
            return current_app.response_class(b"", status=200)
        if grants.refresh_owner(org, token) is not None:  # the configured refresh token
            org.sessions.revoke_configured(token)
            return current_app.response_class(b"", status=200)
        return _oauth_error("unsupported_token_type", "this token type is not supported")

    @bp.route("/services/oauth2/userinfo", methods=["GET", "POST"])
    def userinfo():
        org = rest.org()
        session = _session_of_request(allow_query=True)
        user = org.user(session.user_id) if session else None
        if user is None:
            return _oauth_error("Bad_OAuth_Token", "Bad_OAuth_Token", 403)
        return jsonify(identity.userinfo(rest.base_url(), org.org_id, user))

    @bp.get("/id/<org_id>/<user_id>")
    def identity_url(org_id: str, user_id: str):
        org = rest.org()
        session = _session_of_request(allow_query=True)
        if session is None:
            return _oauth_error("Bad_OAuth_Token", "Bad_OAuth_Token", 403)
        user = org.user(user_id)
        if user is None or org_id[:15] != org.org_id[:15]:
            return _oauth_error("Bad_Id", "Bad_Id", 404)
        return jsonify(identity.identity_document(rest.base_url(), org.org_id, user,
                                                  session.user_id == user["Id"]))

    return bp

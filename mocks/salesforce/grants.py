"""The grants of ``POST /services/oauth2/token``, each checked as Salesforce checks it.

- ``password``: the connected app's id and secret, the username and the password (with
  the security token appended when one is set); no refresh token, as in Salesforce;
- ``client_credentials``: the app's id and secret (HTTP Basic or the form); the session
  runs as the API user (the app's "run as" user);
- ``refresh_token``: a refresh token the mock issued, or the configured one
  (``--refresh-token``), with the app's id and secret;
- ``authorization_code``: a code from ``/services/oauth2/authorize``, once, with the
  same ``redirect_uri`` and, when the code was asked with a PKCE challenge, the
  ``code_verifier``; answers a refresh token too;
- ``urn:ietf:params:oauth:grant-type:jwt-bearer``: an assertion signed for the
  configured certificate (:mod:`assertions`).

Refusals are :class:`OAuthRefused`: Salesforce's ``error`` and ``error_description``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from mocks.salesforce import assertions
from mocks.salesforce.sessions import Session, pkce_challenge

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FULL_SCOPE = "refresh_token api full"


class OAuthRefused(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass
class Granted:
    session: Session
    refresh_token: str | None = None
    scope: str | None = None


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def check_client(org, client_id: str | None, secret: str | None, secret_required: bool = True
                 ) -> None:
    if client_id != org.config.client_id:
        raise OAuthRefused("invalid_client_id", "client identifier invalid")
    if (secret_required or secret is not None) and not _same(secret, org.config.client_secret):
        raise OAuthRefused("invalid_client", "invalid client credentials")


def password(org, form: Mapping[str, str]) -> Granted:
    check_client(org, form.get("client_id"), form.get("client_secret"))
    if not org.check_password(form.get("username"), form.get("password")):
        raise OAuthRefused("invalid_grant", "authentication failure")
    return Granted(org.login())


def client_credentials(org, client_id: str | None, secret: str | None) -> Granted:
    if client_id != org.config.client_id or not _same(secret, org.config.client_secret):
        raise OAuthRefused("invalid_client", "invalid client credentials")
    return Granted(org.login(), scope="api")


def refresh_owner(org, token: str | None) -> str | None:
    """The user a refresh token acts for, or None (unknown or revoked)."""
    if not token:
        return None
    configured = org.config.refresh_token
    if configured and _same(token, configured) and not org.sessions.revoked(token):
        return org.api_user_id()
    return org.sessions.refresh_owner(token)


def refresh(org, form: Mapping[str, str]) -> Granted:
    check_client(org, form.get("client_id"), form.get("client_secret"))
    token = form.get("refresh_token")
    user_id = refresh_owner(org, token)
    if user_id is None or org.user(user_id) is None:
        raise OAuthRefused("invalid_grant", "expired access/refresh token")
    return Granted(org.sessions.issue(org.org_id, user_id, refresh=token), scope=FULL_SCOPE)


def authorization_code(org, form: Mapping[str, str]) -> Granted:
    check_client(org, form.get("client_id"), form.get("client_secret"),
                 secret_required=False)  # a PKCE client may hold no secret
    code = form.get("code") or ""
    grant = org.sessions.redeem_code(code)
    if grant is None or grant.client_id != form.get("client_id"):
        raise OAuthRefused("invalid_grant", "invalid authorization code")
    if form.get("redirect_uri") != grant.redirect_uri:
        raise OAuthRefused("redirect_uri_mismatch", "redirect_uri must match configuration")
    if grant.challenge is not None:
        verifier = form.get("code_verifier")
        if not verifier or not _same(pkce_challenge(verifier), grant.challenge):
            raise OAuthRefused("invalid_grant", "invalid code verifier")
    elif form.get("client_secret") is None:
        raise OAuthRefused("invalid_client", "invalid client credentials")
    refresh_token = org.sessions.issue_refresh(grant.user_id)
    session = org.sessions.issue(org.org_id, grant.user_id, refresh=refresh_token)
    return Granted(session, refresh_token, FULL_SCOPE)


def jwt_bearer(org, form: Mapping[str, str], own_url: str, now: float) -> Granted:
    path = org.config.jwt_certificate
    if not path:
        raise OAuthRefused("invalid_grant", "the JWT bearer flow needs the connected app's "
                                            "certificate: start the mock with --jwt-key")
    try:
        key = assertions.load_public_key(path)
        claims = assertions.verify(form.get("assertion") or "", key, org.config.client_id,
                                   own_url, now)
    except assertions.KeyUnusable:
        raise OAuthRefused("invalid_grant", "invalid assertion") from None
    except assertions.AssertionRefused as refusal:
        raise OAuthRefused(refusal.error, refusal.description) from None
    if claims["sub"].lower() != org.config.username.lower():
        raise OAuthRefused("invalid_grant", "user hasn't approved this consumer")
    return Granted(org.login(), scope="api full")

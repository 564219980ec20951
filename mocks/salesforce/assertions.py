"""The JWT bearer flow's assertion: an RS256-signed JWT, checked as Salesforce checks it.

The connected app holds a certificate (``--jwt-key``: a PEM certificate, public key or,
for convenience in tests, the private key itself); the client signs
``{"iss": consumer key, "sub": username, "aud": login URL, "exp": seconds}`` with the
matching private key. Refusals are OAuth errors: a bad signature or shape is
``invalid_grant``/``invalid assertion``, an unknown consumer key
``invalid_client_id``, a foreign audience ``audience is invalid``, an expired one
``invalid assertion`` too. Only RS256 is accepted, as in Salesforce.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAX_ASSERTION = 16 * 1024  # characters
LOGIN_HOSTS = ("login.salesforce.com", "test.salesforce.com")


class AssertionRefused(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _invalid() -> AssertionRefused:
    return AssertionRefused("invalid_grant", "invalid assertion")


class KeyUnusable(ValueError):
    """The configured file holds no RSA certificate or key."""


@functools.lru_cache(maxsize=8)
def load_public_key(path: str) -> rsa.RSAPublicKey:
    """The RSA public key of a PEM certificate, public key or private key file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise KeyUnusable(f"cannot read {path}: {exc.strerror}") from None
    key = None
    try:
        if b"BEGIN CERTIFICATE" in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        elif b"PRIVATE KEY" in data:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        pass
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyUnusable(f"{path} holds no RSA certificate or key in PEM form")
    return key


def _b64(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise _invalid() from None


def audience_accepted(aud, own_url: str) -> bool:
    """Salesforce's login hosts, a My Domain, or the mock's own URL."""
    values = aud if isinstance(aud, list) else [aud]
    for value in values:
        if not isinstance(value, str):
            continue
        if value.rstrip("/") == own_url.rstrip("/"):
            return True
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        if parts.scheme == "https" and (host in LOGIN_HOSTS or host.endswith(
                ".my.salesforce.com")) and parts.path in ("", "/"):
            return True
    return False


def verify(assertion: str, key: rsa.RSAPublicKey, client_id: str, own_url: str,
           now: float) -> dict:
    """The assertion's claims, once its signature, issuer, audience and expiry hold."""
    if not isinstance(assertion, str) or len(assertion) > MAX_ASSERTION or \
            assertion.count(".") != 2:
        raise _invalid()
    head, body, signature = assertion.split(".")
    try:
        header = json.loads(_b64(head))
        claims = json.loads(_b64(body))
    except (ValueError, UnicodeDecodeError):
        raise _invalid() from None
    if not isinstance(header, dict) or header.get("alg") != "RS256" or \
            not isinstance(claims, dict):
        raise _invalid()
    try:
        key.verify(_b64(signature), f"{head}.{body}".encode(), padding.PKCS1v15(),
                   hashes.SHA256())
    except InvalidSignature:
        raise _invalid() from None
    if claims.get("iss") != client_id:
        raise AssertionRefused("invalid_client_id", "client identifier invalid")
    if not audience_accepted(claims.get("aud"), own_url):
        raise AssertionRefused("invalid_grant", "audience is invalid")
    try:
        expires = float(claims.get("exp"))  # simple-salesforce sends it as a string
    except (TypeError, ValueError):
        raise _invalid() from None
    if expires < now:
        raise _invalid()
    if not isinstance(claims.get("sub"), str):
        raise _invalid()
    return claims

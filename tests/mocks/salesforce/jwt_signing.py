"""A JWT bearer assertion as a connected app's client signs one (RS256), for the tests."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def sign(claims: dict, pem: str, header: dict | None = None) -> str:
    """``claims`` signed with the private key ``pem`` (PEM text)."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    head = b64(json.dumps(header or {"alg": "RS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64(signature)}"

"""A certificate authority made at start, for ``--tls`` and the proxy of ``--proxy``.

simple-salesforce always builds ``https://`` URLs, so the Salesforce mock can serve TLS.
We make a throw-away certificate authority and a server certificate it signs (for
``localhost``, ``127.0.0.1`` and ``::1``); pointing ``REQUESTS_CA_BUNDLE`` at the CA file
makes unmodified ``requests``-based code trust the mock and nothing else. The proxy mode
asks the same CA for a certificate for each real host name it stands in for
(``login.salesforce.com``, ``123-ABC-456.mktorest.com`` ...), minted when first asked.
"""

from __future__ import annotations

import ipaddress
import shutil
import ssl
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mocks.core.serving import TLSFiles

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "siasim"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class LocalCA:
    """A certificate authority that lives in one folder (``ca.pem``; its key only in
    memory) and signs server certificates for any names."""

    def __init__(self, folder: Path, temporary: bool) -> None:
        self.folder = folder
        self.temporary = temporary
        now = datetime.now(UTC)
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._name = _name("siasim local CA")
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(self._name).issuer_name(self._name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()),
                           critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def remove(self) -> None:
        """A temporary CA's folder goes, with whatever keys were written in it."""
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)

    @classmethod
    def create(cls, directory: str | Path | None = None) -> LocalCA:
        # without a folder: a temporary one, removed with the server (TLSFiles.remove)
        folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="siasim-tls-"))
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, temporary=directory is None)

    def issue(self, hosts: tuple[str, ...]) -> tuple[bytes, bytes]:
        """A server certificate for these names (its chain: it and the CA) and its key."""
        now = datetime.now(UTC)
        names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(hosts[0])).issuer_name(self._name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        chain = (cert.public_bytes(serialization.Encoding.PEM)
                 + self._cert.public_bytes(serialization.Encoding.PEM))
        return chain, _pem_key(key)

    def server_files(self, hosts: tuple[str, ...] = ()) -> TLSFiles:
        """``server.pem`` and ``server.key`` for this machine's own names and ``hosts``."""
        chain, key = self.issue((*LOCAL_NAMES, *hosts))
        files = TLSFiles(cert=self.folder / "server.pem", key=self.folder / "server.key",
                         ca=self.ca_file, temporary=self.temporary)
        files.cert.write_bytes(chain)
        files.key.touch(mode=0o600)
        files.key.chmod(0o600)
        files.key.write_bytes(key)
        return files

    def context_for(self, host: str) -> ssl.SSLContext:
        """A server-side TLS context presenting a certificate for ``host`` (made once)."""
        host = host.lower()
        with self._lock:
            context = self._contexts.get(host)
            if context is None:
                chain, key = self.issue((host,))
                # ssl loads certificates from files only: a private folder, gone at once
                with tempfile.TemporaryDirectory(prefix="siasim-cert-") as scratch:
                    cert_file, key_file = Path(scratch) / "cert.pem", Path(scratch) / "key.pem"
                    cert_file.write_bytes(chain)
                    key_file.touch(mode=0o600)
                    key_file.write_bytes(key)
                    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    context.load_cert_chain(cert_file, key_file)
                self._contexts[host] = context
            return context


def make_certificate(directory: str | Path | None = None, hosts: tuple[str, ...] = ()) -> TLSFiles:
    """Write ``ca.pem``, ``server.pem`` and ``server.key`` into ``directory``."""
    return LocalCA.create(directory).server_files(hosts)

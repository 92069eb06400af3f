"""The https loopback receiver, for providers that accept only https redirects (Enable Banking).

Enable Banking registers redirect URLs exactly (port included) and refuses ``http://``, so
Saldo listens on ``https://localhost:<registered port>/<path>`` with a certificate of its own:
made once per installation, self-signed, SHA-256, valid 397 days (browsers refuse longer),
server-auth usage, SAN ``localhost``, ``127.0.0.1`` and ``::1``. Its key and certificate sit in
the data folder with mode 0600: the key is not the person's secret (it guards nothing but this
loopback listener) but it stays private. Everything else is the plain receiver's rules: state
first, constant time, static no-store pages. A browser that refuses the certificate still shows
the redirect in its address bar, so pasting that address completes the flow the same way.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from desktop_app.core.oauth.profile import OAuthProfile
from desktop_app.core.oauth.receiver import LoopbackReceiver, _Server

CERT_NAME = "loopback-cert.pem"
KEY_NAME = "loopback-key.pem"
LIFETIME = dt.timedelta(days=397)
RENEW_BEFORE = dt.timedelta(days=30)


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, atomically (a half-written key is never used)."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _still_good(cert_path: Path, key_path: Path, now: dt.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc - now > RENEW_BEFORE


def ensure_certificate(folder: Path, now: dt.datetime | None = None) -> tuple[Path, Path]:
    """This installation's loopback certificate and key, made (or renewed) when needed."""
    now = now or dt.datetime.now(dt.UTC)
    cert_path, key_path = folder / CERT_NAME, folder / KEY_NAME
    if _still_good(cert_path, key_path, now):
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost (Saldo)")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + LIFETIME - dt.timedelta(minutes=5))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    _write_private(
        key_path,
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


class HttpsLoopbackReceiver(LoopbackReceiver):
    """The loopback receiver behind TLS, with the installation's own certificate."""

    scheme = "https"

    def __init__(self, profile: OAuthProfile, folder: Path) -> None:
        super().__init__(profile)
        cert, key = ensure_certificate(folder)
        self.certificate = cert
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._context.load_cert_chain(cert, key)

    def _secure(self, server: _Server) -> None:
        # the handshake runs in each request's thread (see the handler's setup), never in accept()
        server.socket = self._context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

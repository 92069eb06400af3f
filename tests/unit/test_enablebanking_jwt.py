"""The JWT that authorises every Enable Banking call, checked with the public key alone."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

from desktop_app.core.errors import AppKeyError
from desktop_app.core.providers.enablebanking import AppToken, load_app_key


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_rs256_with_kid_issuer_audience_and_at_most_a_day() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = [1_800_000_000.0]
    token = AppToken("app-123", _pem(key).decode(), clock=lambda: now[0])
    value = token.access_token()
    public = RSAKey.import_key(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    decoded = jwt.decode(value, public, algorithms=["RS256"])
    assert decoded.header == {"typ": "JWT", "alg": "RS256", "kid": "app-123"}
    claims = decoded.claims
    assert claims["iss"] == "enablebanking.com" and claims["aud"] == "api.enablebanking.com"
    assert claims["iat"] == 1_800_000_000 and 0 < claims["exp"] - claims["iat"] <= 86_400
    assert token.access_token() == value, "reused while fresh"
    now[0] += 3_400  # within five minutes of its end: a new one
    assert token.access_token() != value
    assert "BEGIN" not in repr(token) and "app-123" in repr(token)


@pytest.mark.parametrize(
    "pem",
    [
        b"",
        b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
        _pem(ec.generate_private_key(ec.SECP256R1())),  # not RSA
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),  # public only
    ],
)
def test_anything_but_an_rsa_private_key_is_refused(pem: bytes) -> None:
    with pytest.raises(AppKeyError, match="not an RSA private key"):
        load_app_key(pem)

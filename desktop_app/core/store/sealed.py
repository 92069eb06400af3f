"""The backup file format: a stream sealed with AES-256-GCM under a key derived from a passphrase.

Layout: ``SALDOBAK`` · header length (4 bytes) · header (JSON) · chunks, each a 4-byte length
and an AES-GCM ciphertext of up to 1 MiB of plaintext. The key comes from scrypt (the memory-hard
KDF in ``cryptography``; n=2^17, r=8, p=1, a fresh salt per file) through HKDF, which also gives
a 16-byte check value kept in the header, so a wrong passphrase is told apart from a damaged file.
Every chunk authenticates the whole header as associated data; its nonce is its index plus a
flag on the last chunk (the STREAM construction), so reordering, tampering and truncation are
each detected. The key is new for every file, so counter nonces never repeat under one key.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Iterator
from io import BufferedReader
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from desktop_app.core.errors import SaldoError

MAGIC = b"SALDOBAK"
FORMAT = 1
CHUNK = 1 << 20
_TAG = 16
_SCRYPT = {"n": 1 << 17, "r": 8, "p": 1}
_MAX_HEADER = 1 << 16


class BackupError(SaldoError):
    """A backup could not be written or read."""


class WrongPassphraseError(BackupError):
    """The passphrase does not open the backup."""


class DamagedBackupError(BackupError):
    """The backup is truncated, tampered with or not a backup."""


class BackupTooNewError(BackupError):
    """The backup was made by a newer Saldo."""


def _keys(passphrase: str, kdf: dict[str, Any]) -> tuple[bytes, bytes]:
    n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
    # Bounds keep a crafted header from asking for gigabytes of memory or hours of work.
    if kdf.get("name") != "scrypt" or not (1 << 14 <= n <= 1 << 20 and n & (n - 1) == 0 and r <= 32 and p <= 16):
        raise DamagedBackupError("The backup's header is damaged (key derivation settings out of range).")
    master = Scrypt(salt=bytes.fromhex(kdf["salt"]), length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    okm = HKDF(algorithm=SHA256(), length=48, salt=None, info=b"saldo backup v1").derive(master)
    return okm[:32], okm[32:]


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def seal(chunks: Iterator[bytes], out: BinaryIO, passphrase: str, meta: dict[str, Any]) -> None:
    """Write `chunks` (each at most CHUNK bytes) to `out` as a sealed backup described by `meta`."""
    kdf = {"name": "scrypt", **_SCRYPT, "salt": os.urandom(16).hex()}
    key, check = _keys(passphrase, kdf)
    header = json.dumps({"format": FORMAT, **meta, "kdf": kdf, "check": check.hex()}, sort_keys=True).encode()
    out.write(MAGIC + len(header).to_bytes(4, "big") + header)
    aad = MAGIC + header
    aead = AESGCM(key)
    index = 0
    current = next(chunks, b"")
    while True:
        following = next(chunks, None)
        sealed = aead.encrypt(_nonce(index, following is None), current, aad)
        out.write(len(sealed).to_bytes(4, "big") + sealed)
        if following is None:
            return
        current = following
        index += 1


def read_header(inp: BinaryIO) -> tuple[dict[str, Any], bytes]:
    """The backup's header (not yet authenticated) and its raw bytes."""
    if inp.read(len(MAGIC)) != MAGIC:
        raise DamagedBackupError("This file is not a Saldo backup.")
    size = int.from_bytes(inp.read(4), "big")
    raw = inp.read(size) if 0 < size <= _MAX_HEADER else b""
    try:
        header = json.loads(raw)
        if not isinstance(header, dict):
            raise ValueError
    except ValueError:
        raise DamagedBackupError("The backup is damaged: its header cannot be read.") from None
    if not isinstance(header.get("format"), int) or header["format"] > FORMAT:
        raise BackupTooNewError(
            "This backup was made by a newer Saldo (backup format "
            f"{header.get('format')}; this one reads {FORMAT}). Update Saldo to restore it."
        )
    return header, raw


def unseal(inp: BufferedReader, passphrase: str, header: dict[str, Any], raw_header: bytes) -> Iterator[bytes]:
    """The plaintext chunks after `read_header`, each authenticated; use none until the last has come."""
    try:
        key, check = _keys(passphrase, header["kdf"])
        expected = bytes.fromhex(header["check"])
    except (KeyError, TypeError, ValueError):
        raise DamagedBackupError("The backup is damaged: its header cannot be read.") from None
    if not hmac.compare_digest(check, expected):
        raise WrongPassphraseError(
            "The passphrase is wrong for this backup (or its header was altered); nothing was changed."
        )
    aead, aad = AESGCM(key), MAGIC + raw_header
    index = 0
    while True:
        prefix = inp.read(4)
        size = int.from_bytes(prefix, "big")
        if len(prefix) != 4 or size > CHUNK + _TAG:
            raise DamagedBackupError("The backup is truncated or damaged; nothing was changed.")
        sealed = inp.read(size)
        if len(sealed) != size:
            raise DamagedBackupError("The backup is truncated; nothing was changed.")
        last = inp.peek(1)[:1] == b""
        try:
            yield aead.decrypt(_nonce(index, last), sealed, aad)
        except InvalidTag:
            raise DamagedBackupError(_why_not(aead, index, last, sealed, aad)) from None
        if last:
            return
        index += 1


def _why_not(aead: AESGCM, index: int, last: bool, sealed: bytes, aad: bytes) -> str:
    if last:
        try:
            aead.decrypt(_nonce(index, False), sealed, aad)
            return "The backup is truncated (its end is missing); nothing was changed."
        except InvalidTag:
            pass
    return "The backup has been tampered with or damaged (authentication failed); nothing was changed."

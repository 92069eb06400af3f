"""The SQLite driver the cache uses, and the key that unlocks an encrypted cache.

Saldo talks to its cache through ``sqlcipher3`` (SQLCipher 4: SQLite with every page encrypted
with AES-256 and authenticated with HMAC-SHA512). It is the same DB-API as the standard
``sqlite3`` module, but its classes are its own: code must catch ``sqlite.Error`` from here, not
``sqlite3.Error``. Where no ``sqlcipher3`` wheel exists for a platform, the standard module
stands in and the cache can only be plain (``ENCRYPTION_AVAILABLE`` is False and Saldo says so):
plain SQLite silently ignores ``PRAGMA key``, so nothing may pretend to encrypt there.

For mypy the driver is the standard module, whose API it mirrors.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3 as sqlite

    ENCRYPTION_AVAILABLE: bool
else:
    try:
        from sqlcipher3 import dbapi2 as sqlite

        ENCRYPTION_AVAILABLE = True
    except ImportError:  # no wheel for this platform: plain caches only
        import sqlite3 as sqlite

        ENCRYPTION_AVAILABLE = False

__all__ = [
    "ENCRYPTION_AVAILABLE",
    "KEY_BYTES",
    "PAGE_SIZE",
    "SALT_BYTES",
    "CacheKey",
    "apply_key",
    "attach_keyed",
    "backup_into",
    "sqlite",
]

# SQLCipher writes decryption failures to stderr by default; Saldo reports them itself, once.
if ENCRYPTION_AVAILABLE:
    _quiet = sqlite.connect(":memory:")
    _quiet.execute("PRAGMA cipher_log_level = NONE")
    _quiet.close()

# Large pages cut B-tree depth and the per-page HMAC work; every encrypted cache uses this size.
PAGE_SIZE = 16384
KEY_BYTES = 32
SALT_BYTES = 16


@dataclass(frozen=True)
class CacheKey:
    """What unlocks one encrypted cache: a raw 256-bit key with its salt, or a passphrase.

    A raw key skips SQLCipher's key derivation (it is random already); a passphrase goes
    through SQLCipher's own PBKDF2-HMAC-SHA512 with its default 256,000 iterations. The repr
    never shows either.
    """

    raw: bytes | None = field(default=None, repr=False)
    salt: bytes | None = field(default=None, repr=False)
    passphrase: str | None = field(default=None, repr=False)

    @classmethod
    def random(cls) -> CacheKey:
        return cls(raw=secrets.token_bytes(KEY_BYTES), salt=secrets.token_bytes(SALT_BYTES))

    def text(self) -> str:
        """The key as SQLCipher reads it: ``x'<key><salt>'`` for a raw key, else the passphrase."""
        if self.raw is not None:
            # The salt becomes the file's first 16 bytes, which is how the keyring entry is found.
            return f"x'{(self.raw + (self.salt or b'')).hex()}'"
        if self.passphrase is not None:
            return self.passphrase
        raise ValueError("an empty CacheKey")

    def pragma_value(self) -> str:
        """The key as a SQL string literal (PRAGMA takes no bound parameters)."""
        return "'" + self.text().replace("'", "''") + "'"


def apply_key(conn: sqlite.Connection, key: CacheKey | None) -> None:
    """Key a fresh connection (before anything reads the file); None leaves it plain."""
    if key is None:
        return
    if not ENCRYPTION_AVAILABLE:
        raise RuntimeError("this build of Saldo has no SQLCipher")
    conn.execute(f"PRAGMA key = {key.pragma_value()}")
    conn.execute(f"PRAGMA cipher_page_size = {PAGE_SIZE}")


def backup_into(conn: sqlite.Connection, path: str | os.PathLike[str], key: CacheKey | None) -> None:
    """SQLite's online backup of `conn` (a consistent snapshot) into the file at `path`, keyed with `key`.

    Between two encrypted databases SQLCipher re-encrypts every page under the target's key;
    between a plain and an encrypted one the backup API refuses (use ``sqlcipher_export``).
    """
    target = sqlite.connect(path)
    try:
        apply_key(target, key)
        conn.backup(target)
    finally:
        target.close()


def attach_keyed(conn: sqlite.Connection, path: str, schema: str, key: CacheKey | None) -> None:
    """ATTACH another database file under `schema`, keyed like `apply_key` (plain when None)."""
    conn.execute(f"ATTACH DATABASE ? AS {schema} KEY ?", (path, key.text() if key is not None else ""))
    if key is not None:
        conn.execute(f"PRAGMA {schema}.cipher_page_size = {PAGE_SIZE}")

"""Where the cache's key comes from: the keyring, a passphrase, or nowhere (a plain cache).

A ``KeySource`` makes the key for a new cache and finds the key of an existing one. The default
is ``KeyringKeys``: a random 256-bit key created at first start and kept in the OS keyring
beside the tokens, one entry per cache file named by the file's salt. Without a usable keyring
the person either gives a passphrase (``PassphraseKeys``; SQLCipher derives the key with its own
PBKDF2 defaults) or chooses to run unencrypted (``PlainKeys``). No key is ever written to a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from desktop_app.core.errors import CacheLockedError, SaldoError
from desktop_app.core.store.driver import KEY_BYTES, SALT_BYTES, CacheKey
from desktop_app.core.vault import Vault

MIN_PASSPHRASE = 8


class KeySource(Protocol):
    """How one Saldo finds (and, for a new cache, makes) the cache key."""

    @property
    def encrypted(self) -> bool: ...

    @property
    def location(self) -> str:
        """Where the key lives, for "the key is in …" (empty for a plain cache)."""
        ...

    def new_key(self) -> CacheKey | None:
        """A key for a new cache, already stored where it lives (None: plain)."""
        ...

    def key_for(self, path: Path, salt: bytes) -> CacheKey:
        """The key of the existing encrypted cache whose first 16 bytes are `salt`."""
        ...

    def adopt(self, key: CacheKey) -> None:
        """Keep a key that came with a restored cache (raw keys only)."""
        ...

    def refused(self, path: Path) -> CacheLockedError:
        """The error for a key that does not open `path`."""
        ...


class KeyringKeys:
    """The random key in the OS keyring (the default)."""

    encrypted = True

    def __init__(self, vault: Vault) -> None:
        if vault.session_only:
            # A key kept only in memory would lock the person out of their own cache on exit.
            raise SaldoError("The cache key needs a system keyring; use a passphrase or run unencrypted instead.")
        self.vault = vault

    @property
    def location(self) -> str:
        return self.vault.backend

    def new_key(self) -> CacheKey:
        key = CacheKey.random()
        self.adopt(key)
        return key

    def adopt(self, key: CacheKey) -> None:
        assert key.raw is not None and key.salt is not None
        self.vault.save_cache_key(key.salt.hex(), key.raw.hex())

    def key_for(self, path: Path, salt: bytes) -> CacheKey:
        value = self.vault.load_cache_key(salt.hex())
        if value is None:
            raise CacheLockedError(
                f"Your cache {path} is encrypted, but its key is not in your keyring ({self.location}): the "
                "keyring may have been reset, or the folder came from another computer. If you set a passphrase, "
                "give it (SALDO_PASSPHRASE); else restore a backup with `saldo restore FILE`. "
                "The cache was left untouched."
            )
        raw = bytes.fromhex(value)
        if len(raw) != KEY_BYTES or len(salt) != SALT_BYTES:
            raise CacheLockedError(f"The cache key in your keyring ({self.location}) is damaged. {_RESTORE}")
        return CacheKey(raw=raw, salt=salt)

    def refused(self, path: Path) -> CacheLockedError:
        return CacheLockedError(
            f"The key in your keyring ({self.location}) does not open {path}: the file is damaged or not "
            f"Saldo's. {_RESTORE}"
        )


class PassphraseKeys:
    """A passphrase the person types (no keyring); SQLCipher stretches it with PBKDF2-HMAC-SHA512."""

    encrypted = True
    location = "your passphrase"

    def __init__(self, passphrase: str) -> None:
        check_passphrase(passphrase)
        self._passphrase = passphrase

    def new_key(self) -> CacheKey:
        return CacheKey(passphrase=self._passphrase)

    def key_for(self, path: Path, salt: bytes) -> CacheKey:
        return CacheKey(passphrase=self._passphrase)

    def adopt(self, key: CacheKey) -> None:
        """A passphrase cache keeps no raw key: restore rekeys the file to the passphrase instead."""

    def refused(self, path: Path) -> CacheLockedError:
        return CacheLockedError(f"The passphrase does not open {path} (wrong passphrase, or the file is damaged).")


class PlainKeys:
    """No encryption: chosen by the person when no keyring is usable, with a warning."""

    encrypted = False
    location = ""

    def new_key(self) -> None:
        return None

    def key_for(self, path: Path, salt: bytes) -> CacheKey:
        raise self.refused(path)

    def adopt(self, key: CacheKey) -> None:
        """Nothing to keep: restore decrypts the cache instead."""

    def refused(self, path: Path) -> CacheLockedError:
        return CacheLockedError(
            f"Your cache {path} is encrypted and no key for it is at hand: unlock your keyring, or give the "
            f"passphrase (SALDO_PASSPHRASE). {_RESTORE}"
        )


_RESTORE = "Saldo left the file untouched; `saldo restore FILE` brings back a backup."


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise SaldoError(f"The passphrase is too short: use at least {MIN_PASSPHRASE} characters.")


def choose_key_source(vault: Vault | None, passphrase: str | None = None) -> KeySource:
    """The key source for this start: a passphrase the person gave, else the keyring, else none."""
    if passphrase:
        return PassphraseKeys(passphrase)
    if vault is not None and not vault.session_only:
        return KeyringKeys(vault)
    return PlainKeys()

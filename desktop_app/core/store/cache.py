"""Opening the cache with its key: the one entry point the app, the commands and the tests use.

``open_cache(path, keys)`` finishes any interrupted encryption or restore, refuses files that are
not Saldo's (``safety``), creates a new cache encrypted under a fresh key, encrypts an existing
plain cache in place when a key source is at hand (``encrypt``), and opens an encrypted one with
its key. A missing key is reported (with the way back: a backup) and never answered by creating
a new empty cache over the old file.

``CacheStatus`` and ``change_passphrase`` are what Settings shows and offers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.errors import CacheLockedError, SaldoError
from desktop_app.core.store import safety
from desktop_app.core.store.database import explain
from desktop_app.core.store.driver import ENCRYPTION_AVAILABLE, CacheKey, sqlite
from desktop_app.core.store.encrypt import encrypt_in_place, read_salt, recover
from desktop_app.core.store.keys import KeySource, PassphraseKeys, check_passphrase
from desktop_app.core.store.store import Store

log = logging.getLogger(__name__)

NO_SQLCIPHER = "This build of Saldo has no SQLCipher, so it cannot encrypt or open an encrypted cache."


def open_cache(path: Path, keys: KeySource, *, verify: bool = True) -> Store:
    """The cache at `path`, opened (created, encrypted, migrated) with the key `keys` provides.

    `verify=False` defers the whole-file check to the session's first write (the GUI, so a
    large cache shows at once); commands check before anything else.
    """
    recover(path)
    state = safety.examine(path)
    can_encrypt = keys.encrypted and ENCRYPTION_AVAILABLE
    if keys.encrypted and not ENCRYPTION_AVAILABLE:
        log.warning("%s", NO_SQLCIPHER)
    if state in (safety.FileState.MISSING, safety.FileState.EMPTY):
        return Store.open(path, key=keys.new_key() if can_encrypt else None, verify=verify)
    if state is safety.FileState.PLAIN:
        if not can_encrypt:
            return Store.open(path, verify=verify)
        key = encrypt_in_place(path, keys)
        return Store.open(path, key=key, verify=False)
    if not ENCRYPTION_AVAILABLE:
        raise CacheLockedError(f"{path} is encrypted or not a database. {NO_SQLCIPHER} It was left untouched.")
    key = keys.key_for(path, read_salt(path))
    try:
        return Store.open(path, key=key, verify=verify)
    except CacheLockedError:
        raise keys.refused(path) from None


@dataclass(frozen=True)
class CacheStatus:
    """What Settings says about the cache."""

    path: Path
    encrypted: bool
    key_location: str  # "Secret Service", "your passphrase", … ; empty when plain
    passphrase: bool  # Change passphrase applies

    def describe(self) -> str:
        if self.encrypted:
            return f"Your data is encrypted; the key is in {self.key_location}."
        return (
            "Your data is NOT encrypted: anyone who can read this folder can read your transactions. "
            "Install or unlock a system keyring, or choose a passphrase, to encrypt it."
        )


def cache_status(store: Store, keys: KeySource) -> CacheStatus:
    key = store.key
    return CacheStatus(
        path=store.path,
        encrypted=key is not None,
        key_location=keys.location if key is not None else "",
        passphrase=key is not None and key.passphrase is not None,
    )


def change_passphrase(store: Store, old: str, new: str) -> PassphraseKeys:
    """Re-encrypt a passphrase cache under a new passphrase; returns the key source to use from now on."""
    if store.key is None or store.key.passphrase is None:
        raise SaldoError("This cache is not protected by a passphrase, so there is none to change.")
    if old != store.key.passphrase:
        raise CacheLockedError("The current passphrase is wrong; nothing was changed.")
    check_passphrase(new)
    rekey(store, CacheKey(passphrase=new))
    return PassphraseKeys(new)


def rekey(store: Store, key: CacheKey) -> None:
    """Re-encrypt every page of the open cache under `key` (SQLCipher's rekey, one transaction)."""
    store.verify()
    with store.locked_connection() as conn:
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute(f"PRAGMA rekey = {key.pragma_value()}")
        except sqlite.Error as exc:
            raise explain(exc, store.path) from None
        store.key = key

"""Keys for the test caches: every suite's cache is encrypted, as the app's is.

In-process tests keep the key in an in-memory keyring backend (the real ``keyring`` API, the
real ``Vault`` and ``KeyringKeys``); tests that run ``saldo`` as a subprocess share the cache
through a passphrase in ``SALDO_PASSPHRASE`` and a keyring that is switched off.
"""

from __future__ import annotations

from pathlib import Path

import keyring.backend
import keyring.errors

from desktop_app.core.store import Store
from desktop_app.core.store.cache import open_cache
from desktop_app.core.store.driver import CacheKey, apply_key, sqlite
from desktop_app.core.store.keys import KeyringKeys, PassphraseKeys
from desktop_app.core.vault import Vault

TEST_PASSPHRASE = "correct horse battery staple"
# What a `saldo` subprocess needs to open a cache made with `passphrase_cache`.
CHILD_ENV = {"SALDO_PASSPHRASE": TEST_PASSPHRASE, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that forgets everything when the test ends."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.values:
            raise keyring.errors.PasswordDeleteError(username)
        del self.values[(service, username)]


def memory_keys() -> KeyringKeys:
    return KeyringKeys(Vault(MemoryKeyring()))


def passphrase_cache(path: Path) -> Store:
    """An encrypted cache a `saldo` subprocess opens with CHILD_ENV."""
    return open_cache(path, PassphraseKeys(TEST_PASSPHRASE))


def connect_raw(path: Path | str, key: CacheKey | None) -> sqlite.Connection:
    """A bare connection to a (keyed) cache, for tests that look under the Store."""
    conn = sqlite.connect(path, isolation_level=None)
    apply_key(conn, key)
    return conn

"""How a command finds the cache key: the keyring, else a passphrase, else (with a warning) none.

The passphrase comes from a prompt on a terminal or from ``SALDO_PASSPHRASE`` for scripts;
never from the command line, where other users could read it in the process list.
"""

from __future__ import annotations

import getpass
import os
import sys

from desktop_app.core.store import Store
from desktop_app.core.store.keys import KeyringKeys, KeySource, PassphraseKeys, PlainKeys
from desktop_app.core.vault import Vault, VaultUnavailable

PLAIN_WARNING = (
    "saldo: warning: no system keyring and no passphrase, so the cache is NOT encrypted. "
    "Unlock a keyring or set SALDO_PASSPHRASE to encrypt it."
)


def key_source() -> KeySource:
    try:
        return KeyringKeys(Vault.open())
    except VaultUnavailable:
        pass
    passphrase = os.environ.get("SALDO_PASSPHRASE")
    if passphrase is None and sys.stdin.isatty():
        passphrase = getpass.getpass("No system keyring. Cache passphrase (empty: keep the cache unencrypted): ")
    return PassphraseKeys(passphrase) if passphrase else PlainKeys()


def warn_if_plain(store: Store) -> None:
    if store.key is None:
        print(PLAIN_WARNING, file=sys.stderr)


def read_passphrase(prompt: str, *, confirm: bool) -> str:
    """A passphrase from the terminal (asked twice when `confirm`), or the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again, to confirm: ") != first:
        from desktop_app.core.errors import SaldoError

        raise SaldoError("The two passphrases differ; nothing was written.")
    return first

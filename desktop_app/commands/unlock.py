"""How a command finds the cache key: the keyring, else a passphrase, else (with a warning) none.

The passphrase comes from a prompt on a terminal or from ``SALDO_PASSPHRASE`` for scripts;
never from the command line, where other users could read it in the process list.
"""

from __future__ import annotations

import getpass
import os
import sys

from desktop_app.core.store import Store
from desktop_app.core.store.keys import KeySource, choose_key_source
from desktop_app.core.vault import Vault

PLAIN_WARNING = (
    "warning: no system keyring and no passphrase, so the cache is NOT encrypted. "
    "Unlock a keyring or set SALDO_PASSPHRASE to encrypt it."
)


def key_source(vault: Vault) -> KeySource:
    """SALDO_PASSPHRASE if set, else the keyring, else a passphrase prompt on a terminal, else none."""
    passphrase = os.environ.get("SALDO_PASSPHRASE")
    if not passphrase and vault.session_only and sys.stdin.isatty():
        passphrase = getpass.getpass("No system keyring. Cache passphrase (empty: leave it unencrypted): ")
    return choose_key_source(vault, passphrase)


def plain_warning(store: Store) -> str:
    """What to tell the person about a cache that is not encrypted ("" when it is)."""
    return PLAIN_WARNING if store.key is None else ""


def read_passphrase(prompt: str, *, confirm: bool) -> str:
    """A passphrase from the terminal (asked twice when `confirm`), or the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again, to confirm: ") != first:
        from desktop_app.core.errors import SaldoError

        raise SaldoError("The two passphrases differ; nothing was written.")
    return first

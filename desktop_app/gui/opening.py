"""Opening the cache for the window, started before Qt loads.

``saldo`` with no command starts an ``Opening`` on a thread of its own before it imports
PySide6: probing the keyring over D-Bus, fetching the cache key, opening the SQLCipher cache and
reading the account tree then overlap with loading Qt and the window's modules, instead of
following them. No Qt here: this module is imported before PySide6 is.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.redact import Redactor
from desktop_app.startup_trace import mark

if TYPE_CHECKING:
    from desktop_app.core.app import App
    from desktop_app.core.vault import Vault
    from desktop_app.core.views.accounts import AccountTree


def open_vault(redactor: Redactor) -> Vault:
    """The system keyring, or a session-only vault (imported here, on the thread that probes it)."""
    from desktop_app.core.app import open_vault as open_system_vault

    return open_system_vault(redactor)


APPLE_FRAMEWORKS = frozenset({"Security", "CoreServices", "Foundation"})


def find_keyring() -> None:
    """Let the keyring package pick its backend (it caches the choice for `open_vault`).

    It imports every backend to ask which one fits, and the macOS one looks for Apple's
    frameworks with ``ctypes.util.find_library``, which on Linux runs gcc and ld for each
    (~50 ms at every start) only to learn they are not there. They cannot be there, so here the
    look-up answers None at once, as it would after those runs; the choice is the same.
    """
    import keyring

    if not sys.platform.startswith("linux"):
        keyring.get_keyring()
        return
    import ctypes.util

    real = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None if name in APPLE_FRAMEWORKS else real(name)
    try:
        keyring.get_keyring()
    finally:
        ctypes.util.find_library = real


class KeyNeeded(Exception):
    """The cache cannot be opened without the person: a passphrase to unlock it ("unlock"), or, on
    a first start with no keyring, their choice between a passphrase and no encryption ("protect").
    Carries the vault already probed, so asking again does not probe the keyring again."""

    def __init__(self, mode: str, path: Path, vault: Vault, reason: str = "") -> None:
        super().__init__(reason or mode)
        self.mode, self.path, self.vault, self.reason = mode, path, vault, reason


def build_app(
    data_dir: str | None,
    redactor: Redactor,
    *,
    passphrase: str | None = None,
    plain: bool = False,
    vault: Vault | None = None,
) -> tuple[App, AccountTree]:
    """Off the UI thread: probing the keyring can wait on D-Bus or an unlock prompt. The cache
    key is in the keyring; the whole-file check waits for the first write, so a large cache
    shows at once. The account tree is read here too, so the window has it when it is built
    and asks for the first page and the balance line before its first paint.

    `passphrase` and `plain` are the person's answer to a KeyNeeded; `vault` the one it carried."""
    from desktop_app.core.app import create_app
    from desktop_app.core.errors import CacheLockedError, SaldoError
    from desktop_app.core.paths import database_path, resolve_data_dir
    from desktop_app.core.store.driver import ENCRYPTION_AVAILABLE
    from desktop_app.core.store.keys import KeySource, PassphraseKeys, PlainKeys, choose_key_source
    from desktop_app.core.views.accounts import app_tree

    mark("opening the cache")
    if vault is None:
        find_keyring()
        vault = open_vault(redactor)
    mark("keyring open")
    path = database_path(resolve_data_dir(data_dir))
    given = passphrase or os.environ.get("SALDO_PASSPHRASE")
    keys: KeySource
    if plain:
        keys = PlainKeys()
    elif given:
        try:
            keys = PassphraseKeys(given)
        except SaldoError as exc:
            raise KeyNeeded("unlock" if path.exists() else "protect", path, vault, str(exc)) from None
    elif vault.session_only and ENCRYPTION_AVAILABLE and not path.exists():
        raise KeyNeeded("protect", path, vault)  # before anything is written: the person decides
    else:
        keys = choose_key_source(vault)
    try:
        app = create_app(
            data_dir, vault=vault, keys=keys, verify=False, sandbox=os.environ.get("SALDO_SANDBOX_URL") or None
        )
    except CacheLockedError as exc:
        if not ENCRYPTION_AVAILABLE:
            raise
        raise KeyNeeded("unlock", path, vault, str(exc) if given else "") from None
    try:
        return app, app_tree(app)
    except BaseException:
        app.close()
        raise


# The core modules the window needs too. The opening imports them first and the UI thread
# imports the window only then: two threads importing a package and its submodules at once can
# deadlock on Python's import locks (Python breaks the tie with an ImportError in one of them).
SHARED = (
    "desktop_app.core.app",
    "desktop_app.core.categories",
    "desktop_app.core.store.browse",
    "desktop_app.core.store.cache",
    "desktop_app.core.store.undo",
    "desktop_app.core.sidefiles",
    "desktop_app.core.views.accounts",
    "desktop_app.core.views.charts",
    "desktop_app.core.views.scope",
    "desktop_app.core.views.table",
)


class Opening:
    """`build_app` on a thread of its own; `result()` waits for it (and raises what it raised)."""

    def __init__(self, data_dir: str | None) -> None:
        self.data_dir = data_dir
        self.redactor = Redactor()
        self.redactor.install()  # masks secrets in anything logged while the app is built
        self._future: Future[tuple[App, AccountTree]] = Future()
        # A daemon: a keyring that never answers must not keep a closed app's process alive.
        self._thread = threading.Thread(target=self._run, name="saldo-opening", daemon=True)
        self.imported = threading.Event()  # SHARED is in: the UI thread may import the window

    def start(self) -> Opening:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            try:
                for name in SHARED:
                    importlib.import_module(name)
            finally:
                self.imported.set()
            self._future.set_result(build_app(self.data_dir, self.redactor))
        except BaseException as exc:  # handed to whoever waits for the result
            self._future.set_exception(exc)

    def result(self) -> tuple[App, AccountTree]:
        return self._future.result()

"""The one place Saldo is assembled: the cache, the vault, the HTTP client, the connector and
the sync engine, each built once (as FeelUOwn's ``create_app`` does); the last three on first use.

The GUI, every ``saldo`` command, the self-test and the tests build through ``create_app``
and receive the finished ``App``; nothing else constructs these parts or wires them together.
The vault is resolved before the app is built (``open_vault``; the GUI does it off the UI thread)
and handed in, so no part of Saldo ever waits for, or checks, a keyring that is not there yet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.errors import VaultUnavailable
from desktop_app.core.locks import ProcessLocks
from desktop_app.core.paths import database_path, resolve_data_dir
from desktop_app.core.redact import Redactor
from desktop_app.core.store import Store
from desktop_app.core.store.cache import open_cache
from desktop_app.core.store.keys import KeySource, choose_key_source
from desktop_app.core.vault import Vault

if TYPE_CHECKING:
    import httpx2

    from desktop_app.core.api import RetryPolicy
    from desktop_app.core.connect import Connector
    from desktop_app.core.sync import SyncEngine

log = logging.getLogger(__name__)

# Provider APIs answer within seconds; a bank's slow page can take longer than a connect.
HTTP_TIMEOUT, HTTP_CONNECT_TIMEOUT = 20.0, 10.0


def open_vault(redactor: Redactor | None = None, *, warn: Callable[[str], None] | None = None) -> Vault:
    """The system keyring, or (when there is none) a session-only vault; `warn` hears why."""
    redactor = redactor or Redactor()
    try:
        return Vault.open(redactor=redactor)
    except VaultUnavailable as exc:
        (warn or log.warning)(str(exc))
        return Vault(None, session_only=True, redactor=redactor)


class App:
    """Saldo, assembled. Close it (or use ``with``) to release the cache and the HTTP client.

    The HTTP client, the connector and the sync engine are built on first use, on whichever
    thread asks first: importing them (authlib, cryptography, the providers) took a third of
    the GUI's start-up, and the window shows the cache before anything signs in or syncs.
    """

    def __init__(
        self,
        data_dir: Path,
        store: Store,
        vault: Vault,
        locks: ProcessLocks,
        *,
        http: httpx2.Client | None = None,
        demo_bank_url: str | None = None,
        sandbox: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.store = store
        self.vault = vault
        self.locks = locks
        self.owns_http = http is None  # False when the caller handed in its own client (and closes it)
        self._http = http
        self._demo_bank_url = demo_bank_url
        self._sandbox = sandbox
        self._retry = retry
        self._connector: Connector | None = None
        self._engine: SyncEngine | None = None
        self._building = threading.RLock()

    @property
    def http(self) -> httpx2.Client:
        with self._building:
            if self._http is None:
                import httpx2

                self._http = httpx2.Client(timeout=httpx2.Timeout(HTTP_TIMEOUT, connect=HTTP_CONNECT_TIMEOUT))
            return self._http

    @property
    def connector(self) -> Connector:
        with self._building:
            if self._connector is None:
                from desktop_app.core.connect import Connector

                self._connector = Connector(
                    self.store,
                    self.vault,
                    self.http,
                    locks=self.locks,
                    retry=self._retry,
                    demo_bank_url=self._demo_bank_url,
                    sandbox=self._sandbox,
                )
            return self._connector

    @property
    def engine(self) -> SyncEngine:
        with self._building:
            if self._engine is None:
                from desktop_app.core.sync import SyncEngine

                self._engine = SyncEngine(self.store, self.connector.open_session)
            return self._engine

    @property
    def redactor(self) -> Redactor:
        return self.vault.redactor

    def use_demo_bank(self, url: str | None) -> None:
        """Point Demo Bank connections at the running Demo Bank (its port changes every run)."""
        with self._building:
            self._demo_bank_url = url
            if self._connector is not None:
                self._connector.demo_bank_url = url

    def close(self) -> None:
        self.redactor.uninstall()
        if self.owns_http and self._http is not None:
            self._http.close()
        self.store.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def create_app(
    data_dir: str | Path | None,
    *,
    vault: Vault,
    http: httpx2.Client | None = None,
    demo_bank_url: str | None = None,
    sandbox: str | None = None,
    retry: RetryPolicy | None = None,
    keys: KeySource | None = None,
    verify: bool = True,
) -> App:
    """Build Saldo on the data folder `data_dir` (None: the platform's) with a resolved vault.

    `keys` unlocks the cache (default: a key kept in the vault's keyring, else none: a plain
    cache); without `verify` the whole-file check waits for the first write. `sandbox`
    (development) points every provider at a running ``saldo sandbox``. Every log handler
    installed so far masks the secrets the vault hands out from now on.
    """
    folder = resolve_data_dir(data_dir)
    store = open_cache(database_path(folder), keys or choose_key_source(vault), verify=verify)
    vault.redactor.install()
    return App(
        folder, store, vault, ProcessLocks(folder), http=http, demo_bank_url=demo_bank_url, sandbox=sandbox, retry=retry
    )

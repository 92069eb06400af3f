"""What the windows share: the cache, the vault, the connector, the sync engine, the runner.

Built once by the app and passed to each window (no globals), so tests build their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from desktop_app.core.connect import Connector
from desktop_app.core.money import NumberFormat
from desktop_app.core.store import Store
from desktop_app.core.sync import SyncEngine
from desktop_app.core.vault import Vault
from desktop_app.gui.tasks import TaskRunner


@dataclass
class AppContext:
    data_dir: Path
    store: Store
    vault: Vault
    http: httpx2.Client
    tasks: TaskRunner
    numbers: NumberFormat
    sandbox_url: str | None = None  # the embedded Demo Bank
    sandbox_for_all: str | None = None  # point every provider at a sandbox (development)
    # False while the system keyring is still being probed (on a worker, after the first paint):
    # nothing may read or write secrets until `set_vault` has run.
    vault_ready: bool = True
    connector: Connector = field(init=False)
    engine: SyncEngine = field(init=False)

    def __post_init__(self) -> None:
        self.connector = Connector(self.store, self.vault, self.http)
        self.connector.demo_sandbox = self.sandbox_url
        self.engine = SyncEngine(self.store, self.connector.open_session)

    def set_vault(self, vault: Vault) -> None:
        """The probed keyring (or the session-only vault) replaces the placeholder."""
        self.vault = vault
        self.connector.vault = vault
        self.vault_ready = True

    def set_sandbox(self, url: str) -> None:
        self.sandbox_url = url
        self.connector.demo_sandbox = url

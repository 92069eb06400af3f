"""What the windows share: the assembled app, the background-task runner and the number format.

Built once, after the app itself is built, and passed to each window (no globals), so tests
build their own. Immutable: every part is ready when a window receives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.money import NumberFormat
from desktop_app.gui.tasks import TaskRunner

if TYPE_CHECKING:  # the window starts before the sync and sign-in parts are imported
    import httpx2

    from desktop_app.core.app import App
    from desktop_app.core.connect import Connector
    from desktop_app.core.store import Store
    from desktop_app.core.sync import SyncEngine
    from desktop_app.core.vault import Vault


@dataclass(frozen=True, eq=False)
class AppContext:
    app: App
    tasks: TaskRunner
    numbers: NumberFormat

    # The parts of the app the windows use, by their usual names.
    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def vault(self) -> Vault:
        return self.app.vault

    @property
    def connector(self) -> Connector:
        return self.app.connector

    @property
    def engine(self) -> SyncEngine:
        return self.app.engine

    @property
    def data_dir(self) -> Path:
        return self.app.data_dir

    @property
    def http(self) -> httpx2.Client:
        return self.app.http

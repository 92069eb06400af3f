"""Running "Sync all" through the operations: progress, cancel, and an outcome in plain words.

The outcome of a sync stays on screen until the next sync starts; the badges in the tree
come from the sync-run log, so they say the same after a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.core.errors import ProviderUnavailable
from desktop_app.core.models import SyncStatus
from desktop_app.gui import operations as ops_
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import EVERYTHING, MutationOp, Operations
from desktop_app.gui.tasks import TaskContext

# What a sync that did not simply succeed says about a connection, in the outcome line.
_WORDS = {
    SyncStatus.CANCELLED: "cancelled",
    SyncStatus.PARTIAL: "partly synced",
    SyncStatus.OFFLINE: "offline",
    SyncStatus.FAILED: "failed",
    SyncStatus.NEEDS_RECONSENT: "needs reconnecting",
    SyncStatus.RATE_LIMITED: "daily limit reached",
}


class SyncController(QObject):
    """Runs syncs: when asked, and on its own to keep the data fresh (`keep_fresh`)."""

    first_auto_ms = 5_000  # soon after start-up, once the window shows the cache
    every_auto_ms = 6 * 3600 * 1000  # PSD2 allows about four unattended reads a day

    started = Signal()
    progress = Signal(str)
    finished = Signal(object)  # list of SyncResult ([] when the sync itself failed)
    outcome = Signal(str)  # what happened, in words; stays until the next sync

    def __init__(self, ops: Operations, fmt: Formatter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.fmt = fmt
        self.task: TaskContext | None = None
        self.syncing: frozenset[str] = frozenset()
        self.offline: bool = False
        self.labels: dict[str, str] = {}

    @property
    def running(self) -> bool:
        return self.task is not None

    def keep_fresh(self, labels: Callable[[], dict[str, str]]) -> None:
        """Sync on its own soon after start-up and then every few hours, unattended (the engine
        keeps each provider's daily budget), while the app runs. `labels` reads the connections."""
        self._current_labels = labels
        self.auto_timer = QTimer(self)
        self.auto_timer.timeout.connect(self._auto_sync)
        self.auto_timer.start(self.first_auto_ms)

    def _auto_sync(self) -> None:
        self.auto_timer.setInterval(self.every_auto_ms)
        labels = self._current_labels()
        if labels:
            self.sync_all(labels, unattended=True)

    def sync_all(self, labels: dict[str, str], *, unattended: bool = False) -> bool:
        """Sync every connection; `labels` names them (id → label) for the outcome."""
        if self.task is not None:
            return False
        self.labels = labels
        self.syncing = frozenset(labels)
        self.started.emit()
        self.progress.emit("Syncing…")
        self.task = (
            MutationOp(
                self.ops,
                parent=self,
                op=ops_.sync_unattended if unattended else ops_.sync_all,
                changes=EVERYTHING,
                success=self._done,
            )
            .failure(self._failed)
            .with_progress(self._progress)
            .run()
        )
        return True

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel.set()

    def _progress(self, p: Any) -> None:
        where = f" {p.account}" if p.account else ""
        self.progress.emit(f"Syncing{where}: {self.fmt.things(p.new, 'new transaction')}")

    def _finish(self) -> None:
        self.task = None
        self.syncing = frozenset()

    def _done(self, results: list[Any]) -> None:
        self._finish()
        self.offline = any(r.status is SyncStatus.OFFLINE for r in results)
        self.outcome.emit(self.describe(results))
        self.finished.emit(results)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.offline = isinstance(exc, ProviderUnavailable) and exc.unreachable
        self.outcome.emit(f"Sync failed: {ops_.user_message(exc)}")
        self.finished.emit([])
        self.ops.changed.emit(EVERYTHING)  # badges show the failure

    def describe(self, results: list[Any]) -> str:
        """``2,980 transactions added`` plus what went wrong where."""
        if not results:
            return "Nothing to sync"
        new = sum(r.new for r in results)
        updated = sum(r.updated for r in results)
        text = f"{self.fmt.things(new, 'transaction')} added" if new else "No new transactions"
        if updated:
            text += f", {self.fmt.count(updated)} updated"
        problems = [
            f"{self.labels.get(r.connection_id, 'a connection')} {_WORDS[r.status]}"
            for r in results
            if r.status in _WORDS
        ]
        if problems:
            text += " — " + "; ".join(problems)
        return text

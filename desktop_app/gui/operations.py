"""Background operations, the one way the GUI reads or changes Saldo's data (after Anki's aqt.operations).

``QueryOp`` reads, ``MutationOp`` changes and then announces the change so every pane
refreshes. The operation function receives the application object (``app.store``,
``app.connector``, ``app.engine``, ``app.vault``), never a widget; it runs on the task
runner's thread pool and its result comes back on the UI thread. Each operation has a
parent QObject: when the parent has been closed or destroyed the result is dropped. A
failure shows a (non-blocking) message box unless the caller passed ``failure``.

The functions at the end are the operations the panes run; they are the only GUI code that
touches the cache (a test scans the package to keep it so).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop_app import APP_NAME
from desktop_app.core.errors import SaldoError
from desktop_app.core.models import Account, Transaction
from desktop_app.core.store import MonthTotals, TxFilter, browse
from desktop_app.core.store.browse import Position, Sort
from desktop_app.core.store.undo import restore_transactions
from desktop_app.core.views.accounts import AccountTree, app_tree
from desktop_app.core.views.charts import ChartData, balance_data, monthly_data
from desktop_app.core.views.table import Landing, TransferMark, category_labels, land_on, transfer_marks
from desktop_app.gui.tasks import TaskContext, TaskRunner

if TYPE_CHECKING:  # imported where used: importing and exporting are not needed to start
    from desktop_app.core.imports.importer import ImportResult, Target
    from desktop_app.core.imports.reader import ReadOptions
    from desktop_app.core.views.export import ExportResult

log = logging.getLogger(__name__)


class Change(Enum):
    """What a mutation changed, so panes refresh only what they show."""

    CONNECTIONS = "connections"
    ACCOUNTS = "accounts"
    TRANSACTIONS = "transactions"


class Operations(QObject):
    """The GUI's handle on the application: runs operations and announces changes."""

    changed = Signal(object)  # a frozenset of Change

    def __init__(self, app: Any, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner

    @property
    def busy(self) -> bool:
        return self.runner.running > 0


class _Closed(QObject):
    """Notices that the parent was closed: a close event, or a dialog hidden by accept/reject
    (either is hidden, not yet destroyed)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.closed = False
        self._dialog = isinstance(parent, QDialog)
        parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close or (self._dialog and event.type() == QEvent.Type.Hide):
            self.closed = True
        return False


def user_message(exc: BaseException) -> str:
    """What a person reads for a failure: the SaldoError's own words, else a plain fallback."""
    if isinstance(exc, SaldoError):
        return str(exc)
    return f"Something went wrong ({type(exc).__name__}). Your data is unchanged; please try again."


def show_failure(parent: QObject | None, exc: BaseException) -> None:
    log.error("operation failed: %s", exc, exc_info=not isinstance(exc, SaldoError))
    window = parent.window() if isinstance(parent, QWidget) else None
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, user_message(exc), QMessageBox.StandardButton.Ok, window)
    box.setObjectName("operation-failure")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()  # non-blocking: the window stays usable


class QueryOp[T]:
    """Run `op(app)` off the UI thread, then `success(result)` on it (unless `parent` went away)."""

    def __init__(
        self, ops: Operations, *, parent: QObject, op: Callable[..., T], success: Callable[[T], None] | None = None
    ) -> None:
        self._ops = ops
        self._parent = parent
        self._op = op
        self._success = success
        self._failure: Callable[[BaseException], None] | None = None
        self._progress: Callable[[Any], None] | None = None
        self._dropped: Callable[[T], None] | None = None
        self._closed = _watch(parent)

    def failure(self, callback: Callable[[BaseException], None]) -> Self:
        """Handle failures yourself (no message box)."""
        self._failure = callback
        return self

    def if_dropped(self, callback: Callable[[T], None]) -> Self:
        """Release what the result holds (a bound socket, say) when the parent is gone."""
        self._dropped = callback
        return self

    def with_progress(self, callback: Callable[[Any], None]) -> Self:
        """Call `op` as ``op(app, task)``: ``task.progress(v)`` reaches `callback`; ``task.cancel`` means stop."""
        self._progress = callback
        return self

    def _alive(self) -> bool:
        return shiboken6.isValid(self._parent) and not self._closed.closed

    def _done(self, result: T) -> None:
        if self._alive():
            if self._success is not None:
                self._success(result)
        elif self._dropped is not None:
            self._dropped(result)

    def _failed(self, exc: BaseException) -> None:
        if not self._alive():
            log.info("dropped a failure for a closed window: %s", exc)
        elif self._failure is not None:
            self._failure(exc)
        else:
            show_failure(self._parent, exc)

    def run(self) -> TaskContext:
        app = self._ops.app
        if self._progress is not None:
            op = self._op
            on_progress = self._progress
            return self._ops.runner.run(
                lambda task: op(app, task),
                self._done,
                self._failed,
                on_progress=lambda value: on_progress(value) if self._alive() else None,
                with_context=True,
            )
        op = self._op
        return self._ops.runner.run(lambda: op(app), self._done, self._failed)


class MutationOp[T](QueryOp[T]):
    """A QueryOp that changes data: after success, ``Operations.changed`` tells the panes."""

    def __init__(
        self,
        ops: Operations,
        *,
        parent: QObject,
        op: Callable[..., T],
        changes: frozenset[Change],
        success: Callable[[T], None] | None = None,
    ) -> None:
        super().__init__(ops, parent=parent, op=op, success=success)
        self._changes = changes

    def _done(self, result: T) -> None:
        # the data changed whether or not the window that asked is still open
        if self._alive() and self._success is not None:
            self._success(result)
        self._ops.changed.emit(self._changes)


def _watch(parent: QObject) -> _Closed:
    found = parent.findChild(_Closed)
    return found if isinstance(found, _Closed) else _Closed(parent)


# -- the operations the panes run (each receives the application object) ----------------

EVERYTHING = frozenset(Change)


def read_tree(app: Any, syncing: frozenset[str] = frozenset()) -> AccountTree:
    """The account tree; a connection without tokens in the keyring says so."""
    return app_tree(app, syncing)


def read_accounts(app: Any) -> list[Any]:
    return list(app.store.accounts())


def import_statement(app: Any, path: Path, target: Target, options: ReadOptions, **run: Any) -> ImportResult:
    """Import (or, with ``dry_run=True``, preview) one statement file; runs on a worker."""
    from desktop_app.core.imports.importer import Importer

    return Importer(app.store).import_file(path, target, options, **run)


def read_balance(app: Any, account_ids: Sequence[int], currency: str | None) -> ChartData:
    return balance_data(app.store, account_ids, currency)


def read_monthly(app: Any, account_ids: Sequence[int], currency: str | None, filt: TxFilter) -> list[MonthTotals]:
    return monthly_data(app.store, account_ids, currency, filt)


def count_rows(app: Any, filt: TxFilter) -> int:
    return browse.count(app.store, filt)


def count_and_first_page(app: Any, filt: TxFilter, sort: Sort, page: int) -> tuple[int, Any]:
    """The row count of `filt` and its first block (with marks and categories) in one trip to the
    worker: a new filter's rows are on screen without waiting for a second turn at the cache."""
    total = browse.count(app.store, filt)
    return total, read_rows(app, filt, sort, min(page, total), None, 0, False) if total else None


def footer_sums(app: Any, filt: TxFilter) -> list[Any]:
    return browse.sums(app.store, filt)


def read_rows(
    app: Any, filt: TxFilter, sort: Sort, limit: int, after: Position | None, offset: int, backward: bool
) -> tuple[list[Transaction], dict[int, TransferMark], dict[int, str]]:
    """A block of the table, with the transfer marks and the categories of its rows."""
    found = browse.rows(app.store, filt, sort, limit, after=after, offset=offset, backward=backward)
    ids = [t.id for t in found if t.id is not None]
    return found, transfer_marks(app.store, ids), category_labels(app.store, ids)


def land_on_day(app: Any, filt: TxFilter, sort: Sort, day: date, total: int, page: int) -> Landing | None:
    return land_on(app.store, filt, sort, day, total, page)


def read_transaction(app: Any, transaction_id: int) -> tuple[Transaction | None, TransferMark | None]:
    """One transaction for the detail view, raw record and transfer mark included."""
    return browse.transaction(app.store, transaction_id), transfer_marks(app.store, [transaction_id]).get(
        transaction_id
    )


def read_category_of(app: Any, transaction_id: int) -> tuple[str | None, str | None, list[tuple[str, Any]]]:
    """(category path, how it was set, split parts as (path, Money)) for the detail view."""
    from desktop_app.core import categories

    names = {c.id: c.path for c in categories.categories(app.store)}
    category_id, source = categories.category_of(app.store, transaction_id)
    parts = [(names.get(p.category_id, "?"), p.amount) for p in categories.splits(app.store, transaction_id)]
    return names.get(category_id) if category_id is not None else None, source, parts


def delete_transactions(app: Any, ids: Sequence[int]) -> list[Transaction]:
    """Delete (leaving tombstones) and hand back the full rows, so the deletion can be undone."""
    kept = [t for t in (browse.transaction(app.store, i) for i in ids) if t is not None]
    for t in kept:
        assert t.id is not None
        app.store.delete_transaction(t.id)
    return kept


def undo_delete(app: Any, transactions: Sequence[Transaction]) -> int:
    return int(restore_transactions(app.store, transactions).new)


def export_rows(app: Any, filt: TxFilter, path: Path, task: TaskContext) -> ExportResult:
    from desktop_app.core.views.export import export_file

    return export_file(app.store, filt, path, progress=task.progress, cancel=task.cancel)


def connection_accounts(app: Any, connection_id: str) -> list[Account]:
    return list(app.store.accounts(connection_id))


def set_hidden(app: Any, choices: Sequence[tuple[int, bool]]) -> None:
    for account_id, hidden in choices:
        app.store.set_account_hidden(account_id, hidden)


def disconnect(app: Any, connection_id: str, keep_data: bool) -> bool:
    return bool(app.connector.disconnect(connection_id, keep_data=keep_data))


def last_synced(app: Any) -> datetime | None:
    return max((c.last_synced_at for c in app.store.connections() if c.last_synced_at), default=None)


def sync_all(app: Any, task: TaskContext) -> Any:
    return app.engine.sync_all(progress=task.progress, cancel=task.cancel)


def sync_unattended(app: Any, task: TaskContext) -> Any:
    """A sync nobody asked for: within each provider's daily budget of unattended reads."""
    return app.engine.sync_all(progress=task.progress, cancel=task.cancel, unattended=True)


def sync_one(app: Any, connection_id: str, task: TaskContext) -> Any:
    return app.engine.sync(connection_id, progress=task.progress, cancel=task.cancel)


def reports_view(ctx: Any, fmt: Any, parent: Any) -> Any:
    """The Reports view; it reads the cache on a worker through `read_reports`."""
    from desktop_app.gui.reports import ReportsView  # pyqtgraph: loaded when first opened

    return ReportsView(lambda *period: read_reports(ctx, *period), ctx.tasks, fmt, parent=parent)


def read_reports(app: Any, key: str, base: str | None, today: date) -> Any:
    from desktop_app.gui.reports import load

    return load(app.store, key, base, today)

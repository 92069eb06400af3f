"""What a person does to transactions: open the detail, delete (and undo), export.

Deleting asks first (naming the transaction, Cancel by default) and can be undone with
Ctrl+Z until Saldo closes: the deleted rows, raw record included, are kept in memory and
put back with their tombstones lifted. Exporting streams the current filter to a file on
a worker with progress and Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop_app.core.models import Transaction
from desktop_app.core.views.table import TransferMark
from desktop_app.gui import dialogs
from desktop_app.gui import operations as ops_
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import Change, MutationOp, Operations, QueryOp
from desktop_app.gui.table import TransactionsModel
from desktop_app.gui.tasks import TaskContext


class TransactionActions(QObject):
    status = Signal(str)
    busy = Signal(bool)
    progress = Signal(int, int)  # done, total
    undo_changed = Signal(bool, str)  # available, menu text
    exported = Signal(object)  # ExportResult, or None when the export failed

    def __init__(
        self,
        ops: Operations,
        fmt: Formatter,
        model: TransactionsModel,
        selected_rows: Callable[[], list[int]],
        account_label: Callable[[int], str],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.ops, self.fmt, self.model = ops, fmt, model
        self.selected_rows = selected_rows
        self.account_label = account_label
        self.window = window
        self.undo_stack: list[list[Transaction]] = []
        self.export_task: TaskContext | None = None
        self.detail: dialogs.TransactionDialog | None = None

    def chosen(self) -> list[Transaction]:
        """The selected transactions (those read in already; every stored row has an id)."""
        return [t for t in map(self.model.transaction, self.selected_rows()) if t is not None and t.id is not None]

    def open_detail(self, row: int) -> None:
        t = self.model.transaction(row)
        if t is None or t.id is None:
            return
        name, transaction_id = self.account_label(t.account_id), t.id

        def show(found: tuple[Transaction | None, TransferMark | None, Any]) -> None:
            full, mark, (path, source, parts) = found
            if full is not None:
                transfer = self.model.transfer_words(full, mark) if mark is not None else None
                words = dialogs.category_words(path, source, parts, self.fmt)
                self.detail = dialogs.TransactionDialog(full, name, self.fmt, self.window, transfer, words)
                self.detail.open()

        def read(app: Any) -> tuple[Transaction | None, TransferMark | None, Any]:
            return (*ops_.read_transaction(app, transaction_id), ops_.read_category_of(app, transaction_id))

        QueryOp(self.ops, parent=self.window, op=read, success=show).run()

    # -- delete and undo -----------------------------------------------------------------

    def delete_selected(self) -> None:
        chosen = self.chosen()
        if not chosen or not dialogs.ask_delete(self.window, chosen, self.fmt):
            return
        ids = [t.id for t in chosen if t.id is not None]
        MutationOp(
            self.ops,
            parent=self.window,
            op=lambda app: ops_.delete_transactions(app, ids),
            changes=frozenset({Change.TRANSACTIONS}),
            success=self._deleted,
        ).run()

    def _deleted(self, removed: list[Transaction]) -> None:
        self.undo_stack.append(removed)
        self._undo_state()
        self.status.emit(f"Deleted {self.fmt.things(len(removed), 'transaction')} — Ctrl+Z to undo")

    def _undo_state(self) -> None:
        last = self.undo_stack[-1] if self.undo_stack else []
        self.undo_changed.emit(
            bool(last), f"&Undo delete of {self.fmt.things(len(last), 'transaction')}" if last else "&Undo"
        )

    def undo(self) -> None:
        if not self.undo_stack:
            return
        restore = self.undo_stack.pop()
        self._undo_state()
        MutationOp(
            self.ops,
            parent=self.window,
            op=lambda app: ops_.undo_delete(app, restore),
            changes=frozenset({Change.TRANSACTIONS}),
            success=lambda n: self.status.emit(f"Restored {self.fmt.things(n, 'transaction')}"),
        ).run()

    # -- export ------------------------------------------------------------------------------

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export transactions", "transactions.csv", "CSV files (*.csv);;JSON files (*.json)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the table as filtered now; `exported` tells the result."""
        if self.export_task is not None:
            return
        filt, total = self.model.filter, self.model.rowCount()
        self.busy.emit(True)

        def progress(n: int) -> None:
            self.progress.emit(n, total)
            self.status.emit(f"Exporting… {self.fmt.count(n)} of {self.fmt.count(total)}")

        def done(result: Any) -> None:
            self.export_task = None
            self.busy.emit(False)
            if result is None:
                pass
            elif result.cancelled:
                self.status.emit("Export cancelled; nothing was written")
            else:
                self.status.emit(f"Exported {self.fmt.things(result.rows, 'transaction')} to {path.name}")
            self.exported.emit(result)

        def failed(exc: BaseException) -> None:
            self.status.emit(f"Export failed: {ops_.user_message(exc)}")
            done(None)

        self.export_task = (
            QueryOp(
                self.ops, parent=self.window, op=lambda app, task: ops_.export_rows(app, filt, path, task), success=done
            )
            .failure(failed)
            .with_progress(progress)
            .run()
        )

    def cancel(self) -> None:
        if self.export_task is not None:
            self.export_task.cancel.set()

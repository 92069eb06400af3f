"""The transactions table: a lazy model over the cache, newest first, filtered and searchable.

Rows arrive page by page through keyset pagination on a worker thread, so a million cached
transactions scroll without loading them all and the UI thread never waits on the database.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.core.models import Transaction, TransactionStatus
from desktop_app.core.money import NumberFormat, format_amount
from desktop_app.core.store import Cursor, Store, TxFilter
from desktop_app.gui.tasks import TaskRunner

PAGE = 200
COLUMNS = ("Date", "Description", "Counterparty", "Amount", "")
Index = QModelIndex | QPersistentModelIndex


class TransactionsModel(QAbstractTableModel):
    """Newest-first transactions matching a TxFilter, fetched lazily."""

    loaded = Signal()  # a page arrived (tests and the status line listen)

    def __init__(self, store: Store, tasks: TaskRunner, numbers: NumberFormat, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        self._numbers = numbers
        self._rows: list[Transaction] = []
        self._cursor: Cursor | None = None
        self._done = False
        self._loading = False
        self._generation = 0
        self.filter = TxFilter()

    # -- filtering -------------------------------------------------------------------

    def set_filter(self, filt: TxFilter) -> None:
        self.beginResetModel()
        self.filter = filt
        self._rows, self._cursor, self._done, self._loading = [], None, False, False
        self._generation += 1
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def set_search(self, text: str) -> None:
        self.set_filter(replace(self.filter, search=text.strip() or None))

    def refresh(self) -> None:
        self.set_filter(self.filter)

    # -- lazy loading ----------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._done and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._done or self._loading:
            return
        self._loading = True
        generation, filt, cursor = self._generation, self.filter, self._cursor
        self._tasks.run(
            lambda: self._store.transactions_page(filt, cursor, PAGE),
            lambda result: self._arrived(generation, result),
            lambda exc: self._failed(generation),
        )

    def _arrived(self, generation: int, result: tuple[list[Transaction], Cursor | None]) -> None:
        if generation != self._generation:
            return  # the filter changed while this page was loading
        rows, cursor = result
        self._loading = False
        if rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._cursor = cursor
        self._done = cursor is None
        self.loaded.emit()

    def _failed(self, generation: int) -> None:
        if generation == self._generation:
            self._loading = False
            self._done = True
            self.loaded.emit()

    @property
    def complete(self) -> bool:
        return self._done

    # -- Qt model --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole and section == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def transaction(self, row: int) -> Transaction:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t = self._rows[index.row()]
        col = index.column()
        pending = t.status is TransactionStatus.PENDING
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return t.booking_date.strftime("%d %b %Y")
            if col == 1:
                return t.description
            if col == 2:
                return t.counterparty or ""
            if col == 3:
                return f"{format_amount(t.amount, self._numbers)} {t.amount.currency}"
            if col == 4:
                return "withdrawn" if t.withdrawn else "pending" if pending else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if pending or t.withdrawn:
                return QBrush(QColor("#7a8580"))
            if col == 3 and t.amount.amount > 0:
                return QBrush(QColor("#1f7a4d"))
        if role == Qt.ItemDataRole.FontRole and (pending or t.withdrawn):
            font = QFont()
            font.setItalic(True)
            font.setStrikeOut(t.withdrawn)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and pending:
            return "Pending: not yet booked by the bank"
        return None

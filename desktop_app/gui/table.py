"""The transactions table: a lazy model over the cache, newest first, filtered and searchable.

Rows arrive page by page through keyset pagination on a worker thread, so a million cached
transactions scroll without loading them all and the UI thread never waits on the database.
"""

from __future__ import annotations

from collections import OrderedDict
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
    """Transactions matching a TxFilter, newest (or oldest) first, fetched lazily.

    Pages are discovered in order (each page's keyset cursor leads to the next) but only the
    most recently used ones stay in memory: a page scrolled away is dropped and read again
    when it comes back into view, so a million rows cost a few thousand cursors, not a
    million objects.
    """

    loaded = Signal()  # a page arrived (tests and the status line listen)
    MAX_PAGES = 40

    def __init__(self, store: Store, tasks: TaskRunner, numbers: NumberFormat, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        self._numbers = numbers
        self._pages: OrderedDict[int, list[Transaction]] = OrderedDict()
        self._starts: list[Cursor | None] = [None]  # cursor before page n
        self._count = 0
        self._done = False
        self._loading: set[int] = set()
        self._generation = 0
        self.filter = TxFilter()

    # -- filtering -------------------------------------------------------------------

    def set_filter(self, filt: TxFilter) -> None:
        self.beginResetModel()
        self.filter = filt
        self._pages.clear()
        self._starts, self._count, self._done = [None], 0, False
        self._loading.clear()
        self._generation += 1
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def set_search(self, text: str) -> None:
        self.set_filter(replace(self.filter, search=text.strip() or None))

    def toggle_order(self) -> None:
        self.set_filter(replace(self.filter, oldest_first=not self.filter.oldest_first))

    def refresh(self) -> None:
        self.set_filter(self.filter)

    # -- lazy loading ----------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._done and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._done or self._loading:
            return
        self._load(len(self._starts) - 1, discover=True)

    def _load(self, page: int, discover: bool = False) -> None:
        if page in self._loading:
            return
        self._loading.add(page)
        generation, filt, cursor = self._generation, self.filter, self._starts[page]
        self._tasks.run(
            lambda: self._store.transactions_page(filt, cursor, PAGE, with_raw=False),
            lambda result: self._arrived(generation, page, discover, result),
            lambda exc: self._failed(generation, page),
        )

    def _arrived(
        self, generation: int, page: int, discover: bool, result: tuple[list[Transaction], Cursor | None]
    ) -> None:
        if generation != self._generation:
            return  # the filter changed while this page was loading
        rows, cursor = result
        self._loading.discard(page)
        self._keep(page, rows)
        if discover and page == len(self._starts) - 1:
            if rows:
                self.beginInsertRows(QModelIndex(), self._count, self._count + len(rows) - 1)
                self._count += len(rows)
                self.endInsertRows()
            if cursor is None:
                self._done = True
            else:
                self._starts.append(cursor)
        elif rows:
            first = page * PAGE
            self.dataChanged.emit(self.index(first, 0), self.index(first + len(rows) - 1, len(COLUMNS) - 1))
        self.loaded.emit()

    def _keep(self, page: int, rows: list[Transaction]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)

    def _failed(self, generation: int, page: int) -> None:
        if generation == self._generation:
            self._loading.discard(page)
            self._done = True
            self.loaded.emit()

    @property
    def complete(self) -> bool:
        return self._done

    @property
    def busy(self) -> bool:
        return bool(self._loading)

    @property
    def cached_rows(self) -> int:
        return sum(len(rows) for rows in self._pages.values())

    def transaction(self, row: int) -> Transaction | None:
        """The transaction on `row`, or None while its page is being read again."""
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._load(page)
            return None
        self._pages.move_to_end(page)
        return rows[row % PAGE] if row % PAGE < len(rows) else None

    # -- Qt model --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole and section == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t = self.transaction(index.row())
        if t is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and index.column() == 1 else None
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

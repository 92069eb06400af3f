"""The transactions table: every row of the current filter, read lazily block by block.

The model counts the rows of the filter first, so the scrollbar is proportional and
Ctrl+End reaches the oldest of a million rows at once. Blocks of PAGE rows are read on a
worker as the view asks for them: by keyset from a neighbouring block when one is loaded,
otherwise from the nearer end of the list (see core.store.browse). Only the most recently
used blocks stay in memory.

A transfer between the person's own accounts shows "⇄" before its description, with the
other account in the tooltip. "Go to date" (`go_to_day`) lands on the first row of that day
(or of the nearest earlier day with transactions) in date order; the block around it is
read on a worker in one go, wherever it is in the list.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.core.models import Transaction, TransactionStatus
from desktop_app.core.money import Money
from desktop_app.core.store import TxFilter
from desktop_app.core.store.browse import Position, Sort, SortKey, position
from desktop_app.core.views.table import Landing, TransferMark
from desktop_app.gui import operations as ops_
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import Operations, QueryOp
from desktop_app.gui.theme import colours

PAGE = 200
COL_DATE, COL_DESCRIPTION, COL_COUNTERPARTY, COL_CATEGORY, COL_ACCOUNT, COL_AMOUNT, COL_STATE = range(7)
HEADERS = ("Date", "Description", "Counterparty", "Category", "Account", "Amount", "")
SORTABLE = {COL_DATE: SortKey.DATE, COL_AMOUNT: SortKey.AMOUNT, COL_COUNTERPARTY: SortKey.COUNTERPARTY}
Index = QModelIndex | QPersistentModelIndex
TRANSFER_GLYPH = "⇄"


class TransactionsModel(QAbstractTableModel):
    """Transactions matching a TxFilter in a Sort order, every row addressable."""

    loaded = Signal()  # a block or the count arrived (tests and the footer listen)
    counted = Signal(int)
    totals = Signal(object)  # list[Money]: the sum of the filter in each currency
    landed = Signal(int, object)  # go to date: the row, and the day it shows (None: no day that early)
    MAX_BLOCKS = 40

    def __init__(self, ops: Operations, fmt: Formatter, parent: Any = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._fmt = fmt
        self._blocks: OrderedDict[int, list[Transaction]] = OrderedDict()
        self._marks: dict[int, TransferMark] = {}  # transfer marks of the rows in the blocks, by id
        self._labels: dict[int, str] = {}  # the categories of the rows in the blocks, by id
        self._pending_day: date | None = None  # go to this day once the rows are counted
        self._loading: set[int] = set()
        self._counting = False
        self._total = 0
        self._generation = 0
        self.filter = TxFilter()
        self.order = Sort()  # (not `sort`: that is QAbstractItemModel's method)
        self.account_names: dict[int, str] = {}
        self.sums: list[Money] = []
        self._sum_timer = QTimer(self)
        self._sum_timer.setSingleShot(True)
        self._sum_timer.setInterval(250)
        self._sum_timer.timeout.connect(self._sum)

    # -- what to show ----------------------------------------------------------------

    def set_filter(self, filt: TxFilter, sort: Sort | None = None) -> None:
        """Show `filt` (and `sort`): count first, then read the blocks in view."""
        self.beginResetModel()
        self.filter = filt
        self.order = sort or self.order
        self._blocks.clear()
        self._marks.clear()
        self._labels.clear()
        self._loading.clear()
        self._total = 0
        self._generation += 1
        self._counting = True
        self.sums = []
        self.endResetModel()
        generation, order = self._generation, self.order
        QueryOp(
            self._ops,
            parent=self,
            op=lambda app: ops_.count_and_first_page(app, filt, order, PAGE),
            success=lambda found: self._counted(generation, *found),
        ).failure(lambda exc: self._count_failed(generation)).run()

    def set_search(self, text: str) -> None:
        self.set_filter(replace(self.filter, search=text.strip() or None))

    def set_sort(self, key: SortKey, descending: bool) -> None:
        """Another order of the same rows: the count and the sums stay, only the blocks are read again."""
        if self._counting:
            self.set_filter(self.filter, Sort(key, descending))
            return
        self.beginResetModel()
        self.order = Sort(key, descending)
        self._blocks.clear()
        self._marks.clear()
        self._labels.clear()
        self._loading.clear()
        self._generation += 1
        self.endResetModel()
        if self._total:
            self._load(0)
        self.counted.emit(self._total)

    def refresh(self) -> None:
        self.set_filter(self.filter)

    def _counted(self, generation: int, total: int, first: Any = None) -> None:
        """The count arrived, with the first block when it was read in the same trip."""
        if generation != self._generation:
            return
        self._counting = False
        if total:
            self.beginInsertRows(QModelIndex(), 0, total - 1)
            self._total = total
            self.endInsertRows()
            if first is not None:
                self._arrived(generation, 0, *first)
            else:
                self._load(0)
        self.counted.emit(total)
        self.loaded.emit()
        if self._pending_day is not None:
            day, self._pending_day = self._pending_day, None
            self.go_to_day(day)
        # The sums scan every matching row and the cache serves one read at a time: they wait
        # until the person has stopped changing the filter, so they never hold up a page.
        self._sum_timer.start()

    def _sum(self) -> None:
        filt = self.filter
        QueryOp(
            self._ops, parent=self, op=lambda app: ops_.footer_sums(app, filt), success=lambda s: self._summed(filt, s)
        ).failure(lambda exc: None).run()

    def _count_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._counting = False
            self.loaded.emit()

    def _summed(self, filt: TxFilter, sums: list[Money]) -> None:
        if filt == self.filter:  # the sort order does not change the sums
            self.sums = sums
            self.totals.emit(sums)

    # -- blocks ----------------------------------------------------------------------

    def _load(self, block: int) -> None:
        if block in self._loading or self._total == 0:
            return
        self._loading.add(block)
        start = block * PAGE
        size = min(PAGE, self._total - start)
        before, after = self._blocks.get(block - 1), self._blocks.get(block + 1)
        filt, sort, generation = self.filter, self.order, self._generation
        args: tuple[TxFilter, Sort, int, Position | None, int, bool]
        if before:
            args = (filt, sort, size, position(before[-1], sort), 0, False)
        elif after:
            args = (filt, sort, size, position(after[0], sort), 0, True)
        elif start <= self._total // 2:
            args = (filt, sort, size, None, start, False)
        else:
            args = (filt, sort, size, None, self._total - start - size, True)
        QueryOp(
            self._ops,
            parent=self,
            op=lambda app: ops_.read_rows(app, *args),
            success=lambda found: self._arrived(generation, block, *found),
        ).failure(lambda exc: self._arrived(generation, block, [], {})).run()

    def _arrived(
        self,
        generation: int,
        block: int,
        rows: list[Transaction],
        marks: dict[int, TransferMark],
        labels: dict[int, str] | None = None,
    ) -> None:
        if generation != self._generation:
            return  # the filter changed while this block was loading
        self._loading.discard(block)
        self._blocks[block] = rows
        self._marks.update(marks)
        self._labels.update(labels or {})
        self._blocks.move_to_end(block)
        while len(self._blocks) > self.MAX_BLOCKS:
            for t in self._blocks.popitem(last=False)[1]:
                self._marks.pop(t.id or 0, None)
                self._labels.pop(t.id or 0, None)
        if rows:
            first = block * PAGE
            last = min(first + len(rows), self._total) - 1
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(HEADERS) - 1))
        self.loaded.emit()

    def when_first_page(self, go: Callable[[], None]) -> None:
        """Run `go` once the first block of the current filter is in (at once if it is, or if there are no rows)."""

        def ready() -> bool:
            return not self._counting and (self._total == 0 or 0 in self._blocks)

        if ready():
            go()
            return

        def check() -> None:
            if ready():
                self.loaded.disconnect(check)
                go()

        self.loaded.connect(check)

    # -- go to date ------------------------------------------------------------------------

    def go_to_day(self, day: date) -> None:
        """Find the first row of `day` (or the nearest earlier day) in date order; `landed` tells the row.

        The caller puts the table in date order first (`set_sort`)."""
        if self._counting:
            self._pending_day = day
            return
        if self.order.key is not SortKey.DATE or not self._total:
            return
        filt, sort, total, generation = self.filter, self.order, self._total, self._generation
        QueryOp(
            self._ops,
            parent=self,
            op=lambda app: ops_.land_on_day(app, filt, sort, day, total, PAGE),
            success=lambda landing: self._landed(generation, landing),
        ).run()

    def _landed(self, generation: int, landing: Landing | None) -> None:
        if landing is None or generation != self._generation:
            return  # the rows changed meanwhile: the person can ask again
        self._arrived(generation, landing.first // PAGE, landing.rows, landing.marks, landing.labels)
        self.landed.emit(landing.row, landing.day)

    def transfer(self, t: Transaction) -> TransferMark | None:
        return self._marks.get(t.id or 0)

    def transfer_words(self, t: Transaction, mark: TransferMark) -> str:
        """``Transfer to Savings``, ``Transfer from Everyday``, or who marked it when the other leg is not held."""
        other = self.account_names.get(mark.other_account_id or 0)
        if mark.other_account_id is not None:
            other = other or "another of your accounts"
            return f"Transfer {'to' if t.amount.amount < 0 else 'from'} {other}"
        by = {"rule": "by a rule"}.get(mark.source, "by you")
        return f"Transfer between your own accounts (marked {by})"

    @property
    def complete(self) -> bool:
        """The count is known (every row is addressable)."""
        return not self._counting

    @property
    def busy(self) -> bool:
        return self._counting or bool(self._loading)

    @property
    def cached_rows(self) -> int:
        return sum(len(rows) for rows in self._blocks.values())

    def transaction(self, row: int) -> Transaction | None:
        """The transaction on `row`, or None while its block is being read."""
        if not 0 <= row < self._total:
            return None
        block = row // PAGE
        rows = self._blocks.get(block)
        if rows is None:
            self._load(block)
            return None
        self._blocks.move_to_end(block)
        return rows[row % PAGE] if row % PAGE < len(rows) else None

    # -- Qt model --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section in SORTABLE:
            return f"Sort by {HEADERS[section].lower()}"
        if role == Qt.ItemDataRole.TextAlignmentRole and section == COL_AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t = self.transaction(index.row())
        col = index.column()
        if t is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and col == COL_DESCRIPTION else None
        pending = t.status is TransactionStatus.PENDING
        mark = self._marks.get(t.id or 0) if col == COL_DESCRIPTION else None
        if mark is not None and role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            words = self.transfer_words(t, mark)
            return words if role == Qt.ItemDataRole.ToolTipRole else f"{words}: {t.description}"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            text = self._text(t, col, pending)
            return f"{TRANSFER_GLYPH} {text}" if mark is not None else text
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if pending or t.withdrawn:
                return QBrush(QColor(colours().muted))
            if col == COL_AMOUNT and t.amount.amount > 0:
                return QBrush(QColor(colours().income))
        if role == Qt.ItemDataRole.FontRole and (pending or t.withdrawn):
            font = QFont()
            font.setItalic(True)
            font.setStrikeOut(t.withdrawn)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if t.withdrawn:
                return "Withdrawn: the bank no longer lists this transaction"
            if pending:
                return "Pending: not yet booked by the bank"
        return None

    def _text(self, t: Transaction, col: int, pending: bool) -> str:
        if col == COL_DATE:
            return self._fmt.long_day(t.booking_date)
        if col == COL_DESCRIPTION:
            return t.description
        if col == COL_COUNTERPARTY:
            return t.counterparty or ""
        if col == COL_CATEGORY:
            return self._labels.get(t.id or 0, "")
        if col == COL_ACCOUNT:
            return self.account_names.get(t.account_id, "")
        if col == COL_AMOUNT:
            return self._fmt.money(t.amount)
        return "withdrawn" if t.withdrawn else "pending" if pending else ""

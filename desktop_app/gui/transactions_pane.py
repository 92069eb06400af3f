"""The transactions pane: range and filters, the table, an empty-state line and a footer.

The footer gives the count and the sum of the current filter in each currency. Headers of
the date, amount and counterparty columns sort (both ways); the Account column shows only
when the table spans several accounts. "Go to date" puts the table in date order (newest
first, unless it already is in date order) and selects the first row of that day.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.models import TransactionStatus
from desktop_app.core.money import Money
from desktop_app.core.store.browse import SortKey
from desktop_app.gui.charts_pane import RANGES
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.table import (
    COL_ACCOUNT,
    COL_AMOUNT,
    COL_CATEGORY,
    COL_COUNTERPARTY,
    COL_DATE,
    COL_DESCRIPTION,
    COL_STATE,
    SORTABLE,
    TransactionsModel,
)

# the same ranges as the chart presets, everything first
PERIODS = [(name, days) for _, name, days in RANGES[-1:] + RANGES[:-1]]


class TransactionsTable(QTableView):
    """Enter opens the detail; Tab leaves the table instead of walking its cells. Below
    NARROW pixels the Category column steps aside, so the amount always stays in view."""

    activated_row = Signal(int)
    NARROW = 560

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.setColumnHidden(COL_CATEGORY, event.size().width() < self.NARROW)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class TransactionsPane(QWidget):
    filters_changed = Signal()
    range_chosen = Signal(object)  # days or None
    open_row = Signal(int)
    note = Signal(str)  # a passing remark for the status line (where "go to date" landed)

    def __init__(self, model: TransactionsModel, fmt: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.fmt = fmt
        self.heading = QLabel("Transactions")
        self.heading.setStyleSheet("font-weight: 600;")
        # a long account name gives way before the filters do (the window must work at 800 px)
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.heading.setMinimumWidth(80)
        self.period_filter = QComboBox()
        self.period_filter.setAccessibleName("Date range")
        for label, days in PERIODS:
            self.period_filter.addItem(label, days)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Status")
        self.status_filter.addItems(["Booked and pending", "Booked", "Pending"])
        self.direction_filter = QComboBox()
        self.direction_filter.setAccessibleName("Direction")
        self.direction_filter.addItems(["In and out", "Money in", "Money out"])
        period = self.period_filter
        period.currentIndexChanged.connect(lambda _: self.range_chosen.emit(period.currentData()))
        for combo in (self.status_filter, self.direction_filter):
            combo.currentIndexChanged.connect(lambda _: self.filters_changed.emit())
        bar = QHBoxLayout()
        bar.addWidget(self.heading, 1)
        for combo in (self.period_filter, self.status_filter, self.direction_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            bar.addWidget(combo)

        self.table = TransactionsTable()
        self.table.setObjectName("transactions")
        self.table.setAccessibleName("Transactions")
        self.table.setModel(model)
        self.table.setTabKeyNavigation(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_AMOUNT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_STATE, QHeaderView.ResizeMode.ResizeToContents)
        # size columns from the rows in view only: sampling the first 1,000 would read five blocks at start
        header.setResizeContentsPrecision(0)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COL_DATE, Qt.SortOrder.DescendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self.table.setColumnWidth(COL_DATE, 104)
        self.table.setColumnWidth(COL_COUNTERPARTY, 150)
        self.table.setColumnWidth(COL_CATEGORY, 120)
        self.table.setColumnWidth(COL_ACCOUNT, 130)
        self.table.setColumnHidden(COL_ACCOUNT, True)
        self.table.doubleClicked.connect(lambda index: self.open_row.emit(index.row()))
        self.table.activated_row.connect(self.open_row)

        self.empty = QLabel("")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("empty-state")
        self.empty.setVisible(False)
        self.footer = QLabel("")
        self.footer.setObjectName("footer")
        self.footer.setAccessibleName("Count and sum of the transactions shown")
        model.counted.connect(self._counted)
        model.totals.connect(self._summed)
        model.modelReset.connect(lambda: self.footer.setText("Counting…"))
        model.landed.connect(self._landed)
        self._asked_day: date | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.footer)

    # -- state -----------------------------------------------------------------------

    def set_range(self, days: int | None) -> None:
        index = self.period_filter.findData(days)
        if index >= 0:
            self.period_filter.setCurrentIndex(index)

    def show_account_column(self, show: bool) -> None:
        self.table.setColumnHidden(COL_ACCOUNT, not show)

    @property
    def status(self) -> TransactionStatus | None:
        return {1: TransactionStatus.BOOKED, 2: TransactionStatus.PENDING}.get(self.status_filter.currentIndex())

    @property
    def direction(self) -> str | None:
        return {1: "in", 2: "out"}.get(self.direction_filter.currentIndex())

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    def go_to_day(self, day: date) -> None:
        """Select the first row of `day`, or of the nearest earlier day with transactions."""
        if self.model.complete and self.model.rowCount() == 0:
            self.note.emit("No transactions to go to: nothing matches these filters")
            return
        if self.model.order.key is not SortKey.DATE:
            self.table.horizontalHeader().setSortIndicator(COL_DATE, Qt.SortOrder.DescendingOrder)
            self.model.set_sort(SortKey.DATE, descending=True)
        self._asked_day = day
        self.model.go_to_day(day)

    def _landed(self, row: int, day: date | None) -> None:
        index = self.model.index(row, COL_DATE)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.setFocus()
        asked, self._asked_day = self._asked_day, None
        if asked is None or day == asked:
            return
        if day is None:
            self.note.emit(f"No transactions on or before {self.fmt.long_day(asked)}; showing the oldest")
        else:
            self.note.emit(f"No transactions on {self.fmt.long_day(asked)}; showing {self.fmt.long_day(day)}")

    def _header_clicked(self, section: int) -> None:
        """Date, amount and counterparty sort; a second click on the same column reverses."""
        header = self.table.horizontalHeader()
        key = SORTABLE.get(section)
        current = self.model.order
        if key is None:
            section = next(c for c, k in SORTABLE.items() if k is current.key)
            header.setSortIndicator(section, _order(current.descending))
            return
        descending = not current.descending if key is current.key else key is not SortKey.COUNTERPARTY
        header.setSortIndicator(section, _order(descending))
        self.model.set_sort(key, descending)

    # -- footer and empty state --------------------------------------------------------

    def _counted(self, total: int) -> None:
        self.empty.setVisible(total == 0)
        if total == 0:
            searching = bool(self.model.filter.search)
            self.empty.setText(
                "No transactions match your search." if searching else "No transactions match these filters."
            )
        self._footer(total, self.model.sums)

    def _summed(self, sums: list[Money]) -> None:
        self._footer(self.model.rowCount(QModelIndex()) if self.model.complete else None, sums)

    def _footer(self, total: int | None, sums: list[Money]) -> None:
        if total is None:
            return
        parts = [self.fmt.things(total, "transaction")]
        parts += [self.fmt.money(s) for s in sums]
        self.footer.setText("   ·   ".join(parts))


def _order(descending: bool) -> Qt.SortOrder:
    return Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder

"""The Budgets tab of the Reports window: a month's budget, spent and left per category.

A budget is set once and holds for the following months until changed (core.budgets). The
month moves with the ◀ / ▶ buttons (or Alt+Left / Alt+Right); Enter on a row, or "Set budget…",
changes a category's budget from the shown month on. An overspent category is marked in words
and colour, never by colour alone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.budgets import BudgetLine
from desktop_app.core.categories import Category
from desktop_app.core.errors import MoneyError
from desktop_app.core.money import Money, parse_formatted
from desktop_app.gui import editor_parts as parts
from desktop_app.gui import shaping_ops as shaping
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import Operations, QueryOp
from desktop_app.gui.theme import colours

HEADERS = ("Category", "Budget", "Spent", "Left", "")


def shift(month: str, by: int) -> str:
    year, number = (int(p) for p in month.split("-"))
    index = year * 12 + number - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class SetBudgetDialog(QDialog):
    def __init__(
        self, choices: list[Category], chosen: int | None, month: str, currency: str, fmt: Formatter, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.fmt, self.currency = fmt, currency
        self.setWindowTitle("Set budget")
        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        for c in sorted(choices, key=lambda c: c.path.casefold()):
            self.category.addItem(c.path, c.id)
        if chosen is not None and self.category.findData(chosen) >= 0:
            self.category.setCurrentIndex(self.category.findData(chosen))
        self.amount = QLineEdit()
        self.amount.setAccessibleName(f"Amount in {currency}")
        self.amount.setPlaceholderText(f"{fmt.amount(Money(Decimal('250'), currency))} (0 ends the budget)")
        self.problem = parts.error_label()
        form = QFormLayout(self)
        form.addRow("&Category:", self.category)
        form.addRow(f"&Amount ({fmt.symbol(currency)}):", self.amount)
        form.addRow("", QLabel(f"From {fmt.month(month)} on, until you change it."))
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.value: str | None = None
        self.amount.setFocus()

    def _check(self) -> None:
        try:
            money = parse_formatted(self.amount.text(), self.currency, self.fmt.numbers)
        except MoneyError:
            money = None
        if money is None or money.amount < 0:
            self.problem.setText(
                f"Give the most you mean to spend in a month: 0 or more, in {self.fmt.symbol(self.currency)}."
            )
            return
        self.value = str(money.amount)
        self.accept()


class BudgetsView(QWidget):
    loaded = Signal()

    def __init__(self, ops: Operations, fmt: Formatter, currency: str, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.fmt, self.currency = ops, fmt, currency
        self.month = today.isoformat()[:7]
        self.lines: list[BudgetLine] = []
        self.choices: list[Category] = []
        self.dialog: SetBudgetDialog | None = None
        self.previous = QPushButton("◀")
        self.previous.setAccessibleName("Previous month")
        self.previous.setShortcut(QKeySequence("Alt+Left"))
        self.next = QPushButton("▶")
        self.next.setAccessibleName("Next month")
        self.next.setShortcut(QKeySequence("Alt+Right"))
        self.title = QLabel()
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.set_button = QPushButton("&Set budget…")
        self.table = parts.table(HEADERS, "Budgets")
        self.empty = QLabel(
            "No budgets yet. “Set budget…” gives a category an amount per month; it holds for the months "
            "after until you change it."
        )
        self.empty.setWordWrap(True)
        self.totals = QLabel()
        self.totals.setAccessibleName("Totals")
        head = QHBoxLayout()
        for widget in (self.previous, self.title, self.next):
            head.addWidget(widget)
        head.addStretch(1)
        head.addWidget(self.set_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.totals)
        self.previous.clicked.connect(lambda: self.go(-1))
        self.next.clicked.connect(lambda: self.go(1))
        self.set_button.clicked.connect(lambda: self.set_budget(None))
        self.table.itemActivated.connect(lambda item: self.set_budget(self.lines[item.row()].category_id))

    def go(self, months: int) -> None:
        self.month = shift(self.month, months)
        self.refresh()

    def refresh(self) -> None:
        month, currency = self.month, self.currency
        self.title.setText(self.fmt.month(month))
        QueryOp(
            self.ops, parent=self, op=lambda app: shaping.read_budgets(app, month, currency), success=self._show
        ).run()

    def _show(self, found: tuple[list[BudgetLine], list[Category]]) -> None:
        self.lines, self.choices = found
        theme = colours()
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            state = f"Over by {self.fmt.money(Money(-line.left.amount, self.currency))}" if line.over else ""
            cells = (
                QTableWidgetItem(line.name),
                parts.right(self.fmt.money(line.budget)),
                parts.right(self.fmt.money(line.spent)),
                parts.right(self.fmt.money(line.left)),
                QTableWidgetItem(state),
            )
            for column, cell in enumerate(cells):
                if line.over and column in (3, 4):
                    cell.setForeground(QBrush(QColor(theme.error)))
                self.table.setItem(row, column, cell)
        self.table.setVisible(bool(self.lines))
        self.empty.setVisible(not self.lines)
        budget = sum(line.budget.minor_units for line in self.lines)
        spent = sum(line.spent.minor_units for line in self.lines)
        over = sum(1 for line in self.lines if line.over)
        self.totals.setText(
            f"Budgeted {self.fmt.money(Money.from_minor(budget, self.currency))}, spent "
            f"{self.fmt.money(Money.from_minor(spent, self.currency))}"
            + (f"; {self.fmt.things(over, 'category', 'categories')} over budget" if over else "")
            if self.lines
            else ""
        )
        self.loaded.emit()

    def set_budget(self, category_id: int | None) -> None:
        if not self.choices:
            return
        self.dialog = SetBudgetDialog(self.choices, category_id, self.month, self.currency, self.fmt, self)
        self.dialog.accepted.connect(self._save)
        self.dialog.open()

    def _save(self) -> None:
        assert self.dialog is not None
        value, chosen = self.dialog.value, self.dialog.category.currentData()
        month, currency = self.month, self.currency
        if value is None or chosen is None:
            return
        # A budget shows nowhere but here: a query-style operation, no window-wide refresh.
        QueryOp(
            self.ops,
            parent=self,
            op=lambda app: shaping.save_budget(app, int(chosen), month, value, currency),
            success=lambda _: self.refresh(),
        ).run()

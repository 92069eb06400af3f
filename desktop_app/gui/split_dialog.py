"""Edit → Split…: one transaction divided across categories, to the cent.

Each part is a category and an amount (signed as the transaction is). The dialog shows what is
left to assign after every keystroke and saves only when the parts add up exactly to the whole;
the core checks the same again. "Fill" puts what is left into the part being edited.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.categories import Category, Split
from desktop_app.core.errors import MoneyError
from desktop_app.core.models import Transaction
from desktop_app.core.money import Money, parse_formatted
from desktop_app.gui import operations as ops_
from desktop_app.gui import shaping_ops as shaping
from desktop_app.gui.editor_parts import error_label
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import Change, MutationOp, Operations, QueryOp


class SplitDialog(QDialog):
    def __init__(
        self, transaction: Transaction, parts: list[Split], choices: list[Category], fmt: Formatter, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.t, self.fmt, self.choices = transaction, fmt, sorted(choices, key=lambda c: c.path.casefold())
        self.currency = transaction.amount.currency
        self.setWindowTitle("Split transaction")
        who = transaction.counterparty or transaction.description or "transaction"
        heading = QLabel(f"Split “{who}” ({fmt.money(transaction.amount)}) across categories:")
        heading.setWordWrap(True)
        self.grid = QGridLayout()
        self.rows: list[tuple[QComboBox, QLineEdit]] = []
        self.left = QLabel()
        self.left.setAccessibleName("Left to assign")
        self.problem = error_label()
        add = QPushButton("&Add part")
        add.clicked.connect(lambda: self.add_part())
        fill = QPushButton("&Fill the rest")
        fill.setToolTip("Put what is left into the part being edited (the last part otherwise)")
        fill.clicked.connect(self.fill)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        tools = QHBoxLayout()
        tools.addWidget(add)
        tools.addWidget(fill)
        tools.addStretch(1)
        tools.addWidget(self.left)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(self.grid)
        layout.addLayout(tools)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._focus: QLineEdit | None = None
        for part in parts or [Split(0, transaction.amount), Split(0, Money.from_minor(0, self.currency))]:
            self.add_part(part)
        self.setMinimumWidth(520)
        self.update_left()

    def add_part(self, part: Split | None = None) -> None:
        row = len(self.rows)
        category = QComboBox()
        category.setAccessibleName(f"Category of part {row + 1}")
        category.addItem("(choose a category)", None)
        for c in self.choices:
            category.addItem(c.path, c.id)
        amount = QLineEdit()
        amount.setAccessibleName(f"Amount of part {row + 1}")
        amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        if part is not None:
            category.setCurrentIndex(max(0, category.findData(part.category_id)))
            amount.setText(self.fmt.amount(part.amount))
        category.currentIndexChanged.connect(lambda _i: self.update_left())
        amount.textEdited.connect(lambda _t: self.update_left())
        amount.installEventFilter(self)
        self.grid.addWidget(category, row, 0)
        self.grid.addWidget(amount, row, 1)
        self.rows.append((category, amount))
        if part is None:
            category.setFocus()
        self.update_left()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QLineEdit) and event.type() == QEvent.Type.FocusIn:
            self._focus = watched  # "Fill the rest" fills the part being edited
        return False

    def _amounts(self) -> list[Decimal] | None:
        found = []
        for _, field in self.rows:
            text = field.text().strip()
            if not text:
                found.append(Decimal(0))
                continue
            try:
                found.append(parse_formatted(text, self.currency, self.fmt.numbers).amount)
            except MoneyError:
                return None
        return found

    def parts(self) -> list[tuple[int, Decimal]]:
        """The filled-in parts (category chosen, amount not zero)."""
        amounts = self._amounts() or []
        return [
            (int(box.currentData()), value)
            for (box, _), value in zip(self.rows, amounts, strict=False)
            if box.currentData() is not None and value != 0
        ]

    def update_left(self) -> None:
        if not hasattr(self, "save"):
            return
        amounts = self._amounts()
        if amounts is None:
            self.left.setText("An amount is not a number")
            self.save.setEnabled(False)
            return
        left = self.t.amount.amount - sum(amounts, Decimal(0))
        self.left.setText(f"Left to assign: {self.fmt.money(Money(left, self.currency))}")
        chosen = all(box.currentData() is not None for (box, field), v in zip(self.rows, amounts, strict=True) if v)
        self.save.setEnabled(left == 0 and chosen and len(self.parts()) >= 2)

    def fill(self) -> None:
        amounts = self._amounts()
        if amounts is None or not self.rows:
            return
        target = self._focus if self._focus in [f for _, f in self.rows] else self.rows[-1][1]
        index = [f for _, f in self.rows].index(target)
        others = sum((v for i, v in enumerate(amounts) if i != index), Decimal(0))
        target.setText(self.fmt.amount(Money(self.t.amount.amount - others, self.currency)))
        self.update_left()


class Splitter(QObject):
    """Edit → Split…: opens the split dialog for the one selected transaction, its parts read on a worker."""

    status = Signal(str)

    def __init__(self, ops: Operations, fmt: Formatter, selected: Callable[[], list[Transaction]], window: QWidget):
        super().__init__(window)
        self.ops, self.fmt, self.selected, self.window = ops, fmt, selected, window
        self.dialog: SplitDialog | None = None

    def split_selected(self) -> None:
        chosen = [t for t in self.selected() if t.id is not None]
        if len(chosen) != 1:
            self.status.emit("Select one transaction to split")
            return
        t = chosen[0]
        transaction_id = t.id
        assert transaction_id is not None
        QueryOp(
            self.ops,
            parent=self.window,
            op=lambda app: shaping.read_split(app, transaction_id),
            success=lambda found: self._open(t, transaction_id, *found),
        ).run()

    def _open(self, t: Transaction, transaction_id: int, parts: list[Split], choices: list[Category]) -> None:
        dialog = SplitDialog(t, parts, choices, self.fmt, self.window)
        self.dialog = dialog

        def saved(_: object) -> None:
            dialog.accept()
            self.status.emit(f"Split into {self.fmt.things(len(dialog.parts()), 'part')}")

        def save() -> None:
            picked = dialog.parts()
            MutationOp(
                self.ops,
                parent=dialog,
                op=lambda app: shaping.save_split(app, transaction_id, picked),
                changes=frozenset({Change.TRANSACTIONS}),
                success=saved,
            ).failure(lambda exc: dialog.problem.setText(ops_.user_message(exc))).run()

        dialog.buttons.accepted.connect(save)
        dialog.open()

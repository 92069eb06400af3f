"""The parts the list editors and forms share (Accounts…, Categories…, Rules…, Budgets, the
drill-in, the wizard): a read-only table of rows, buttons down the side, a status line and Close,
and the line that says what is wrong with an entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.theme import colours


def table(headers: Sequence[str], name: str, stretch: int = 0) -> QTableWidget:
    """A read-only table that selects whole rows, one at a time; column `stretch` takes the room left."""
    view = QTableWidget(0, len(headers))
    view.setAccessibleName(name)
    view.setHorizontalHeaderLabels(list(headers))
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def right(text: str) -> QTableWidgetItem:
    """A cell for a figure: right-aligned, so the digits line up."""
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def fill(view: QTableWidget, rows: Sequence[Sequence[str | QTableWidgetItem]]) -> None:
    view.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            view.setItem(r, c, cell if isinstance(cell, QTableWidgetItem) else QTableWidgetItem(cell))


def selected[T](view: QTableWidget, items: Sequence[T]) -> T | None:
    """The item of `items` on the selected row of `view` (its rows show `items` in order)."""
    rows = view.selectionModel().selectedRows()
    return items[rows[0].row()] if rows and rows[0].row() < len(items) else None


def button(text: str, slot: Callable[[], object]) -> QPushButton:
    made = QPushButton(text)
    made.clicked.connect(slot)
    return made


def frame(
    dialog: QDialog,
    view: QWidget,
    side: Sequence[QPushButton | None],
    above: QWidget | None = None,
    beside_status: Sequence[QWidget] = (),
) -> QLabel:
    """Lay out `dialog`: `above`, then `view` with the `side` buttons (None: a gap), a status line
    (with `beside_status` after it: a progress bar, Cancel) and Close. Returns the status line."""
    column = QVBoxLayout()
    for widget in side:
        if widget is None:
            column.addStretch(1)
        else:
            column.addWidget(widget)
    if None not in side:
        column.addStretch(1)
    middle = QHBoxLayout()
    middle.addWidget(view, 1)
    middle.addLayout(column)
    status = QLabel("")
    status.setWordWrap(True)
    close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    close.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    if above is not None:
        layout.addWidget(above)
    layout.addLayout(middle, 1)
    bottom = QHBoxLayout()
    bottom.addWidget(status, 1)
    for extra in beside_status:
        bottom.addWidget(extra)
    layout.addLayout(bottom)
    layout.addWidget(close)
    return status


def ask_text(parent: QWidget, title: str, label: str, value: str = "") -> str | None:
    """A one-line question; None when cancelled."""
    text, ok = QInputDialog.getText(parent, title, label, text=value)
    return text if ok else None


def error_style() -> str:
    return f"color: {colours().error};"


def error_label(text: str = "") -> QLabel:
    """The line under a form that says what is wrong (in the theme's error colour, read out as "Problem")."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAccessibleName("Problem")
    label.setStyleSheet(error_style())
    return label

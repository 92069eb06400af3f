"""Behind a spending bar: the category's spending month by month and the transactions that make it.

Opened from the Reports view (a click on a bar, or Enter on a row of the category table). The
data comes from ``core.views.drill`` on a worker; this dialog only draws it.
"""

from __future__ import annotations

from datetime import date

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.money import Money
from desktop_app.core.views.drill import CategoryDrill
from desktop_app.gui import editor_parts as parts
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.theme import colours

HEADERS = ("Date", "Counterparty or description", "Amount")


class CategoryDetail(QDialog):
    def __init__(self, data: CategoryDrill, start: date, end: date, fmt: Formatter, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.data = data
        self.setWindowTitle(f"{data.name} · {fmt.long_day(start)} – {fmt.long_day(end)}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        total = (
            Money.from_minor(sum(m.minor_units for _, m in data.months), data.months[0][1].currency)
            if data.months
            else None
        )
        summary = QLabel(
            f"{fmt.money(total)} spent in {fmt.things(len(data.months), 'month')}" if total else "Nothing spent here"
        )
        summary.setAccessibleName("Summary")
        self.chart = pg.PlotWidget(title="Spent per month")
        self.chart.setBackground(None)
        self.chart.setMouseEnabled(x=False, y=False)
        self.chart.hideButtons()
        self.chart.setMenuEnabled(False)
        self.bars = pg.BarGraphItem(
            x=list(range(len(data.months))),
            height=[float(m.amount) for _, m in data.months],  # drawing only: the figures shown are exact
            width=0.7,
            brush=colours().spending,
        )
        self.chart.addItem(self.bars)
        self.chart.getAxis("bottom").setTicks([[(i, fmt.month(month)) for i, (month, _) in enumerate(data.months)]])
        self.chart.setMinimumHeight(180)

        self.table = parts.table(HEADERS, "Transactions", stretch=1)
        parts.fill(
            self.table,
            [
                (fmt.day(t.booking_date), t.counterparty or t.description, parts.right(fmt.money(t.amount)))
                for t in data.transactions
            ],
        )
        note = QLabel(f"The newest {fmt.count(len(data.transactions))} are listed." if data.more else "", wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.chart, 2)
        layout.addWidget(self.table, 3)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(720, 620)
        self.table.setFocus()

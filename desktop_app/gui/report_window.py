"""The Reports window (View → Reports…, Ctrl+R): the charts, the month's budgets, and what is behind a bar.

Two tabs: "Spending and net worth" (gui.reports) and "Budgets" (gui.budgets_view). A click on a
spending bar, or Enter on its row, opens the category's months and transactions
(gui.category_detail). Every read runs on a worker through gui.operations.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout

from desktop_app.gui import operations as ops_
from desktop_app.gui import shaping_ops as shaping
from desktop_app.gui.budgets_view import BudgetsView
from desktop_app.gui.operations import QueryOp

if TYPE_CHECKING:
    from desktop_app.gui.window import MainWindow


class ReportsWindow(QDialog):
    def __init__(self, w: MainWindow) -> None:
        super().__init__(w)
        self.w = w
        self.setWindowTitle("Reports")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view = ops_.reports_view(w.ctx, w.fmt, self)
        self.budgets = BudgetsView(w.ops, w.fmt, self.view.base or "EUR", date.today(), self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.view, "&Spending and net worth")
        self.tabs.addTab(self.budgets, "&Budgets")
        self.tabs.currentChanged.connect(self._tab)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.view.category_clicked.connect(self.drill)
        self.view.loaded.connect(self._follow_base)
        self.detail: QDialog | None = None
        self._budgets_read = False
        self.resize(960, 680)

    def _tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.budgets and not self._budgets_read:
            self._budgets_read = True
            self.budgets.refresh()

    def _follow_base(self) -> None:
        """Budgets are kept in the currency the reports show."""
        base = self.view.base
        if base and base != self.budgets.currency:
            self.budgets.currency = base
            if self._budgets_read:
                self.budgets.refresh()

    def drill(self, category_id: int, start: date, end: date) -> None:
        currency, fmt = self.view.base or "EUR", self.w.fmt

        def show(data: object) -> None:
            from desktop_app.gui.category_detail import CategoryDetail

            self.detail = CategoryDetail(data, start, end, fmt, self)  # type: ignore[arg-type]
            self.detail.open()

        QueryOp(
            self.w.ops,
            parent=self,
            op=lambda app: shaping.read_drill(app, category_id, currency, start, end),
            success=show,
        ).run()


def show_reports(w: MainWindow) -> ReportsWindow:
    dialog = ReportsWindow(w)
    dialog.show()
    dialog.view.refresh()
    return dialog

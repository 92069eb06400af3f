"""The charts pane: the scope's title, the range presets, the balance line and the monthly bars.

pyqtgraph and numpy take 0.3–0.6 s to import. numpy (a third of it, and no Qt) is imported
on a worker thread while the window starts and reads the cache; pyqtgraph itself must be
imported on the UI thread (it initialises Qt types, and PySide6 does that lazily and not
thread-safely). Until then a QPainter sketch (``chart_sketch``) draws the balance line, and
the charts are built (`ensure_charts`) once that sketch has painted the first data, so the
import never holds up the data a person opens the app for. The balance arrives before the
monthly bars (`show_balance`, then `show_monthly`): their query reads every row of the scope.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from desktop_app.core.store import MonthTotals, TxFilter
from desktop_app.core.views.charts import ChartData
from desktop_app.core.views.scope import ResolvedScope
from desktop_app.gui import operations as ops_
from desktop_app.gui.chart_sketch import BalanceSketch
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import Operations, QueryOp

CHARTS_AT_THE_LATEST_MS = 1000

# (button, accessible name, days back from today; None = everything)
RANGES = (
    ("1M", "Last month", 31),
    ("3M", "Last 3 months", 92),
    ("1Y", "Last 12 months", 366),
    ("All", "All time", None),
)


def since_days(days: int | None) -> date | None:
    """The first day of a range of `days` ending today (None: everything)."""
    return date.today() - timedelta(days=days) if days else None


class ChartsPane(QWidget):
    range_chosen = Signal(object)  # int days or None

    def __init__(self, fmt: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self.balance: Any = None  # charts.BalanceChart, once built
        self.monthly: Any = None  # charts.MonthlyChart
        self._data: ChartData | None = None
        self._days: int | None = None
        self.title = QLabel("Balance")
        self.title.setStyleSheet("font-weight: 600;")
        self.title.setAccessibleName("Chart title")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(80)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        self.buttons = QButtonGroup(self)
        for text, name, days in RANGES:
            button = QToolButton()
            button.setText(text)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setAccessibleName(name)
            button.setToolTip(name)
            button.setProperty("days", days)
            button.setChecked(days is None)
            self.buttons.addButton(button)
            head.addWidget(button)
        self.buttons.buttonClicked.connect(lambda b: self.range_chosen.emit(b.property("days")))
        self.balance_slot = QVBoxLayout()
        self.sketch: BalanceSketch | None = BalanceSketch(fmt, self._sketch_painted)
        self.sketch.setMinimumHeight(110)
        self.balance_slot.addWidget(self.sketch)
        self.monthly_space: QWidget | None = QWidget()  # the bars' room, so the line does not jump when they come
        self.monthly_space.setMinimumHeight(80)
        self._monthly_ready = False
        self.monthly_title = QLabel("In and out by month")
        self.monthly_slot = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addLayout(self.balance_slot, 3)
        layout.addWidget(self.monthly_title)
        layout.addLayout(self.monthly_slot, 2)
        self.monthly_slot.addWidget(self.monthly_space)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        # numpy only: nothing that touches Qt may be imported off the UI thread. It starts once the
        # first data is drawn: before, it would compete with the window for the interpreter.
        self._loader = threading.Thread(
            target=importlib.import_module, args=("numpy",), name="saldo-numpy-import", daemon=True
        )
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(15)
        self._retry.timeout.connect(self.ensure_charts)
        # the charts come once the sketch has painted the first data, or (no data) by this time
        QTimer.singleShot(CHARTS_AT_THE_LATEST_MS, self.ensure_charts)

    def ensure_charts(self) -> None:
        """Build the charts (once) and draw whatever data already arrived."""
        if self.balance is not None:
            return
        if self._loader.ident is None:
            self._loader.start()
            # a process must not end while that thread is inside an import (it crashes at exit)
            app = QCoreApplication.instance()
            if app is not None:
                app.aboutToQuit.connect(self._loader.join)
        if self._loader.is_alive():  # waiting on the import here would freeze the window
            if not self._retry.isActive():
                self._retry.start()
            return
        from desktop_app.gui.charts import BalanceChart, MonthlyChart

        self.balance = BalanceChart(self.fmt)
        self.monthly = MonthlyChart(self.fmt)
        self.balance.setMinimumHeight(110)
        self.monthly.setMinimumHeight(80)
        for slot, placeholder in ((self.balance_slot, self.sketch), (self.monthly_slot, self.monthly_space)):
            if placeholder is not None:
                slot.removeWidget(placeholder)
                placeholder.deleteLater()
        self.sketch = self.monthly_space = None
        self.balance_slot.addWidget(self.balance)
        self.monthly_slot.addWidget(self.monthly)
        self._draw()

    def load(
        self,
        ops: Operations,
        scope: ResolvedScope,
        filt: TxFilter,
        wanted: Callable[[], bool],
        failed: Callable[[BaseException], None],
        then: Callable[[Callable[[], None]], None] = lambda go: go(),
    ) -> None:
        """Read and show the balance line of `scope`, then its monthly bars (while `wanted()`).

        `then(go)` decides when the bars' read may start: their query reads every row of the scope
        and holds the cache meanwhile, so the window lets the table's first page go first."""
        ids, currency = scope.chart_account_ids, scope.currency

        def read(op: Callable[[Any], Any], success: Callable[[Any], None]) -> None:
            QueryOp(ops, parent=self, op=op, success=lambda value: success(value) if wanted() else None).failure(
                failed
            ).run()

        def balance(data: ChartData) -> None:
            self.show_balance(scope.title, data)
            then(lambda: read(lambda app: ops_.read_monthly(app, ids, currency, filt), self.show_monthly))

        read(lambda app: ops_.read_balance(app, ids, currency), balance)

    def set_range(self, days: int | None) -> None:
        self._days = days
        for button in self.buttons.buttons():
            button.setChecked(button.property("days") == days)
        self._draw()

    def show_data(self, title: str, data: ChartData) -> None:
        self.show_balance(title, data)
        self.show_monthly(data.monthly)

    def show_balance(self, title: str, data: ChartData) -> None:
        """The balance line of a new scope or range; the bars stay as they were until `show_monthly`."""
        currency = f" ({data.currency})" if data.currency else ""
        self.title.setText(f"Balance — {title}{currency}")
        self._data = data
        self._monthly_ready = False
        self._draw()

    def show_monthly(self, monthly: list[MonthTotals]) -> None:
        if self._data is not None:
            self._data = replace(self._data, monthly=monthly)
            self._monthly_ready = True
            self._draw()

    @property
    def data(self) -> ChartData | None:
        return self._data

    def balance_view(self) -> tuple[QWidget | None, bool]:
        """The widget drawing the balance line now (the sketch until the chart is built), and
        whether it holds a line."""
        if self.balance is not None:
            return self.balance, bool(self.balance.visible())
        return (self.sketch.plot, bool(self.sketch.visible())) if self.sketch is not None else (None, False)

    def _sketch_painted(self) -> None:
        if self._data is not None and not self._retry.isActive():
            self._retry.start()  # the first data is on screen: now the charts may take the UI thread

    def _draw(self) -> None:
        if self._data is None:
            return
        if self.balance is None:
            if self.sketch is not None:
                self.sketch.set_series(self._data.balance, self._data.currency, since_days(self._days))
            return
        self.balance.set_series(self._data.balance, self._data.currency)
        self.balance.set_since(since_days(self._days))
        if self._monthly_ready:
            self.monthly.set_totals(self._data.monthly, self._data.currency)

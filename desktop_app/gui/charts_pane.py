"""The charts pane: the scope's title, the range presets, the balance line and the monthly bars.

pyqtgraph and numpy take 0.2–0.5 s to import. numpy (a third of it, and no Qt) is imported
on a worker thread while the window starts and reads the cache; pyqtgraph itself must be
imported on the UI thread (it initialises Qt types, and PySide6 does that lazily and not
thread-safely), so the charts are built after the first paint (`ensure_charts`) once numpy
is in; data that arrives earlier waits here and is drawn then.
"""

from __future__ import annotations

import importlib
import threading
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from desktop_app.core.views.charts import ChartData
from desktop_app.gui.formatting import Formatter

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
        self.monthly_title = QLabel("In and out by month")
        self.monthly_slot = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addLayout(self.balance_slot, 3)
        layout.addWidget(self.monthly_title)
        layout.addLayout(self.monthly_slot, 2)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        # numpy only: nothing that touches Qt may be imported off the UI thread
        self._loader = threading.Thread(
            target=importlib.import_module, args=("numpy",), name="saldo-numpy-import", daemon=True
        )
        self._loader.start()
        # a process must not end while that thread is inside an import (it crashes at exit)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._loader.join)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(15)
        self._retry.timeout.connect(self.ensure_charts)

    def ensure_charts(self) -> None:
        """Build the charts (once) and draw whatever data already arrived."""
        if self.balance is not None:
            return
        if self._loader.is_alive():  # waiting on the import here would freeze the window
            if not self._retry.isActive():
                self._retry.start()
            return
        from desktop_app.gui.charts import BalanceChart, MonthlyChart

        self.balance = BalanceChart(self.fmt)
        self.monthly = MonthlyChart(self.fmt)
        self.balance.setMinimumHeight(110)
        self.monthly.setMinimumHeight(80)
        self.balance_slot.addWidget(self.balance)
        self.monthly_slot.addWidget(self.monthly)
        self._draw()

    def set_range(self, days: int | None) -> None:
        self._days = days
        for button in self.buttons.buttons():
            button.setChecked(button.property("days") == days)
        self._draw()

    def show_data(self, title: str, data: ChartData) -> None:
        currency = f" ({data.currency})" if data.currency else ""
        self.title.setText(f"Balance — {title}{currency}")
        self._data = data
        self._draw()

    @property
    def data(self) -> ChartData | None:
        return self._data

    def _draw(self) -> None:
        if self.balance is None or self._data is None:
            return
        self.balance.set_series(self._data.balance, self._data.currency)
        self.balance.set_since(since_days(self._days))
        self.monthly.set_totals(self._data.monthly, self._data.currency)

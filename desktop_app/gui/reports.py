"""The Reports view: spending by category (a chart and a table), money in and out by month with
the net, and net worth over time.

Everything is computed by the core's report functions on a worker through the task runner; the
UI thread only draws. A click on a category bar, or Enter on its row of the table, emits
``category_clicked(category id, start, end)``; the Reports window (gui.report_window) opens what is
behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import networth, reports
from desktop_app.core.money import Money
from desktop_app.core.store import Store
from desktop_app.gui import editor_parts as parts
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.theme import colours

PERIODS = (("This year", "year"), ("Last 12 months", "12m"), ("Everything", "all"))


@dataclass(frozen=True, slots=True)
class ReportData:
    start: date
    end: date
    spending: list[reports.CategoryTotal]
    flows: list[reports.MonthFlow]
    worth: list[networth.NetWorthPoint]
    other_currencies: tuple[str, ...]
    base: str = "EUR"
    held: tuple[str, ...] = ()  # the currencies of the person's accounts, most used first


def period(key: str, today: date) -> tuple[date | None, date]:
    if key == "year":
        return date(today.year, 1, 1), today
    if key == "12m":
        return date(today.year - 1, today.month, 1), today
    return None, today


def held_currencies(store: Store) -> tuple[str, ...]:
    """The currencies of the shown accounts, the one most accounts use first."""
    rows = store._read(
        "SELECT currency FROM accounts WHERE hidden = 0 GROUP BY currency ORDER BY count(*) DESC, currency"
    )
    return tuple(str(r[0]) for r in rows)


def load(store: Store, key: str, base: str | None, today: date) -> ReportData:
    """Everything the view shows, computed off the UI thread. Without a `base`, amounts are shown
    in the currency most of the person's accounts use."""
    held = held_currencies(store)
    base = base or (held[0] if held else "EUR")
    start, end = period(key, today)
    if start is None:
        start = reports.first_day(store) or today
    spending = reports.spending_by_category(store, start, end)
    flows = reports.monthly_flows(store, start, end)
    worth = networth.net_worth_series(store, base, start, end)
    others = tuple(sorted({r.currency for r in spending if r.currency != base}))
    mine = [r for r in spending if r.currency == base]
    return ReportData(start, end, mine, [f for f in flows if f.currency == base], worth, others, base, held)


def _ts(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _plot(title: str, dates: bool = False) -> pg.PlotWidget:
    axes = {"bottom": pg.DateAxisItem(utcOffset=0)} if dates else {}
    plot = pg.PlotWidget(title=title, axisItems=axes)
    plot.setBackground(None)
    plot.showGrid(x=False, y=True, alpha=0.15)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    return plot


class ReportsView(QWidget):
    """Three charts over one period and one base currency, refreshed on a worker."""

    category_clicked = Signal(int, object, object)  # category id, start date, end date
    loaded = Signal()

    def __init__(
        self,
        read: Callable[[str, str | None, date], ReportData],
        tasks: TaskRunner,
        fmt: Formatter,
        base: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`read(period key, base currency, today)` gathers the data; it runs on a worker. Without
        a `base` the first read picks the currency most accounts use; the person can change it."""
        super().__init__(parent)
        self._read, self._tasks, self._fmt, self.base = read, tasks, fmt, base
        self.data: ReportData | None = None
        self.today = date.today()
        self.period = QComboBox()
        for label, key in PERIODS:
            self.period.addItem(label, key)
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        self.period.setAccessibleName("Period")
        self.currency = QComboBox()
        self.currency.setAccessibleName("Show amounts in")
        self.currency.setToolTip("The currency amounts are shown in; net worth converts at the ECB's rates")
        self.currency.activated.connect(self._rebase)
        self.currency.hide()  # until there is more than one to choose from
        self.status = QLabel("")
        self.spending_plot = _plot("Spending by category")
        theme = colours()
        self.spending_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=theme.spending)
        self.spending_plot.addItem(self.spending_bars)
        self.spending_plot.scene().sigMouseClicked.connect(self._clicked)
        self.flow_plot = _plot("Money in and out by month")
        self.income_bars = pg.BarGraphItem(x=[], height=[], width=0.35, brush=theme.income)
        self.spent_bars = pg.BarGraphItem(x=[], height=[], width=0.35, brush=theme.spending)
        self.net_curve = self.flow_plot.plot([], [], pen=pg.mkPen(theme.text, width=2), symbol="o", symbolSize=5)
        for item in (self.income_bars, self.spent_bars):
            self.flow_plot.addItem(item)
        self.worth_plot = _plot("Net worth", dates=True)
        self.worth_curve = self.worth_plot.plot([], [], pen=pg.mkPen(theme.line, width=2))
        # the bars' figures as a table: the keyboard's (and a screen reader's) way in; Enter drills in
        self.categories = parts.table(("Category", "Spent", "Transactions"), "Spending by category")
        self.categories.itemActivated.connect(lambda item: self._drill(item.row()))
        head = QHBoxLayout()
        head.addWidget(self.period)
        head.addWidget(self.currency)
        head.addStretch(1)
        head.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        spending = QHBoxLayout()
        spending.addWidget(self.spending_plot, 3)
        spending.addWidget(self.categories, 2)
        layout.addLayout(spending, 1)
        for plot in (self.flow_plot, self.worth_plot):
            layout.addWidget(plot, 1)

    def refresh(self) -> None:
        """Reload every chart for the chosen period, on a worker."""
        key, base, today, read = self.period.currentData(), self.base, self.today, self._read
        self.status.setText("Loading…")
        self._tasks.run(lambda: read(key, base, today), self._show, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(f"Could not load the reports: {exc}")
        self.loaded.emit()

    def _money(self, money: Money) -> str:
        return self._fmt.money(money)

    def _rebase(self, index: int) -> None:
        chosen = self.currency.itemData(index)
        if chosen and chosen != self.base:
            self.base = chosen
            self.refresh()

    def _show(self, data: ReportData) -> None:
        self.data, self.base = data, data.base
        choices = list(dict.fromkeys((data.base, *data.held)))
        self.currency.clear()
        for code in choices:
            self.currency.addItem(code, code)
        self.currency.setCurrentIndex(0)
        self.currency.setVisible(len(choices) > 1)
        n = len(data.spending)
        self.spending_bars.setOpts(x=list(range(n)), height=[float(r.amount.amount) for r in data.spending])
        self.spending_plot.getAxis("bottom").setTicks([[(i, r.name) for i, r in enumerate(data.spending)]])
        months = list(range(len(data.flows)))
        self.income_bars.setOpts(x=[m - 0.18 for m in months], height=[float(f.income.amount) for f in data.flows])
        self.spent_bars.setOpts(x=[m + 0.18 for m in months], height=[-float(f.spending.amount) for f in data.flows])
        self.net_curve.setData(months, [float(f.net.amount) for f in data.flows])
        self.flow_plot.getAxis("bottom").setTicks([[(i, self._fmt.month(f.month)) for i, f in enumerate(data.flows)]])
        self.worth_curve.setData([_ts(p.day) for p in data.worth], [float(p.total.amount) for p in data.worth])
        self.categories.setRowCount(n)
        for row, total in enumerate(data.spending):
            self.categories.setItem(row, 0, QTableWidgetItem(total.name))
            self.categories.setItem(row, 1, parts.right(self._money(total.amount)))
            self.categories.setItem(row, 2, parts.right(self._fmt.count(total.count)))
        notes = []
        if data.worth:
            notes.append(f"Net worth {self._money(data.worth[-1].total)}")
            if data.worth[-1].apart:
                notes.append(f"{len(data.worth[-1].apart)} account(s) without an exchange rate are left out")
        if data.other_currencies:
            notes.append("spending in " + ", ".join(data.other_currencies) + " not shown")
        self.status.setText("; ".join(notes))
        for plot in (self.spending_plot, self.flow_plot, self.worth_plot):
            plot.enableAutoRange()
        self.loaded.emit()

    def bar_at(self, scene_pos: QPointF) -> int | None:
        """The index of the spending bar under a point of the chart's scene, if any."""
        if self.data is None or not self.spending_plot.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.spending_plot.getPlotItem().vb.mapSceneToView(scene_pos)
        x, y = float(point.x()), float(point.y())
        index = round(x)
        if not 0 <= index < len(self.data.spending) or abs(x - index) > 0.35:
            return None
        if not 0 <= y <= float(self.data.spending[index].amount.amount):
            return None
        return index

    def _clicked(self, event: object) -> None:
        index = self.bar_at(event.scenePos())  # type: ignore[attr-defined]
        if index is not None:
            self._drill(index)

    def _drill(self, index: int) -> None:
        if self.data is not None and 0 <= index < len(self.data.spending):
            row = self.data.spending[index]
            self.category_clicked.emit(row.category_id, self.data.start, self.data.end)

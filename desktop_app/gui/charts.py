"""Balance over time (hover read-out) and money in/out by month (values on hover).

Axis labels come from the formatting service: locale digits and month names, with the
currency. Colours are picked for at least 4.5:1 contrast on the light and the dark palette.
Amounts become floats only to be drawn; every number a person reads is formatted from Money.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from datetime import UTC, date, datetime
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QLocale, QPointF, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.money import Money
from desktop_app.core.store import MonthTotals
from desktop_app.gui.chart_ticks import balance_span, date_ticks, day_x, money_ticks
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.theme import colours

Series = list[tuple[date, Money]]


class MoneyAxis(pg.AxisItem):  # type: ignore[misc]
    """Left axis with a few round values: ``€12,000`` / ``12.000 €`` in the locale."""

    def __init__(self, fmt: Formatter) -> None:
        super().__init__("left")
        self.fmt = fmt
        self.currency: str | None = None

    def show_range(self, low: float, high: float) -> None:
        if self.currency is None:
            self.setTicks([[]])
            return
        count = min(5, max(2, int(self.geometry().height()) // 32))  # no crowding on a short chart
        ticks = money_ticks(self.fmt, low, high, count, self.currency)
        self.setTicks([ticks])
        # pyqtgraph widens the axis only on a later layout pass and drops labels that do not fit until then
        metrics = QFontMetrics(self.style.get("tickFont") or QFont())
        self.setWidth(max(metrics.horizontalAdvance(text) for _, text in ticks) + 14)


class LocaleDateAxis(pg.AxisItem):  # type: ignore[misc]
    """Bottom axis: month names in the locale, the year on January (or alone over long spans)."""

    def __init__(self, fmt: Formatter) -> None:
        super().__init__("bottom")
        self.fmt = fmt

    def show_range(self, first: date, last: date) -> None:
        self.setTicks([date_ticks(self.fmt, first, last)])


def _plot(widget: pg.PlotWidget, fmt: Formatter) -> None:
    theme = colours()
    text, grid = theme.text, theme.grid
    widget.setBackground(None)
    widget.setMouseEnabled(x=False, y=False)
    widget.hideButtons()
    widget.setMenuEnabled(False)
    for name in ("left", "bottom"):
        axis = widget.getAxis(name)
        axis.setTextPen(pg.mkPen(text))
        axis.setPen(pg.mkPen(grid))


class BalanceChart(QWidget):
    """The end-of-day balance of a scope, drawn only over the days the cache has data for."""

    def __init__(self, fmt: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self._series: Series = []
        self._since: date | None = None
        self.readout = QLabel("")
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.readout.setAccessibleName("Balance read-out")
        self.axis = MoneyAxis(fmt)
        self.dates = LocaleDateAxis(fmt)
        self.plot = pg.PlotWidget(axisItems={"bottom": self.dates, "left": self.axis})
        self.plot.setAccessibleName("Balance chart")
        _plot(self.plot, fmt)
        line = colours().line
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.curve = self.plot.plot([], [], pen=pg.mkPen(line, width=2))
        self.hover_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(colours().grid, width=1))
        self.dot = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(line), pen=pg.mkPen(None))
        for item in (self.hover_line, self.dot):
            item.setVisible(False)
            self.plot.addItem(item, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.readout)
        layout.addWidget(self.plot)

    def set_series(self, series: Series, currency: str | None) -> None:
        self._series = series
        self.axis.currency = currency
        self._draw()

    def set_since(self, since: date | None) -> None:
        self._since = since
        self._draw()

    def visible(self) -> Series:
        if self._since is None:
            return self._series
        return [p for p in self._series if p[0] >= self._since]

    def _draw(self) -> None:
        points = self.visible()
        values = [float(m.amount) for _, m in points]
        self.curve.setData([day_x(d) for d, _ in points], values)
        self.hover_line.setVisible(False)
        self.dot.setVisible(False)
        if points:
            # the range runs to today even where the data stops earlier: the gap shows
            first, last = balance_span(points, self._since)
            self.plot.setXRange(day_x(first), day_x(last), padding=0.02)
            self.plot.setYRange(min(values), max(values), padding=0.08)
            self.dates.show_range(first, last)
            self.axis.show_range(min(values), max(values))
        self.readout.setText(self._describe(points[-1]) if points else "No balance to show in this range")

    def _describe(self, point: tuple[date, Money]) -> str:
        return f"{self.fmt.long_day(point[0])}  {self.fmt.money(point[1])}"

    def _hover(self, pos: QPointF) -> None:
        if not self.visible() or not self.plot.sceneBoundingRect().contains(pos):
            return
        x = self.plot.getPlotItem().vb.mapSceneToView(pos).x()
        self.hover_at(datetime.fromtimestamp(max(x, 0.0), UTC).date())

    def hover_at(self, day: date) -> tuple[date, Money] | None:
        """Show the read-out and the marker for the point nearest `day`."""
        points = self.visible()
        if not points:
            return None
        i = bisect_left(points, day, key=lambda p: p[0])
        nearest = min(points[max(i - 1, 0) : i + 1], key=lambda p: abs((p[0] - day).days))
        self.readout.setText(self._describe(nearest))
        x = day_x(nearest[0])
        self.hover_line.setValue(x)
        self.dot.setData([x], [float(nearest[1].amount)])
        self.hover_line.setVisible(True)
        self.dot.setVisible(True)
        return nearest


class MonthlyChart(QWidget):
    """Money in (up) and out (down) per month for one currency; hover a month for its values."""

    def __init__(self, fmt: Formatter, parent: QWidget | None = None, months: int = 24) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self.max_months = months
        self.rows: list[MonthTotals] = []
        self.bars: list[Any] = []
        self.month_axis = pg.AxisItem("bottom")
        self.axis = MoneyAxis(fmt)
        self.plot = pg.PlotWidget(axisItems={"bottom": self.month_axis, "left": self.axis})
        self.plot.setAccessibleName("Money in and out by month")
        _plot(self.plot, fmt)
        self.readout = QLabel("")
        self.readout.setAccessibleName("Monthly read-out")
        self.plot.scene().sigMouseMoved.connect(self._hover)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.readout)
        layout.addWidget(self.plot)

    def set_totals(self, totals: list[MonthTotals], currency: str | None) -> None:
        for item in self.bars:
            self.plot.removeItem(item)
        self.bars = []
        self.rows = [t for t in totals if currency is None or t.currency == currency][-self.max_months :]
        self.axis.currency = currency
        if not self.rows:
            self.readout.setText("No booked money in or out in this range")
            self.month_axis.setTicks([[]])
            self.axis.setTicks([[]])
            return
        money_in, money_out = colours().income, colours().spending
        xs = list(range(len(self.rows)))
        room = max(self.plot.width(), 300) // 80  # labels that fit side by side
        step = math.ceil(len(xs) / max(room, 1))
        self.month_axis.setTicks([[(i, self._bar_label(i)) for i in xs[::step]]])
        ins = pg.BarGraphItem(x=xs, height=[float(t.money_in.amount) for t in self.rows], width=0.7, brush=money_in)
        outs = pg.BarGraphItem(x=xs, height=[float(t.money_out.amount) for t in self.rows], width=0.7, brush=money_out)
        for item in (ins, outs):
            self.plot.addItem(item)
            self.bars.append(item)
        self.plot.setXRange(-0.6, len(xs) - 0.4, padding=0)
        low = min(float(t.money_out.amount) for t in self.rows)
        high = max(float(t.money_in.amount) for t in self.rows)
        self.plot.setYRange(min(low, 0.0), max(high, 0.0), padding=0.08)
        self.axis.show_range(min(low, 0.0), max(high, 0.0))
        self.hover_month(len(self.rows) - 1)

    def _bar_label(self, i: int) -> str:
        """``Mar``; with the year on the first bar and on January: ``Jan 2026``."""
        year, month = (int(p) for p in self.rows[i].month.split("-"))
        name = self.fmt.locale.monthName(month, QLocale.FormatType.ShortFormat)
        return f"{name} {year}" if i == 0 or month == 1 else name

    def _hover(self, pos: QPointF) -> None:
        if self.rows and self.plot.sceneBoundingRect().contains(pos):
            x = self.plot.getPlotItem().vb.mapSceneToView(pos).x()
            self.hover_month(min(max(round(x), 0), len(self.rows) - 1))

    def hover_month(self, i: int) -> MonthTotals | None:
        """Show month `i`'s money in and out in the read-out."""
        if not 0 <= i < len(self.rows):
            return None
        row = self.rows[i]
        net = Money(row.money_in.amount + row.money_out.amount, row.currency)
        self.readout.setText(
            f"{self.fmt.month(row.month)}:  in {self.fmt.money(row.money_in)}  ·  "
            f"out {self.fmt.money(row.money_out)}  ·  net {self.fmt.money(net)}"
        )
        return row

"""Balance over time (hover read-out) and money in/out by month (values on hover).

Axis labels come from the formatting service: locale digits and month names, with the
currency. Colours are picked for at least 4.5:1 contrast on the light and the dark palette.
Amounts become floats only to be drawn; every number a person reads is formatted from Money.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QDate, QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.money import Money
from desktop_app.core.store import MonthTotals
from desktop_app.gui.formatting import Formatter

Series = list[tuple[date, Money]]
# (text, line, money in, money out, grid) per theme; text contrast >= 7:1, line and bars >= 4.5:1
LIGHT = ("#2b3330", "#176150", "#1b6e45", "#a3321f", "#8d9893")
DARK = ("#e4ebe8", "#6fd3b5", "#6fd39a", "#f29a85", "#5c6661")


def dark_theme() -> bool:
    return QGuiApplication.palette().window().color().lightness() < 128


def palette() -> tuple[str, str, str, str, str]:
    return DARK if dark_theme() else LIGHT


def _ts(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


class MoneyAxis(pg.AxisItem):  # type: ignore[misc]
    """Left axis: ``€12,000`` / ``12.000 €`` in the locale, whole units."""

    def __init__(self, fmt: Formatter) -> None:
        super().__init__("left")
        self.fmt = fmt
        self.currency: str | None = None

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.currency is None:
            return ["" for _ in values]
        return [self.fmt.whole_money(round(v), self.currency) for v in values]


class LocaleDateAxis(pg.DateAxisItem):  # type: ignore[misc]
    """Bottom axis with the locale's month names."""

    def __init__(self, fmt: Formatter) -> None:
        super().__init__(orientation="bottom", utcOffset=0)
        self.fmt = fmt

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for v in values:
            day = datetime.fromtimestamp(max(v, 0.0), UTC).date()
            qday = QDate(day.year, day.month, day.day)
            if spacing >= 300 * 86400:
                out.append(str(day.year))
            elif spacing >= 25 * 86400:
                out.append(self.fmt.locale.toString(qday, "MMM yyyy"))
            else:
                out.append(self.fmt.locale.toString(qday, "d MMM"))
        return out


def _plot(widget: pg.PlotWidget, fmt: Formatter) -> None:
    text, *_, grid = palette()
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
        self.plot = pg.PlotWidget(axisItems={"bottom": LocaleDateAxis(fmt), "left": self.axis})
        self.plot.setAccessibleName("Balance chart")
        _plot(self.plot, fmt)
        _, line, *_ = palette()
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.curve = self.plot.plot([], [], pen=pg.mkPen(line, width=2))
        self.hover_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(palette()[4], width=1))
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
        self.curve.setData([_ts(d) for d, _ in points], [float(m.amount) for _, m in points])
        self.hover_line.setVisible(False)
        self.dot.setVisible(False)
        if points and self._since is not None:  # the range runs to today even where the data stops earlier
            self.plot.setXRange(_ts(self._since), _ts(max(date.today(), points[-1][0])), padding=0.02)
            self.plot.enableAutoRange(axis="y")
        else:
            self.plot.enableAutoRange()
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
        x = _ts(nearest[0])
        self.hover_line.setValue(x)
        self.dot.setData([x], [float(nearest[1].amount)])
        self.hover_line.setVisible(True)
        self.dot.setVisible(True)
        return nearest


class MonthAxis(pg.AxisItem):  # type: ignore[misc]
    def __init__(self, fmt: Formatter) -> None:
        super().__init__("bottom")
        self.fmt = fmt
        self.months: list[str] = []

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for v in values:
            i = round(v)
            out.append(self.fmt.month(self.months[i]) if 0 <= i < len(self.months) and abs(v - i) < 0.01 else "")
        return out


class MonthlyChart(QWidget):
    """Money in (up) and out (down) per month for one currency; hover a month for its values."""

    def __init__(self, fmt: Formatter, parent: QWidget | None = None, months: int = 24) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self.max_months = months
        self.rows: list[MonthTotals] = []
        self.bars: list[Any] = []
        self.month_axis = MonthAxis(fmt)
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
        self.month_axis.months = [t.month for t in self.rows]
        if not self.rows:
            self.readout.setText("No booked money in or out in this range")
            self.month_axis.setTicks([[]])
            return
        _, _, money_in, money_out, _ = palette()
        xs = list(range(len(self.rows)))
        step = max(1, len(xs) // 8)
        self.month_axis.setTicks([[(i, self.fmt.month(self.rows[i].month)) for i in xs[::step]]])
        ins = pg.BarGraphItem(x=xs, height=[float(t.money_in.amount) for t in self.rows], width=0.7, brush=money_in)
        outs = pg.BarGraphItem(x=xs, height=[float(t.money_out.amount) for t in self.rows], width=0.7, brush=money_out)
        for item in (ins, outs):
            self.plot.addItem(item)
            self.bars.append(item)
        self.plot.setXRange(-0.6, len(xs) - 0.4, padding=0)
        self.hover_month(len(self.rows) - 1)

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


def since_days(days: int | None) -> date | None:
    return date.today() - timedelta(days=days) if days else None

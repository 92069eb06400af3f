"""Balance over time (with range presets and a hover read-out) and money in/out by month."""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.money import Money, NumberFormat, format_money
from desktop_app.core.store import MonthTotals

PRESETS = (("1M", 31), ("3M", 92), ("1Y", 366), ("All", None))


def _ts(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


class BalanceChart(QWidget):
    """One account's (or a currency total's) end-of-day balance."""

    def __init__(self, numbers: NumberFormat, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._numbers = numbers
        self._series: list[tuple[date, Money]] = []
        self._days: int | None = None
        self.title = QLabel("Balance")
        self.title.setStyleSheet("font-weight: 600;")
        self.readout = QLabel("")
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.plot.setBackground(None)
        self.plot.showGrid(x=False, y=True, alpha=0.15)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#1f6f5c", width=2), fillLevel=None)
        # The hover marker: a thin vertical line and a dot on the curve at the nearest day.
        self.hover_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#7a8580", width=1))
        self.dot = pg.ScatterPlotItem(size=8, brush=pg.mkBrush("#1f6f5c"), pen=pg.mkPen(None))
        for item in (self.hover_line, self.dot):
            item.setVisible(False)
            self.plot.addItem(item, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.readout)
        self.buttons = QButtonGroup(self)
        for name, days in PRESETS:
            button = QPushButton(name)
            button.setCheckable(True)
            button.setFlat(True)
            button.setProperty("days", days)
            button.setChecked(days is None)
            self.buttons.addButton(button)
            head.addWidget(button)
        self.buttons.buttonClicked.connect(lambda b: self.set_range(b.property("days")))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.plot)

    def set_series(self, title: str, series: list[tuple[date, Money]]) -> None:
        self.title.setText(title)
        self._series = series
        self._draw()

    def set_range(self, days: int | None) -> None:
        self._days = days
        for button in self.buttons.buttons():
            button.setChecked(button.property("days") == days)
        self._draw()

    def visible(self) -> list[tuple[date, Money]]:
        if not self._series or self._days is None:
            return self._series
        start = self._series[-1][0] - timedelta(days=self._days)
        return [p for p in self._series if p[0] >= start]

    def _draw(self) -> None:
        points = self.visible()
        xs = [_ts(d) for d, _ in points]
        ys = [float(m.amount) for _, m in points]  # drawing only: the amounts shown stay exact
        self.curve.setData(xs, ys)
        self.hover_line.setVisible(False)
        self.dot.setVisible(False)
        self.plot.enableAutoRange()
        self.readout.setText(self._describe(points[-1]) if points else "")

    def _describe(self, point: tuple[date, Money]) -> str:
        return f"{point[0].strftime('%d %b %Y')}  {format_money(point[1], self._numbers)}"

    def _hover(self, pos: QPointF) -> None:
        points = self.visible()
        if not points or not self.plot.sceneBoundingRect().contains(pos):
            return
        x = self.plot.getPlotItem().vb.mapSceneToView(pos).x()
        self.hover_at(datetime.fromtimestamp(max(x, 0.0), UTC).date())

    def hover_at(self, day: date) -> tuple[date, Money] | None:
        """Show the read-out and the marker for the point nearest `day`."""
        points = self.visible()
        if not points:
            return None
        i = bisect_left(points, day, key=lambda p: p[0])
        candidates = points[max(i - 1, 0) : i + 1]
        nearest = min(candidates, key=lambda p: abs((p[0] - day).days))
        self.readout.setText(self._describe(nearest))
        x = _ts(nearest[0])
        self.hover_line.setValue(x)
        self.dot.setData([x], [float(nearest[1].amount)])
        self.hover_line.setVisible(True)
        self.dot.setVisible(True)
        return nearest


class MonthlyChart(pg.PlotWidget):  # type: ignore[misc]
    """Money in (up) and out (down) per month for one currency."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.setBackground(None)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMenuEnabled(False)
        self.setMaximumHeight(140)
        self.bars: list[pg.BarGraphItem] = []

    def set_totals(self, totals: list[MonthTotals], currency: str | None, months: int = 18) -> None:
        for item in self.bars:
            self.removeItem(item)
        self.bars = []
        rows = [t for t in totals if currency is None or t.currency == currency][-months:]
        if not rows:
            return
        xs = [_ts(date.fromisoformat(t.month + "-15")) for t in rows]
        width = 20 * 86400
        ins = pg.BarGraphItem(x=xs, height=[float(t.money_in.amount) for t in rows], width=width, brush="#3c9d74")
        outs = pg.BarGraphItem(x=xs, height=[float(t.money_out.amount) for t in rows], width=width, brush="#c96f5b")
        for item in (ins, outs):
            self.addItem(item)
            self.bars.append(item)

"""The balance line drawn with QPainter, shown at start-up until the real chart is built.

pyqtgraph (with numpy) takes 0.3–0.6 s to import and has to load on the UI thread, so the
balance chart would appear that long after the tree and the table. This sketch draws the same
series with the same colours and axis labels (``chart_ticks``) as soon as the data is read;
the charts pane swaps in the interactive chart (hover read-out, markers) once pyqtgraph is in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.money import Money
from desktop_app.gui.chart_ticks import balance_span, date_ticks, day_x, money_ticks
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.theme import colours

Series = list[tuple[date, Money]]
X_PAD, Y_PAD = 0.02, 0.08  # as the chart pads its ranges


class _Plot(QWidget):
    """The axes, the grid and the line."""

    def __init__(self, sketch: BalanceSketch) -> None:
        super().__init__()
        self.sketch = sketch
        self.setAccessibleName("Balance chart")

    def paintEvent(self, event: QPaintEvent) -> None:
        points, currency = self.sketch.visible(), self.sketch.currency
        if points and currency:
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._draw(painter, points, currency)
            painter.end()
        self.sketch.painted()

    def _draw(self, painter: QPainter, points: Series, currency: str) -> None:
        theme, fmt, metrics = colours(), self.sketch.fmt, self.fontMetrics()
        first, last = balance_span(points, self.sketch.since)
        values = [float(m.amount) for _, m in points]
        low, high = min(values), max(values)
        x0, x1 = day_x(first), day_x(last)
        y_pad, x_pad = ((high - low) or 1.0) * Y_PAD, ((x1 - x0) or 86400.0) * X_PAD
        count = min(5, max(2, (self.height() - metrics.height() - 8) // 32))
        y_ticks = money_ticks(fmt, low, high, count, currency)
        left = max(metrics.horizontalAdvance(text) for _, text in y_ticks) + 14
        area = QRectF(left, 4, max(self.width() - left - 8, 1), max(self.height() - metrics.height() - 12, 1))

        # one linear map for every point (the line has a point a day: ~3,650 over ten years)
        sx = area.width() / ((x1 - x0) + 2 * x_pad)
        sy = area.height() / ((high - low) + 2 * y_pad)
        ox, oy = area.left() - (x0 - x_pad) * sx, area.bottom() + (low - y_pad) * sy

        def at(x: float, y: float) -> QPointF:
            return QPointF(ox + x * sx, oy - y * sy)

        grid, text = QColor(theme.grid), QColor(theme.text)
        faint = QColor(grid)
        faint.setAlphaF(0.25)
        painter.setPen(QPen(grid, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())
        for value, label in y_ticks:
            y = at(x0, value).y()
            if area.top() <= y <= area.bottom():
                painter.setPen(QPen(faint, 1))
                painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
                painter.setPen(text)
                box = QRectF(0, y - metrics.height() / 2, left - 6, metrics.height())
                painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        painter.setPen(text)
        for x, label in date_ticks(fmt, first, last):
            centre = at(x, low).x()
            if area.left() <= centre <= area.right():
                width = metrics.horizontalAdvance(label)
                painter.drawText(QPointF(centre - width / 2, area.bottom() + 4 + metrics.ascent()), label)
        painter.setPen(QPen(QColor(theme.line), 2))
        day, epoch = 86400.0 * sx, ox + (day_x(points[0][0]) - points[0][0].toordinal() * 86400.0) * sx
        line = [QPointF(epoch + d.toordinal() * day, oy - v * sy) for (d, _), v in zip(points, values, strict=True)]
        painter.drawPolyline(QPolygonF(line))


class BalanceSketch(QWidget):
    """Holds the scope's balance series and draws it; `on_painted` hears each paint."""

    def __init__(self, fmt: Formatter, on_painted: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.fmt = fmt
        self.on_painted = on_painted
        self.series: Series = []
        self.currency: str | None = None
        self.since: date | None = None
        self.readout = QLabel("")
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.plot = _Plot(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.readout)
        layout.addWidget(self.plot, 1)

    def set_series(self, series: Series, currency: str | None, since: date | None) -> None:
        self.series, self.currency, self.since = series, currency, since
        points = self.visible()
        last = points[-1] if points else None
        self.readout.setText(
            f"{self.fmt.long_day(last[0])}  {self.fmt.money(last[1])}" if last else "No balance to show in this range"
        )
        self.plot.update()

    def visible(self) -> Series:
        if self.since is None:
            return self.series
        return [p for p in self.series if p[0] >= self.since]

    def painted(self) -> None:
        if self.on_painted is not None:
            self.on_painted()

"""Axis ticks and labels for the balance line, shared by the chart and its start-up sketch.

No pyqtgraph here: the sketch that stands in for the chart while pyqtgraph loads
(``chart_sketch``) labels its axes with the very values and words the chart uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime

from PySide6.QtCore import QDate

from desktop_app.gui.formatting import Formatter


def day_x(day: date) -> float:
    """A day as the x value the charts plot it at (seconds since the epoch, UTC midnight)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About `count` round values (1, 2 or 5 × 10^n apart) covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) // step) + 1)]


def month_starts(first: date, last: date, labels: int = 8) -> list[date]:
    """The first days of months between `first` and `last`, thinned to about `labels`."""
    months = []
    day = date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if len(months) / s <= labels)
    return [m for m in months if (m.month - 1) % min(step, 12) == 0 and (step < 12 or m.year % (step // 12) == 0)]


def money_ticks(fmt: Formatter, low: float, high: float, count: int, currency: str) -> list[tuple[float, str]]:
    """Round values over [low, high] with their labels (``€12,000`` / ``12.000 €`` in the locale)."""
    return [(v, fmt.whole_money(round(v), currency)) for v in nice_ticks(low, high, count)]


def date_ticks(fmt: Formatter, first: date, last: date) -> list[tuple[float, str]]:
    """Month names in the locale, the year on January (or alone over long spans)."""
    ticks = []
    for day in month_starts(first, last):
        long = day.month == 1 or (last - first).days > 1500
        form = "yyyy" if (last - first).days > 1500 else ("MMM yyyy" if long else "MMM")
        ticks.append((day_x(day), fmt.locale.toString(QDate(day.year, day.month, 1), form)))
    return ticks


def balance_span(points: Sequence[tuple[date, object]], since: date | None) -> tuple[date, date]:
    """The days the balance line's x axis covers: from `since` (or the first point) to the last
    point, or to today when a range is chosen (the gap where data stops then shows)."""
    first = since or points[0][0]
    last = max(date.today(), points[-1][0]) if since else points[-1][0]
    return first, last

"""Start-up probes for the benchmark: the first paint, and the moment data is shown.

"Data shown" is when the account tree, the first table page and the balance line have each
received a paint event while holding data: a widget counts only once it has painted with its
data, not when the data merely arrived. ``SALDO_EXIT_AFTER_FIRST_PAINT=1`` prints
``first-paint <s>`` and quits; ``SALDO_EXIT_AFTER_DATA_SHOWN=1`` prints ``data-shown <s>``
and quits. The seconds count from the process start.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.startup_trace import mark, process_age

# (name, the widget that paints it (None while not built), whether it holds data now)
View = tuple[str, QWidget | None, Callable[[], bool]]


def window_views(window: Any) -> list[View]:
    """The main window's three views "data shown" waits for."""
    chart, has_line = window.charts.balance_view()
    model = window.model
    return [
        ("tree", window.accounts.viewport(), lambda: window.tree_model.rowCount() > 0),
        ("table", window.table.viewport(), lambda: model.rowCount() > 0 and model.transaction(0) is not None),
        ("balance line", chart, lambda: has_line),
    ]


class StartupProbe(QObject):
    """Watches paint events application-wide (only while a probe is asked for)."""

    def __init__(self, window: QWidget, views: Callable[[], Sequence[View]] | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.views = views or (lambda: window_views(window))
        self.first_paint = os.environ.get("SALDO_EXIT_AFTER_FIRST_PAINT") == "1"
        self.data_shown = os.environ.get("SALDO_EXIT_AFTER_DATA_SHOWN") == "1"
        self.painted: set[str] = set()
        self.done = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @classmethod
    def wanted(cls) -> bool:
        return any(os.environ.get(f"SALDO_EXIT_AFTER_{what}") == "1" for what in ("FIRST_PAINT", "DATA_SHOWN"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.done or event.type() != QEvent.Type.Paint or not isinstance(watched, QWidget):
            return False
        # the time is read once the paint that completes the set has run (the filter sees it first)
        if self.first_paint and watched is self.window:
            self._finish("first-paint")
        elif self.data_shown:
            views = self.views()
            for name, widget, has_data in views:
                if name in self.painted or widget is None:
                    continue
                if (watched is widget or widget.isAncestorOf(watched)) and has_data():
                    mark(f"painted with data: {name}")
                    self.painted.add(name)
            if len(self.painted) == len(views):
                self._finish("data-shown")
        return False

    def _finish(self, what: str) -> None:
        self.done = True

        def report() -> None:
            print(f"{what} {process_age():.3f}", flush=True)
            QApplication.quit()

        QTimer.singleShot(0, report)

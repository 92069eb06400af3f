"""Python's cyclic garbage collector, run on the GUI thread only.

Left automatic, the collector runs on whichever thread happens to allocate. When a worker's
pass frees a Qt object left in a reference cycle (a closed dialog, a connection's wrapper),
PySide6 disconnects it from that worker thread while the GUI thread may be making a
connection of its own: each waits for what the other holds (Qt's connection lock, the
interpreter lock), and the window hangs for good. So the app turns automatic collection off
and, several times a second, collects on the GUI thread with the collector's own thresholds,
the way pyqtgraph's GarbageCollector does. Reference counting still frees everything else
at once, on any thread; the workers' own pauses (``core.collector``) leave it off.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


class GuiCollector(QObject):
    """Owns the collector while it lives (its parent: the application)."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> int:
        """Collect the generations that have passed their thresholds; how many objects went."""
        counts, limits = gc.get_count(), self.thresholds
        if counts[0] <= limits[0]:
            return 0
        # as the interpreter does: the oldest generation past its threshold
        return gc.collect(max(n for n in range(3) if counts[n] > limits[n]))

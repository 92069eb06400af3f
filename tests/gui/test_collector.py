"""The cyclic collector runs on the GUI thread only (``GuiCollector``), never on a worker."""

from __future__ import annotations

import gc
import threading

from PySide6.QtWidgets import QApplication

from desktop_app.gui.collector import GuiCollector


class _Cycle:
    freed_on: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.current_thread().name)


def test_cycles_a_worker_leaves_are_collected_on_the_gui_thread(qapp: QApplication) -> None:
    gc.collect()
    gc.enable()  # automatic, as a fresh interpreter starts (the suite's fixture turned it off)
    collector = GuiCollector(qapp, interval_ms=10**8)  # checked by hand below, not by its timer
    try:
        assert not gc.isenabled()  # no thread collects on its own any more
        _Cycle.freed_on.clear()
        worker = threading.Thread(target=lambda: [_Cycle() for _ in range(5_000)], name="worker")
        worker.start()
        worker.join()
        assert _Cycle.freed_on == []  # 5,000 cycles (far past the threshold), none collected by the worker
        assert collector.check() >= 5_000
        assert set(_Cycle.freed_on) == {threading.current_thread().name} and len(_Cycle.freed_on) == 5_000
        assert collector.check() == 0  # nothing past a threshold now
    finally:
        collector.setParent(None)
        collector.deleteLater()
        gc.disable()  # as the suite's fixture keeps it during a test

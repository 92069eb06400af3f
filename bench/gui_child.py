"""GUI measurements that need a process of their own (so its memory is its own).

``scroll DATA_DIR``: open the main window on a cache and scroll the table to the end; print
peak RSS. ``stall SANDBOX_URL DATA_DIR``: connect the Demo Bank, then measure the longest gap
between 5 ms timer ticks on the UI thread while a sync runs; print it in milliseconds.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx2
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from bench.sync_child import peak_rss_mb
from desktop_app.core.app import create_app
from desktop_app.core.money import NumberFormat
from desktop_app.core.vault import Vault
from desktop_app.gui.context import AppContext
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.window import MainWindow


def _window(app: QApplication, data_dir: Path, http: httpx2.Client, sandbox: str | None) -> MainWindow:
    app = create_app(data_dir, vault=Vault(None, session_only=True), http=http, demo_bank_url=sandbox)
    ctx = AppContext(app=app, tasks=TaskRunner(), numbers=NumberFormat.named("en_GB"))
    window = MainWindow(ctx, lambda url: True)
    window.show()
    window.ensure_charts()
    return window


def scroll(data_dir: Path) -> dict[str, float]:
    app = QApplication([])
    with httpx2.Client() as http:
        window = _window(app, data_dir, http, None)
        model = window.model
        while not model.complete:
            app.processEvents()
            if model.canFetchMore():
                model.fetchMore()
            window.table.scrollToBottom()
            time.sleep(0.0005)
        return {"rows": model.rowCount(), "rss_mb": peak_rss_mb()}


def stall(sandbox: str, data_dir: Path) -> dict[str, float]:
    app = QApplication([])
    with httpx2.Client(timeout=30) as http:
        window = _window(app, data_dir, http, sandbox)
        connector = window.ctx.connector
        pending = connector.begin("demo", sandbox=sandbox)
        with httpx2.Client(follow_redirects=True) as browser:
            browser.get(pending.url)  # the sandbox approves at once
        connector.finish(pending, pending.wait(30))
        pending.close()
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        done: list[object] = []
        window.sync_finished.connect(done.append)
        timer.start()
        last[0] = time.perf_counter()
        window.sync_all()
        while not done:
            app.processEvents()
            time.sleep(0.001)
        timer.stop()
        return {"max_gap_ms": max(gaps) * 1000 - 5, "new": window.ctx.store.count_transactions(), "ticks": len(gaps)}


if __name__ == "__main__":
    what = sys.argv[1]
    result = scroll(Path(sys.argv[2])) if what == "scroll" else stall(sys.argv[2], Path(sys.argv[3]))
    print(json.dumps(result))

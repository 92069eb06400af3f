"""GUI measurements that need a process of their own (so its memory and its start are its own).

``scroll DATA_DIR``: open the main window on a cache and drag the scrollbar from the newest to
the oldest row; print peak RSS. ``stall SANDBOX_URL DATA_DIR``: connect the Demo Bank, then
measure the longest gap between 5 ms timer ticks on the UI thread while a sync runs.
``build DATA_DIR COUNT``: an encrypted cache of COUNT transactions, its key in the keyring
(for the start-up bench). ``export DATA_DIR``: the longest UI-thread gap
while the window exports the transactions of two accounts to CSV.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx2
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from bench.sync_child import peak_rss_mb
from bench.synthetic import transactions
from desktop_app.core.app import create_app
from desktop_app.core.models import Account, Connection
from desktop_app.core.money import NumberFormat
from desktop_app.core.store.cache import open_cache
from desktop_app.core.store.keys import KeyringKeys
from desktop_app.core.vault import Vault
from desktop_app.gui.collector import GuiCollector
from desktop_app.gui.context import AppContext
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.window import MainWindow


def _window(data_dir: Path, http: httpx2.Client, sandbox: str | None, charts: bool = True) -> MainWindow:
    qt = QApplication.instance()
    assert qt is not None
    GuiCollector(qt)  # as run_gui does: the cyclic collector on this thread only
    app = create_app(data_dir, vault=Vault(None, session_only=True), http=http, demo_bank_url=sandbox)
    ctx = AppContext(app=app, tasks=TaskRunner(), numbers=NumberFormat.named("en_GB"))
    window = MainWindow(ctx, lambda url: True, fmt=Formatter.named("en_GB"))
    window.show()
    if charts:
        window.charts.ensure_charts()
    return window


def _gaps(app: QApplication, until: Callable[[], bool]) -> list[float]:
    """Run the event loop until `until()` holds; the gaps between 5 ms timer ticks meanwhile."""
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    last[0] = time.perf_counter()
    while not until():
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    return gaps or [0.005]


def scroll(data_dir: Path) -> dict[str, float]:
    app = QApplication([])
    with httpx2.Client() as http:
        window = _window(data_dir, http, None)
        model = window.model
        _gaps(app, lambda: model.rowCount() > 0 and not model.busy)
        bar = window.table.verticalScrollBar()
        for step in range(401):  # the person drags the scrollbar to the oldest row
            bar.setValue(bar.maximum() * step // 400)
            window.table.viewport().repaint()  # asks for the rows now in view
            _gaps(app, lambda: not model.busy)
        return {"rows": model.rowCount(), "rss_mb": peak_rss_mb()}


def build(data_dir: Path, count: int) -> dict[str, float]:
    """An encrypted cache keyed as the app keys it: a random key kept in the keyring (the
    start-up bench points this process at its own Secret Service)."""
    started = time.perf_counter()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    store = open_cache(data_dir / "saldo.db", KeyringKeys(Vault.open()))
    try:
        store.save_connection(Connection(id="bench", provider="demo", label="Bench", created_at=datetime.now(UTC)))
        accounts = store.save_accounts(
            Account(connection_id="bench", provider_account_id=f"a{i}", name=f"Account {i}", currency="EUR")
            for i in range(10)
        )
        store.bulk_import(list(transactions(count, [a.id for a in accounts if a.id is not None])))
    finally:
        store.close()
    return {"seconds": time.perf_counter() - started}


def export(data_dir: Path) -> dict[str, float]:
    app = QApplication([])
    with httpx2.Client() as http, tempfile.TemporaryDirectory() as tmp:
        window = _window(data_dir, http, None)
        _gaps(app, lambda: not window.tree.empty and window.model.complete and window.ops.runner.running == 0)
        accounts = tuple(a.account_id for a in window.tree.accounts[:2])
        window.model.set_filter(replace(window.model.filter, account_ids=accounts))
        _gaps(app, lambda: window.model.complete)
        done: list[object] = []
        window.edits.exported.connect(done.append)
        window.edits.export_to(Path(tmp) / "export.csv")
        gaps = _gaps(app, lambda: bool(done))
        return {"max_gap_ms": max(gaps) * 1000 - 5, "rows": getattr(done[0], "rows", 0), "ticks": len(gaps)}


def stall(sandbox: str, data_dir: Path) -> dict[str, float]:
    app = QApplication([])
    with httpx2.Client(timeout=30) as http:
        window = _window(data_dir, http, sandbox)
        connector = window.ctx.connector
        pending = connector.begin("demo", sandbox=sandbox)
        with httpx2.Client(follow_redirects=True) as browser:
            browser.get(pending.url)  # the sandbox approves at once
        connector.finish(pending, pending.wait(30))
        pending.close()
        window.reload()
        _gaps(app, lambda: not window.tree.empty)
        done: list[object] = []
        window.sync_finished.connect(done.append)
        window.sync_all()
        gaps = _gaps(app, lambda: bool(done))
        return {"max_gap_ms": max(gaps) * 1000 - 5, "new": window.ctx.store.count_transactions(), "ticks": len(gaps)}


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "stall":
        result = stall(sys.argv[2], Path(sys.argv[3]))
    elif what == "build":
        result = build(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        result = {"scroll": scroll, "export": export}[what](Path(sys.argv[2]))
    print(json.dumps(result))

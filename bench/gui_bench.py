"""GUI figures: cold start to the first painted window on a 1M cache, and a chart switch."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.figures import Figure, at_most, median_ms, run_child, sandbox_process
from bench.keyring_session import available as keyring_available
from bench.keyring_session import keyring_session
from bench.synthetic import transactions
from desktop_app.core.models import Account, Connection
from desktop_app.core.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _cache(folder: Path, count: int) -> list[int]:
    store = Store.open(folder / "saldo.db")
    store.save_connection(Connection(id="bench", provider="demo", label="Bench", created_at=datetime.now(UTC)))
    ids = [
        a.id
        for a in store.save_accounts(
            Account(connection_id="bench", provider_account_id=f"a{i}", name=f"Account {i}", currency="EUR")
            for i in range(10)
        )
        if a.id is not None
    ]
    store.bulk_import(list(transactions(count, ids)))
    store.close()
    return ids


def first_paint(command: list[str], data_dir: Path, runs: int = 5, keyring: dict[str, str] | None = None) -> float:
    env = {**os.environ, **(keyring or {}), "QT_QPA_PLATFORM": "offscreen", "SALDO_EXIT_AFTER_FIRST_PAINT": "1"}
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [*command, "--data-dir", str(data_dir)], capture_output=True, text=True, env=env, timeout=120, check=True
        ).stdout
        samples.append(float(out.split("first-paint")[-1].split()[0]))
    return statistics.median(samples)


def run(count: int = 1_000_000) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="saldo-bench-gui-") as tmp:
        folder = Path(tmp)
        print(f"gui: building a {count:,}-transaction cache…", flush=True)
        ids = _cache(folder, count)
        seconds = first_paint([sys.executable, "-m", "desktop_app"], folder)
        figures.append(
            at_most(
                "gui",
                f"cold start to first painted window, {count:,}-row cache",
                seconds,
                "s",
                0.6,
                "from source; process start to first paint event",
            )
        )
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from desktop_app.core.views.charts import account_series
        from desktop_app.gui.charts import BalanceChart
        from desktop_app.gui.formatting import Formatter

        app = QApplication.instance() or QApplication([])
        store = Store.open(folder / "saldo.db")
        chart = BalanceChart(Formatter.named("en_GB"))
        chart.resize(900, 300)
        chart.show()
        turn = [0]

        def switch() -> None:
            turn[0] += 1
            account = ids[turn[0] % len(ids)]
            chart.set_series(account_series(store, account), "EUR")
            app.processEvents()

        ms = median_ms(switch, repeat=11)
        figures.append(
            at_most("gui", "chart update when switching account (10 years daily)", ms, "ms", 50, "query + redraw")
        )
        figures += _table_figures(app, store, count)
        store.close()
        exported = run_child("bench.gui_child", "export", str(folder))
        figures.append(
            at_most(
                "gui",
                f"longest UI-thread stall during a {exported['rows']:,.0f}-row export",
                exported["max_gap_ms"],
                "ms",
                50,
                f"{exported['ticks']:,.0f} ticks of a 5 ms timer",
            )
        )
        scrolled = run_child("bench.gui_child", "scroll", str(folder))
        figures.append(
            at_most(
                "gui",
                f"peak RSS, {count:,}-row cache open and scrolled end to end",
                scrolled["rss_mb"],
                "MB",
                300,
                f"{scrolled['rows']:,.0f} rows",
            )
        )
    figures.append(_stall())
    return figures


def _table_figures(app: Any, store: Store, count: int) -> list[Figure]:
    """Sort by amount and jump to the oldest row, through the table model and its worker."""
    import time
    from types import SimpleNamespace

    from desktop_app.core.store.browse import SortKey
    from desktop_app.gui.formatting import Formatter
    from desktop_app.gui.operations import Operations
    from desktop_app.gui.table import TransactionsModel
    from desktop_app.gui.tasks import TaskRunner

    runner = TaskRunner()
    model = TransactionsModel(Operations(SimpleNamespace(store=store), runner), Formatter.named("en_GB"))

    def until(done: Callable[[], bool]) -> float:
        started = time.perf_counter()
        while not done():
            app.processEvents()
            time.sleep(0.0002)  # let the worker have the interpreter
        return (time.perf_counter() - started) * 1000

    def sort_first_page() -> float:
        model.set_sort(SortKey.AMOUNT, descending=not model.order.descending)
        return until(lambda: model.complete and model.transaction(0) is not None)

    def jump_to_oldest() -> float:
        model.set_sort(SortKey.DATE, descending=True)  # drops the blocks read so far
        until(lambda: model.transaction(0) is not None)
        return until(lambda: model.transaction(model.rowCount() - 1) is not None)

    first, last = (date.fromisoformat(d) for d in store._read("SELECT min(date), max(date) FROM transactions")[0])
    landed: list[int] = []
    model.landed.connect(lambda row, _day: landed.append(row))

    def jump_to_day(n: int) -> float:
        model.set_sort(SortKey.DATE, descending=True)  # drops the blocks read so far
        until(lambda: model.transaction(0) is not None)
        landed.clear()
        model.go_to_day(first + (last - first) * (n % 7 + 1) // 8)  # from 1/8 to 7/8 down the list
        return until(lambda: bool(landed) and model.transaction(landed[0]) is not None)

    model.refresh()  # counts the rows once: sorting then only reads the first block again
    until(lambda: model.complete and model.transaction(0) is not None)
    sort_ms = statistics.median(sort_first_page() for _ in range(7))
    jump_ms = statistics.median(jump_to_oldest() for _ in range(7))
    day_ms = statistics.median(jump_to_day(n) for n in range(7))
    runner.shutdown()
    return [
        at_most("gui", f"sort by amount over {count:,} rows, first page", sort_ms, "ms", 50, "first block"),
        at_most("gui", f"jump to the oldest row over {count:,} rows", jump_ms, "ms", 50, "last block from the far end"),
        at_most("gui", f"jump to a date over {count:,} rows", day_ms, "ms", 50, "go to date: count + keyset block"),
    ]


def _stall(transactions: int = 100_000) -> Figure:
    with sandbox_process(transactions) as url, tempfile.TemporaryDirectory(prefix="saldo-bench-stall-") as tmp:
        result = run_child("bench.gui_child", "stall", url, tmp)
    return at_most(
        "gui",
        f"longest UI-thread stall during a {result['new']:,.0f}-transaction sync",
        result["max_gap_ms"],
        "ms",
        50,
        f"{result['ticks']:,.0f} ticks of a 5 ms timer",
    )


def bundle_figures() -> list[Figure]:
    """Size and cold start of dist/saldo, when a bundle has been built (make bundle)."""
    dist = ROOT / "dist" / "saldo"
    if not (dist / "saldo").exists():
        print("gui: no bundle in dist/ (run `make bundle`); bundle figures skipped", flush=True)
        return []
    size = sum(p.stat().st_size for p in dist.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "saldo.tar.gz"
        subprocess.run(["tar", "-C", str(dist.parent), "-czf", str(archive), "saldo"], check=True)
        packed = archive.stat().st_size / 1e6
        sizes = [
            at_most("bundle", "bundle size on disk", size, "MB", 200),
            at_most("bundle", "bundle as .tar.gz", packed, "MB", 80),
        ]
        if not keyring_available():
            print("gui: no dbus-daemon or gnome-keyring-daemon; bundle start-up skipped", flush=True)
            return sizes
        # A first start with no keyring asks how to keep the cache; with one (as here) it goes
        # straight to the window, as it does for most people.
        with keyring_session(Path(tmp) / "keyring-home") as keyring:
            seconds = first_paint([str(dist / "saldo")], Path(tmp) / "data", keyring=keyring)
    return [*sizes, at_most("bundle", "bundle cold start to first painted window", seconds, "s", 0.8, "empty cache")]

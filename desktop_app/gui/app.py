"""Starting the desktop app: QApplication, the main window, and the event loop."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop_app import APP_NAME, __version__
from desktop_app.core.money import NumberFormat, format_money
from desktop_app.core.paths import database_path, resolve_data_dir
from desktop_app.core.store import Store, StoreError


class _Loaded(QObject):
    done = Signal(object)


class MainWindow(QMainWindow):
    """The cached accounts, loaded off the UI thread."""

    def __init__(self, db_path: Path, pool: ThreadPoolExecutor) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(900, 560)
        self.status = QLabel("Loading your accounts…")
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Connection", "Account", "Balance"])
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        self.setCentralWidget(body)
        self._loaded = _Loaded(self)
        self._loaded.done.connect(self._show)
        pool.submit(self._load, db_path)

    def _load(self, db_path: Path) -> None:
        try:
            with Store.open(db_path) as store:
                self._loaded.done.emit(store.accounts_with_balances())
        except StoreError as exc:
            self._loaded.done.emit(exc)

    def _show(self, result: object) -> None:
        if isinstance(result, StoreError):
            self.status.setText(str(result))
            return
        assert isinstance(result, list)
        fmt = NumberFormat.from_system()
        self.table.setRowCount(len(result))
        for row, item in enumerate(result):
            balance = format_money(item.balance, fmt) if item.balance else "—"
            for col, text in enumerate((item.connection.label, item.account.name, balance)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.status.setText(f"{len(result)} accounts" if result else "No accounts yet.")


def run_gui(data_dir: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    db_path = database_path(resolve_data_dir(data_dir))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="saldo") as pool:
        window = MainWindow(db_path, pool)
        window.show()
        return app.exec()

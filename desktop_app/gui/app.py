"""Starting the desktop app: the cache, the vault, the embedded Demo Bank and the window."""

from __future__ import annotations

import logging
import os
import sys
import time

import httpx2
from PySide6.QtCore import QEvent, QObject, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app import APP_NAME, __version__
from desktop_app.core.errors import SaldoError
from desktop_app.core.money import NumberFormat
from desktop_app.core.paths import database_path, resolve_data_dir
from desktop_app.core.redact import install as install_redaction
from desktop_app.core.store.cache import open_cache
from desktop_app.core.store.keys import choose_key_source
from desktop_app.core.vault import Vault, VaultUnavailable
from desktop_app.gui.context import AppContext
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.window import MainWindow

log = logging.getLogger(__name__)
DEMO_SEED = 2026


def process_age() -> float:
    """Seconds since this process started (from /proc where available)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            start_ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter()


def numbers_from_qt() -> NumberFormat:
    from PySide6.QtCore import QLocale

    locale = QLocale()
    return NumberFormat(
        decimal_sep=locale.decimalPoint(),
        group_sep=locale.groupSeparator(),
        minus=locale.negativeSign(),
        symbol_first=locale.currencySymbol() != "" and locale.toCurrencyString(1.0).startswith(locale.currencySymbol()),
    )


class _FirstPaint(QObject):
    """Reports the first paint of the main window (used by the start-up benchmark)."""

    def __init__(self, window: MainWindow, exit_after: bool) -> None:
        super().__init__(window)
        self.exit_after = exit_after
        self.done = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            if self.exit_after:
                print(f"first-paint {process_age():.3f}", flush=True)
                QTimer.singleShot(0, QApplication.quit)
        return False


def open_vault() -> Vault:
    try:
        return Vault.open()
    except VaultUnavailable as exc:
        log.warning("%s", exc)
        return Vault(None, session_only=True)


def build_context(data_dir: str | None, tasks: TaskRunner) -> AppContext:
    """The context with a placeholder vault: the keyring is probed on a worker (`open_vault`)."""
    folder = resolve_data_dir(data_dir)
    # The cache key is in the keyring, so the keyring is asked once here, before the window;
    # the whole-file check waits for the first write, on a worker, so a large cache shows at once.
    try:
        keyring_vault: Vault | None = Vault.open()
    except VaultUnavailable:
        keyring_vault = None
    keys = choose_key_source(keyring_vault, os.environ.get("SALDO_PASSPHRASE"))
    store = open_cache(database_path(folder), keys, verify=False)
    return AppContext(
        data_dir=folder,
        store=store,
        vault=Vault(None, session_only=True),
        vault_ready=False,
        http=httpx2.Client(timeout=httpx2.Timeout(20.0, connect=10.0)),
        tasks=tasks,
        numbers=numbers_from_qt(),
        sandbox_for_all=os.environ.get("SALDO_SANDBOX_URL") or None,
    )


class DemoBank:
    """The embedded Demo Bank: built and started on a worker after the window has painted."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.sandbox: object | None = None

    def start(self) -> None:
        from desktop_app.sandbox.app import Sandbox

        def build() -> Sandbox:
            sandbox = Sandbox(seed=DEMO_SEED, transactions=3000)
            sandbox.start()
            return sandbox

        self.ctx.tasks.run(build, self._started, lambda exc: log.warning("Demo Bank did not start: %s", exc))

    def _started(self, sandbox: object) -> None:
        self.sandbox = sandbox
        self.ctx.set_sandbox(sandbox.url)  # type: ignore[attr-defined]

    def stop(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()  # type: ignore[attr-defined]


def run_gui(data_dir: str | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    install_redaction()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("saldo")
    tasks = TaskRunner()
    try:
        ctx = build_context(data_dir, tasks)
    except SaldoError as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 1
    demo = DemoBank(ctx)
    window = MainWindow(ctx, lambda url: QDesktopServices.openUrl(QUrl(url)))
    _FirstPaint(window, exit_after=os.environ.get("SALDO_EXIT_AFTER_FIRST_PAINT") == "1")
    window.show()
    # Probing the keyring can wait on D-Bus or an unlock prompt: never on the UI thread.
    tasks.run(open_vault, window.vault_opened, lambda exc: window.vault_opened(Vault(None, session_only=True)))
    QTimer.singleShot(300, demo.start)  # after the first paint: nothing competes with start-up
    try:
        return app.exec()
    finally:
        window.cancel_sync()
        tasks.shutdown()
        demo.stop()
        ctx.http.close()
        ctx.store.close()

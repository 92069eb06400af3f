"""Starting the desktop app: the cache, the vault, the embedded Demo Bank and the window.

Start-up runs two ways at once: a thread of its own (``opening``) probes the keyring, fetches
the cache key, opens the cache and reads the account tree while the UI thread loads Qt and the
window's modules; the window then reads the first page and the balance line. Nothing that only
signing in, syncing or the Demo Bank needs is imported before the data is on screen (see
``core.app.App``).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app import APP_NAME, __version__
from desktop_app.core.errors import SaldoError
from desktop_app.gui.collector import GuiCollector
from desktop_app.gui.opening import KeyNeeded, Opening, build_app
from desktop_app.gui.platform_check import check_display_libraries
from desktop_app.gui.startup_probe import StartupProbe
from desktop_app.gui.tasks import TaskRunner
from desktop_app.startup_trace import mark

if TYPE_CHECKING:
    from desktop_app.core.app import App
    from desktop_app.core.money import NumberFormat
    from desktop_app.core.views.accounts import AccountTree
    from desktop_app.demo_bank import DemoBank as Bank
    from desktop_app.gui.window import MainWindow

log = logging.getLogger(__name__)
DEMO_SEED = 2026
DEMO_BANK_AFTER_MS = 1500


def numbers_from_qt() -> NumberFormat:
    from PySide6.QtCore import QLocale

    from desktop_app.core.money import NumberFormat

    locale = QLocale()
    return NumberFormat(
        decimal_sep=locale.decimalPoint(),
        group_sep=locale.groupSeparator(),
        minus=locale.negativeSign(),
        symbol_first=locale.currencySymbol() != "" and locale.toCurrencyString(1.0).startswith(locale.currencySymbol()),
    )


class DemoBank:
    """The Demo Bank, started on a worker after the window has painted. Its state (consents,
    token hashes, the ledger's seed) lives in the data folder, so a restart needs no Reconnect."""

    def __init__(self, app: App, tasks: TaskRunner) -> None:
        self.app = app
        self.tasks = tasks
        self.bank: Bank | None = None

    def start(self) -> None:
        def build() -> Bank:
            from desktop_app.demo_bank import DemoBank as Bank

            bank = Bank(self.app.data_dir, seed=DEMO_SEED, transactions=3000)
            bank.start()
            return bank

        self.tasks.run(build, self._started, lambda exc: log.warning("Demo Bank did not start: %s", exc))

    def _started(self, bank: Bank) -> None:
        self.bank = bank
        self.app.use_demo_bank(bank.url)

    def stop(self) -> None:
        if self.bank is not None:
            self.bank.stop()


class _Startup(QObject):
    """Waits for the opening off the UI thread, then opens the main window with the tree."""

    def __init__(
        self, qt: QApplication, data_dir: str | None, tasks: TaskRunner, opening: Opening | None = None
    ) -> None:
        super().__init__(qt)
        self.qt = qt
        self.tasks = tasks
        self.window: MainWindow | None = None
        self.demo: DemoBank | None = None
        self.app: App | None = None
        self._demo_timer = QTimer(self, singleShot=True)
        opening = opening or Opening(data_dir).start()
        self.redactor = opening.redactor
        self.data_dir = data_dir
        tasks.run(opening.result, self._ready, self._failed)
        # while the opening waits on D-Bus and the disk, the window's modules load here
        opening.imported.wait()  # the core modules both need: imported by one thread only
        from desktop_app.gui.window import MainWindow

        self.window_class = MainWindow
        mark("window modules imported")

    def _ready(self, built: tuple[App, AccountTree]) -> None:
        mark("app built")
        from desktop_app.gui.context import AppContext

        app, tree = built
        self.app = app
        ctx = AppContext(app=app, tasks=self.tasks, numbers=numbers_from_qt())
        self.window = self.window_class(ctx, lambda url: QDesktopServices.openUrl(QUrl(url)), tree=tree)
        if StartupProbe.wanted():
            StartupProbe(self.window)
        self.window.show()
        mark("window shown")
        self.demo = DemoBank(app, self.tasks)
        self._demo_timer.timeout.connect(self.demo.start)
        # after the data is on screen (its import and server take ~0.1 s), so nothing competes with it;
        # sooner on the welcome screen, where "Try the Demo Bank" may be the first click
        self._demo_timer.start(300 if tree.empty else DEMO_BANK_AFTER_MS)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, KeyNeeded):
            self._ask_key(exc)
            return
        log.error("Saldo could not start: %s", exc)  # also where no one sees the dialog (the bench)
        QMessageBox.critical(
            None, APP_NAME, str(exc) if isinstance(exc, SaldoError) else f"Saldo could not start: {exc}"
        )
        self.qt.exit(1)

    def _ask_key(self, need: KeyNeeded) -> None:
        """A passphrase (or, on a first start with no keyring, no encryption) from the person; then
        the cache is opened again on a worker. Quit in the dialog ends Saldo, nothing written."""
        from desktop_app.gui import unlock

        choice = unlock.ask_key(None, need.path, unlock.UnlockMode(need.mode), need.reason)
        if choice is None:
            self.qt.exit(1)
            return
        data_dir, redactor = self.data_dir, self.redactor
        self.tasks.run(
            lambda: build_app(data_dir, redactor, passphrase=choice.passphrase, plain=choice.plain, vault=need.vault),
            self._ready,
            self._failed,
        )

    def shutdown(self) -> None:
        self._demo_timer.stop()
        if self.window is not None:
            self.window.cancel_sync()
        self.tasks.shutdown()
        if self.demo is not None:
            self.demo.stop()
        if self.app is not None:
            self.app.close()
        self.redactor.uninstall()


def run_gui(data_dir: str | None = None, opening: Opening | None = None) -> int:
    """The app; `opening` is the cache already being opened (see ``opening``), else it starts here."""
    logging.basicConfig(level=logging.WARNING)
    check_display_libraries()  # before Qt loads its platform plugin and aborts without saying why
    qt = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qt, QApplication)
    qt.setApplicationName(APP_NAME)
    qt.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("saldo")
    mark("Qt application made")
    GuiCollector(qt)  # the cyclic collector runs on this thread only: see its module
    startup = _Startup(qt, data_dir, TaskRunner(), opening)
    try:
        return qt.exec()
    finally:
        startup.shutdown()

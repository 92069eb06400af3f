"""The connect wizard's Enable Banking page: your application's id and key, the country, the bank.

The key file is read once and goes to the keyring; the bank list comes from Enable Banking (or
from the cache when offline); both run on workers. "Continue" starts the consent, which the
wizard's usual consent page then waits for (https receiver or a pasted address).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.enablebanking_link import BankConsent
from desktop_app.gui import wizard_pages
from desktop_app.gui.context import AppContext
from desktop_app.gui.editor_parts import error_label

INTRO = (
    "<h3>Enable Banking</h3>"
    "<p>Register a free application for your own accounts at <b>enablebanking.com</b> "
    "(Applications → Production, then <i>Activate by linking accounts</i>). As its redirect URL enter "
    "exactly <b>https://localhost:48443/callback/enablebanking</b>. Give Saldo the application id and "
    "the .pem key it downloaded: the key goes into your keyring, and you may delete the file.</p>"
)
MAX_KEY_FILE = 64 * 1024


class EnableBankingPage(QWidget):
    """Emits `ready` with a consent waiting at the bank, or `back`."""

    ready = Signal(object)
    back = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.base: str | None = None  # development: a simulator's Enable Banking
        layout = QVBoxLayout(self)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.app_id = QLineEdit()
        self.app_id.setPlaceholderText("only the first time")
        self.key_file = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_key)
        row = QHBoxLayout()
        row.addWidget(self.key_file)
        row.addWidget(browse)
        self.country = QLineEdit("FI")
        self.country.setMaxLength(2)
        self.bank = QComboBox()
        self.load_button = QPushButton("Show banks")
        self.load_button.clicked.connect(self._load_banks)
        banks = QHBoxLayout()
        banks.addWidget(self.bank, 1)
        banks.addWidget(self.load_button)
        form.addRow("Application id", self.app_id)
        form.addRow("Key file (.pem)", row)
        form.addRow("Country", self.country)
        form.addRow("Bank", banks)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        self.continue_button = wizard_pages.button("Continue", self._continue, default=True)
        wizard_pages.buttons(layout, wizard_pages.button("Back", self.back.emit), self.continue_button)

    def _choose_key(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Your application's key", "", "PEM key (*.pem);;All files (*)")
        if path:
            self.key_file.setText(path)

    def _app(self) -> tuple[str, str]:
        return self.app_id.text().strip(), self.key_file.text().strip()

    def _save_app_first(self) -> None:
        """On a worker: read and keep the key when both fields are given (it replaces the old one)."""
        app_id, key_path = self._app()
        if not (app_id or key_path):
            return
        if not (app_id and key_path):
            from desktop_app.core.errors import AppKeyError

            raise AppKeyError("Give the application id and the key file together.")
        data = Path(key_path).read_bytes()[: MAX_KEY_FILE + 1]
        if len(data) > MAX_KEY_FILE:
            from desktop_app.core.errors import AppKeyError

            raise AppKeyError.unreadable()
        self.ctx.connector.enablebanking.save_app(app_id, data)

    def _load_banks(self) -> None:
        country, base, link = self.country.text().strip(), self.base, self.ctx.connector.enablebanking
        self.error.setText("")
        self.load_button.setEnabled(False)

        def fetch() -> list[str]:
            self._save_app_first()
            return [str(b["name"]) for b in link.banks(country, base)]

        self.ctx.tasks.run(fetch, self._banks_loaded, self._failed)

    def _banks_loaded(self, names: list[str]) -> None:
        self.load_button.setEnabled(True)
        self.app_id.clear()
        self.key_file.clear()  # kept in the keyring now
        self.bank.clear()
        self.bank.addItems(names)

    def _continue(self) -> None:
        if not self.bank.currentText():
            self.error.setText("Press “Show banks” and choose your bank first.")
            return
        country, bank, base = self.country.text().strip(), self.bank.currentText(), self.base
        link = self.ctx.connector.enablebanking
        self.continue_button.setEnabled(False)
        self.ctx.tasks.run(lambda: link.begin(country, bank, base=base), self._started, self._failed)

    def _started(self, pending: BankConsent) -> None:
        self.continue_button.setEnabled(True)
        self.ready.emit(pending)

    def _failed(self, exc: BaseException) -> None:
        self.load_button.setEnabled(True)
        self.continue_button.setEnabled(True)
        self.error.setText(str(exc) or type(exc).__name__)

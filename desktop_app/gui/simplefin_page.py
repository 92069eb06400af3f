"""The connect wizard's SimpleFIN Bridge page: paste a setup token, Saldo claims it once.

The claim runs on a worker (it is network I/O); the token field is cleared as soon as it is
read, and the access address that comes back never reaches the GUI: it goes to the keyring.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop_app.core.models import Connection
from desktop_app.core.simplefin_link import Connected
from desktop_app.gui import wizard_pages
from desktop_app.gui.context import AppContext
from desktop_app.gui.editor_parts import error_label

INTRO = (
    "<h3>SimpleFIN Bridge</h3>"
    "<p>At <b>bridge.simplefin.org</b>, connect your bank and make a <b>setup token</b> "
    "(Apps → New connection). Paste it here. Saldo claims it once; what it receives in return "
    "opens your accounts, so it is kept only in your keyring.</p>"
)


class SimpleFinPage(QWidget):
    """Emits `connected` with the new connection, or `back` when the person goes back."""

    connected = Signal(Connection)
    back = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("setup token")
        layout.addWidget(self.token)
        self.error = error_label()
        layout.addWidget(self.error)
        self.said = QLabel("")  # what the Bridge reported when the accounts were first listed
        self.said.setWordWrap(True)
        layout.addWidget(self.said)
        self.claim_button = wizard_pages.button("Connect", self._claim, default=True)
        wizard_pages.buttons(layout, wizard_pages.button("Back", self.back.emit), self.claim_button)

    def _claim(self) -> None:
        token = self.token.text().strip()
        self.token.clear()
        if not token:
            self.error.setText("Paste the setup token from SimpleFIN Bridge first.")
            return
        self.error.setText("")
        self.claim_button.setEnabled(False)
        link = self.ctx.connector.simplefin
        self.ctx.tasks.run(lambda: link.connect(token), self._claimed, self._failed)

    def _claimed(self, done: Connected) -> None:
        self.claim_button.setEnabled(True)
        self.said.setText("\n".join(f"SimpleFIN Bridge says: {m}" for m in done.messages))
        self.connected.emit(done.connection)

    def _failed(self, exc: BaseException) -> None:
        self.claim_button.setEnabled(True)
        self.error.setText(str(exc) if str(exc) else type(exc).__name__)

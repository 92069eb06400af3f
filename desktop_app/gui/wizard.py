"""The connect wizard: provider → credentials → consent in the browser → first sync → accounts."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.connect import CONSENT_TIMEOUT, PendingConsent
from desktop_app.core.enablebanking_link import BankConsent
from desktop_app.core.errors import AccessDenied, ConsentCancelled, ConsentTimeout, InvalidGrant, SaldoError
from desktop_app.core.models import Connection
from desktop_app.core.providers.registry import PROVIDERS, Provider, in_wizard_order
from desktop_app.core.sync import SyncProgress, SyncResult
from desktop_app.gui.context import AppContext
from desktop_app.gui.enablebanking_page import EnableBankingPage
from desktop_app.gui.simplefin_page import SimpleFinPage
from desktop_app.gui.tasks import TaskContext

PICK, CREDENTIALS, CONSENT, SYNC, DONE, SIMPLEFIN, ENABLEBANKING = range(7)


def explain(exc: BaseException, provider: str) -> str:
    """Every failure in plain words, with the next step."""
    if isinstance(exc, AccessDenied):
        return f"{provider} declined access — try again or choose another provider."
    if isinstance(exc, ConsentTimeout):
        return f"No answer from {provider} in time. Try again, or paste the address your browser ended on."
    if isinstance(exc, InvalidGrant):
        return f"{provider} did not accept the approval (it may have taken too long). Please try again."
    if isinstance(exc, SaldoError):
        return str(exc)
    return f"Something went wrong while connecting to {provider} ({type(exc).__name__}). Please try again."


class ConnectWizard(QDialog):
    """Connects one provider. Emits `connected` with the new connection id when done."""

    connected = Signal(str)

    def __init__(self, ctx: AppContext, open_url: Callable[[str], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect a bank")
        self.resize(620, 400)
        self.ctx = ctx
        self.open_url = open_url
        self.provider: Provider | None = None
        self.pending: PendingConsent | BankConsent | None = None
        self.connection: Connection | None = None
        self.sync_task: TaskContext | None = None
        self.deadline = 0.0
        self.pages = QStackedWidget()
        self.pages.addWidget(self._pick_page())
        self.pages.addWidget(self._credentials_page())
        self.pages.addWidget(self._consent_page())
        self.pages.addWidget(self._sync_page())
        self.pages.addWidget(self._done_page())
        self.simplefin_page = SimpleFinPage(ctx)  # a setup token instead of a browser sign-in
        self.simplefin_page.connected.connect(self._consented)
        self.simplefin_page.back.connect(lambda: self.pages.setCurrentIndex(PICK))
        self.pages.addWidget(self.simplefin_page)
        self.enablebanking_page = EnableBankingPage(ctx)  # the person's own application, then the bank
        self.enablebanking_page.ready.connect(self._consent_ready)
        self.enablebanking_page.back.connect(lambda: self.pages.setCurrentIndex(PICK))
        self.pages.addWidget(self.enablebanking_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)

    # -- pages -----------------------------------------------------------------------

    def _pick_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("<h3>Choose your bank or provider</h3>"))
        self.provider_list = QListWidget()
        for provider in in_wizard_order():
            hint = {
                "nothing": "no credentials needed — try Saldo safely",
                "client id and secret": "needs a company's developer client id",
            }.get(provider.setup, f"real banks for a private person — you bring a {provider.setup}")
            item = QListWidgetItem(f"{provider.name}   ·   {provider.region}   ·   {hint}")
            item.setData(Qt.ItemDataRole.UserRole, provider.id)
            self.provider_list.addItem(item)
        self.provider_list.setSpacing(3)
        self.provider_list.setCurrentRow(0)
        self.provider_list.itemDoubleClicked.connect(lambda _: self._picked())
        layout.addWidget(self.provider_list)
        self.pick_error = QLabel("")
        self.pick_error.setWordWrap(True)
        self.pick_error.setStyleSheet("color: #9a3b2f;")
        layout.addWidget(self.pick_error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        self.next_button = QPushButton("Continue")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self._picked)
        buttons.addWidget(cancel)
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)
        return page

    def _credentials_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.credentials_title = QLabel()
        self.credentials_title.setWordWrap(True)
        layout.addWidget(self.credentials_title)
        form = QFormLayout()
        self.client_id = QLineEdit()
        self.client_secret = QLineEdit()
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Client id", self.client_id)
        form.addRow("Client secret", self.client_secret)
        self.tenant = QLineEdit()  # Aritma only: its sign-in addresses name the organisation's tenant
        self.tenant.setPlaceholderText("your organisation's tenant name")
        form.addRow("Tenant", self.tenant)
        self.tenant_form = form
        layout.addLayout(form)
        self.credentials_error = QLabel("")
        self.credentials_error.setStyleSheet("color: #9a3b2f;")
        self.client_id.textChanged.connect(lambda _: self.credentials_error.setText(""))
        layout.addWidget(self.credentials_error)
        self.where_secrets = QLabel(self.ctx.vault.describe())
        self.where_secrets.setWordWrap(True)
        if self.ctx.vault.session_only:
            self.where_secrets.setStyleSheet("color: #9a3b2f;")
        layout.addWidget(self.where_secrets)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        back = QPushButton("Back")
        back.clicked.connect(lambda: self.pages.setCurrentIndex(PICK))
        self.save_button = QPushButton("Continue")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._save_credentials)
        buttons.addWidget(back)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        return page

    def _consent_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.consent_title = QLabel()
        self.consent_title.setWordWrap(True)
        layout.addWidget(self.consent_title)
        self.waiting = QLabel()
        layout.addWidget(self.waiting)
        layout.addWidget(QLabel("Didn't open? Copy this address into your browser:"))
        row = QHBoxLayout()
        self.url_field = QLineEdit()
        self.url_field.setReadOnly(True)
        copy = QPushButton("Copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.url_field.text()))
        row.addWidget(self.url_field)
        row.addWidget(copy)
        layout.addLayout(row)
        layout.addWidget(QLabel("Redirected somewhere else? Paste that address:"))
        row = QHBoxLayout()
        self.paste_field = QLineEdit()
        self.paste_field.setPlaceholderText("http://127.0.0.1:…/callback/…?code=…")
        self.paste_button = QPushButton("Continue")
        self.paste_button.clicked.connect(self._pasted)
        row.addWidget(self.paste_field)
        row.addWidget(self.paste_button)
        layout.addLayout(row)
        self.consent_error = QLabel("")
        self.consent_error.setWordWrap(True)
        self.consent_error.setStyleSheet("color: #9a3b2f;")
        layout.addWidget(self.consent_error)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_consent = QPushButton("Cancel")
        self.cancel_consent.clicked.connect(self._cancel_consent)
        buttons.addWidget(self.cancel_consent)
        layout.addLayout(buttons)
        return page

    def _sync_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.sync_title = QLabel("<h3>Fetching your accounts…</h3>")
        layout.addWidget(self.sync_title)
        self.sync_bar = QProgressBar()
        self.sync_bar.setRange(0, 0)
        layout.addWidget(self.sync_bar)
        self.sync_status = QLabel("")
        layout.addWidget(self.sync_status)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        stop = QPushButton("Cancel")
        stop.clicked.connect(self._cancel_sync)
        buttons.addWidget(stop)
        layout.addLayout(buttons)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.done_title = QLabel()
        self.done_title.setWordWrap(True)
        layout.addWidget(self.done_title)
        self.accounts_box = QVBoxLayout()
        layout.addLayout(self.accounts_box)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.retry_button = QPushButton("Try again")
        self.retry_button.clicked.connect(lambda: self.pages.setCurrentIndex(PICK))
        self.finish_button = QPushButton("Done")
        self.finish_button.setDefault(True)
        self.finish_button.clicked.connect(self._finish)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.finish_button)
        layout.addLayout(buttons)
        return page

    # -- flow ------------------------------------------------------------------------

    def choose(self, provider_id: str) -> None:
        for row in range(self.provider_list.count()):
            if self.provider_list.item(row).data(Qt.ItemDataRole.UserRole) == provider_id:
                self.provider_list.setCurrentRow(row)

    def _picked(self) -> None:
        item = self.provider_list.currentItem()
        provider = next(p for p in PROVIDERS if p.id == item.data(Qt.ItemDataRole.UserRole))
        self.provider = provider
        self.pick_error.setText("")
        if provider.id in ("simplefin", "enablebanking"):
            self.pages.setCurrentIndex(SIMPLEFIN if provider.id == "simplefin" else ENABLEBANKING)
            return
        if not provider.needs_credentials:
            self._begin()
            return
        if provider.needs_tenant:  # the tenant is asked every time; stored credentials may stay
            self._ask_credentials(provider)
            return
        vault = self.ctx.vault
        self._busy(True)
        self.ctx.tasks.run(  # the keyring may be slow or ask to be unlocked: never on the UI thread
            lambda: vault.load_credentials(provider.id) is not None,
            lambda known: self._begin() if known else self._ask_credentials(provider),
            self._begin_failed,
        )

    def _ask_credentials(self, provider: Provider) -> None:
        self._busy(False)
        self.credentials_error.setText("")
        self.tenant_form.setRowVisible(self.tenant, provider.needs_tenant)
        self.credentials_title.setText(
            f"<h3>{provider.name} credentials</h3>Enter the client id and secret from {provider.name}'s "
            "developer portal. You enter them once."
        )
        self.pages.setCurrentIndex(CREDENTIALS)

    def _save_credentials(self) -> None:
        assert self.provider is not None
        if self.provider.needs_tenant and not self.client_id.text().strip():
            self._begin()  # only the tenant changes; the stored client id and secret are used
            return
        if not self.client_id.text().strip():
            self.credentials_error.setText("The client id is required: copy it from the developer portal.")
            return
        provider_id, client_id, secret = self.provider.id, self.client_id.text(), self.client_secret.text() or None
        self.client_secret.clear()
        self._busy(True)
        self.ctx.tasks.run(
            lambda: self.ctx.connector.save_credentials(provider_id, client_id, secret),
            lambda _: self._begin(),
            self._begin_failed,
        )

    def _busy(self, busy: bool) -> None:
        self.next_button.setEnabled(not busy)
        self.save_button.setEnabled(not busy)

    def _begin_failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.pick_error.setText(explain(exc, self.provider.name if self.provider else "The provider"))
        self.pages.setCurrentIndex(PICK)

    def _begin(self) -> None:
        """Bind the loopback receiver and build the consent URL (on a worker: it reads the vault)."""
        assert self.provider is not None
        provider = self.provider
        tenant = self.tenant.text().strip() or None if provider.needs_tenant else None
        self._busy(True)
        self.ctx.tasks.run(
            lambda: self.ctx.connector.begin(provider.id, tenant=tenant),
            self._consent_ready,
            self._begin_failed,
        )

    def _consent_ready(self, pending: PendingConsent | BankConsent) -> None:
        self._busy(False)
        if not self.isVisible():  # closed while the receiver was being bound
            pending.close()
            return
        provider = self.provider
        assert provider is not None
        self.pending = pending
        self.consent_title.setText(
            f"<h3>Approve access in your browser</h3>Your browser is open at {provider.name}'s consent page. "
            "Approve access there; Saldo is waiting."
        )
        self.url_field.setText(self.pending.url)
        self.url_field.setCursorPosition(0)  # show where it goes, not the tail of the query
        self.consent_error.setText("")
        self.paste_field.clear()
        self.deadline = time.monotonic() + CONSENT_TIMEOUT
        self._tick()
        self.timer.start()
        self.pages.setCurrentIndex(CONSENT)
        pending = self.pending
        self.ctx.tasks.run(
            lambda: self.ctx.connector.finish(pending, pending.wait(CONSENT_TIMEOUT)),
            self._consented,
            self._consent_failed,
        )
        self.open_url(pending.url)

    def _tick(self) -> None:
        left = max(0, int(self.deadline - time.monotonic()))
        self.waiting.setText(f"Waiting for your approval… ({left // 60}:{left % 60:02d} left)")

    def _pasted(self) -> None:
        if self.pending is None:
            return
        try:
            self.pending.paste(self.paste_field.text())
        except SaldoError as exc:
            self.consent_error.setText(str(exc))

    def _cancel_consent(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
        else:
            self.reject()

    def _consented(self, connection: Connection) -> None:
        self.timer.stop()
        self._close_pending()
        self.connection = connection
        self.pages.setCurrentIndex(SYNC)
        self.sync_task = self.ctx.tasks.run(
            lambda ctx: self.ctx.engine.sync(connection.id, progress=ctx.progress, cancel=ctx.cancel),
            self._synced,
            self._sync_failed,
            on_progress=self._sync_progress,
            with_context=True,
        )

    def _consent_failed(self, exc: BaseException) -> None:
        self.timer.stop()
        self._close_pending()
        if isinstance(exc, ConsentCancelled):
            self.pages.setCurrentIndex(PICK)
            return
        self._show_done(False, explain(exc, self.provider.name if self.provider else "The provider"))

    def _close_pending(self) -> None:
        if self.pending is not None:
            self.pending.close()
            self.pending = None

    def _sync_progress(self, p: SyncProgress) -> None:
        self.sync_status.setText(f"{p.account or ''}: {p.new} new transactions ({p.pages} pages)")

    def _cancel_sync(self) -> None:
        if self.sync_task is not None:
            self.sync_task.cancel.set()

    def _synced(self, result: SyncResult) -> None:
        assert self.connection is not None
        if result.ok:
            self._show_done(
                True,
                f"<h3>Connected to {self.provider.name if self.provider else ''}</h3>"
                f"{result.summary()}. Choose which accounts to show:",
            )
        else:
            self._show_done(
                True,
                f"<h3>Connected</h3>The first sync did not finish: {result.error} "
                "You can sync again from the main window (F5).",
            )

    def _sync_failed(self, exc: BaseException) -> None:
        self._show_done(True, f"<h3>Connected</h3>The first sync failed: {explain(exc, 'The provider')}")

    def _show_done(self, ok: bool, text: str) -> None:
        self.done_title.setText(text if ok else f"<h3>Not connected</h3>{text}")
        while self.accounts_box.count():
            item = self.accounts_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.account_checks: list[tuple[int, QCheckBox]] = []
        if ok and self.connection is not None:
            for account in self.ctx.store.accounts(self.connection.id):
                box = QCheckBox(f"{account.name}  ({account.currency})")
                box.setChecked(not account.hidden)
                self.accounts_box.addWidget(box)
                assert account.id is not None
                self.account_checks.append((account.id, box))
        self.retry_button.setVisible(not ok)
        self.pages.setCurrentIndex(DONE)

    def _finish(self) -> None:
        for account_id, box in getattr(self, "account_checks", []):
            self.ctx.store.set_account_hidden(account_id, not box.isChecked())
        if self.connection is not None:
            self.connected.emit(self.connection.id)
            self.accept()
        else:
            self.reject()

    def reject(self) -> None:
        self.timer.stop()
        if self.pending is not None:
            self.pending.cancel()
        if self.sync_task is not None:
            self.sync_task.cancel.set()
        super().reject()

"""The connect wizard: provider → credentials → consent in the browser → first sync → accounts.

Public API for the window: `start(provider_id, reconnect=...)` jumps past the provider list;
`connected` says which connection was added or renewed. Every call into the vault, the
connector, the sync engine or the cache runs as a background operation."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.connect import CONSENT_TIMEOUT, PendingConsent
from desktop_app.core.enablebanking_link import BankConsent
from desktop_app.core.errors import ConsentCancelled, SaldoError
from desktop_app.core.models import Account, Connection
from desktop_app.core.providers.registry import PROVIDERS, Provider
from desktop_app.gui import editor_parts, wizard_pages
from desktop_app.gui import operations as ops_
from desktop_app.gui.enablebanking_page import EnableBankingPage
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.messages import explain
from desktop_app.gui.operations import EVERYTHING, MutationOp, Operations, QueryOp
from desktop_app.gui.simplefin_page import SimpleFinPage
from desktop_app.gui.tasks import TaskContext

PICK, CREDENTIALS, CONSENT, SYNC, DONE, SIMPLEFIN, ENABLEBANKING = range(7)


class ConnectWizard(QDialog):
    """Connects (or reconnects) one provider. Emits `connected` with the connection id when done."""

    connected = Signal(str)
    # built by wizard_pages
    provider_list: QListWidget
    pick_error: QLabel
    next_button: QPushButton
    credentials_title: QLabel
    client_id: QLineEdit
    tenant: QLineEdit
    tenant_form: QFormLayout
    client_secret: QLineEdit
    credentials_error: QLabel
    where_secrets: QLabel
    save_button: QPushButton
    consent_title: QLabel
    waiting: QLabel
    url_hint: QLabel
    url_field: QLineEdit
    copy_button: QPushButton
    paste_field: QLineEdit
    paste_button: QPushButton
    consent_error: QLabel
    cancel_consent: QPushButton
    sync_title: QLabel
    sync_bar: QProgressBar
    sync_status: QLabel
    stop_sync: QPushButton
    done_title: QLabel
    accounts_box: QVBoxLayout
    retry_button: QPushButton
    finish_button: QPushButton

    def __init__(
        self,
        ctx: Any,
        ops: Operations,
        fmt: Formatter,
        open_url: Callable[[str], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect a bank")
        self.resize(620, 420)
        self.ctx = ctx
        self.ops = ops
        self.fmt = fmt
        self.open_url = open_url
        self.provider: Provider | None = None
        self.reconnect_id: str | None = None
        self.pending: PendingConsent | BankConsent | None = None
        self.connection: Connection | None = None
        self.sync_task: TaskContext | None = None
        self.account_checks: list[tuple[int, QCheckBox]] = []
        self.deadline = 0.0
        self.pages = QStackedWidget()
        for build in (
            wizard_pages.pick_page,
            wizard_pages.credentials_page,
            wizard_pages.consent_page,
            wizard_pages.sync_page,
            wizard_pages.done_page,
        ):
            self.pages.addWidget(build(self))
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
        self._show(PICK)

    # -- public API ------------------------------------------------------------------

    def choose(self, provider_id: str) -> None:
        for row in range(self.provider_list.count()):
            if self.provider_list.item(row).data(Qt.ItemDataRole.UserRole) == provider_id:
                self.provider_list.setCurrentRow(row)

    def start(self, provider_id: str | None = None, *, reconnect: str | None = None) -> None:
        """Show the wizard; with a provider, go straight on to credentials or consent.

        `reconnect` renews that connection's consent (its accounts and history stay).
        """
        self.reconnect_id = reconnect
        if reconnect:
            self.setWindowTitle("Reconnect")
        self.show()
        if provider_id:
            self.choose(provider_id)
            self.continue_with_selected()

    def continue_with_selected(self) -> None:
        item = self.provider_list.currentItem()
        if item is None:
            return
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
        self._busy(True)
        # the keyring may be slow or ask to be unlocked: never on the UI thread
        QueryOp(
            self.ops,
            parent=self,
            op=lambda app: app.vault.load_credentials(provider.id) is not None,
            success=lambda known: self._begin() if known else self._ask_credentials(provider),
        ).failure(self._begin_failed).run()

    def back_to_providers(self) -> None:
        self._show(PICK)

    # -- credentials -------------------------------------------------------------------

    def _ask_credentials(self, provider: Provider) -> None:
        self._busy(False)
        self.credentials_error.setText("")
        self.credentials_title.setText(
            f"<h3>{provider.name} credentials</h3>Enter the client id and secret from {provider.name}'s "
            "developer portal. You enter them once."
        )
        self.tenant_form.setRowVisible(self.tenant, provider.needs_tenant)
        vault = self.ctx.vault
        self.where_secrets.setText(vault.describe())
        self.where_secrets.setStyleSheet(editor_parts.error_style() if vault.session_only else "")
        self._show(CREDENTIALS)

    def save_credentials(self) -> None:
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
        QueryOp(
            self.ops,
            parent=self,
            op=lambda app: app.connector.save_credentials(provider_id, client_id, secret),
            success=lambda _: self._begin(),
        ).failure(self._begin_failed).run()

    def _busy(self, busy: bool) -> None:
        self.next_button.setEnabled(not busy)
        self.save_button.setEnabled(not busy)

    def _begin_failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.pick_error.setText(explain(exc, self.provider.name if self.provider else "The provider"))
        self._show(PICK)

    # -- consent -----------------------------------------------------------------------

    def _begin(self) -> None:
        """Bind the loopback receiver and build the consent URL (on a worker: it reads the vault)."""
        assert self.provider is not None
        provider, reconnect = self.provider, self.reconnect_id
        tenant = (self.tenant.text().strip() or None) if provider.needs_tenant else None
        self._busy(True)
        QueryOp(
            self.ops,
            parent=self,
            op=lambda app: app.connector.begin(provider.id, reconnect=reconnect, tenant=tenant),
            success=self._consent_ready,
        ).failure(self._begin_failed).if_dropped(lambda pending: pending.close()).run()

    def _consent_ready(self, pending: PendingConsent | BankConsent) -> None:
        self._busy(False)
        provider = self.provider
        assert provider is not None
        self.pending = pending
        self.url_field.setText(pending.url)
        self.url_field.setCursorPosition(0)  # show where it goes, not the tail of the query
        self.consent_error.setText("")
        self.paste_field.clear()
        self.deadline = time.monotonic() + CONSENT_TIMEOUT
        self._tick()
        self.timer.start()
        MutationOp(
            self.ops,
            parent=self,
            op=lambda app: app.connector.finish(pending, pending.wait(CONSENT_TIMEOUT)),
            changes=EVERYTHING,
            success=self._consented,
        ).failure(self._consent_failed).run()
        opened = self.open_url(pending.url) is not False
        if opened:
            self.consent_title.setText(
                f"<h3>Approve access in your browser</h3>Your browser is open at {provider.name}'s consent page. "
                "Approve access there; Saldo is waiting."
            )
            self.url_hint.setText("Didn't open? Copy this address into your browser:")
        else:
            self.consent_title.setText(
                f"<h3>Open {provider.name}'s consent page</h3>Saldo could not open your browser. "
                "Copy the address below, paste it into your browser and approve access there; Saldo is waiting."
            )
            self.url_hint.setText("The consent page:")
        self._show(CONSENT, focus=self.cancel_consent if opened else self.copy_button)

    def _tick(self) -> None:
        left = max(0, int(self.deadline - time.monotonic()))
        self.waiting.setText(f"Waiting for your approval… ({left // 60}:{left % 60:02d} left)")

    def use_pasted_address(self) -> None:
        if self.pending is None:
            return
        try:
            self.pending.paste(self.paste_field.text())
        except SaldoError as exc:
            self.consent_error.setText(str(exc))

    def cancel_waiting(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
        else:
            self.reject()

    def _consented(self, connection: Connection) -> None:
        self.timer.stop()
        self._close_pending()
        self.connection = connection
        self._show(SYNC, focus=self.stop_sync)
        self.sync_task = (
            MutationOp(
                self.ops,
                parent=self,
                op=lambda app, task: ops_.sync_one(app, connection.id, task),
                changes=EVERYTHING,
                success=self._synced,
            )
            .failure(self._sync_failed)
            .with_progress(self._sync_progress)
            .run()
        )

    def _consent_failed(self, exc: BaseException) -> None:
        self.timer.stop()
        self._close_pending()
        if isinstance(exc, ConsentCancelled):
            self._show(PICK)
            return
        self._show_done(False, explain(exc, self.provider.name if self.provider else "The provider"))

    def _close_pending(self) -> None:
        if self.pending is not None:
            self.pending.close()
            self.pending = None

    # -- first sync and accounts -------------------------------------------------------

    def _sync_progress(self, p: Any) -> None:
        self.sync_status.setText(f"{p.account or ''}: {self.fmt.things(p.new, 'new transaction')}")

    def cancel_first_sync(self) -> None:
        if self.sync_task is not None:
            self.sync_task.cancel.set()

    def _synced(self, result: Any) -> None:
        name = self.provider.name if self.provider else ""
        if result.ok:
            added = f"{self.fmt.things(result.new, 'transaction')} added"
            self._show_done(True, f"<h3>Connected to {name}</h3>{added}. Choose which accounts to show:")
        else:
            self._show_done(
                True,
                f"<h3>Connected to {name}</h3>The first sync did not finish: {result.error} "
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
        self.account_checks = []
        self.retry_button.setVisible(not ok)
        self._show(DONE, focus=self.finish_button if ok else self.retry_button)
        if ok and self.connection is not None:
            connection_id = self.connection.id
            QueryOp(
                self.ops,
                parent=self,
                op=lambda app: ops_.connection_accounts(app, connection_id),
                success=self._list_accounts,
            ).run()

    def _list_accounts(self, accounts: list[Account]) -> None:
        for account in accounts:
            box = QCheckBox(f"{account.name}  ({account.currency})")
            box.setChecked(not account.hidden)
            self.accounts_box.addWidget(box)
            assert account.id is not None
            self.account_checks.append((account.id, box))

    def finish(self) -> None:
        if self.connection is None:
            self.reject()
            return
        choices = [(account_id, not box.isChecked()) for account_id, box in self.account_checks]
        connection_id = self.connection.id
        self.finish_button.setEnabled(False)
        MutationOp(
            self.ops,
            parent=self.parent() or self,
            op=lambda app: ops_.set_hidden(app, choices),
            changes=EVERYTHING,
            success=lambda _: self.connected.emit(connection_id),
        ).run()
        self.accept()

    # -- pages and closing ---------------------------------------------------------------

    def _show(self, page: int, focus: QWidget | None = None) -> None:
        """Show `page`: its primary button is the one Return presses, and the focus goes where work starts."""
        self.pages.setCurrentIndex(page)
        primary = {PICK: self.next_button, CREDENTIALS: self.save_button, DONE: self.finish_button}.get(page)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(button is primary)
        default = {PICK: self.provider_list, CREDENTIALS: self.client_id, DONE: self.finish_button}.get(page)
        target = focus or default
        if target is not None:
            target.setFocus()

    def reject(self) -> None:
        self.timer.stop()
        if self.pending is not None:
            self.pending.cancel()
        if self.sync_task is not None:
            self.sync_task.cancel.set()
        super().reject()

"""The connect wizard's pages, built onto the wizard (which owns the flow, see wizard.py).

Each builder creates one page's widgets as attributes of the wizard, so the flow and the
tests reach them by name; none of them does any work of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.providers.registry import in_wizard_order
from desktop_app.gui.editor_parts import error_label

if TYPE_CHECKING:
    from desktop_app.gui.wizard import ConnectWizard


def _text(layout: QVBoxLayout) -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    layout.addWidget(label)
    return label


def button(text: str, slot: Callable[[], object], default: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setDefault(default)
    button.clicked.connect(slot)
    return button


def buttons(layout: QVBoxLayout, *buttons: QPushButton) -> None:
    """The page's buttons at its foot, on the right."""
    layout.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    layout.addLayout(row)


def pick_page(w: ConnectWizard) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addWidget(QLabel("<h3>Choose your bank or provider</h3>"))
    w.provider_list = QListWidget()
    w.provider_list.setAccessibleName("Providers")
    for provider in in_wizard_order():
        hint = {
            "nothing": "no credentials needed — try Saldo safely",
            "client id and secret": "needs a company's developer client id",
        }.get(provider.setup, f"real banks for a private person — bring your {provider.setup}")
        item = QListWidgetItem(f"{provider.name}   ·   {provider.region}   ·   {hint}")
        item.setData(Qt.ItemDataRole.UserRole, provider.id)
        w.provider_list.addItem(item)
    w.provider_list.setSpacing(3)
    w.provider_list.setWordWrap(True)  # long hints wrap instead of hiding behind a scrollbar
    w.provider_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    w.provider_list.setCurrentRow(0)
    # Return reaches the dialog's default button (Continue); a double click chooses too
    w.provider_list.itemDoubleClicked.connect(lambda _: w.continue_with_selected())
    layout.addWidget(w.provider_list)
    w.pick_error = error_label()
    layout.addWidget(w.pick_error)
    w.next_button = button("Continue", w.continue_with_selected, default=True)
    buttons(layout, button("Cancel", w.reject), w.next_button)
    return page


def credentials_page(w: ConnectWizard) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    w.credentials_title = _text(layout)
    form = QFormLayout()
    w.client_id = QLineEdit()
    w.client_id.setAccessibleName("Client id")
    w.client_secret = QLineEdit()
    w.client_secret.setAccessibleName("Client secret")
    w.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
    form.addRow("Client &id", w.client_id)
    form.addRow("Client &secret", w.client_secret)
    w.tenant = QLineEdit()  # Aritma only: its sign-in addresses name the organisation's tenant
    w.tenant.setAccessibleName("Tenant")
    w.tenant.setPlaceholderText("your organisation's tenant name")
    form.addRow("&Tenant", w.tenant)
    w.tenant_form = form
    layout.addLayout(form)
    w.credentials_error = error_label()
    w.client_id.textChanged.connect(lambda _: w.credentials_error.setText(""))
    layout.addWidget(w.credentials_error)
    w.where_secrets = _text(layout)
    w.save_button = button("Continue", w.save_credentials, default=True)
    buttons(layout, button("Back", w.back_to_providers), w.save_button)
    return page


def consent_page(w: ConnectWizard) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    w.consent_title = _text(layout)
    w.waiting = QLabel()
    layout.addWidget(w.waiting)
    w.url_hint = QLabel("Didn't open? Copy this address into your browser:")
    layout.addWidget(w.url_hint)
    row = QHBoxLayout()
    w.url_field = QLineEdit()
    w.url_field.setReadOnly(True)
    w.url_field.setAccessibleName("Consent page address")
    w.copy_button = QPushButton("Copy")
    w.copy_button.setAccessibleName("Copy the address")
    w.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(w.url_field.text()))
    row.addWidget(w.url_field)
    row.addWidget(w.copy_button)
    layout.addLayout(row)
    layout.addWidget(QLabel("Redirected somewhere else? Paste that address:"))
    row = QHBoxLayout()
    w.paste_field = QLineEdit()
    w.paste_field.setAccessibleName("Address your browser ended on")
    w.paste_field.setPlaceholderText("http://127.0.0.1:…/callback/…?code=…")
    w.paste_button = button("Use this address", w.use_pasted_address)
    row.addWidget(w.paste_field)
    row.addWidget(w.paste_button)
    layout.addLayout(row)
    w.consent_error = error_label()
    layout.addWidget(w.consent_error)
    w.cancel_consent = button("Cancel", w.cancel_waiting)
    buttons(layout, w.cancel_consent)
    return page


def sync_page(w: ConnectWizard) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    w.sync_title = QLabel("<h3>Fetching your accounts…</h3>")
    layout.addWidget(w.sync_title)
    w.sync_bar = QProgressBar()
    w.sync_bar.setRange(0, 0)
    w.sync_bar.setAccessibleName("First sync")
    layout.addWidget(w.sync_bar)
    w.sync_status = _text(layout)
    w.stop_sync = button("Cancel", w.cancel_first_sync)
    buttons(layout, w.stop_sync)
    return page


def done_page(w: ConnectWizard) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    w.done_title = _text(layout)
    w.accounts_box = QVBoxLayout()
    layout.addLayout(w.accounts_box)
    w.retry_button = button("Try again", w.back_to_providers)
    w.finish_button = button("Done", w.finish, default=True)
    buttons(layout, w.retry_button, w.finish_button)
    return page

"""Small dialogs: confirmations that name what they act on and default to the safe choice,
the transaction detail, and About.

Each confirmation is built by a `*_box` function (so tests can inspect it) and asked by an
`ask_*` function (the only place that blocks, and what tests replace).
"""

from __future__ import annotations

import json
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME, __version__
from desktop_app.core.models import Transaction
from desktop_app.gui.formatting import Formatter


class DisconnectChoice(Enum):
    KEEP_DATA = "keep"
    DELETE_DATA = "delete"


def describe(t: Transaction, fmt: Formatter) -> str:
    who = t.counterparty or t.description or "transaction"
    return f"{fmt.money(t.amount)} · {who} · {fmt.long_day(t.booking_date)}"


def delete_box(parent: QWidget, transactions: list[Transaction], fmt: Formatter) -> QMessageBox:
    if len(transactions) == 1:
        title, text = "Delete transaction", f"Delete “{describe(transactions[0], fmt)}”?"
    else:
        title, text = "Delete transactions", f"Delete {fmt.things(len(transactions), 'transaction')}?"
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText("A later sync will not bring it back. You can undo this with Ctrl+Z until Saldo closes.")
    box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    return box


def ask_delete(parent: QWidget, transactions: list[Transaction], fmt: Formatter) -> bool:
    box = delete_box(parent, transactions, fmt)
    box.exec()
    return box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.DestructiveRole


def disconnect_box(parent: QWidget, label: str) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Disconnect",
        f"Disconnect {label}?",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setInformativeText(
        f"Saldo will forget its access to {label}. You can keep the accounts and transactions already "
        "downloaded, to review them offline, or delete them from this computer."
    )
    box.addButton("Keep data", QMessageBox.ButtonRole.AcceptRole).setObjectName("keep")
    box.addButton("Delete data", QMessageBox.ButtonRole.DestructiveRole).setObjectName("delete")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box


def ask_disconnect(parent: QWidget, label: str) -> DisconnectChoice | None:
    box = disconnect_box(parent, label)
    box.exec()
    name = box.clickedButton().objectName() if box.clickedButton() else ""
    return {"keep": DisconnectChoice.KEEP_DATA, "delete": DisconnectChoice.DELETE_DATA}.get(name)


class TransactionDialog(QDialog):
    """Every field of one transaction; the provider's raw record folded away."""

    def __init__(self, t: Transaction, account: str, fmt: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Transaction")
        self.setMinimumWidth(460)
        form = QFormLayout()
        rows = [
            ("Amount", fmt.money(t.amount)),
            ("Date", fmt.long_day(t.booking_date)),
            ("Value date", fmt.long_day(t.value_date) if t.value_date else "—"),
            ("Description", t.description or "—"),
            ("Counterparty", t.counterparty or "—"),
            ("Account", account),
            ("Status", "withdrawn by the bank" if t.withdrawn else t.status.value),
            ("Provider's id", t.provider_id or "—"),
        ]
        for name, value in rows:
            label = QLabel(value)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            form.addRow(name, label)
        self.fields = dict(rows)
        self.raw_toggle = QToolButton()
        self.raw_toggle.setText("Show the provider's record")
        self.raw_toggle.setCheckable(True)
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setAccessibleName("Provider's record")
        record = t.raw_record()
        self.raw.setPlainText(json.dumps(record, indent=2, ensure_ascii=False, default=str) if record else "—")
        self.raw.setVisible(False)
        self.raw_toggle.toggled.connect(self.raw.setVisible)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.raw_toggle)
        layout.addWidget(self.raw)
        layout.addWidget(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        f"About {APP_NAME}",
        f"<b>{APP_NAME} {__version__}</b><br>Your bank accounts in one private place, on this computer. "
        "Data stays in a local cache; secrets stay in your system keyring.",
    )

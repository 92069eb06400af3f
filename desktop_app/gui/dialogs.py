"""Small dialogs: confirmations that name what they act on and default to the safe choice,
the transaction detail, "go to date", and About.

Each confirmation is built by a `*_box` function (so tests can inspect it) and asked by an
`ask_*` function (the only place that blocks, and what tests replace).
"""

from __future__ import annotations

import json
from datetime import date
from enum import Enum

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME, __version__
from desktop_app.core.models import Transaction
from desktop_app.core.money import Money
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


HOW_SET = {"manual": "chosen by you", "rule": "by a rule", "provider": "from the bank's category"}


def category_words(path: str | None, source: str | None, parts: list[tuple[str, Money]], fmt: Formatter) -> str:
    """The detail's Category line: ``Groceries (chosen by you)``, or the split parts."""
    if parts:
        return "Split: " + "; ".join(f"{name} {fmt.money(amount)}" for name, amount in parts)
    if path is None:
        return "none, by your choice" if source == "manual" else "none yet (Edit → Categorise…)"
    how = HOW_SET.get(source or "")
    return f"{path} ({how})" if how else path


class TransactionDialog(QDialog):
    """Every field of one transaction; the provider's raw record folded away."""

    def __init__(
        self,
        t: Transaction,
        account: str,
        fmt: Formatter,
        parent: QWidget | None = None,
        transfer: str | None = None,
        category: str | None = None,
    ) -> None:
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
        if category is not None:
            rows.insert(5, ("Category", category))
        if transfer is not None:  # "⇄ Transfer to Savings", as the table marks it
            rows.insert(6, ("Transfer", f"⇄ {transfer}"))
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


class GoToDateDialog(QDialog):
    """Asks for a day to show in the transactions table; `chosen` carries it."""

    chosen = Signal(object)  # datetime.date

    def __init__(self, fmt: Formatter, start: date, sorted_by: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Go to date")
        self.setObjectName("go-to-date")
        self.setMinimumWidth(340)
        self.edit = QDateEdit(QDate(start.year, start.month, start.day))
        self.edit.setLocale(fmt.locale)
        shown = fmt.locale.dateFormat(QLocale.FormatType.ShortFormat)
        if "yyyy" not in shown:  # a two-digit year would leave the century to guess
            shown = shown.replace("yy", "yyyy")
        self.edit.setDisplayFormat(shown)
        self.edit.setDateRange(QDate(1900, 1, 1), QDate(2999, 12, 31))
        self.edit.setCalendarPopup(True)
        self.edit.setAccessibleName("Date to go to")
        label = QLabel("&Date:")
        label.setBuddy(self.edit)
        hint = "Selects the first transaction of that day, or of the nearest earlier day that has any."
        if sorted_by:
            hint += f" The table is sorted by {sorted_by}: it will be sorted by date, newest first."
        self.hint = QLabel(hint)
        self.hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.go = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.go.setText("Go")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        text = self.edit.findChild(QLineEdit)
        if text is not None:  # Go only while the text is a whole, valid date
            text.textChanged.connect(self._check)
        self.edit.dateChanged.connect(self._check)
        row = QFormLayout()
        row.addRow(label, self.edit)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self.edit.setFocus()

    def _check(self, *_: object) -> None:
        self.go.setEnabled(self.edit.hasAcceptableInput())

    def day(self) -> date:
        picked = self.edit.date()
        return date(picked.year(), picked.month(), picked.day())

    def accept(self) -> None:
        if not self.edit.hasAcceptableInput():
            return
        super().accept()
        self.chosen.emit(self.day())


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        f"About {APP_NAME}",
        f"<b>{APP_NAME} {__version__}</b><br>Your bank accounts in one private place, on this computer. "
        "Data stays in a local cache; secrets stay in your system keyring.",
    )

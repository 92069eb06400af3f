"""Forms for what is kept by hand: a new manual account (cash, a bank no API or file reaches) and
a transaction on it. Each form only collects and checks the entry; the core writes it, and its
reason for refusing shows in the form, which stays open with everything typed kept.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop_app.core.accounts import ACCOUNT_TYPES
from desktop_app.core.errors import MoneyError
from desktop_app.core.money import parse_formatted
from desktop_app.gui import editor_parts as parts
from desktop_app.gui.formatting import Formatter

TYPE_NAMES = {
    "checking": "Everyday (checking)",
    "savings": "Savings",
    "cash": "Cash",
    "investment": "Investment",
    "other": "Other asset",
    "credit": "Credit card (owed)",
    "loan": "Loan (owed)",
}


def type_box(current: str | None = None) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName("Account type")
    for key in ACCOUNT_TYPES:
        box.addItem(TYPE_NAMES.get(key, key), key)
    if current is not None:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


class _Form(QDialog):
    def __init__(self, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.problem = parts.error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(420)

    def finish(self) -> None:
        self.form.addRow(self.problem)
        self.form.addRow(self.buttons)

    def field(self, name: str, value: str = "") -> QLineEdit:
        edit = QLineEdit(value)
        edit.setAccessibleName(name)
        edit.textEdited.connect(lambda _text: self.problem.setText(""))  # an old reason must not linger
        return edit


class ManualAccountForm(_Form):
    def __init__(self, parent: QWidget, currency: str = "EUR") -> None:
        super().__init__("New manual account", parent)
        self.name = self.field("Name")
        self.name.setPlaceholderText("Wallet, Piggy bank, Old savings book…")
        self.currency = self.field("Currency", currency)
        self.currency.setMaxLength(3)
        self.type = type_box("cash")
        self.form.addRow(QLabel("An account you keep by hand: Saldo never syncs it; you enter its transactions."))
        self.form.addRow("&Name:", self.name)
        self.form.addRow("&Currency (ISO code):", self.currency)
        self.form.addRow("&Type:", self.type)
        self.finish()
        self.name.setFocus()

    def values(self) -> tuple[str, str, str]:
        return self.name.text(), self.currency.text(), str(self.type.currentData())


class ManualTransactionForm(_Form):
    def __init__(self, parent: QWidget, account: str, currency: str, fmt: Formatter, today: date) -> None:
        super().__init__(f"New transaction on {account}", parent)
        self.fmt, self.currency = fmt, currency
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat(fmt.locale.dateFormat(fmt.locale.FormatType.ShortFormat))
        self.day.setAccessibleName("Date")
        self.amount = self.field(f"Amount in {currency}, negative for money out")
        self.amount.setPlaceholderText(f"{fmt.numbers.minus}12{fmt.numbers.decimal_sep}50 for money out")
        self.description = self.field("Description")
        self.counterparty = self.field("Counterparty")
        self.form.addRow("&Date:", self.day)
        self.form.addRow(f"&Amount ({fmt.symbol(currency)}):", self.amount)
        self.form.addRow("D&escription:", self.description)
        self.form.addRow("&Counterparty:", self.counterparty)
        self.finish()
        self.amount.setFocus()

    def values(self) -> tuple[date, str, str, str | None] | None:
        """(day, amount, description, counterparty), or None with the reason shown."""
        try:
            money = parse_formatted(self.amount.text(), self.currency, self.fmt.numbers)
        except MoneyError:
            self.problem.setText(f"“{self.amount.text()[:30]}” is not an amount in {self.currency}.")
            return None
        if not self.description.text().strip():
            self.problem.setText("Say what it was: the description is what you will search for later.")
            return None
        picked = self.day.date()
        return (
            date(picked.year(), picked.month(), picked.day()),
            str(money.amount),
            self.description.text(),
            self.counterparty.text().strip() or None,
        )

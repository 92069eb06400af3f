"""The form for one categorisation rule, and a rule in words (used by gui.rules_dialog)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop_app.core.categories import Category
from desktop_app.core.errors import MoneyError
from desktop_app.core.money import Money, parse_formatted
from desktop_app.core.rules import Actions, Conditions, Rule
from desktop_app.gui import editor_parts as parts
from desktop_app.gui.formatting import Formatter

SIGN_CHOICES = (("In or out", None), ("Money in", "in"), ("Money out", "out"))


def describe(rule: Rule, names: dict[int, str], fmt: Formatter) -> tuple[str, str]:
    """(when, then) in words for the list."""
    c, a = rule.conditions, rule.actions

    def size(value: Any) -> str:
        return fmt.amount(Money(value, "EUR")) if value is not None else ""

    when = [
        text
        for text, present in (
            (f"counterparty contains “{c.counterparty}”", c.counterparty),
            (f"description contains “{c.description}”", c.description),
            (f"description matches /{c.description_regex}/", c.description_regex),
            (f"money {c.sign}", c.sign),
            (f"amount at least {size(c.amount_min)}", c.amount_min is not None),
            (f"amount at most {size(c.amount_max)}", c.amount_max is not None),
            (f"bank category “{c.provider_category}”", c.provider_category),
            (f"merchant code {c.mcc}", c.mcc),
            (f"on {fmt.things(len(c.account_ids or ()), 'account')}", c.account_ids),
        )
        if present
    ]
    then = [
        text
        for text, present in (
            (f"→ {names.get(a.category_id or -1, 'a deleted category')}", a.category_id is not None),
            (f"rename to “{a.rename}”", a.rename),
            (f"tag {a.tag}", a.tag),
            ("mark as a transfer", a.transfer),
        )
        if present
    ]
    return " and ".join(when) or "always", ", ".join(then)


class RuleForm(QDialog):
    """Add or change one rule. The core checks it; its reason shows here and the form stays open."""

    def __init__(self, rule: Rule | None, choices: list[Category], fmt: Formatter, parent: QWidget) -> None:
        super().__init__(parent)
        self.fmt, self.original = fmt, rule
        self.setWindowTitle("Change rule" if rule else "New rule")
        c = rule.conditions if rule else Conditions()
        a = rule.actions if rule else Actions()
        self.name = self._text("Name", rule.name if rule else "")
        self.counterparty = self._text("Counterparty contains", c.counterparty)
        self.description = self._text("Description contains", c.description)
        self.regex = self._text("Description matches (regular expression)", c.description_regex)
        self.sign = QComboBox()
        self.sign.setAccessibleName("Money in or out")
        for label, value in SIGN_CHOICES:
            self.sign.addItem(label, value)
        self.sign.setCurrentIndex(max(0, self.sign.findData(c.sign)))
        self.amount_min = self._text("Amount at least", self._amount_text(c.amount_min))
        self.amount_max = self._text("Amount at most", self._amount_text(c.amount_max))
        self.provider_category = self._text("The bank's category word", c.provider_category)
        self.mcc = self._text("Merchant category code or range", c.mcc)
        self.category = QComboBox()
        self.category.setAccessibleName("Put in category")
        self.category.addItem("(leave the category)", None)
        for choice in sorted(choices, key=lambda x: x.path.casefold()):
            self.category.addItem(choice.path, choice.id)
        self.category.setCurrentIndex(max(0, self.category.findData(a.category_id)))
        self.rename = self._text("Show this name instead of the counterparty", a.rename)
        self.tag = self._text("Add this tag", a.tag)
        self.transfer = QCheckBox("Mark as a &transfer between my accounts")
        self.transfer.setChecked(a.transfer)
        self.enabled = QCheckBox("Rule is &on")
        self.enabled.setChecked(rule.enabled if rule else True)
        self.problem = parts.error_label()
        form = QFormLayout(self)
        form.addRow("&Name:", self.name)
        form.addRow(QLabel("<b>When every filled-in condition holds</b>"))
        for label, field in (
            ("&Counterparty contains:", self.counterparty),
            ("&Description contains:", self.description),
            ("Description &matches:", self.regex),
            ("Money &in or out:", self.sign),
            ("Amount at &least:", self.amount_min),
            ("Amount at m&ost:", self.amount_max),
            ("&Bank's category:", self.provider_category),
            ("Merchant c&ode:", self.mcc),
        ):
            form.addRow(label, field)
        form.addRow(QLabel("<b>Then</b>"))
        form.addRow("Put in cate&gory:", self.category)
        form.addRow("&Rename to:", self.rename)
        form.addRow("T&ag:", self.tag)
        form.addRow("", self.transfer)
        form.addRow("", self.enabled)
        form.addRow(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.counterparty.setFocus()

    def _text(self, name: str, value: str | None) -> QLineEdit:
        field = QLineEdit(value or "")
        field.setAccessibleName(name)
        return field

    def _amount_text(self, value: Any) -> str:
        return self.fmt.amount(Money(value, "EUR")) if value is not None else ""

    def _amount(self, field: QLineEdit, what: str) -> Any:
        if not field.text().strip():
            return None
        try:
            return abs(parse_formatted(field.text(), "EUR", self.fmt.numbers).amount)
        except MoneyError:
            raise MoneyError(f"“{field.text()[:30]}” is not an amount ({what}).") from None

    def rule(self) -> Rule:
        """The rule as filled in (MoneyError for an amount that is not one)."""
        conditions = Conditions(
            counterparty=self.counterparty.text() or None,
            description=self.description.text() or None,
            description_regex=self.regex.text() or None,
            amount_min=self._amount(self.amount_min, "at least"),
            amount_max=self._amount(self.amount_max, "at most"),
            sign=self.sign.currentData(),
            account_ids=self.original.conditions.account_ids if self.original else None,
            provider_category=self.provider_category.text() or None,
            mcc=self.mcc.text() or None,
        )
        actions = Actions(
            category_id=self.category.currentData(),
            rename=self.rename.text() or None,
            tag=self.tag.text() or None,
            transfer=self.transfer.isChecked(),
        )
        original = self.original
        return Rule(
            conditions,
            actions,
            name=self.name.text().strip() or conditions.counterparty or conditions.description or "",
            enabled=self.enabled.isChecked(),
            id=original.id if original else None,
            position=original.position if original else 0,
        )

"""Connections → Accounts…: the person's own names, types, groups, order and visibility of accounts,
and accounts kept by hand with their transactions.

The type decides the sign and the side of net worth (a credit card or a loan is owed). Hidden
accounts leave the tree, the charts and the totals, and come back from here. Every change is
written by the core on a worker and announced, so the window shows it at once.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.accounts import AccountView
from desktop_app.gui import editor_parts as parts
from desktop_app.gui import operations as ops_
from desktop_app.gui import shaping_ops as shaping
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.manual_entry import TYPE_NAMES, ManualAccountForm, ManualTransactionForm, type_box
from desktop_app.gui.operations import Change, MutationOp, Operations, QueryOp

HEADERS = ("Name", "Bank's name", "Type", "Group", "Currency", "Shown")


class AccountsDialog(QDialog):
    def __init__(self, ops: Operations, fmt: Formatter, parent: QWidget) -> None:
        super().__init__(parent)
        self.ops, self.fmt = ops, fmt
        self.setWindowTitle("Accounts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.accounts: list[AccountView] = []
        self.form: QDialog | None = None
        self.table = parts.table(HEADERS, "Your accounts, in your order")
        self.table.itemActivated.connect(lambda _item: self.rename())
        self.table.itemSelectionChanged.connect(self._update)
        self.buttons = {
            "rename": parts.button("&Rename…", self.rename),
            "type": parts.button("&Type…", self.retype),
            "group": parts.button("&Group…", self.regroup),
            "hide": parts.button("&Hide", self.toggle_hidden),
            "up": parts.button("Move &up", lambda: self.move_by(-1)),
            "down": parts.button("Move do&wn", lambda: self.move_by(1)),
            "manual": parts.button("New &manual account…", self.new_manual_account),
            "entry": parts.button("New trans&action…", self.new_transaction),
        }
        side = list(self.buttons.values())
        self.status = parts.frame(self, self.table, [*side[:6], None, *side[6:]])
        self.resize(860, 420)

    def refresh(self, select: int | None = None) -> None:
        def show(found: list[AccountView]) -> None:
            self.accounts = found
            parts.fill(
                self.table,
                [
                    (
                        a.name,
                        "kept by hand" if a.manual else a.bank_name,
                        TYPE_NAMES.get(a.account_type, a.account_type),
                        a.group or "",
                        a.currency,
                        "hidden" if a.hidden else "shown",
                    )
                    for a in found
                ],
            )
            if found:
                self.table.selectRow(next((i for i, a in enumerate(found) if a.id == select), 0))
            self._update()

        QueryOp(self.ops, parent=self, op=shaping.read_account_views, success=show).run()

    def current(self) -> AccountView | None:
        return parts.selected(self.table, self.accounts)

    def _update(self) -> None:
        chosen = self.current()
        at = self.accounts.index(chosen) if chosen else -1
        for key in ("rename", "type", "group", "hide"):
            self.buttons[key].setEnabled(chosen is not None)
        self.buttons["hide"].setText("S&how" if chosen and chosen.hidden else "&Hide")
        self.buttons["up"].setEnabled(at > 0)
        self.buttons["down"].setEnabled(0 <= at < len(self.accounts) - 1)
        self.buttons["entry"].setEnabled(bool(chosen and chosen.manual))

    # -- shaping ---------------------------------------------------------------------------

    def _change(self, account_id: int, what: str, value: object, said: str) -> None:
        def done(_view: object) -> None:
            self.status.setText(said)
            self.refresh(select=account_id)

        MutationOp(
            self.ops,
            parent=self,
            op=lambda app: shaping.shape_account(app, account_id, what, value),
            changes=frozenset({Change.ACCOUNTS}),
            success=done,
        ).run()

    def ask_text(self, title: str, label: str, value: str) -> str | None:
        """Blocks on a one-line question (what tests replace); None when cancelled."""
        return parts.ask_text(self, title, label, value)

    def rename(self) -> None:
        a = self.current()
        if a is None:
            return
        name = self.ask_text("Rename account", f"Show “{a.bank_name}” as (empty: the bank's name):", a.name)
        if name is not None:
            self._change(a.id, "rename", name, f"Renamed to “{name.strip() or a.bank_name}”.")

    def regroup(self) -> None:
        a = self.current()
        if a is None:
            return
        group = self.ask_text("Group", f"Group for “{a.name}” (everyday, savings, …; empty: none):", a.group or "")
        if group is not None:
            self._change(a.id, "group", group, f"“{a.name}” is in {group.strip() or 'no group'}.")

    def retype(self) -> None:
        a = self.current()
        if a is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle("Account type")
        box = type_box(a.account_type)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(f"“{a.name}” is:"))
        layout.addWidget(box)
        layout.addWidget(QLabel("Credit cards and loans count as money owed in net worth."))
        layout.addWidget(buttons)
        self.form = dialog
        dialog.accepted.connect(
            lambda: self._change(a.id, "type", box.currentData(), f"“{a.name}” is now: {box.currentText()}.")
        )
        dialog.open()

    def toggle_hidden(self) -> None:
        a = self.current()
        if a is not None:
            said = f"“{a.name}” is shown again." if a.hidden else f"“{a.name}” is hidden; Show brings it back."
            self._change(a.id, "hidden", not a.hidden, said)

    def move_by(self, step: int) -> None:
        a = self.current()
        if a is None:
            return
        order = [x.id for x in self.accounts if x.id != a.id]
        order.insert(max(0, min(self.accounts.index(a) + step, len(order))), a.id)
        MutationOp(
            self.ops,
            parent=self,
            op=lambda app: shaping.reorder_accounts(app, order),
            changes=frozenset({Change.ACCOUNTS}),
            success=lambda _: self.refresh(select=a.id),
        ).run()

    # -- kept by hand ------------------------------------------------------------------------

    def new_manual_account(self) -> None:
        form = ManualAccountForm(self)
        self.form = form

        def opened(view: AccountView) -> None:
            form.accept()
            self.status.setText(f"Opened “{view.name}”: New transaction… records what happens on it.")
            self.refresh(select=view.id)

        def save() -> None:
            name, currency, kind = form.values()
            MutationOp(
                self.ops,
                parent=form,
                op=lambda app: shaping.open_manual_account(app, name, currency, kind),
                changes=frozenset({Change.ACCOUNTS, Change.CONNECTIONS}),
                success=opened,
            ).failure(lambda exc: form.problem.setText(ops_.user_message(exc))).run()

        form.buttons.accepted.connect(save)
        form.open()

    def new_transaction(self, today: date | None = None) -> None:
        a = self.current()
        if a is None or not a.manual:
            return
        form = ManualTransactionForm(self, a.name, a.currency, self.fmt, today or date.today())
        self.form = form

        def added(_id: int) -> None:
            form.accept()
            self.status.setText(f"Added to “{a.name}”; Delete in the transactions table removes it (Ctrl+Z undoes).")

        def save() -> None:
            entry = form.values()
            if entry is None:
                return
            day, amount, description, counterparty = entry
            MutationOp(
                self.ops,
                parent=form,
                op=lambda app: shaping.add_manual_transaction(app, a.id, day, amount, description, counterparty),
                changes=frozenset({Change.TRANSACTIONS, Change.ACCOUNTS}),
                success=added,
            ).failure(lambda exc: form.problem.setText(ops_.user_message(exc))).run()

        form.buttons.accepted.connect(save)
        form.open()

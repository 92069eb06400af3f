"""Connections → Accounts…: names, order, visibility and type reach the tree; manual accounts and their entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from desktop_app.core import accounts
from desktop_app.core.views.scope import Scope
from desktop_app.gui.accounts_dialog import AccountsDialog
from desktop_app.gui.context import AppContext
from desktop_app.gui.manual_entry import ManualAccountForm, ManualTransactionForm
from desktop_app.gui.menus import show_accounts_dialog
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import FakeBrowser, household, idle, make_window, release_modifiers, screenshot


def opened(qtbot: QtBot, win: MainWindow) -> AccountsDialog:
    dialog = show_accounts_dialog(win)
    assert isinstance(dialog, AccountsDialog)
    qtbot.addWidget(dialog)  # closed after the test: an open window would keep the focus from the next one
    qtbot.waitUntil(lambda: dialog.accounts != [], timeout=10_000)
    return dialog


def tree_names(win: MainWindow, connection_id: str) -> list[str]:
    node = win.tree.connection(connection_id)
    return [a.name for a in node.accounts] if node else []


def settle(qtbot: QtBot, win: MainWindow, check: object) -> None:
    qtbot.waitUntil(check, timeout=10_000)  # type: ignore[arg-type]
    idle(qtbot, win)


def test_rename_hide_and_order_show_in_the_tree(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, theme: str
) -> None:
    household(ctx, days=20)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    first, second = tree_names(win, "c1")[:2]
    dialog = opened(qtbot, win)
    screenshot(dialog, f"accounts-{theme}")
    dialog.table.selectRow(0)
    target = dialog.current()
    assert target is not None and target.name == first
    dialog.ask_text = lambda *_: "Household"  # type: ignore[method-assign]
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # Enter renames
    settle(qtbot, win, lambda: tree_names(win, "c1")[0] == "Household")
    assert accounts.get_account(ctx.store, target.id).bank_name == first  # the bank's name is kept

    dialog.table.selectRow(0)
    dialog.move_by(1)
    settle(qtbot, win, lambda: tree_names(win, "c1")[:2] == [second, "Household"])

    qtbot.waitUntil(lambda: dialog.current() is not None and dialog.current().name == "Household", timeout=10_000)
    dialog.toggle_hidden()
    settle(qtbot, win, lambda: "Household" not in tree_names(win, "c1"))
    qtbot.waitUntil(lambda: dialog.buttons["hide"].text() == "S&how", timeout=10_000)
    dialog.toggle_hidden()
    settle(qtbot, win, lambda: "Household" in tree_names(win, "c1"))


def test_a_manual_account_with_an_entry_shows_its_balance_and_no_sync_badges(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, theme: str
) -> None:
    household(ctx, days=20)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    dialog = opened(qtbot, win)
    dialog.new_manual_account()
    form = dialog.form
    assert isinstance(form, ManualAccountForm)
    form.name.setText("Wallet")
    form.currency.setText("XYZ")  # not a currency: the core's reason shows, the form stays
    form.buttons.button(form.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: "not a currency" in form.problem.text(), timeout=10_000)
    assert form.isVisible()
    form.currency.setText("EUR")
    form.buttons.button(form.buttons.StandardButton.Save).click()
    settle(qtbot, win, lambda: tree_names(win, accounts.MANUAL_CONNECTION) == ["Wallet"])
    node = win.tree.connection(accounts.MANUAL_CONNECTION)
    assert node is not None and node.badges == ()  # no "disconnected", nothing to reconnect
    win.select_scope(Scope.connection(accounts.MANUAL_CONNECTION))
    assert win.current_connection() == accounts.MANUAL_CONNECTION and not win.commands.reconnect.isEnabled()
    win.select_scope(Scope.connection("c1"))
    assert win.commands.reconnect.isEnabled()

    qtbot.waitUntil(lambda: dialog.buttons["entry"].isEnabled(), timeout=10_000)
    dialog.new_transaction(today=date(2026, 3, 14))
    entry = dialog.form
    assert isinstance(entry, ManualTransactionForm)
    entry.amount.setText("twelve")
    entry.description.setText("Coffee")
    entry.buttons.button(entry.buttons.StandardButton.Save).click()
    assert "not an amount" in entry.problem.text() and entry.isVisible()
    entry.amount.setText("-12.50")
    entry.counterparty.setText("Café Kranz")
    screenshot(entry, f"manual-entry-{theme}")
    entry.buttons.button(entry.buttons.StandardButton.Save).click()
    wallet = lambda: win.tree.connection(accounts.MANUAL_CONNECTION).accounts[0]  # noqa: E731
    settle(qtbot, win, lambda: wallet().balance is not None and wallet().balance.amount == Decimal("-12.50"))
    stored = [t for t in ctx.store.iter_transactions() if t.account_id == wallet().account_id]
    assert [(t.booking_date, t.amount.amount, t.counterparty) for t in stored] == [
        (date(2026, 3, 14), Decimal("-12.50"), "Café Kranz")
    ]


def test_a_credit_card_type_is_kept(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx, days=5)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    dialog = opened(qtbot, win)
    dialog.table.selectRow(0)
    chosen = dialog.current()
    assert chosen is not None
    dialog.retype()
    form = dialog.form
    assert form is not None
    combo = form.findChild(QComboBox)
    assert isinstance(combo, QComboBox) and combo.currentData() == chosen.account_type
    combo.setCurrentIndex(combo.findData("credit"))
    form.accept()
    qtbot.waitUntil(lambda: accounts.get_account(ctx.store, chosen.id).account_type == "credit", timeout=10_000)
    assert accounts.get_account(ctx.store, chosen.id).liability


def test_accounts_open_from_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    release_modifiers(qtbot, window)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(AccountsDialog)), timeout=5_000)
    for dialog in window.findChildren(AccountsDialog):
        dialog.close()

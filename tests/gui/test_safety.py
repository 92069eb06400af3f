"""Destructive actions: named, Cancel by default, Keep/Delete/Cancel on disconnect, Ctrl+Z undoes a delete."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.core.store import TxFilter, browse
from desktop_app.gui import dialogs
from desktop_app.gui.context import AppContext
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import FakeBrowser, household, idle, make_window, read_rows, screenshot


def test_delete_confirmation_names_the_transaction_and_defaults_to_cancel(qtbot: QtBot, window: MainWindow) -> None:
    household(window.ctx, days=40)
    first = browse.rows(window.ctx.store, TxFilter(search="netto"), browse.Sort(), 1)[0]
    box = dialogs.delete_box(window, [first], Formatter.named("en_GB"))
    qtbot.addWidget(box)
    assert "Card payment" in box.text() or "Netto" in box.text()
    assert "€" in box.text() and str(first.booking_date.year) in box.text()
    assert box.defaultButton() is box.escapeButton()
    assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole
    assert "undo" in box.informativeText()
    many = dialogs.delete_box(window, [first, first], Formatter.named("en_GB"))
    qtbot.addWidget(many)
    assert many.text() == "Delete 2 transactions?"


def test_disconnect_offers_keep_delete_cancel_with_cancel_default(qtbot: QtBot, window: MainWindow) -> None:
    box = dialogs.disconnect_box(window, "Demo Bank")
    qtbot.addWidget(box)
    assert box.text() == "Disconnect Demo Bank?"
    assert sorted(b.text() for b in box.buttons()) == ["Cancel", "Delete data", "Keep data"]
    assert box.defaultButton().text() == "Cancel" and box.escapeButton() is box.defaultButton()
    box.show()
    screenshot(box, "disconnect")


def test_delete_then_ctrl_z_brings_the_transaction_back(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, monkeypatch: object
) -> None:
    household(ctx, days=40)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    before = win.model.rowCount()
    victim = read_rows(qtbot, win.model, [0])[0]
    asked: list[str] = []

    def confirm(parent: object, chosen: list, fmt: Formatter) -> bool:  # type: ignore[type-arg]
        asked.append(dialogs.describe(chosen[0], fmt))
        return True

    monkeypatch.setattr(dialogs, "ask_delete", confirm)  # type: ignore[attr-defined]
    win.activateWindow()  # Delete is a shortcut of the focused table: the window must be the active one
    qtbot.waitUntil(win.isActiveWindow)
    win.table.setFocus()
    win.table.selectRow(0)
    with qtbot.waitSignal(win.data_loaded, timeout=10_000):
        qtbot.keyClick(win.table, Qt.Key.Key_Delete)
    idle(qtbot, win)
    assert asked and victim.counterparty and victim.counterparty in asked[0]
    assert win.model.rowCount() == before - 1
    assert ctx.store.transaction_by_key(victim.account_id, victim.dedupe_key) is None
    assert win.commands.undo.isEnabled() and "1 transaction" in win.commands.undo.text()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    with qtbot.waitSignal(win.data_loaded, timeout=10_000):
        qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, win)
    assert win.model.rowCount() == before
    back = ctx.store.transaction_by_key(victim.account_id, victim.dedupe_key)
    assert back is not None and back.amount == victim.amount
    assert ctx.store.upsert_transactions([back]).tombstoned == 0  # a later sync keeps it
    assert not win.commands.undo.isEnabled()

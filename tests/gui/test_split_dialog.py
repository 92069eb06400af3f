"""Edit → Split…: parts that add up exactly, shown as they are typed, saved through the core."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.core import categories as cat
from desktop_app.core.models import Transaction
from desktop_app.gui.split_dialog import SplitDialog, Splitter
from desktop_app.gui.window import MainWindow
from tests import factories
from tests.gui.conftest import screenshot


def one_payment(window: MainWindow) -> Transaction:
    store = window.ctx.store
    factories.connection(store)
    acc = factories.account(store).id
    assert acc is not None
    store.upsert_transactions([factories.tx(acc, 1, "-100.00", counterparty="Supermarket")])
    (found,) = list(store.iter_transactions())
    return found


def opened(qtbot: QtBot, window: MainWindow, t: Transaction) -> tuple[Splitter, SplitDialog]:
    splitter = Splitter(window.ops, window.fmt, lambda: [t], window)
    splitter.split_selected()
    qtbot.waitUntil(lambda: splitter.dialog is not None and splitter.dialog.isVisible(), timeout=10_000)
    assert splitter.dialog is not None
    return splitter, splitter.dialog


def choose(dialog: SplitDialog, row: int, path: str, amount: str) -> None:
    box, field = dialog.rows[row]
    box.setCurrentIndex(box.findText(path))
    field.setText(amount)
    dialog.update_left()


def test_save_only_when_the_parts_add_up_then_the_core_holds_them(qtbot: QtBot, window: MainWindow, theme: str) -> None:
    t = one_payment(window)
    splitter, dialog = opened(qtbot, window, t)
    assert dialog.left.text() == "Left to assign: €0.00" and not dialog.save.isEnabled()  # one part is no split
    choose(dialog, 0, "Groceries", "-60.00")
    choose(dialog, 1, "Housing / Home & garden", "-30.00")
    assert dialog.left.text() == "Left to assign: -€10.00" and not dialog.save.isEnabled()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2_000)
    dialog.rows[1][1].setFocus()
    qtbot.waitUntil(lambda: dialog._focus is dialog.rows[1][1], timeout=2_000)
    fill = next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Fill the rest")
    qtbot.mouseClick(fill, Qt.MouseButton.LeftButton)  # fills the part that was being edited
    assert dialog.rows[1][1].text() == "-40.00" and dialog.save.isEnabled()
    screenshot(dialog, f"split-{theme}")
    assert t.id is not None
    with qtbot.waitSignal(splitter.status, timeout=10_000) as said:
        dialog.save.click()
    assert said.args == ["Split into 2 parts"]
    parts = cat.splits(window.ctx.store, t.id)
    assert [(p.category_id, p.amount.amount) for p in parts] == [
        (cat.find_category(window.ctx.store, "Groceries").id, Decimal("-60.00")),
        (cat.find_category(window.ctx.store, "Housing / Home & garden").id, Decimal("-40.00")),
    ]
    assert sum(p.amount.amount for p in parts) == t.amount.amount

    # opened again, the dialog shows the saved parts
    _, again = opened(qtbot, window, t)
    assert [f.text() for _, f in again.rows] == ["-60.00", "-40.00"]
    again.reject()


def test_a_part_without_a_category_or_a_bad_amount_cannot_be_saved(qtbot: QtBot, window: MainWindow) -> None:
    t = one_payment(window)
    _, dialog = opened(qtbot, window, t)
    choose(dialog, 0, "Groceries", "-60.00")
    dialog.rows[1][1].setText("-40.00")  # no category chosen for it
    dialog.update_left()
    assert not dialog.save.isEnabled()
    choose(dialog, 1, "Pets", "-40,00x")
    assert dialog.left.text() == "An amount is not a number" and not dialog.save.isEnabled()
    dialog.reject()
    assert t.id is not None and cat.splits(window.ctx.store, t.id) == []


def test_split_asks_for_exactly_one_transaction(qtbot: QtBot, window: MainWindow) -> None:
    t = one_payment(window)
    splitter = Splitter(window.ops, window.fmt, lambda: [t, t], window)
    with qtbot.waitSignal(splitter.status, timeout=1_000) as said:
        splitter.split_selected()
    assert said.args == ["Select one transaction to split"] and splitter.dialog is None

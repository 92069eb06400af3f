"""Edit → Rules…: rules added, refused with the core's reason, reordered, deleted and applied, on a real cache."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.core import categories as cat
from desktop_app.core import rules_engine
from desktop_app.core.rules import Actions, Conditions, Rule, add_rule, rules
from desktop_app.core.store import TxFilter, browse
from desktop_app.gui.context import AppContext
from desktop_app.gui.menus import show_rules
from desktop_app.gui.rules_dialog import RulesDialog
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import FakeBrowser, household, idle, make_window, release_modifiers, screenshot


def opened(qtbot: QtBot, window: MainWindow) -> RulesDialog:
    dialog = show_rules(window)
    assert isinstance(dialog, RulesDialog)
    qtbot.addWidget(dialog)  # closed after the test: an open window would keep the focus from the next one
    qtbot.waitUntil(lambda: dialog.choices != [], timeout=10_000)
    return dialog


def add_through_the_form(qtbot: QtBot, dialog: RulesDialog, counterparty: str, category: str) -> None:
    before = len(dialog.rules)
    dialog.edit(new=True)
    form = dialog.form
    assert form is not None
    qtbot.keyClicks(form.counterparty, counterparty)
    form.category.setCurrentIndex(form.category.findText(category))
    form.buttons.button(form.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: len(dialog.rules) == before + 1, timeout=10_000)


def test_a_rule_added_in_the_form_is_listed_first_in_words(qtbot: QtBot, window: MainWindow, theme: str) -> None:
    dialog = opened(qtbot, window)
    add_through_the_form(qtbot, dialog, "netto", "Groceries")
    add_through_the_form(qtbot, dialog, "shell", "Transport / Fuel")
    saved = rules(window.ctx.store)
    assert [r.conditions.counterparty for r in saved] == ["shell", "netto"]  # the newest runs first
    assert [dialog.table.item(r, 2).text() for r in range(2)] == [
        "counterparty contains “shell”",
        "counterparty contains “netto”",
    ]
    assert dialog.table.item(1, 3).text() == "→ Groceries"
    assert dialog.table.item(1, 1).text() == "netto"  # no name given: the counterparty names it
    screenshot(dialog, f"rules-{theme}")
    dialog.edit()
    assert dialog.form is not None
    screenshot(dialog.form, f"rule-form-{theme}")
    dialog.form.reject()


def test_the_core_reason_for_a_bad_rule_shows_in_the_form(qtbot: QtBot, window: MainWindow) -> None:
    dialog = opened(qtbot, window)
    dialog.edit(new=True)
    form = dialog.form
    assert form is not None
    form.regex.setText("(unclosed")
    form.category.setCurrentIndex(form.category.findText("Groceries"))
    form.buttons.button(form.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: form.problem.text() != "", timeout=10_000)
    assert "regular expression" in form.problem.text()
    assert form.isVisible() and rules(window.ctx.store) == []
    form.regex.clear()
    form.amount_min.setText("ten")
    form.buttons.button(form.buttons.StandardButton.Save).click()
    assert "not an amount" in form.problem.text() and rules(window.ctx.store) == []


def test_move_and_delete_change_the_running_order(qtbot: QtBot, window: MainWindow) -> None:
    store = window.ctx.store
    groceries = cat.find_category(store, "Groceries").id
    for name in ("c", "b", "a"):  # each goes first: a, b, c
        add_rule(store, Rule(Conditions(counterparty=name), Actions(category_id=groceries), name=name), 0)
    dialog = opened(qtbot, window)
    qtbot.waitUntil(lambda: len(dialog.rules) == 3, timeout=10_000)
    dialog.table.selectRow(0)
    assert not dialog.up.isEnabled() and dialog.down.isEnabled()
    dialog.table.setFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # Move do&wn
    qtbot.waitUntil(lambda: [r.name for r in rules(store)] == ["b", "a", "c"], timeout=10_000)
    qtbot.waitUntil(lambda: dialog.current() is not None and dialog.current().name == "a", timeout=10_000)
    asked: list[str] = []

    def confirm(box: QMessageBox) -> bool:
        asked.append(box.text())
        assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole
        return True

    dialog.ask = confirm  # type: ignore[method-assign]
    dialog.delete()
    qtbot.waitUntil(lambda: [r.name for r in rules(store)] == ["b", "c"], timeout=10_000)
    assert asked == ["Delete the rule “a”?"]


def test_apply_to_existing_counts_first_then_changes_all_but_hand_made(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx, days=40)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    store = ctx.store
    netto = browse.rows(store, TxFilter(search="netto"), browse.Sort(), 1000)
    assert len(netto) >= 3
    eating_out, groceries = cat.find_category(store, "Eating out").id, cat.find_category(store, "Groceries").id
    assert netto[0].id is not None
    cat.set_category(store, netto[0].id, eating_out)  # by hand: the rule must leave it
    add_rule(store, Rule(Conditions(counterparty="netto"), Actions(category_id=groceries), name="Netto"))
    expected = rules_engine.apply_rules(store, dry_run=True).changed
    assert expected >= len(netto) - 1
    dialog = opened(qtbot, win)
    offered: list[str] = []

    def confirm(box: QMessageBox) -> bool:
        offered.append(box.text())
        return True

    dialog.ask = confirm  # type: ignore[method-assign]
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=10_000)
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Changed"), timeout=20_000)
    assert offered == [f"The rules would change {win.fmt.things(expected, 'transaction')}. Apply them now?"]
    assert dialog.status.text().startswith(f"Changed {win.fmt.things(expected, 'transaction')}")
    assert cat.category_of(store, netto[0].id) == (eating_out, "manual")
    assert all(cat.category_of(store, t.id)[0] == groceries for t in netto[1:] if t.id is not None)
    assert rules_engine.apply_rules(store, dry_run=True).changed == 0
    assert not dialog.progress.isVisible()


def test_rules_open_from_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    release_modifiers(qtbot, window)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(RulesDialog)), timeout=5_000)
    for dialog in window.findChildren(RulesDialog):
        dialog.close()

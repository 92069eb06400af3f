"""Edit → Categorise…: the picker, the hand-made category in the cache, and the rule it suggests."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.core import categories as cat
from desktop_app.core.money import Money
from desktop_app.core.rules import rules
from desktop_app.core.store import TxFilter, browse
from desktop_app.gui.categorise import Categoriser, CategoryPicker
from desktop_app.gui.context import AppContext
from desktop_app.gui.dialogs import category_words
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.table import COL_AMOUNT, COL_CATEGORY
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import FakeBrowser, household, idle, make_window, read_rows, screenshot


def _pick(qtbot: QtBot, categoriser: Categoriser, typed: str) -> None:
    qtbot.waitUntil(lambda: categoriser.picker is not None and categoriser.picker.isVisible(), timeout=10_000)
    picker = categoriser.picker
    assert picker is not None
    qtbot.keyClicks(picker.search, typed)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)


def test_picker_filters_and_enter_takes_the_first_match(qtbot: QtBot, ctx: AppContext, theme: str) -> None:
    choices = cat.categories(ctx.store)
    picker = CategoryPicker(choices, "“Netto” (−12.50 €)")
    qtbot.addWidget(picker)
    picker.show()
    assert picker.list.count() == len(choices) + 2  # and "Let the rules decide", "No category"
    assert not picker.ok.isEnabled()  # nothing chosen until the person says so
    screenshot(picker, f"categorise-{theme}")
    qtbot.keyClicks(picker.search, "grocer")
    shown = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert shown and all("grocer" in s.casefold() for s in shown)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.pick is not None and "Groceries" in picker.pick.label
    assert picker.pick.category_id == cat.find_category(ctx.store, picker.pick.label).id


def test_categorising_by_hand_twice_offers_a_rule(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx, days=40)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    netto = browse.rows(ctx.store, TxFilter(search="netto"), browse.Sort(), 2)
    assert len(netto) == 2 and netto[0].counterparty == netto[1].counterparty
    offered: list[str] = []

    def accept(box: QMessageBox) -> bool:
        offered.append(box.text())
        return True

    selection = [netto[0]]
    categoriser = Categoriser(win.ops, win.fmt, lambda: selection, win, ask=accept)
    categoriser.categorise_selected()
    with qtbot.waitSignal(categoriser.status, timeout=10_000):
        _pick(qtbot, categoriser, "eating out")
    assert offered == []  # once is not yet a habit
    eating_out = cat.find_category(ctx.store, "Eating out")
    assert cat.category_of(ctx.store, netto[0].id) == (eating_out.id, "manual")

    selection[:] = [netto[1]]
    categoriser.categorise_selected()
    with qtbot.waitSignal(categoriser.status, timeout=10_000) as said:
        _pick(qtbot, categoriser, "eating out")
    qtbot.waitUntil(lambda: "New rule" in win.status_text.text() or bool(rules(ctx.store)), timeout=10_000)
    assert len(offered) == 1 and str(netto[0].counterparty) in offered[0] and "Eating out" in offered[0]
    made = rules(ctx.store)
    assert len(made) == 1
    assert made[0].conditions.counterparty == netto[0].counterparty and made[0].actions.category_id == eating_out.id
    assert "1 transaction" in said.args[0]


def test_back_to_the_rules_forgets_the_hand_made_choice(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx, days=40)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    victim = browse.rows(ctx.store, TxFilter(search="netto"), browse.Sort(), 1)[0]
    assert victim.id is not None
    cat.set_category(ctx.store, victim.id, None)  # "no category", by hand
    assert cat.category_of(ctx.store, victim.id) == (None, "manual")
    categoriser = Categoriser(win.ops, win.fmt, lambda: [victim], win, ask=lambda _box: False)
    categoriser.categorise_selected()
    with qtbot.waitSignal(categoriser.status, timeout=10_000):
        _pick(qtbot, categoriser, "rules decide")
    assert cat.category_of(ctx.store, victim.id)[1] != "manual"


def test_ctrl_k_on_the_table_opens_the_picker(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx, days=40)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    assert win.commands.categorise in win.menuBar().actions()[1].menu().actions()
    win.table.setFocus()
    win.table.selectRow(0)
    qtbot.keyClick(win.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: any(isinstance(w, CategoryPicker) and w.isVisible() for w in win.findChildren(CategoryPicker)),
        timeout=10_000,
    )
    picker = next(w for w in win.findChildren(CategoryPicker) if w.isVisible())
    assert picker.search.hasFocus() or picker.focusWidget() is picker.search
    picker.reject()


def test_nothing_selected_says_so(qtbot: QtBot, window: MainWindow) -> None:
    categoriser = Categoriser(window.ops, window.fmt, lambda: [], window)
    with qtbot.waitSignal(categoriser.status, timeout=1_000) as said:
        categoriser.categorise_selected()
    assert "Select" in said.args[0]


def test_the_detail_says_the_category_and_how_it_was_set(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx, days=40)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    first = read_rows(qtbot, win.model, [0])[0]
    assert first.id is not None
    cat.set_category(ctx.store, first.id, cat.find_category(ctx.store, "Eating out").id)
    win.edits.open_detail(0)
    qtbot.waitUntil(lambda: win.edits.detail is not None and win.edits.detail.isVisible(), timeout=10_000)
    assert win.edits.detail is not None
    assert win.edits.detail.fields["Category"] == "Eating out (chosen by you)"
    win.edits.detail.reject()


def test_category_words() -> None:
    fmt = Formatter.named("en_GB")
    assert category_words(None, None, [], fmt) == "none yet (Edit → Categorise…)"
    assert category_words(None, "manual", [], fmt) == "none, by your choice"
    assert category_words("Groceries", "rule", [], fmt) == "Groceries (by a rule)"
    parts = [("Groceries", Money(Decimal("-60.00"), "EUR")), ("Pets", Money(Decimal("-40.00"), "EUR"))]
    assert category_words(None, "split", parts, fmt) == "Split: Groceries -€60.00; Pets -€40.00"


def test_the_table_shows_the_category_once_chosen(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx, days=40)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    first = read_rows(qtbot, win.model, [0])[0]
    assert win.model.headerData(COL_CATEGORY, Qt.Orientation.Horizontal) == "Category"
    categoriser = Categoriser(win.ops, win.fmt, lambda: [first], win, ask=lambda _box: False)
    categoriser.categorise_selected()
    _pick(qtbot, categoriser, "eating out")
    qtbot.waitUntil(lambda: win.model.index(0, COL_CATEGORY).data() == "Eating out", timeout=10_000)
    assert win.model.transaction(0) is not None and win.model.transaction(0).id == first.id  # type: ignore[union-attr]


def test_a_narrow_table_keeps_the_amount_in_view(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx, days=10)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    for (width, height), hidden in (((800, 600), True), ((1440, 900), False)):
        win.resize(width, height)
        qtbot.waitUntil(lambda h=hidden: win.table.isColumnHidden(COL_CATEGORY) == h, timeout=5_000)
        header = win.table.horizontalHeader()
        right_edge = header.sectionViewportPosition(COL_AMOUNT) + header.sectionSize(COL_AMOUNT)
        assert right_edge <= win.table.viewport().width()

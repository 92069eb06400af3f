"""Edit → Categories…: add, rename, move and delete-with-reassignment on a real cache; refusals shown."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import categories as cat
from desktop_app.core.errors import CategoryError
from desktop_app.gui.categories_dialog import CategoriesDialog
from desktop_app.gui.menus import show_categories
from desktop_app.gui.window import MainWindow
from tests import factories
from tests.gui.conftest import screenshot


def opened(qtbot: QtBot, window: MainWindow) -> CategoriesDialog:
    dialog = show_categories(window)
    assert isinstance(dialog, CategoriesDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.categories != [], timeout=10_000)
    return dialog


def select(dialog: CategoriesDialog, path: str) -> None:
    wanted = next(c.id for c in dialog.categories if c.path == path)
    for item in [dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())]:
        for candidate in [item, *[item.child(j) for j in range(item.childCount())]]:
            if candidate.data(0, 256) == wanted:
                dialog.tree.setCurrentItem(candidate)
                return
    raise AssertionError(path)


def answer(dialog: CategoriesDialog, text: str | None = None, choice: str | None = None) -> None:
    dialog.ask_text = lambda *_args, **_kw: text  # type: ignore[method-assign]

    def pick(
        _title: str, _label: str, choices: Sequence[tuple[str, int | None]], safe: bool
    ) -> tuple[bool, int | None]:
        return True, next(value for label, value in choices if label == choice)

    dialog.ask_choice = pick  # type: ignore[method-assign]


def test_add_rename_and_move(qtbot: QtBot, window: MainWindow, theme: str) -> None:
    store = window.ctx.store
    dialog = opened(qtbot, window)
    screenshot(dialog, f"categories-{theme}")
    select(dialog, "Transport")
    answer(dialog, text="Bike repairs")
    dialog.add()
    qtbot.waitUntil(lambda: any(c.path == "Transport / Bike repairs" for c in dialog.categories), timeout=10_000)
    answer(dialog, text="Bicycle")
    dialog.rename()
    qtbot.waitUntil(lambda: any(c.path == "Transport / Bicycle" for c in dialog.categories), timeout=10_000)
    answer(dialog, choice="Health")
    dialog.move_to()
    qtbot.waitUntil(lambda: any(c.path == "Health / Bicycle" for c in dialog.categories), timeout=10_000)
    assert cat.find_category(store, "Health / Bicycle").kind == "expense"


def test_delete_moves_the_transactions_to_the_chosen_category(qtbot: QtBot, window: MainWindow) -> None:
    store = window.ctx.store
    factories.connection(store)
    acc = factories.account(store).id
    assert acc is not None
    store.upsert_transactions([factories.tx(acc, 1, "-9.00", counterparty="Cinema")])
    (only,) = list(store.iter_transactions())
    assert only.id is not None
    entertainment, leisure_target = cat.find_category(store, "Entertainment"), cat.find_category(store, "Shopping")
    cat.set_category(store, only.id, entertainment.id)
    dialog = opened(qtbot, window)
    select(dialog, "Entertainment")
    answer(dialog, choice="Shopping")
    dialog.delete()
    qtbot.waitUntil(lambda: all(c.name != "Entertainment" for c in dialog.categories), timeout=10_000)
    assert cat.category_of(store, only.id) == (leisure_target.id, "manual")  # still the person's choice
    with pytest.raises(CategoryError):
        cat.find_category(store, "Entertainment")
    assert "Shopping" in dialog.status.text()


def test_a_refused_change_says_why(qtbot: QtBot, window: MainWindow) -> None:
    dialog = opened(qtbot, window)
    select(dialog, "Housing / Rent")
    answer(dialog, text="Utilities")  # a sibling already has that name
    dialog.rename()
    qtbot.waitUntil(lambda: "already" in dialog.status.text(), timeout=10_000)
    assert any(c.path == "Housing / Rent" for c in cat.categories(window.ctx.store))


def test_delete_asks_with_cancel_as_the_default(qtbot: QtBot, window: MainWindow) -> None:
    dialog = opened(qtbot, window)
    select(dialog, "Pets")
    seen: list[bool] = []

    def refuse(_t: str, _l: str, _c: Sequence[tuple[str, int | None]], safe: bool) -> tuple[bool, int | None]:
        seen.append(safe)
        return False, None

    dialog.ask_choice = refuse  # type: ignore[method-assign]
    dialog.delete()
    assert seen == [True]
    assert any(c.name == "Pets" for c in cat.categories(window.ctx.store))

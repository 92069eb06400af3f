"""Selection drives everything: tree, chart, monthly bars and table show one scope, at start and on keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.views.scope import Scope
from desktop_app.gui.accounts_pane import SCOPE_ROLE
from desktop_app.gui.context import AppContext
from desktop_app.gui.table import COL_ACCOUNT
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import FakeBrowser, household, idle, make_window, read_rows


def _agrees(qtbot: QtBot, win: MainWindow, scope: Scope, title: str, accounts: set[int]) -> None:
    idle(qtbot, win)
    assert win.scope == scope
    assert win.accounts.currentIndex().data(SCOPE_ROLE) == scope
    qtbot.waitUntil(lambda: win.charts.title.text().startswith(f"Balance — {title}"), timeout=10_000)
    assert set(win.model.filter.account_ids or ()) == accounts
    shown = read_rows(qtbot, win.model, range(min(60, win.model.rowCount())))
    assert shown and {t.account_id for t in shown} <= accounts
    data = win.charts.data
    assert data is not None and {m.currency for m in data.monthly} <= {data.currency}


def test_start_up_and_arrow_keys_keep_tree_chart_bars_and_table_on_one_scope(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    ids = household(ctx)
    everyday, savings, krone = ids["Everyday account"], ids["Savings"], ids["Lønkonto"]
    win = make_window(qtbot, ctx, browser)
    _agrees(qtbot, win, Scope.account(everyday), "Everyday account", {everyday})
    assert win.table.isColumnHidden(COL_ACCOUNT)
    assert win.focusWidget() is win.accounts  # the keyboard starts where the scope is chosen

    qtbot.keyClick(win.accounts, Qt.Key.Key_Down)
    _agrees(qtbot, win, Scope.account(savings), "Savings", {savings})
    qtbot.keyClick(win.accounts, Qt.Key.Key_Up)
    qtbot.keyClick(win.accounts, Qt.Key.Key_Up)
    _agrees(qtbot, win, Scope.connection("c1"), "Demo Bank", {everyday, savings})
    # several accounts in the table: the Account column says which
    assert not win.table.isColumnHidden(COL_ACCOUNT)
    names = {win.model.index(r, COL_ACCOUNT).data() for r in range(40)}
    assert names <= {"Everyday account", "Savings"} and names

    for _ in range(3):
        qtbot.keyClick(win.accounts, Qt.Key.Key_Down)
    _agrees(qtbot, win, Scope.connection("c2"), "Aiia", {krone})
    qtbot.keyClick(win.accounts, Qt.Key.Key_End)
    _agrees(qtbot, win, Scope.currency("SEK"), "All SEK accounts", {krone})
    assert win.charts.data is not None and win.charts.data.currency == "SEK"

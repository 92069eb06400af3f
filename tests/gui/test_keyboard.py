"""A menu bar and the keyboard: every action reachable, a logical Tab order, names for screen readers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.gui.context import AppContext
from desktop_app.gui.window import MainWindow
from desktop_app.gui.wizard import CONSENT, DONE
from tests.gui.conftest import FakeBrowser, household, idle, make_window


def _menus(win: MainWindow) -> dict[str, dict[str, str]]:
    out = {}
    for menu_action in win.menuBar().actions():
        menu = menu_action.menu()
        items = {a.text().replace("&", ""): a.shortcut().toString() for a in menu.actions() if not a.isSeparator()}
        out[menu_action.text().replace("&", "")] = items
    return out


def test_the_menu_bar_holds_every_action_with_its_shortcut(qtbot: QtBot, window: MainWindow) -> None:
    menus = _menus(window)
    assert list(menus) == ["File", "Edit", "View", "Connections", "Help"]
    assert menus["File"]["Quit"] == "Ctrl+Q" and "Export transactions…" in menus["File"]
    assert "Import statements…" in menus["File"]
    assert menus["Edit"]["Find…"] == QKeySequence(QKeySequence.StandardKey.Find).toString()
    assert menus["Edit"]["Delete transaction"] == "Del" and "Undo" in menus["Edit"]
    assert menus["Edit"]["Go to date…"] == "Ctrl+G"
    assert {"All time", "Last month", "Last 3 months", "Last 12 months", "Show charts"} <= set(menus["View"])
    assert menus["Connections"]["Sync all"] == "F5"
    assert {"Connect a bank…", "Reconnect…", "Disconnect…"} <= set(menus["Connections"])
    assert {"About Saldo", "Where my data lives"} <= set(menus["Help"])


def test_keyboard_only_connect_sync_search_export_quit(
    qtbot: QtBot, window: MainWindow, browser: FakeBrowser, tmp_path: Path, monkeypatch: object
) -> None:
    win = window
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.try_demo or win.focusWidget() is win.try_demo)
    qtbot.keyClick(win.try_demo, Qt.Key.Key_Space)  # the focused primary button
    wizard = win.wizard
    assert wizard is not None
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT, timeout=10_000)
    browser.act("approve")
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == DONE and bool(wizard.account_checks), timeout=20_000)
    assert wizard.focusWidget() is wizard.finish_button
    with qtbot.waitSignal(win.data_loaded, timeout=10_000):
        qtbot.keyClick(wizard.finish_button, Qt.Key.Key_Return)
    idle(qtbot, win)
    win.activateWindow()  # what the window manager does when the dialog closes
    qtbot.waitUntil(win.isActiveWindow)
    with qtbot.waitSignal(win.sync_finished, timeout=30_000):
        qtbot.keyClick(win, Qt.Key.Key_F5)
    assert "added" in win.status_text.text() or "No new transactions" in win.status_text.text()
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is win.search or win.focusWidget() is win.search
    qtbot.keyClicks(win.search, "salary")
    idle(qtbot, win)
    assert 0 < win.model.rowCount() < 200
    target = tmp_path / "salary.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))  # type: ignore[attr-defined]
    with qtbot.waitSignal(win.edits.exported, timeout=10_000):
        qtbot.keyClick(win, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert target.read_text(encoding="utf-8").count("Salary") == win.model.rowCount()
    qtbot.keyClick(win, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not win.isVisible()


def test_tab_walks_the_panes_in_order_and_leaves_the_table(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    order: list[QWidget] = []
    win.search.setFocus()
    qtbot.waitUntil(lambda: win.focusWidget() is win.search)
    for _ in range(12):
        order.append(win.focusWidget())
        qtbot.keyClick(win.focusWidget(), Qt.Key.Key_Tab)
    names = [w.accessibleName() or (w.text() if isinstance(w, QAbstractButton) else "") for w in order]
    start = names.index("Search transactions")
    walk = names[start : start + 7]
    assert walk[:2] == ["Search transactions", "Accounts"]
    # the range presets are one stop, like radio buttons (arrow keys move between them)
    assert walk[2] in {"Last month", "Last 3 months", "Last 12 months", "All time"}
    assert walk[3:7] == ["Date range", "Status", "Direction", "Transactions"]
    assert names[start + 7] != "Transactions", "Tab must leave the table"


def test_every_control_has_a_name(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    nameless = [
        f"{type(w).__name__}"
        for w in win.findChildren(QWidget)
        if w.isVisible()
        and w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and not w.accessibleName()
        and not (isinstance(w, QAbstractButton) and w.text())
        and w.parent() is not None
        and type(w).__name__ not in {"QWidget", "QScrollBar", "QSplitterHandle", "PlotWidget", "QGraphicsView"}
    ]
    assert nameless == []

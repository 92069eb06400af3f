"""Every screen at 1440×900 and 800×600, light and dark: screenshots, and what must hold at 800×600."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView
from pytestqt.qtbot import QtBot

from desktop_app.gui.accounts_pane import COL_VALUE
from desktop_app.gui.context import AppContext
from desktop_app.gui.dialogs import TransactionDialog
from desktop_app.gui.window import MainWindow
from desktop_app.gui.wizard import CONSENT
from tests.gui.conftest import FakeBrowser, household, idle, make_window, read_rows, screenshot

SIZES = ((1440, 900), (800, 600))


def _shown(qtbot: QtBot, win: MainWindow, width: int, height: int) -> None:
    win.resize(width, height)
    qtbot.waitUntil(lambda: win.width() == width and win.height() == height)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: bool(win.chart.visible()), timeout=10_000)
    win.grab()  # a first paint asks for the rows now in view
    idle(qtbot, win)


def _name_and_balance_fit(win: MainWindow) -> None:
    """The account pane keeps every name and balance readable (nothing elided)."""
    view, model = win.accounts, win.tree_model
    header = view.header()
    assert header.sectionResizeMode(COL_VALUE) is QHeaderView.ResizeMode.ResizeToContents
    for group in range(model.rowCount()):
        head = model.index(group, 0)
        for row in range(model.rowCount(head)):
            name, value = model.index(row, 0, head), model.index(row, COL_VALUE, head)
            width = view.fontMetrics().horizontalAdvance(value.data())
            assert view.visualRect(value).width() >= width, f"balance {value.data()!r} is cut"
            text = view.fontMetrics().horizontalAdvance(name.data())
            assert view.visualRect(name).width() >= text + view.indentation() // 2, f"name {name.data()!r} is cut"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_main_window_and_detail(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, theme: str, width: int, height: int
) -> None:
    household(ctx)
    win = make_window(qtbot, ctx, browser)
    _shown(qtbot, win, width, height)
    assert win.minimumSizeHint().width() <= 800 and win.minimumSizeHint().height() <= 600
    _name_and_balance_fit(win)
    assert win.table.height() > 120, "the table keeps a few rows visible"
    screenshot(win, f"main-{theme}-{width}x{height}")
    first = read_rows(qtbot, win.model, [0])[0]
    detail = TransactionDialog(first, "Everyday account (EUR)", win.fmt, win)
    qtbot.addWidget(detail)
    detail.show()
    screenshot(detail, f"detail-{theme}")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_welcome_and_wizard(
    qtbot: QtBot, window: MainWindow, browser: FakeBrowser, theme: str, width: int, height: int
) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width)
    assert window.stack.currentIndex() == 0
    qtbot.waitUntil(lambda: window.focusWidget() is window.try_demo)  # the primary button has the focus
    screenshot(window, f"welcome-{theme}-{width}x{height}")
    wizard = window.open_wizard()
    screenshot(wizard, f"wizard-pick-{theme}")
    qtbot.keyClick(wizard.provider_list, Qt.Key.Key_Return)  # the Demo Bank is first
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT, timeout=10_000)
    screenshot(wizard, f"wizard-consent-{theme}")
    wizard.reject()

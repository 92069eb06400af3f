"""Go to date (Ctrl+G) in the transactions table, and transfers between own accounts marked in it."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.core import transfers
from desktop_app.core.store.browse import SortKey
from desktop_app.core.views.scope import Scope
from desktop_app.gui.context import AppContext
from desktop_app.gui.dialogs import GoToDateDialog, TransactionDialog
from desktop_app.gui.table import COL_AMOUNT, COL_DATE, COL_DESCRIPTION, TRANSFER_GLYPH
from desktop_app.gui.window import MainWindow
from tests.factories import tx
from tests.gui.conftest import FakeBrowser, household, idle, make_window, read_rows, screenshot


def _with_transfers(ctx: AppContext, days: int = 120) -> dict[str, int]:
    """The household, where each +250.00 into Savings left Everyday the same day: real pairs in the cache."""
    ids = household(ctx, days=days)
    first = date.today() - timedelta(days=days)
    ctx.store.upsert_transactions(
        [
            tx(ids["Everyday account"], 50_000 + n, "-250.00", first + timedelta(days=n), "EUR", "To savings", None)
            for n in range(0, days, 30)
        ]
    )
    assert transfers.pair_transfers(ctx.store) == len(range(0, days, 30))
    return ids


def _dialog(qtbot: QtBot, win: MainWindow) -> GoToDateDialog:
    win.activateWindow()  # what the window manager does when a dialog closes
    qtbot.waitUntil(win.isActiveWindow)
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), GoToDateDialog), timeout=5_000)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, GoToDateDialog)
    return dialog


def _go(qtbot: QtBot, win: MainWindow, day: date) -> None:
    dialog = _dialog(qtbot, win)
    dialog.edit.setDate(QDate(day.year, day.month, day.day))
    with qtbot.waitSignal(win.model.landed, timeout=10_000):
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    idle(qtbot, win)


def _current(win: MainWindow) -> tuple[int, date]:
    row = win.table.currentIndex().row()
    t = win.model.transaction(row)
    assert t is not None and win.table.selectionModel().isRowSelected(row)
    return row, t.booking_date


def test_ctrl_g_selects_the_first_row_of_a_day_or_the_nearest_earlier_one(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx, days=400)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    win.select_scope(Scope.currency("EUR"))
    idle(qtbot, win)
    day = date.today() - timedelta(days=300)
    _go(qtbot, win, day)
    row, shown = _current(win)
    assert shown == day and row > 200  # far beyond the first block: read where it lands
    above = read_rows(qtbot, win.model, [row - 1])[0]
    assert above.booking_date > day  # the first row of that day, newest first
    assert win.table.rowAt(0) <= row <= win.table.rowAt(win.table.viewport().height() - 1)  # scrolled into view

    # A day after the newest row: the newest day. A day before the oldest: the oldest row, and the status line says so.
    _go(qtbot, win, date.today() + timedelta(days=30))
    assert _current(win)[0] == 0
    _go(qtbot, win, date.today() - timedelta(days=5_000))
    row, shown = _current(win)
    assert row == win.model.rowCount() - 1 and shown == date.today() - timedelta(days=400)
    assert "No transactions on or before" in win.status_text.text() and "showing the oldest" in win.status_text.text()

    qtbot.keyClicks(win.search, "zzzz-no-such-thing")
    idle(qtbot, win)
    dialog = _dialog(qtbot, win)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "No transactions to go to" in win.status_text.text())


def test_go_to_date_in_another_order_sorts_by_date_and_cancel_does_nothing(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx, days=200)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    win.transactions.model.set_sort(SortKey.AMOUNT, descending=True)
    win.table.horizontalHeader().setSortIndicator(COL_AMOUNT, Qt.SortOrder.DescendingOrder)
    idle(qtbot, win)
    dialog = _dialog(qtbot, win)
    assert "sorted by amount" in dialog.hint.text() and "sorted by date" in dialog.hint.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert win.model.order.key is SortKey.AMOUNT  # Cancel changes nothing

    day = date.today() - timedelta(days=100)
    _go(qtbot, win, day)
    assert win.model.order.key is SortKey.DATE and win.model.order.descending
    assert win.table.horizontalHeader().sortIndicatorSection() == COL_DATE
    assert _current(win)[1] == day


def test_the_date_field_takes_the_locale_format_and_refuses_a_broken_date(qtbot: QtBot, ctx: AppContext) -> None:
    from desktop_app.gui.formatting import Formatter

    dialog = GoToDateDialog(Formatter.named("de_DE"), date(2026, 3, 14), None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.edit.text() == "14.03.2026"
    chosen: list[date] = []
    dialog.chosen.connect(chosen.append)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_End)
    for _ in range(4):
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Backspace)  # "14.03.": no year
    assert not dialog.edit.hasAcceptableInput() and not dialog.go.isEnabled()
    dialog.accept()
    assert chosen == [] and dialog.isVisible()
    dialog.edit.setDate(QDate(2025, 12, 31))
    assert dialog.go.isEnabled()
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert chosen == [date(2025, 12, 31)] and not dialog.isVisible()


def test_transfers_between_own_accounts_are_marked_in_the_table_and_the_detail(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    _with_transfers(ctx)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    win.select_scope(Scope.currency("EUR"))
    idle(qtbot, win)
    rows = read_rows(qtbot, win.model, range(win.model.rowCount()))
    marked = {n: t for n, t in enumerate(rows) if t.description in ("To savings", "Transfer")}
    assert len(marked) == 2 * len(range(0, 120, 30))
    for n, t in marked.items():
        index = win.model.index(n, COL_DESCRIPTION)
        assert index.data() == f"{TRANSFER_GLYPH} {t.description}"
        words = "Transfer to Savings" if t.amount.amount < 0 else "Transfer from Everyday account"
        assert index.data(Qt.ItemDataRole.ToolTipRole) == words
        assert index.data(Qt.ItemDataRole.AccessibleTextRole) == f"{words}: {t.description}"
    plain = next(n for n, t in enumerate(rows) if t.counterparty == "Netto")
    assert TRANSFER_GLYPH not in win.model.index(plain, COL_DESCRIPTION).data()

    row = next(n for n, t in marked.items() if t.amount.amount < 0)
    win.table.setFocus()
    win.table.setCurrentIndex(win.model.index(row, 0))
    qtbot.keyClick(win.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.edits.detail is not None and win.edits.detail.isVisible(), timeout=10_000)
    detail = win.edits.detail
    assert isinstance(detail, TransactionDialog)
    assert detail.fields["Transfer"] == f"{TRANSFER_GLYPH} Transfer to Savings"
    detail.close()
    plain_detail = TransactionDialog(rows[plain], "Everyday account (EUR)", win.fmt, win)
    qtbot.addWidget(plain_detail)
    assert "Transfer" not in plain_detail.fields


def test_screens_go_to_date_and_transfer_mark(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, theme: str) -> None:
    _with_transfers(ctx)
    win = make_window(qtbot, ctx, browser)
    win.resize(800, 600)
    qtbot.waitUntil(lambda: win.width() == 800 and win.height() == 600)
    idle(qtbot, win)
    win.select_scope(Scope.currency("EUR"))
    idle(qtbot, win)
    pair_day = date.today() - timedelta(days=60)
    dialog = _dialog(qtbot, win)
    dialog.edit.setDate(QDate(pair_day.year, pair_day.month, pair_day.day))
    screenshot(dialog, f"go-to-date-{theme}")
    with qtbot.waitSignal(win.model.landed, timeout=10_000):
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    idle(qtbot, win)
    row, shown = _current(win)
    assert shown == pair_day
    day_rows = read_rows(qtbot, win.model, range(row, row + 3))
    assert any(t.description in ("To savings", "Transfer") for t in day_rows if t.booking_date == pair_day)
    win.grab()
    idle(qtbot, win)
    screenshot(win, f"transfer-mark-{theme}-800x600")
    t = next(t for t in day_rows if t.description == "To savings")
    detail = TransactionDialog(t, "Everyday account (EUR)", win.fmt, win, transfer="Transfer to Savings")
    qtbot.addWidget(detail)
    detail.show()
    screenshot(detail, f"detail-transfer-{theme}")

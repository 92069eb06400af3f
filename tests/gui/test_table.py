"""The table for long histories: count and sums in the footer, sorting, the detail, the empty state."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.store import TxFilter, browse
from desktop_app.core.views.scope import Scope
from desktop_app.gui.context import AppContext
from desktop_app.gui.dialogs import TransactionDialog
from desktop_app.gui.table import COL_AMOUNT, COL_COUNTERPARTY, COL_DATE
from tests.gui.conftest import FakeBrowser, household, idle, make_window, read_rows


def test_footer_counts_and_sums_the_filter_per_currency(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    ids = household(ctx, days=120)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    win.select_scope(Scope.currency("EUR"))
    idle(qtbot, win)
    eur = (ids["Everyday account"], ids["Savings"])
    count = browse.count(ctx.store, TxFilter(account_ids=eur))
    (total,) = browse.sums(ctx.store, TxFilter(account_ids=eur))
    qtbot.waitUntil(lambda: win.fmt.money(total) in win.transactions.footer.text())
    assert win.transactions.footer.text().startswith(f"{count:,} transactions")
    assert win.model.rowCount() == count
    win.select_scope(Scope.connection("c2"))
    idle(qtbot, win)
    qtbot.waitUntil(lambda: "SEK" in win.transactions.footer.text())


def test_headers_sort_by_amount_and_counterparty_both_ways(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    household(ctx, days=120)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    header = win.table.horizontalHeader()

    def click(column: int) -> None:
        with qtbot.waitSignal(win.model.counted, timeout=10_000):
            qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_centre(header, column))
        idle(qtbot, win)

    click(COL_AMOUNT)
    rows = read_rows(qtbot, win.model, range(win.model.rowCount()))
    amounts = [t.amount.amount for t in rows]
    assert amounts == sorted(amounts, reverse=True) and amounts[0] == Decimal("2480.00")
    assert header.sortIndicatorSection() == COL_AMOUNT
    click(COL_AMOUNT)
    assert [t.amount.amount for t in read_rows(qtbot, win.model, range(win.model.rowCount()))] == sorted(amounts)
    click(COL_COUNTERPARTY)
    parties = [t.counterparty or "" for t in read_rows(qtbot, win.model, range(win.model.rowCount()))]
    assert parties == sorted(parties)
    click(COL_DATE)
    days = [t.booking_date for t in read_rows(qtbot, win.model, range(win.model.rowCount()))]
    assert days == sorted(days, reverse=True)


def _centre(header: object, column: int) -> object:
    from PySide6.QtCore import QPoint

    position = header.sectionViewportPosition(column) + header.sectionSize(column) // 2  # type: ignore[attr-defined]
    return QPoint(position, header.height() // 2)  # type: ignore[attr-defined]


def test_double_click_or_enter_opens_the_detail_and_nothing_found_says_so(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx, days=40)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    first = read_rows(qtbot, win.model, [0])[0]
    rect = win.table.visualRect(win.model.index(0, 1))
    qtbot.mouseClick(win.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double click starts so
    qtbot.mouseDClick(win.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: win.edits.detail is not None and win.edits.detail.isVisible(), timeout=10_000)
    detail = win.edits.detail
    assert isinstance(detail, TransactionDialog)
    assert (
        detail.fields["Amount"] == win.fmt.money(first.amount) and detail.fields["Account"] == "Everyday account (EUR)"
    )
    assert not detail.raw.isVisible() and '"amount"' in detail.raw.toPlainText()  # the raw record, folded
    detail.close()
    win.table.setFocus()
    win.table.setCurrentIndex(win.model.index(1, 0))
    previous = detail
    qtbot.keyClick(win.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.edits.detail is not previous and win.edits.detail is not None, timeout=10_000)
    win.edits.detail.close()

    assert not win.transactions.empty.isVisible()
    qtbot.keyClicks(win.search, "zzzz-no-such-thing")
    idle(qtbot, win)
    assert win.model.rowCount() == 0
    assert win.transactions.empty.isVisible() and "No transactions match your search" in win.transactions.empty.text()
    assert win.transactions.footer.text().startswith("0 transactions")

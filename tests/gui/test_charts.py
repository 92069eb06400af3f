"""The balance chart: the chosen account or a currency total, range presets, hover read-out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.models import BalanceKind, BalanceSnapshot
from desktop_app.core.money import Money
from desktop_app.gui.context import AppContext
from desktop_app.gui.series import add_series
from desktop_app.gui.window import TOTAL_ROLE, MainWindow
from tests.factories import account, connection, tx
from tests.gui.conftest import FakeBrowser, screenshot


def eur(text: str) -> Money:
    return Money(Decimal(text), "EUR")


def test_add_series_counts_each_account_from_its_first_day_and_keeps_its_last_balance() -> None:
    d = date(2026, 1, 1)
    a = [(d, eur("10.00")), (d + timedelta(1), eur("12.50"))]
    b = [(d + timedelta(1), eur("1.01")), (d + timedelta(2), eur("2.02")), (d + timedelta(3), eur("3.03"))]
    assert add_series([a, b, []], "EUR") == [
        (d, eur("10.00")),
        (d + timedelta(1), eur("13.51")),
        (d + timedelta(2), eur("14.52")),
        (d + timedelta(3), eur("15.53")),
    ]
    assert add_series([], "EUR") == []


def _two_eur_and_one_sek(ctx: AppContext) -> tuple[int, int, int]:
    connection(ctx.store, "c1")
    ids = []
    for ref, name, currency in (("a", "Everyday", "EUR"), ("b", "Savings", "EUR"), ("c", "Krona", "SEK")):
        acc = account(ctx.store, "c1", ref=ref, currency=currency, name=name)
        assert acc.id is not None
        ids.append(acc.id)
    start = date(2024, 1, 1)
    rows = []
    for n in range(400):
        rows.append(tx(ids[0], n, amount="2.00", day=start + timedelta(days=n)))
        if n % 2 == 0:
            rows.append(tx(ids[1], 1000 + n, amount="5.00", day=start + timedelta(days=n)))
        rows.append(tx(ids[2], 2000 + n, amount="-1.00", day=start + timedelta(days=n), currency="SEK"))
    ctx.store.upsert_transactions(rows)
    last = datetime(2025, 2, 3, 23, 0, tzinfo=UTC)  # the 400th day
    for account_id, balance in zip(ids, (eur("800.00"), eur("1000.00"), Money(Decimal("-400.00"), "SEK")), strict=True):
        ctx.store.add_balance(BalanceSnapshot(account_id, BalanceKind.BOOKED, balance, last))
    return ids[0], ids[1], ids[2]


def _row(win: MainWindow, text: str) -> int:
    for row in range(win.tree_model.rowCount()):
        if win.tree_model.item(row).text().strip().startswith(text):
            return row
    raise AssertionError(f"no row {text!r}")


def _click_row(qtbot: QtBot, win: MainWindow, row: int) -> None:
    rect = win.tree.visualRect(win.tree_model.index(row, 0))
    qtbot.mouseClick(win.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _all_rows(qtbot: QtBot, win: MainWindow) -> int:
    """Read the table to the end, as scrolling down would."""
    qtbot.waitUntil(lambda: not win.model.busy, timeout=10_000)
    while win.model.canFetchMore():
        with qtbot.waitSignal(win.model.loaded, timeout=10_000):
            win.model.fetchMore()
    return win.model.rowCount()


def test_chart_follows_the_account_the_total_and_the_range(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    everyday, savings, krona = _two_eur_and_one_sek(ctx)
    win = MainWindow(ctx, browser)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.chart is not None and bool(win.chart.visible()), timeout=20_000)
    assert win.chart.title.text() == "Balance — Everyday"
    assert win.chart.visible() == ctx.store.daily_balance_series(everyday)

    # the SEK account, clicked in the tree
    _click_row(qtbot, win, _row(win, "Krona"))
    qtbot.waitUntil(lambda: win.chart.title.text() == "Balance — Krona", timeout=10_000)
    assert win.chart.visible()[-1] == (date(2024, 1, 1) + timedelta(days=399), Money(Decimal("-400.00"), "SEK"))
    assert _all_rows(qtbot, win) == 400 and win.model.filter.account_ids == (krona,)

    # the EUR total: both EUR accounts added day by day, the SEK one left out
    row = _row(win, "All EUR accounts")
    assert win.tree_model.item(row).data(TOTAL_ROLE) == "EUR"
    _click_row(qtbot, win, row)
    qtbot.waitUntil(lambda: win.chart.title.text() == "Balance — all EUR accounts", timeout=10_000)
    series = win.chart.visible()
    assert series[0] == (date(2024, 1, 1), eur("7.00"))
    assert series[-1] == (date(2024, 1, 1) + timedelta(days=399), eur("1800.00"))  # 400 × 2 + 200 × 5
    assert _all_rows(qtbot, win) == 600 and set(win.model.filter.account_ids or ()) == {everyday, savings}
    assert {t.amount.currency for t in map(win.model.transaction, range(600)) if t is not None} == {"EUR"}

    # range presets: 1M keeps the last 31 days, All brings everything back
    one_month = next(b for b in win.chart.buttons.buttons() if b.text() == "1M")
    qtbot.mouseClick(one_month, Qt.MouseButton.LeftButton)
    assert len(win.chart.visible()) == 32 and win.chart.visible()[-1] == series[-1]
    everything = next(b for b in win.chart.buttons.buttons() if b.text() == "All")
    qtbot.mouseClick(everything, Qt.MouseButton.LeftButton)
    assert win.chart.visible() == series

    # the hover read-out names the day and the exact balance
    point = win.chart.hover_at(date(2024, 1, 2))
    assert point == (date(2024, 1, 2), eur("9.00"))  # 2 × 2.00 + 5.00
    assert win.chart.readout.text() == "02 Jan 2024  €9.00"
    assert win.chart.hover_line.isVisible() and win.chart.dot.isVisible()
    screenshot(win, "main-window-total")


def test_welcome_screen_has_nothing_to_sync_export_or_search(qtbot: QtBot, window: MainWindow) -> None:
    assert window.stack.currentIndex() == 0
    assert not window.sync_action.isEnabled() and not window.export_action.isEnabled()
    assert not window.search.isEnabled()

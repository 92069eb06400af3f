"""The balance chart: the chosen account or a currency total, range presets, hover read-out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.models import BalanceKind, BalanceSnapshot
from desktop_app.core.money import Money
from desktop_app.core.views.charts import add_series
from desktop_app.core.views.scope import Scope
from desktop_app.gui.accounts_pane import SCOPE_ROLE
from desktop_app.gui.context import AppContext
from desktop_app.gui.window import MainWindow
from tests.factories import account, connection, tx
from tests.gui.conftest import FakeBrowser, idle, make_window, read_rows, screenshot


def _start() -> date:
    """400 days of data ending today, read when the test runs (not when the module was collected,
    which may have been before midnight)."""
    return date.today() - timedelta(days=399)


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


def _two_eur_and_one_sek(ctx: AppContext, start: date) -> tuple[int, int, int]:
    connection(ctx.store, "c1")
    ids = []
    for ref, name, currency in (("a", "Everyday", "EUR"), ("b", "Savings", "EUR"), ("c", "Krona", "SEK")):
        acc = account(ctx.store, "c1", ref=ref, currency=currency, name=name)
        assert acc.id is not None
        ids.append(acc.id)
    rows = []
    for n in range(400):
        rows.append(tx(ids[0], n, amount="2.00", day=start + timedelta(days=n)))
        if n % 2 == 0:
            rows.append(tx(ids[1], 1000 + n, amount="5.00", day=start + timedelta(days=n)))
        rows.append(tx(ids[2], 2000 + n, amount="-1.00", day=start + timedelta(days=n), currency="SEK"))
    ctx.store.upsert_transactions(rows)
    last = datetime.combine(start + timedelta(days=399), datetime.min.time(), UTC) + timedelta(hours=23)
    for account_id, balance in zip(ids, (eur("800.00"), eur("1000.00"), Money(Decimal("-400.00"), "SEK")), strict=True):
        ctx.store.add_balance(BalanceSnapshot(account_id, BalanceKind.BOOKED, balance, last))
    return ids[0], ids[1], ids[2]


def _click(qtbot: QtBot, win: MainWindow, scope: Scope) -> None:
    rect = win.accounts.visualRect(win.tree_model.find(scope))
    qtbot.mouseClick(win.accounts.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _all_rows(qtbot: QtBot, win: MainWindow) -> int:
    idle(qtbot, win)
    return len(read_rows(qtbot, win.model, range(win.model.rowCount())))


def test_chart_follows_the_account_the_total_and_the_range(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    start = _start()
    everyday, savings, krona = _two_eur_and_one_sek(ctx, start)
    win = make_window(qtbot, ctx, browser)
    qtbot.waitUntil(lambda: win.chart is not None and bool(win.chart.visible()), timeout=20_000)
    assert win.charts.title.text() == "Balance — Everyday (EUR)"
    assert win.chart.visible() == ctx.store.daily_balance_series(everyday)

    # the SEK account, clicked in the tree
    _click(qtbot, win, Scope.account(krona))
    qtbot.waitUntil(lambda: win.charts.title.text() == "Balance — Krona (SEK)", timeout=10_000)
    assert win.chart.visible()[-1] == (start + timedelta(days=399), Money(Decimal("-400.00"), "SEK"))
    assert _all_rows(qtbot, win) == 400 and win.model.filter.account_ids == (krona,)

    # the EUR total: both EUR accounts added day by day, the SEK one left out
    total = win.tree_model.find(Scope.currency("EUR"))
    assert total.data(SCOPE_ROLE) == Scope.currency("EUR") and total.data() == "All EUR accounts"
    _click(qtbot, win, Scope.currency("EUR"))
    qtbot.waitUntil(lambda: win.charts.title.text() == "Balance — All EUR accounts (EUR)", timeout=10_000)
    series = win.chart.visible()
    assert series[0] == (start, eur("7.00"))
    assert series[-1] == (start + timedelta(days=399), eur("1800.00"))  # 400 × 2 + 200 × 5
    assert _all_rows(qtbot, win) == 600 and set(win.model.filter.account_ids or ()) == {everyday, savings}
    assert {t.amount.currency for t in read_rows(qtbot, win.model, range(600))} == {"EUR"}

    # range presets: 1M keeps the last 31 days (chart and table), All brings everything back
    one_month = next(b for b in win.charts.buttons.buttons() if b.text() == "1M")
    qtbot.mouseClick(one_month, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert len(win.chart.visible()) == 32 and win.chart.visible()[-1] == series[-1]
    assert win.transactions.period_filter.currentData() == 31 and win.model.rowCount() == 32 + 16
    everything = next(b for b in win.charts.buttons.buttons() if b.text() == "All")
    qtbot.mouseClick(everything, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert win.chart.visible() == series

    # the hover read-out names the day and the exact balance
    second = start + timedelta(days=1)
    point = win.chart.hover_at(second)
    assert point == (second, eur("9.00"))  # 2 × 2.00 + 5.00
    assert win.chart.readout.text() == f"{second.day} {second.strftime('%b %Y')}  €9.00"
    assert win.chart.hover_line.isVisible() and win.chart.dot.isVisible()
    screenshot(win, "main-window-total")


def test_welcome_screen_has_nothing_to_sync_export_or_search(qtbot: QtBot, window: MainWindow) -> None:
    assert window.stack.currentIndex() == 0
    assert not window.commands.sync.isEnabled() and not window.commands.export.isEnabled()
    assert not window.search.isEnabled()

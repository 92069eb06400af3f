"""The desktop app, driven like a person would: offscreen Qt, real cache, real sandbox."""

from __future__ import annotations

import csv
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.api import RetryPolicy
from desktop_app.core.models import BalanceKind, BalanceSnapshot, Connection, ConnectionStatus
from desktop_app.core.money import Money
from desktop_app.core.oauth.tokens import TokenSet
from desktop_app.gui import dialogs
from desktop_app.gui.context import AppContext
from desktop_app.gui.table import COL_AMOUNT
from desktop_app.gui.window import MainWindow
from desktop_app.gui.wizard import CONSENT, DONE, PICK
from saldo_sandbox.app import Sandbox
from tests.factories import account, connection, tx
from tests.gui.conftest import FakeBrowser, idle, make_window, read_rows, screenshot, tree_rows


def test_first_run_demo_bank_end_to_end(qtbot: QtBot, window: MainWindow, browser: FakeBrowser) -> None:
    assert window.stack.currentIndex() == 0  # the welcome screen
    screenshot(window, "welcome")
    qtbot.mouseClick(window.try_demo, Qt.MouseButton.LeftButton)
    wizard = window.wizard
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT)
    assert wizard.url_field.text() == browser.urls[-1] and "demo/oauth/authorize" in browser.urls[-1]
    assert "left" in wizard.waiting.text()
    screenshot(wizard, "wizard-consent")
    with qtbot.waitSignal(window.data_loaded, timeout=20_000):
        browser.act("approve")
        qtbot.waitUntil(lambda: wizard.pages.currentIndex() == DONE, timeout=20_000)
        qtbot.waitUntil(lambda: bool(wizard.account_checks))  # listed by a background read
        screenshot(wizard, "wizard-done")
        qtbot.mouseClick(wizard.finish_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    assert window.stack.currentIndex() == 1
    rows = tree_rows(window)
    assert rows[0][0] == "Demo Bank" and "✓ synced" in rows[0][1]
    assert any(name == "Everyday account" for name, _, _ in rows)
    assert ("Totals", "", None) in rows and any(name == "All EUR accounts" for name, _, _ in rows)
    assert window.model.rowCount() > 0
    qtbot.waitUntil(lambda: window.chart is not None and bool(window.chart.visible()), timeout=10_000)
    assert window.charts.title.text() == "Balance — Everyday account (EUR)"
    qtbot.waitUntil(lambda: window.chart.plot.width() > 300 and window.chart.readout.width() > 100)
    screenshot(window, "main-window")


def test_wizard_denial_is_explained_in_plain_words(qtbot: QtBot, window: MainWindow, browser: FakeBrowser) -> None:
    wizard = window.open_wizard("demo")
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT)
    browser.act("deny")
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == DONE, timeout=20_000)
    assert "declined access — try again or choose another provider" in wizard.done_title.text()
    assert wizard.retry_button.isVisible()


def test_wizard_cancel_returns_to_the_provider_list(qtbot: QtBot, window: MainWindow) -> None:
    wizard = window.open_wizard("demo")
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT)
    qtbot.mouseClick(wizard.cancel_consent, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == PICK, timeout=10_000)
    assert window.ctx.store.connections() == []


def test_wizard_paste_back(qtbot: QtBot, window: MainWindow, browser: FakeBrowser, sandbox: Sandbox) -> None:
    import httpx2

    wizard = window.open_wizard("demo")
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT)
    qtbot.keyClicks(wizard.paste_field, "https://example.org/not-it")
    qtbot.mouseClick(wizard.paste_button, Qt.MouseButton.LeftButton)
    assert "not the one" in wizard.consent_error.text()
    sandbox.state.auto_approve = True
    with httpx2.Client(follow_redirects=False) as http:
        landing = http.get(browser.urls[-1]).headers["Location"]
    wizard.paste_field.clear()
    qtbot.keyClicks(wizard.paste_field, landing)
    qtbot.mouseClick(wizard.paste_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == DONE, timeout=20_000)
    assert len(window.ctx.store.connections()) == 1


def _filled(ctx: AppContext) -> int:
    connection(ctx.store, "c1")
    acc = account(ctx.store, "c1")
    assert acc.id is not None
    ctx.store.upsert_transactions(
        [tx(acc.id, n, amount=f"{(-1) ** n * (n + 1)}.50", day=date(2026, 1, 1) + timedelta(days=n)) for n in range(60)]
    )
    ctx.store.add_balance(
        BalanceSnapshot(acc.id, BalanceKind.BOOKED, Money(Decimal("1000.00"), "EUR"), datetime(2026, 3, 1, tzinfo=UTC))
    )
    return acc.id


def test_offline_start_shows_cache_and_a_quiet_banner(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    _filled(ctx)
    ctx.store.save_connection(replace(ctx.store.get_connection("c1"), provider="demo"))
    ctx.app.use_demo_bank("http://127.0.0.1:9")  # nothing listens there
    ctx.connector.retry = RetryPolicy(attempts=2, base_delay=0.01)
    ctx.vault.save_tokens("c1", TokenSet(access_token="still-valid", expires_at=time.time() + 3600))
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    assert win.model.rowCount() == 60 and win.stack.currentIndex() == 1
    with qtbot.waitSignal(win.sync_finished, timeout=30_000):
        qtbot.keyClick(win, Qt.Key.Key_F5)
    assert win.banner.isVisible() and "Offline" in win.banner.text.text()
    assert win.banner.retry_button.isVisible()
    idle(qtbot, win)
    assert win.model.rowCount() == 60
    screenshot(win, "offline")


def test_consent_badges(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    now = datetime.now(UTC)
    ctx.store.save_connection(
        Connection(
            id="a",
            provider="tatrabanka",
            label="Tatra banka",
            consent_expires_at=now + timedelta(days=3, hours=1),
            created_at=now,
        )
    )
    ctx.store.save_connection(
        Connection(
            id="b",
            provider="aiia",
            label="Aiia",
            created_at=now + timedelta(seconds=1),
            status=ConnectionStatus.NEEDS_RECONSENT,
        )
    )
    ctx.store.save_connection(
        Connection(
            id="c",
            provider="aiia-one-time",
            label="Aiia once",
            one_time=True,
            consent_expires_at=now - timedelta(hours=1),
            created_at=now + timedelta(seconds=2),
        )
    )
    for connection_id in ("a", "b"):
        ctx.vault.save_tokens(connection_id, TokenSet(access_token="t", expires_at=time.time() + 3600))
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    texts = [value for _, value, _ in tree_rows(win)]
    assert "consent ends in 3 days" in texts[0]
    assert "✖ reconnect" in texts[1]
    assert "consent expired" in texts[2] and "one-time" in texts[2]
    tips = [win.tree_model.index(r, 1).data(Qt.ItemDataRole.ToolTipRole) for r in range(3)]
    assert "Reconnect" in tips[1] and "Press Enter or click to reconnect" in tips[1]


def test_search_filters_chart_and_export(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, tmp_path: Path) -> None:
    acc = _filled(ctx)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    series = ctx.store.daily_balance_series(acc)
    assert win.chart.visible() == series
    assert win.chart.readout.text() == "1 Mar 2026  €1,000.00"
    with qtbot.waitSignal(win.model.loaded, timeout=10_000):
        qtbot.keyClicks(win.search, "card")
    idle(qtbot, win)
    assert win.model.rowCount() == 60
    with qtbot.waitSignal(win.model.loaded, timeout=10_000):
        win.search.clear()
    with qtbot.waitSignal(win.model.loaded, timeout=10_000):
        qtbot.keyClicks(win.search, "nothing-like-this")
    idle(qtbot, win)
    assert win.model.rowCount() == 0
    with qtbot.waitSignal(win.model.loaded, timeout=10_000):
        win.search.clear()
    idle(qtbot, win)
    with qtbot.waitSignal(win.model.loaded, timeout=10_000):
        win.transactions.direction_filter.setCurrentIndex(1)
    idle(qtbot, win)
    assert win.model.rowCount() == 30
    assert all(t.amount.amount > 0 for t in read_rows(qtbot, win.model, range(30)))
    out = tmp_path / "export.csv"
    with qtbot.waitSignal(win.edits.exported, timeout=10_000) as done:
        win.edits.export_to(out)
    assert done.args[0].rows == 30
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["amount"] == "59.50" and rows[-1]["amount"] == "1.50"
    index = win.model.index(0, COL_AMOUNT)
    assert win.model.data(index) == "€59.50"
    assert win.model.data(index, Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)


def test_window_state_is_json(qtbot: QtBot, window: MainWindow) -> None:
    import json

    window.save_state()
    data = json.loads((window.ctx.data_dir / "window.json").read_text())
    assert set(data) == {"geometry", "splitter", "right"}


def test_period_filter_and_disconnect_keeping_data(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, monkeypatch: object
) -> None:
    acc = _filled(ctx)
    recent = date.today() - timedelta(days=3)
    ctx.store.upsert_transactions([tx(acc, 900, amount="-7.00", day=recent, description="Kiosk")])
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    with qtbot.waitSignal(win.model.loaded, timeout=10_000):
        win.transactions.period_filter.setCurrentIndex(1)  # last 30 days
    idle(qtbot, win)
    assert win.model.rowCount() == 1
    monkeypatch.setattr(dialogs, "ask_disconnect", lambda *a: dialogs.DisconnectChoice.KEEP_DATA)  # type: ignore[attr-defined]
    with qtbot.waitSignal(win.data_loaded, timeout=10_000):
        win.disconnect_connection("c1")
    assert ctx.store.get_connection("c1").status is ConnectionStatus.DISCONNECTED
    assert ctx.store.count_transactions() == 61
    monkeypatch.setattr(dialogs, "ask_disconnect", lambda *a: dialogs.DisconnectChoice.DELETE_DATA)  # type: ignore[attr-defined]
    with qtbot.waitSignal(win.data_loaded, timeout=10_000):
        win.disconnect_connection("c1")
    assert ctx.store.connections() == [] and ctx.store.count_transactions() == 0

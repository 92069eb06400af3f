"""Honest states: syncing, offline with Retry, outcomes that stay, reconnect from the badge; a failed browser."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.api import RetryPolicy
from desktop_app.core.oauth.tokens import TokenSet
from desktop_app.core.views.scope import Scope
from desktop_app.gui.accounts_pane import COL_VALUE
from desktop_app.gui.context import AppContext
from desktop_app.gui.wizard import CONSENT
from tests.gui.conftest import FakeBrowser, household, idle, make_window, tree_rows


def test_sync_shows_syncing_then_offline_that_stays_and_retry(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx, days=30)
    ctx.app.use_demo_bank("http://127.0.0.1:9")  # nothing listens there
    ctx.connector.retry = RetryPolicy(attempts=3, base_delay=0.2)
    ctx.vault.save_tokens("c1", TokenSet(access_token="still-valid", expires_at=time.time() + 3600))
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    with qtbot.waitSignal(win.sync_finished, timeout=30_000):
        win.sync_all()
        qtbot.waitUntil(lambda: "⟳ syncing" in tree_rows(win)[0][1], timeout=10_000)
    idle(qtbot, win)
    rows = tree_rows(win)
    assert "offline" in rows[0][1] and "syncing" not in rows[0][1]
    outcome = win.status_text.text()
    assert "Demo Bank offline" in outcome
    assert win.banner.isVisible() and win.banner.retry_button.isVisible()
    # the outcome stays: a later refresh of the data does not replace it with "Last synced …"
    with qtbot.waitSignal(win.data_loaded, timeout=10_000):
        win.reload()
    assert win.status_text.text() == outcome
    with qtbot.waitSignal(win.sync_finished, timeout=30_000):
        qtbot.mouseClick(win.banner.retry_button, Qt.MouseButton.LeftButton)
        assert win.sync.running
    idle(qtbot, win)


def test_cancelled_and_partial_outcomes_are_badges_after_a_restart(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx, days=30)
    run = ctx.store.start_sync_run("c1")
    ctx.store.finish_sync_run(replace(run, status="cancelled", error="Cancelled."))
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    assert "sync cancelled" in tree_rows(win)[0][1] and "✓ synced" not in tree_rows(win)[0][1]
    run = ctx.store.start_sync_run("c1")
    ctx.store.finish_sync_run(replace(run, status="partial", error="2 records skipped"))
    with qtbot.waitSignal(win.data_loaded, timeout=10_000):
        win.reload()
    assert "⚠ partial" in tree_rows(win)[0][1]
    tip = win.tree_model.index(0, COL_VALUE).data(Qt.ItemDataRole.ToolTipRole)
    assert "2 records skipped" in tip


def test_needs_reconsent_badge_reconnects_by_enter_or_click(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx, days=30)
    win = make_window(qtbot, ctx, browser)
    idle(qtbot, win)
    index = win.tree_model.find(Scope.connection("c2"))
    badge = win.tree_model.index(index.row(), COL_VALUE)
    assert "✖ reconnect" in badge.data()
    assert "Reconnect to sync again" in badge.data(Qt.ItemDataRole.ToolTipRole)
    win.accounts.setCurrentIndex(index)
    with qtbot.waitSignal(win.accounts.reconnect_requested, timeout=5_000) as asked:
        qtbot.keyClick(win.accounts, Qt.Key.Key_Return)
    assert asked.args == ["c2"]
    assert win.wizard is not None and win.wizard.reconnect_id == "c2"
    win.wizard.reject()
    with qtbot.waitSignal(win.accounts.reconnect_requested, timeout=5_000) as clicked:
        rect = win.accounts.visualRect(badge)
        qtbot.mouseClick(win.accounts.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert clicked.args == ["c2"]
    win.wizard.reject()


def test_wizard_says_when_the_browser_did_not_open_and_offers_copy(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    def no_browser(url: str) -> bool:
        browser.urls.append(url)
        return False

    win = make_window(qtbot, ctx, no_browser)
    wizard = win.open_wizard("demo")
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT, timeout=10_000)
    assert "could not open your browser" in wizard.consent_title.text()
    assert "is open" not in wizard.consent_title.text()
    assert wizard.focusWidget() is wizard.copy_button
    qtbot.keyClick(wizard.copy_button, Qt.Key.Key_Space)
    assert QGuiApplication.clipboard().text() == browser.urls[-1]
    wizard.reject()


def test_a_connection_without_tokens_is_not_shown_as_synced(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx, days=30)
    ctx.vault.delete_connection("c1")  # the tokens are gone (a keyring wiped, or session-only after a restart)
    win = make_window(qtbot, ctx, browser)  # the app is built once the keyring has answered
    idle(qtbot, win)
    badge = tree_rows(win)[0][1]
    assert "✖ reconnect" in badge and "synced" not in badge
    tip = win.tree_model.index(0, COL_VALUE).data(Qt.ItemDataRole.ToolTipRole)
    assert "no access" in tip and "keyring" in tip


def test_the_window_syncs_on_its_own_soon_after_start_up_unattended(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.gui.sync_controller import SyncController

    household(ctx, days=30)
    monkeypatch.setattr(SyncController, "first_auto_ms", 50)
    before = len(ctx.store.sync_runs("c1"))
    win = make_window(qtbot, ctx, browser)
    with qtbot.waitSignal(win.sync.finished, timeout=30_000):
        pass  # nobody pressed F5
    runs = ctx.store.sync_runs("c1")
    assert len(runs) == before + 1 and runs[0].details.get("unattended") is True
    assert win.sync.auto_timer.interval() == SyncController.every_auto_ms  # and again in a few hours

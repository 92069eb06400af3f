"""GUI fixtures: fresh objects per test over a real cache and the real sandbox."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop_app.core.app import create_app
from desktop_app.core.models import Account, BalanceKind, BalanceSnapshot, Connection, ConnectionStatus, Transaction
from desktop_app.core.money import Money, NumberFormat
from desktop_app.core.oauth.tokens import TokenSet
from desktop_app.core.vault import Vault
from desktop_app.gui.accounts_pane import SCOPE_ROLE
from desktop_app.gui.context import AppContext
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.table import TransactionsModel
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.window import MainWindow
from saldo_sandbox.app import Sandbox
from tests.cachekeys import memory_keys
from tests.e2e.browser import consent
from tests.factories import tx

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def screenshot(widget: object, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert widget.grab().save(str(path))  # type: ignore[attr-defined]
    return path


class FakeBrowser:
    """Stands in for QDesktopServices: remembers the URL and, when told, approves or denies."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return True

    def act(self, decision: str = "approve") -> None:
        thread = threading.Thread(target=consent, args=(self.urls[-1],), kwargs={"decision": decision}, daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=20)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=4, transactions=1200) as sb:
        yield sb


@pytest.fixture
def ctx(tmp_path: Path, sandbox: Sandbox) -> Iterator[AppContext]:
    tasks = TaskRunner()
    with (
        httpx2.Client(timeout=10) as http,
        create_app(
            tmp_path, vault=Vault(None, session_only=True), http=http, demo_bank_url=sandbox.url, keys=memory_keys()
        ) as app,
    ):
        yield AppContext(app=app, tasks=tasks, numbers=NumberFormat.named("en_GB"))
        tasks.shutdown()


@pytest.fixture
def browser() -> Iterator[FakeBrowser]:
    fake = FakeBrowser()
    yield fake
    fake.join()


def make_window(qtbot: object, ctx: AppContext, browser: FakeBrowser) -> MainWindow:
    """A window over `ctx` in the en_GB locale, shown and registered with qtbot."""
    win = MainWindow(ctx, browser, fmt=Formatter.named("en_GB"))
    qtbot.addWidget(win)  # type: ignore[attr-defined]
    win.show()
    return win


@pytest.fixture
def window(qtbot: object, ctx: AppContext, browser: FakeBrowser) -> MainWindow:
    win = MainWindow(ctx, browser, fmt=Formatter.named("en_GB"))
    qtbot.addWidget(win)  # type: ignore[attr-defined]
    win.show()
    qtbot.waitUntil(lambda: win.ctx.tasks.running == 0)  # type: ignore[attr-defined]
    return win


def tree_rows(win: MainWindow) -> list[tuple[str, str, object]]:
    """The account tree flattened: (name, balance or badges, scope) for every row, heads first."""
    model = win.tree_model
    rows = []
    for group in range(model.rowCount()):
        head = model.index(group, 0)
        rows.append((head.data(), model.index(group, 1).data() or "", head.data(SCOPE_ROLE)))
        for row in range(model.rowCount(head)):
            child = model.index(row, 0, head)
            rows.append((child.data(), model.index(row, 1, head).data(), child.data(SCOPE_ROLE)))
    return rows


def release_modifiers(qtbot: object, widget: object) -> None:
    """QTest leaves Shift held after a click with Ctrl+Shift: later key presses in the run would
    carry it (Delete becoming Shift+Delete). Release both, as a person's fingers would."""
    for key in (Qt.Key.Key_Shift, Qt.Key.Key_Control):
        qtbot.keyRelease(widget, key)  # type: ignore[attr-defined]


def idle(qtbot: object, win: MainWindow) -> None:
    """Wait until every background read has landed and the charts exist."""
    qtbot.waitUntil(  # type: ignore[attr-defined]
        lambda: not win.search_timer.isActive() and win.ops.runner.running == 0 and not win.model.busy, timeout=20_000
    )
    qtbot.waitUntil(lambda: win.chart is not None, timeout=10_000)  # type: ignore[attr-defined]


def read_rows(qtbot: object, model: TransactionsModel, rows: range | list[int]) -> list[Transaction]:
    """The transactions on `rows`, waiting for their blocks to be read (as scrolling there would)."""
    qtbot.waitUntil(lambda: all(model.transaction(r) is not None for r in rows), timeout=20_000)  # type: ignore[attr-defined]
    return [t for t in map(model.transaction, rows) if t is not None]


def dark_palette() -> QPalette:
    """A dark palette like a desktop's dark mode (offscreen Qt has no system theme to follow)."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#353535",
        QPalette.ColorRole.WindowText: "#ecf1ee",
        QPalette.ColorRole.Base: "#2a2a2a",
        QPalette.ColorRole.AlternateBase: "#323232",
        QPalette.ColorRole.Text: "#ecf1ee",
        QPalette.ColorRole.Button: "#3c3c3c",
        QPalette.ColorRole.ButtonText: "#ecf1ee",
        QPalette.ColorRole.Highlight: "#2f6f9f",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2a2a2a",
        QPalette.ColorRole.ToolTipText: "#ecf1ee",
        QPalette.ColorRole.PlaceholderText: "#a0a8a4",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture(params=["light", "dark"])
def theme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """Run a test in the light and in the dark palette."""
    before = qapp.palette()
    if request.param == "dark":
        qapp.setPalette(dark_palette())
    yield request.param
    qapp.setPalette(before)


def household(ctx: AppContext, days: int = 500) -> dict[str, int]:
    """Two connections, three accounts in EUR and SEK, `days` of history ending yesterday.

    The Demo Bank connection has tokens in the vault; the Aiia one needs a new consent.
    """
    store = ctx.store
    ctx.vault.save_tokens("c1", TokenSet(access_token="demo-access", expires_at=time.time() + 3600))
    now = datetime.now(UTC)
    store.save_connection(Connection(id="c1", provider="demo", label="Demo Bank", created_at=now, last_synced_at=now))
    store.save_connection(
        Connection(
            id="c2",
            provider="aiia",
            label="Aiia",
            status=ConnectionStatus.NEEDS_RECONSENT,
            created_at=now + timedelta(seconds=1),
        )
    )
    made = store.save_accounts(
        [
            Account(connection_id="c1", provider_account_id="e", name="Everyday account", currency="EUR"),
            Account(connection_id="c1", provider_account_id="s", name="Savings", currency="EUR"),
            Account(connection_id="c2", provider_account_id="k", name="Lønkonto", currency="SEK"),
        ]
    )
    ids = {a.name: a.id for a in made if a.id is not None}
    first = date.today() - timedelta(days=days)
    rows = []
    for n in range(days):
        day = first + timedelta(days=n)
        if day.day == 25:
            rows.append(tx(ids["Everyday account"], n, "2480.00", day, description="Salary", counterparty="ACME A/S"))
        rows.append(tx(ids["Everyday account"], 10_000 + n, f"-{12 + n % 40}.{n % 100:02d}", day, counterparty="Netto"))
        if n % 30 == 0:
            rows.append(tx(ids["Savings"], 20_000 + n, "250.00", day, description="Transfer", counterparty=None))
        rows.append(tx(ids["Lønkonto"], 30_000 + n, f"-{80 + n % 17}.50", day, currency="SEK", counterparty="ICA"))
    store.upsert_transactions(rows)
    for name, amount, currency in (
        ("Everyday account", "8412.55", "EUR"),
        ("Savings", "40112.00", "EUR"),
        ("Lønkonto", "8201.10", "SEK"),
    ):
        store.add_balance(BalanceSnapshot(ids[name], BalanceKind.BOOKED, Money(Decimal(amount), currency), now))
    return ids


@pytest.fixture(autouse=True)
def collection_on_this_thread() -> Iterator[None]:
    """As in the app (``GuiCollector``): no worker or sandbox thread runs the cyclic collector
    during a GUI test, and what the test left is collected here, on the GUI thread, at its end.
    (A sandbox thread that collected an earlier test's dialogs hung CI: PySide6 deadlocks when
    a Qt object is freed off the GUI thread while that thread makes a connection.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if enabled:
            gc.enable()


@pytest.fixture(autouse=True)
def no_automatic_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows in tests sync only when a test says so (test_states checks the automatic sync)."""
    from desktop_app.gui.sync_controller import SyncController

    monkeypatch.setattr(SyncController, "first_auto_ms", 10**9)

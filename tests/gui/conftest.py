"""GUI fixtures: fresh objects per test over a real cache and the real sandbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.models import Transaction
from desktop_app.core.money import NumberFormat
from desktop_app.core.store import Store
from desktop_app.core.vault import Vault
from desktop_app.gui.accounts_pane import SCOPE_ROLE
from desktop_app.gui.context import AppContext
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.table import TransactionsModel
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.window import MainWindow
from desktop_app.sandbox.app import Sandbox
from tests.e2e.browser import consent

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
    store = Store.open(tmp_path / "saldo.db")
    tasks = TaskRunner()
    with httpx2.Client(timeout=10) as http:
        context = AppContext(
            data_dir=tmp_path,
            store=store,
            vault=Vault(None, session_only=True),
            http=http,
            tasks=tasks,
            numbers=NumberFormat.named("en_GB"),
            sandbox_url=sandbox.url,
        )
        yield context
        tasks.shutdown()
    store.close()


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

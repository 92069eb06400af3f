"""GUI fixtures: fresh objects per test over a real cache and the real sandbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.app import create_app
from desktop_app.core.money import NumberFormat
from desktop_app.core.vault import Vault
from desktop_app.gui.context import AppContext
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.window import MainWindow
from saldo_sandbox.app import Sandbox
from tests.cachekeys import memory_keys
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


@pytest.fixture
def window(qtbot: object, ctx: AppContext, browser: FakeBrowser) -> MainWindow:
    win = MainWindow(ctx, browser)
    qtbot.addWidget(win)  # type: ignore[attr-defined]
    win.show()
    qtbot.waitUntil(lambda: win.ctx.tasks.running == 0)  # type: ignore[attr-defined]
    return win

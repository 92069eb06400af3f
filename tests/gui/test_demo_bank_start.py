"""The app starts the product Demo Bank on a worker, with its state in the app's data folder."""

from __future__ import annotations

import httpx2
from pytestqt.qtbot import QtBot

from desktop_app.demo_bank import STATE_FILE
from desktop_app.gui.app import DemoBank
from desktop_app.gui.context import AppContext


def test_the_app_starts_the_demo_bank_in_its_data_folder(qtbot: QtBot, ctx: AppContext) -> None:
    demo = DemoBank(ctx.app, ctx.tasks)
    demo.start()
    try:
        qtbot.waitUntil(lambda: demo.bank is not None, timeout=20_000)
        url = ctx.connector.demo_bank_url
        assert url and url.startswith("http://127.0.0.1:") and demo.bank is not None and demo.bank.url == url
        assert (ctx.data_dir / STATE_FILE).is_file()
        assert httpx2.get(f"{url}/_admin/state", timeout=5).status_code == 404  # the product's, not the simulator
    finally:
        demo.stop()

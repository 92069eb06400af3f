"""window.json: any damaged or foreign content is ignored with a warning; saving is atomic and private."""

from __future__ import annotations

import base64
import json
import logging
import stat

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.gui.context import AppContext
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import FakeBrowser

BAD_STATES = [
    b'{"geometry": "AdnQywAD',  # truncated
    b"\x00\x00\x00\x00",
    b"[1, 2, 3]",
    b'{"geometry": 12, "splitter": null}',
    b'{"geometry": "not base64 at all!", "splitter": "%%%"}',
    json.dumps({"geometry": base64.b64encode(b"garbage").decode(), "dock": "x"}).encode(),
    b"[" * 100_000,
]


@pytest.mark.parametrize("content", BAD_STATES, ids=range(len(BAD_STATES)))
def test_a_bad_window_state_is_ignored_with_a_warning(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    (ctx.data_dir / "window.json").write_bytes(content)
    with caplog.at_level(logging.WARNING):
        win = MainWindow(ctx, browser)
    qtbot.addWidget(win)
    assert "window.json" in caplog.text
    win.save_state()  # and the next save repairs it
    assert set(json.loads((ctx.data_dir / "window.json").read_text())) == {"geometry", "splitter", "right"}


def test_window_state_round_trips_and_is_private(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser) -> None:
    path = ctx.data_dir / "window.json"
    path.write_text("{}")
    path.chmod(0o644)
    win = MainWindow(ctx, browser)
    qtbot.addWidget(win)
    win.show()
    win.resize(790, 580)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == (790, 580))
    win.save_state()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in ctx.data_dir.iterdir() if p.name.startswith(".window.json")] == []
    again = MainWindow(ctx, browser)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: (again.width(), again.height()) == (790, 580))

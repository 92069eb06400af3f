"""The libxcb-cursor check that runs before Qt loads its platform plugin."""

from __future__ import annotations

import sys

import pytest

from desktop_app.core.errors import SaldoError
from desktop_app.gui.platform_check import XCB_CURSOR, check_display_libraries

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux's")


def missing(name: str) -> object:
    raise OSError(f"{name}: cannot open shared object file")


def test_missing_library_is_one_sentence_that_says_what_to_install() -> None:
    with pytest.raises(SaldoError) as info:
        check_display_libraries({"DISPLAY": ":0"}, load=missing)
    text = str(info.value)
    assert XCB_CURSOR in text and "apt install libxcb-cursor0" in text and "\n" not in text


@pytest.mark.parametrize(
    ("env", "wayland_plugin"),
    [
        ({"QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "wayland"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, True),  # Qt will use its Wayland plugin
    ],
)
def test_no_check_when_xcb_is_not_going_to_be_loaded(env: dict[str, str], wayland_plugin: bool) -> None:
    check_display_libraries(env, load=missing, wayland_plugin=wayland_plugin)


@pytest.mark.parametrize(
    "env",
    [{"QT_QPA_PLATFORM": "xcb"}, {"QT_QPA_PLATFORM": "xcb:dpi=96"}, {"WAYLAND_DISPLAY": "wayland-0"}],
)
def test_checked_when_xcb_will_be_loaded(env: dict[str, str]) -> None:
    with pytest.raises(SaldoError):
        check_display_libraries(env, load=missing, wayland_plugin=False)  # a bundle without Wayland plugins


def test_present_library_passes() -> None:
    loaded: list[str] = []
    check_display_libraries({"QT_QPA_PLATFORM": "xcb"}, load=loaded.append)
    assert loaded == [XCB_CURSOR]

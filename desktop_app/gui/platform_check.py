"""Before Qt opens a window on Linux: is the one X11 library Qt's xcb plugin needs, and many
desktops lack, present?

Since Qt 6.5 the xcb platform plugin needs ``libxcb-cursor.so.0``. Without it Qt aborts with a
plugin error that does not name the package to install. The bundle ships the library; a
pip-installed Saldo relies on the system's, so this check turns its absence into one sentence
that says what to install.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from desktop_app.core.errors import SaldoError

XCB_CURSOR = "libxcb-cursor.so.0"
INSTALL_HINT = (
    "Debian/Ubuntu: sudo apt install libxcb-cursor0; Fedora: sudo dnf install xcb-util-cursor; "
    "Arch: sudo pacman -S xcb-util-cursor"
)


def check_display_libraries(
    env: Mapping[str, str] = os.environ,
    load: Callable[[str], object] = ctypes.CDLL,
    wayland_plugin: bool | None = None,
) -> None:
    """Raise SaldoError when Qt would pick the xcb plugin and libxcb-cursor cannot be loaded."""
    if not sys.platform.startswith("linux"):
        return
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if platform and platform != "xcb":
        return  # offscreen, wayland, vnc…: xcb is not loaded at all
    if not platform and env.get("WAYLAND_DISPLAY"):
        if wayland_plugin is None:
            wayland_plugin = _has_wayland_plugin()
        if wayland_plugin:
            return  # Qt prefers Wayland when it can
    try:
        load(XCB_CURSOR)
    except OSError:
        raise SaldoError(
            f"Saldo cannot open its window: the system library {XCB_CURSOR} is missing. "
            f"Install it ({INSTALL_HINT}) and start Saldo again."
        ) from None


def _has_wayland_plugin() -> bool:
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    return any(plugins.glob("libqwayland*"))

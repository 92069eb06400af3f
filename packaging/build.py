"""Build the bundle for this OS into dist/: render the icon, then run PyInstaller on the spec."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bundle"


def render_icon() -> None:
    """Render resources/icons/saldo.svg to PNG (and ICO/ICNS where the OS wants them)."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(ROOT / "resources/icons/saldo.svg"))
    image = QImage(QSize(512, 512), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    BUILD.mkdir(parents=True, exist_ok=True)
    image.save(str(BUILD / "saldo.png"))
    if sys.platform == "win32":
        image.scaled(256, 256).save(str(BUILD / "saldo.ico"))
    del app


def main() -> int:
    # Every build step that touches Qt (the icon here, PyInstaller's PySide6 hooks in their own
    # processes) renders offscreen: a build machine has no display, and a QT_QPA_PLATFORM=xcb
    # left in the environment would make Qt abort the build.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    render_icon()
    env = {**os.environ, "SALDO_BUILD_DIR": str(BUILD)}
    return subprocess.call(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(ROOT / "dist"),
            "--workpath",
            str(BUILD / "work"),
            str(ROOT / "packaging/saldo.spec"),
        ],
        env=env,
        cwd=ROOT,
    )


if __name__ == "__main__":
    sys.exit(main())

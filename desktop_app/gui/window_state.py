"""The window's geometry and pane sizes, kept as JSON beside the database (never pickled)."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

from PySide6.QtWidgets import QMainWindow, QSplitter

log = logging.getLogger(__name__)


class WindowState:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "window.json"

    def restore(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            window.restoreGeometry(base64.b64decode(data["geometry"]))
            for name, splitter in splitters.items():
                if name in data:
                    splitter.restoreState(base64.b64decode(data[name]))
        except (OSError, ValueError, KeyError):
            return

    def save(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
        data = {"geometry": base64.b64encode(bytes(window.saveGeometry().data())).decode()}
        for name, splitter in splitters.items():
            data[name] = base64.b64encode(bytes(splitter.saveState().data())).decode()
        try:
            self.path.write_text(json.dumps(data), encoding="utf-8")
        except OSError as exc:
            log.warning("could not save the window state: %s", exc)

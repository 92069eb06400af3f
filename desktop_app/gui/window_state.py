"""The window's geometry and pane sizes, kept as JSON beside the database (never pickled).

Read defensively (a damaged or foreign file is ignored with a warning) and written atomically,
private to the person (see ``core.sidefiles``).
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from PySide6.QtWidgets import QMainWindow, QSplitter

from desktop_app.core.sidefiles import read_json, write_json

log = logging.getLogger(__name__)


class WindowState:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "window.json"

    def restore(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
        data = read_json(self.path, {"geometry": str, **dict.fromkeys(splitters, str)})
        targets = {"geometry": window.restoreGeometry, **{n: s.restoreState for n, s in splitters.items()}}
        for name, restore in targets.items():
            if name not in data:
                continue
            try:
                state = base64.b64decode(data[name], validate=True)
            except ValueError:
                log.warning("window.json: ignoring %s, which is not base64", name)
                continue
            if not restore(state):
                log.warning("window.json: ignoring %s, which Qt could not restore", name)

    def save(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
        data = {"geometry": base64.b64encode(bytes(window.saveGeometry().data())).decode()}
        for name, splitter in splitters.items():
            data[name] = base64.b64encode(bytes(splitter.saveState().data())).decode()
        try:
            write_json(self.path, data)
        except OSError as exc:
            log.warning("could not save the window state: %s", exc)

"""Statement files into the window: File → Import… and files dropped on it open the import dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.gui.operations import EVERYTHING


class StatementDrops:
    """Mixed into the main window, which provides `ctx` and `ops`."""

    ctx: Any
    ops: Any

    def import_statements(self, paths: list[Path] | None = None) -> None:
        from desktop_app.gui.import_dialog import open_import  # loaded on first use

        self.import_dialog = open_import(self, self.ctx, paths, lambda *_: self.ops.changed.emit(EVERYTHING))

    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        self.import_statements([Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()])

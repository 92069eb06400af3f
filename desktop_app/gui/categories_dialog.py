"""Edit → Categories…: the two-level category tree, edited.

New, rename, move (under another top-level category, or to the top) and delete. Deleting asks
where the category's transactions, splits, budgets and rules go: into another category (a
merge) or back to uncategorised; Cancel is the default. The core checks every change and its
reason for refusing one is shown here.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.categories import Category
from desktop_app.gui import editor_parts as parts
from desktop_app.gui import operations as ops_
from desktop_app.gui import shaping_ops as shaping
from desktop_app.gui.operations import Change, MutationOp, Operations, QueryOp

KIND_WORDS = {"expense": "spending", "income": "income", "transfer": "transfer"}
ID_ROLE = Qt.ItemDataRole.UserRole


class CategoriesDialog(QDialog):
    def __init__(self, ops: Operations, parent: QWidget) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle("Categories")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.categories: list[Category] = []
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Categories")
        self.tree.setHeaderLabels(("Category", "Counts as"))
        self.tree.itemActivated.connect(lambda _item, _column: self.rename())
        self.tree.itemSelectionChanged.connect(self._update)
        self.new_button = parts.button("&New…", self.add)
        self.rename_button = parts.button("&Rename…", self.rename)
        self.move_button = parts.button("&Move…", self.move_to)
        self.delete_button = parts.button("&Delete…", self.delete)
        side = [self.new_button, self.rename_button, self.move_button, self.delete_button]
        self.status = parts.frame(self, self.tree, side)
        self.resize(560, 560)

    def refresh(self, select: int | None = None) -> None:
        def show(found: list[Category]) -> None:
            self.categories = found
            self.tree.clear()
            items: dict[int, QTreeWidgetItem] = {}
            for c in sorted(found, key=lambda c: (c.parent_id is not None, c.position, c.name)):
                parent = items.get(c.parent_id) if c.parent_id is not None else None
                item = QTreeWidgetItem([c.name, KIND_WORDS.get(c.kind, c.kind)])
                item.setData(0, ID_ROLE, c.id)
                if parent is not None:
                    parent.addChild(item)
                else:
                    self.tree.addTopLevelItem(item)
                items[c.id] = item
            self.tree.expandAll()
            self.tree.resizeColumnToContents(0)
            chosen = items.get(select) if select is not None else self.tree.topLevelItem(0)
            if chosen is not None:
                self.tree.setCurrentItem(chosen)
            self._update()

        QueryOp(self.ops, parent=self, op=shaping.category_choices, success=show).run()

    def current(self) -> Category | None:
        item = self.tree.currentItem()
        wanted = item.data(0, ID_ROLE) if item is not None else None
        return next((c for c in self.categories if c.id == wanted), None)

    def _update(self) -> None:
        chosen = self.current() is not None
        for button in (self.rename_button, self.move_button, self.delete_button):
            button.setEnabled(chosen)

    def _run(self, what: str, args: tuple[object, ...], said: str, select: int | None = None) -> None:
        def done(result: object) -> None:
            self.status.setStyleSheet("")
            self.status.setText(said)
            self.refresh(select=getattr(result, "id", select))

        def refused(exc: BaseException) -> None:
            self.status.setStyleSheet(parts.error_style())
            self.status.setText(ops_.user_message(exc))

        MutationOp(
            self.ops,
            parent=self,
            op=lambda app: shaping.edit_category(app, what, *args),
            changes=frozenset({Change.TRANSACTIONS}),
            success=done,
        ).failure(refused).run()

    def ask_text(self, title: str, label: str, value: str = "") -> str | None:
        """Blocks on a one-line question (what tests replace); None when cancelled."""
        return parts.ask_text(self, title, label, value)

    def ask_choice(
        self, title: str, label: str, choices: Sequence[tuple[str, int | None]], safe: bool
    ) -> tuple[bool, int | None]:
        """Blocks on a choice from a list (what tests replace): (accepted, the chosen value)."""
        dialog = QDialog(self)
        dialog.setWindowTitle(title)
        box = QComboBox()
        box.setAccessibleName(label)
        for text, value in choices:
            box.addItem(text, value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        if safe:  # a destructive choice: Enter must not confirm it
            buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(label, wordWrap=True))
        layout.addWidget(box)
        layout.addWidget(buttons)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return accepted, box.currentData()

    def add(self) -> None:
        chosen = self.current()
        top = chosen.parent_id or chosen.id if chosen else None
        under = next((c for c in self.categories if c.id == top), None)
        where = f"under {under.name}" if under else "at the top"
        name = self.ask_text("New category", f"Name of the new category {where}:")
        if name is not None:
            self._run("add", (name, top), f"Added “{name.strip()}” {where}.")

    def rename(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        name = self.ask_text("Rename category", f"New name for “{chosen.path}”:", chosen.name)
        if name is not None:
            self._run("rename", (chosen.id, name), f"Renamed to “{name.strip()}”.")

    def move_to(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        tops = [("(the top level)", None)] + [
            (c.name, c.id) for c in self.categories if c.parent_id is None and c.id != chosen.id
        ]
        ok, parent = self.ask_choice("Move category", f"Put “{chosen.path}” under:", tops, safe=False)
        if ok:
            self._run("move", (chosen.id, parent), f"Moved “{chosen.name}”.", select=chosen.id)

    def delete(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        targets = [("Nowhere: leave them uncategorised", None)] + [
            (c.path, c.id) for c in sorted(self.categories, key=lambda c: c.path) if c.id != chosen.id
        ]
        ok, target = self.ask_choice(
            "Delete category",
            f"Delete “{chosen.path}”. Where do its transactions, budgets and rules go?",
            targets,
            safe=True,
        )
        if ok:
            to = next((c.path for c in self.categories if c.id == target), "uncategorised")
            self._run("delete", (chosen.id, target), f"Deleted “{chosen.path}”; its transactions went to {to}.")

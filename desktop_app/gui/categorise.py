"""Putting transactions in a category by hand (Edit → Categorise…), and the rule it may suggest.

The picker lists the two-level category tree under a filter field: type a few letters, Enter
takes the first match. Besides the categories it offers "No category" (a choice rules will
respect) and "Let the rules decide" (forget the hand-made choice). A hand-made category beats
every rule and survives re-sync and re-import (core.categories). When the same counterparty has
been put in the same category by hand twice, Saldo offers to make that a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.categories import Category, RuleSuggestion
from desktop_app.core.models import Transaction
from desktop_app.gui import shaping_ops as shaping
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import Change, MutationOp, Operations, QueryOp


@dataclass(frozen=True)
class Pick:
    """The picker's answer: a category id, no category (None), or back to the rules."""

    category_id: int | None
    to_rules: bool = False
    label: str = ""


RULES = Pick(None, to_rules=True, label="Let the rules decide")
NONE = Pick(None, label="No category")


class CategoryPicker(QDialog):
    """A filterable list of categories; `pick` holds the answer after Accepted."""

    def __init__(self, choices: Sequence[Category], what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Categorise")
        self.pick: Pick | None = None
        self._picks: list[Pick] = [RULES, NONE] + [
            Pick(c.id, label=c.path) for c in sorted(choices, key=lambda c: c.path.casefold())
        ]
        heading = QLabel(f"Category for {what}:")
        heading.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type to find a category")
        self.search.setAccessibleName("Find a category")
        self.search.setClearButtonEnabled(True)
        heading.setBuddy(self.search)
        self.list = QListWidget()
        self.list.setAccessibleName("Categories")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Categorise")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._accept)
        self.list.itemActivated.connect(lambda _item: self._accept())
        self.list.currentRowChanged.connect(lambda row: self.ok.setEnabled(row >= 0))
        self.search.installEventFilter(self)
        self.resize(380, 460)
        self._filter("")
        self.search.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up and Down in the filter field move through the list: the keyboard never has to leave it
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._step(1 if event.key() == Qt.Key.Key_Down else -1)
                return True
        return super().eventFilter(watched, event)

    def _step(self, step: int) -> None:
        rows = self.list.count()
        if rows:
            current = self.list.currentRow()
            self.list.setCurrentRow(0 if current < 0 else max(0, min(current + step, rows - 1)))

    def _filter(self, text: str) -> None:
        wanted = text.strip().casefold()
        self.list.clear()
        for pick in self._picks:
            if wanted and wanted not in pick.label.casefold():
                continue
            item = QListWidgetItem(pick.label)
            item.setData(Qt.ItemDataRole.UserRole, pick)
            if pick.to_rules or (pick.category_id is None):
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
            self.list.addItem(item)
        # with a filter, the first real category is the likely answer; without one, nothing is preselected
        first = next((i for i in range(self.list.count()) if self._pick_at(i).category_id is not None), 0)
        self.list.setCurrentRow(first if wanted and self.list.count() else -1)
        self.ok.setEnabled(self.list.currentRow() >= 0)

    def _pick_at(self, row: int) -> Pick:
        pick = self.list.item(row).data(Qt.ItemDataRole.UserRole)
        assert isinstance(pick, Pick)
        return pick

    def _accept(self) -> None:
        if self.list.currentRow() < 0:
            return
        self.pick = self._pick_at(self.list.currentRow())
        self.accept()


def suggestion_box(parent: QWidget, suggestion: RuleSuggestion, category: str, fmt: Formatter) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Make it a rule?",
        f"You have put {fmt.things(suggestion.count, 'transaction')} from “{suggestion.counterparty}” in "
        f"{category} by hand. Put its future transactions there automatically?",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setInformativeText("A rule never overrides a category you chose yourself.")
    make = box.addButton("Make a &rule", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("&Not now", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(make)
    return box


def _ask(box: QMessageBox) -> bool:
    box.exec()
    return box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.AcceptRole


class Categoriser(QObject):
    """Edit → Categorise…: pick a category for the selected transactions, then maybe make a rule."""

    status = Signal(str)

    def __init__(
        self,
        ops: Operations,
        fmt: Formatter,
        selected: Callable[[], list[Transaction]],
        window: QWidget,
        ask: Callable[[QMessageBox], bool] | None = None,
    ) -> None:
        super().__init__(window)
        self.ops, self.fmt, self.selected, self.window = ops, fmt, selected, window
        self.ask = ask or _ask
        self.picker: CategoryPicker | None = None
        self._names: dict[int, str] = {}

    def categorise_selected(self) -> None:
        chosen = [t for t in self.selected() if t.id is not None]
        if not chosen:
            self.status.emit("Select the transactions to categorise first")
            return
        ids = [t.id for t in chosen if t.id is not None]
        what = self._describe(chosen)
        QueryOp(
            self.ops, parent=self.window, op=shaping.category_choices, success=lambda c: self._open(c, ids, what)
        ).run()

    def _describe(self, chosen: list[Transaction]) -> str:
        if len(chosen) > 1:
            return self.fmt.things(len(chosen), "transaction")
        t = chosen[0]
        return f"“{t.counterparty or t.description or 'transaction'}” ({self.fmt.money(t.amount)})"

    def _open(self, choices: list[Category], ids: list[int], what: str) -> None:
        self._names = {c.id: c.path for c in choices}
        self.picker = CategoryPicker(choices, what, self.window)
        self.picker.accepted.connect(lambda: self._picked(ids))
        self.picker.open()

    def _picked(self, ids: list[int]) -> None:
        assert self.picker is not None
        pick = self.picker.pick
        if pick is None:
            return
        count = self.fmt.things(len(ids), "transaction")
        done = f"{count}: {pick.label}" if not pick.to_rules else f"{count} back to the rules"
        MutationOp(
            self.ops,
            parent=self.window,
            op=lambda app: shaping.categorise(app, ids, pick.category_id, pick.to_rules),
            changes=frozenset({Change.TRANSACTIONS}),
            success=lambda found: self._done(done, found),
        ).run()

    def _done(self, message: str, suggestions: list[RuleSuggestion]) -> None:
        self.status.emit(message)
        for suggestion in suggestions:
            name = self._names.get(suggestion.category_id, "that category")
            if not self.ask(suggestion_box(self.window, suggestion, name, self.fmt)):
                continue
            self._make_rule(suggestion, name)

    def _make_rule(self, suggestion: RuleSuggestion, name: str) -> None:
        def made(_rule: object) -> None:
            self.status.emit(f"New rule: “{suggestion.counterparty}” goes to {name}")

        MutationOp(
            self.ops,
            parent=self.window,
            op=lambda app: shaping.add_counterparty_rule(app, suggestion.counterparty, suggestion.category_id),
            changes=frozenset({Change.TRANSACTIONS}),
            success=made,
        ).run()

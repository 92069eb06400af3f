"""Edit → Rules…: the categorisation rules in running order, edited, moved, and applied to what is there.

Rules run on every new transaction from sync and import (core.rules_engine); the first rule
that sets a field wins, so order matters and the list shows it. "Apply to existing…" first
counts, on a worker, how many transactions would change, says so, and only then writes (with
progress and Cancel). A category chosen by hand is never touched by a rule.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QWidget,
)

from desktop_app.core.categories import Category
from desktop_app.core.errors import MoneyError
from desktop_app.core.rules import Rule
from desktop_app.gui import editor_parts as parts
from desktop_app.gui import operations as ops_
from desktop_app.gui import shaping_ops as shaping
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import Change, MutationOp, Operations, QueryOp
from desktop_app.gui.rule_form import RuleForm, describe
from desktop_app.gui.tasks import TaskContext


class RulesDialog(QDialog):
    def __init__(self, ops: Operations, fmt: Formatter, parent: QWidget) -> None:
        super().__init__(parent)
        self.ops, self.fmt = ops, fmt
        self.setWindowTitle("Rules")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.rules: list[Rule] = []
        self.choices: list[Category] = []
        self.form: RuleForm | None = None
        self.task: TaskContext | None = None
        self.busy = False
        intro = QLabel(
            "Rules sort new transactions from sync and import, top to bottom: for each field the first rule "
            "that sets it wins. A category you chose by hand always stays."
        )
        intro.setWordWrap(True)
        self.table = parts.table(("On", "Name", "When", "Then"), "Rules in running order", stretch=2)
        self.table.itemActivated.connect(lambda _item: self.edit())
        self.table.itemSelectionChanged.connect(self._update)
        self.add_button = parts.button("&Add…", lambda: self.edit(new=True))
        self.edit_button = parts.button("&Edit…", self.edit)
        self.up = parts.button("Move &up", lambda: self.move_by(-1))
        self.down = parts.button("Move do&wn", lambda: self.move_by(1))
        self.delete_button = parts.button("&Delete…", self.delete)
        self.apply_button = parts.button("Apply to &existing…", self.preview)
        self.progress = QProgressBar()
        self.progress.hide()
        self.cancel_button = parts.button("&Cancel", self.cancel)
        self.cancel_button.hide()
        side = [self.add_button, self.edit_button, self.up, self.down, self.delete_button, None, self.apply_button]
        self.status = parts.frame(
            self, self.table, side, above=intro, beside_status=(self.progress, self.cancel_button)
        )
        self.resize(820, 480)

    # -- reading and showing -------------------------------------------------------------

    def refresh(self, select: int | None = None) -> None:
        def show(found: tuple[list[Rule], list[Category]]) -> None:
            self.rules, self.choices = found
            names = {c.id: c.path for c in self.choices}
            parts.fill(
                self.table,
                [("on" if rule.enabled else "off", rule.name, *describe(rule, names, self.fmt)) for rule in self.rules],
            )
            if self.rules:
                at = next((i for i, r in enumerate(self.rules) if r.id == select), 0)
                self.table.selectRow(at)
            self._update()

        QueryOp(self.ops, parent=self, op=shaping.read_rules, success=show).run()

    def current(self) -> Rule | None:
        return parts.selected(self.table, self.rules)

    def _update(self) -> None:
        chosen, busy = self.current(), self.busy
        at = self.rules.index(chosen) if chosen else -1
        self.edit_button.setEnabled(chosen is not None)
        self.delete_button.setEnabled(chosen is not None)
        self.up.setEnabled(at > 0)
        self.down.setEnabled(0 <= at < len(self.rules) - 1)
        self.apply_button.setEnabled(bool(self.rules) and not busy)

    # -- changing rules (none of these touches a transaction until "Apply to existing") --------

    def edit(self, new: bool = False) -> None:
        rule = None if new else self.current()
        if not new and rule is None:
            return
        self.form = RuleForm(rule, self.choices, self.fmt, self)
        self.form.buttons.accepted.connect(self._save)
        self.form.open()

    def _save(self) -> None:
        form = self.form
        assert form is not None
        try:
            rule = form.rule()
        except MoneyError as exc:
            form.problem.setText(str(exc))
            return

        def saved(result: Rule) -> None:
            form.accept()
            self.status.setText("Saved. “Apply to existing…” runs the rules over the transactions already here.")
            self.refresh(select=result.id)

        # a rule shows only here until it is applied: no window-wide refresh
        QueryOp(self.ops, parent=form, op=lambda app: shaping.save_rule(app, rule), success=saved).failure(
            lambda exc: form.problem.setText(ops_.user_message(exc))
        ).run()

    def move_by(self, step: int) -> None:
        rule = self.current()
        if rule is None or rule.id is None:
            return
        rule_id, position = rule.id, self.rules.index(rule) + step
        QueryOp(
            self.ops,
            parent=self,
            op=lambda app: shaping.reorder_rule(app, rule_id, position),
            success=lambda _: self.refresh(select=rule_id),
        ).run()

    def delete(self) -> None:
        rule = self.current()
        if rule is None or rule.id is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Delete rule", f"Delete the rule “{rule.name or '(no name)'}”?")
        box.setParent(self, box.windowFlags())
        box.setInformativeText("Transactions it already sorted keep their category.")
        box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        if self.ask(box):
            rule_id = rule.id
            QueryOp(
                self.ops,
                parent=self,
                op=lambda app: shaping.remove_rule(app, rule_id),
                success=lambda _: self.refresh(),
            ).run()

    def ask(self, box: QMessageBox) -> bool:
        """Blocks on a confirmation (what tests replace)."""
        box.exec()
        return box.buttonRole(box.clickedButton()) in (
            QMessageBox.ButtonRole.DestructiveRole,
            QMessageBox.ButtonRole.AcceptRole,
        )

    # -- apply to existing: count first, then write ----------------------------------------------

    def _running(self, running: bool) -> None:
        self.busy = running
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.progress.setValue(0)
        self._update()

    def _advance(self, value: tuple[int, int]) -> None:
        done, total = value
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _stopped(self, exc: BaseException) -> None:
        self._running(False)
        self.status.setText(ops_.user_message(exc))

    def preview(self) -> None:
        self.status.setText("Counting what the rules would change…")
        self._running(True)
        self.task = (
            QueryOp(self.ops, parent=self, op=shaping.rules_preview, success=self._previewed)
            .failure(self._stopped)
            .with_progress(self._advance)
            .run()
        )

    def _previewed(self, result: Any) -> None:
        self._running(False)
        if not result.changed:
            self.status.setText(f"The rules change none of {self.fmt.things(result.examined, 'transaction')}.")
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Apply rules",
            f"The rules would change {self.fmt.things(result.changed, 'transaction')}. Apply them now?",
        )
        box.setParent(self, box.windowFlags())
        box.setInformativeText("Categories you chose by hand stay as they are.")
        box.addButton("Apply", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        if self.ask(box):
            self.apply()
        else:
            self.status.setText("Nothing was changed.")

    def apply(self) -> None:
        self.status.setText("Applying the rules…")

        def done(found: Any) -> None:
            result, paired = found
            self._running(False)
            self.status.setText(
                f"Changed {self.fmt.things(result.changed, 'transaction')}; "
                f"{self.fmt.things(paired, 'transfer')} paired."
            )

        self._running(True)
        self.task = (
            MutationOp(
                self.ops, parent=self, op=shaping.rules_apply, changes=frozenset({Change.TRANSACTIONS}), success=done
            )
            .failure(self._stopped)
            .with_progress(self._advance)
            .run()
        )

    def cancel(self) -> None:
        if self.task is not None and self.busy:
            self.task.cancel.set()

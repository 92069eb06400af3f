"""The import dialog over a real cache: preview (a dry run), import, CSV mapping, drag and drop."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from desktop_app.gui.context import AppContext
from desktop_app.gui.import_dialog import ImportDialog
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import screenshot
from tests.imports.conftest import FIXTURES


def _dialog(qtbot: QtBot, ctx: AppContext, *paths: Path) -> ImportDialog:
    dialog = ImportDialog(ctx, list(paths))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: ctx.tasks.running == 0 and dialog.model.rowCount() > 0, timeout=10_000)
    return dialog


def _column(dialog: ImportDialog, column: int) -> list[str]:
    return [dialog.model.item(row, column).text() for row in range(dialog.model.rowCount())]


def test_preview_is_a_dry_run_then_import_stores_and_reports(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, ctx, FIXTURES / "sgml_bank.ofx")
    assert _column(dialog, 2)[:2] == ["Corner Cafe & Bakery card 1234", "Landlord"]
    assert set(_column(dialog, 3)) == {"new"}
    assert "would add 3" in dialog.message.text()
    assert ctx.store.count_transactions() == 0  # the preview wrote nothing
    screenshot(dialog, "import-preview")
    with qtbot.waitSignal(dialog.imported, timeout=10_000) as done:
        dialog.import_button.click()
    assert done.args is not None and done.args[0].added == 4
    assert ctx.store.count_transactions() == 4
    assert "added 3, already present 0" in dialog.message.text()
    assert dialog.cancel_button.text() == "Close" and not dialog.import_button.isEnabled()

    copy = tmp_path / "again.ofx"  # other bytes, same entries: every row is marked as a duplicate
    copy.write_bytes((FIXTURES / "sgml_bank.ofx").read_bytes() + b"\n")
    again = _dialog(qtbot, ctx, copy)
    assert set(_column(again, 3)) == {"already present"}
    assert "would add 0, already present 3" in again.message.text()


def test_csv_mapping_is_edited_in_the_dialog_and_errors_show_in_red(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = ImportDialog(ctx, [FIXTURES / "debit_credit_bom.csv"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: ctx.tasks.running == 0 and bool(dialog.message.text()), timeout=10_000)
    assert dialog.csv_box.isVisible()
    assert "no header row with the mapped columns" in dialog.message.text()  # Date, Amount: no Amount column
    assert "b00020" in dialog.message.styleSheet()
    dialog.account.setCurrentIndex(dialog.account.findData(-2))
    dialog.new_name.setText("Current account")
    dialog.currency.setText("gbp")
    fields = dialog.csv_fields
    fields["amount"].setText("")
    fields["debit"].setText("Money out")
    fields["credit"].setText("Money in")
    fields["description"].setText("Details")
    dialog.preview()
    qtbot.waitUntil(lambda: ctx.tasks.running == 0 and dialog.model.rowCount() == 3, timeout=10_000)
    assert _column(dialog, 1) == ["-1,000.00 GBP", "-1,200.00 GBP", "5,000.00 GBP"]
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        dialog.import_button.click()
    (account,) = ctx.store.accounts()
    assert (account.name, account.currency) == ("Current account", "GBP")
    assert ctx.store.count_transactions(account.id) == 3


def test_cancel_without_a_running_import_closes(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = _dialog(qtbot, ctx, FIXTURES / "camt053_v2.xml")
    dialog.cancel_button.click()
    assert not dialog.isVisible()
    assert ctx.store.count_transactions() == 0


def test_dropping_files_on_the_window_opens_the_import(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    dropped = tmp_path / "statement.sta"
    shutil.copy(FIXTURES / "german_gvc.sta", dropped)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    dialog = window.import_dialog
    assert isinstance(dialog, ImportDialog) and dialog.paths == [dropped]
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3, timeout=10_000)
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        dialog.import_button.click()
    qtbot.waitUntil(lambda: window.ctx.tasks.running == 0, timeout=10_000)
    assert window.ctx.store.count_transactions() == 3
    assert window.commands.import_.isEnabled() and window.commands.import_.text() == "&Import statements…"

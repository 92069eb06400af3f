"""Import statement files: choose the account, preview the rows, import with progress and cancel.

Every read of the file and every touch of the cache runs on the task runner; the dialog only
shows what comes back. The preview is a dry run of the real import, so the rows it lists and
the duplicates it marks are exactly what the import will do.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
)

from desktop_app.core.imports.csvfile import PRESETS, CsvMapping
from desktop_app.core.imports.detect import FORMATS
from desktop_app.core.imports.importer import PREVIEW_ENTRIES, ImportResult, Target
from desktop_app.core.imports.qif import DATE_ORDERS
from desktop_app.core.imports.reader import ReadOptions
from desktop_app.core.models import Account
from desktop_app.core.money import Money, format_amount
from desktop_app.gui import operations as ops_
from desktop_app.gui.context import AppContext
from desktop_app.gui.tasks import TaskContext

PREVIEW_ROWS = PREVIEW_ENTRIES  # rows of the preview table
_AUTO, _NEW = -1, -2
# The mapping fields a person edits in the dialog (the rest keep the preset's values).
_CSV_FIELDS = ("date", "amount", "debit", "credit", "description", "delimiter", "decimal", "date_format", "encoding")


FILE_FILTER = "Bank statements (*.ofx *.qfx *.xml *.sta *.mt940 *.940 *.qif *.csv *.txt);;All files (*)"


def open_import(
    parent: Any, ctx: AppContext, paths: list[Path] | None, on_imported: Callable[[], None]
) -> ImportDialog | None:
    """Show the import dialog for `paths`, asking for files first when there are none."""
    if not paths:
        names, _ = QFileDialog.getOpenFileNames(parent, "Import statements", "", FILE_FILTER)
        paths = [Path(name) for name in names]
    if not paths:
        return None
    dialog = ImportDialog(ctx, paths, parent)
    dialog.imported.connect(lambda _result: on_imported())
    dialog.show()
    return dialog


class ImportDialog(QDialog):
    """One file at a time; `imported` is emitted after each successful import."""

    imported = Signal(object)  # ImportResult

    def __init__(self, ctx: AppContext, paths: list[Path], parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.paths = list(paths)
        self.running: TaskContext | None = None
        self.results: list[ImportResult] = []
        self.setWindowTitle("Import statements")
        self.resize(820, 560)
        self._build()
        self._load_accounts()
        self.preview()

    # -- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.file_label = QLabel()
        layout.addWidget(self.file_label)
        form = QFormLayout()
        self.account = QComboBox()
        self.account.addItem("The account this file was matched to before (or a new one)", _AUTO)
        self.account.addItem("A new account…", _NEW)
        self.new_name, self.currency = QLineEdit(), QLineEdit()
        self.new_name.setPlaceholderText("name of the new account")
        self.currency.setPlaceholderText("currency, e.g. EUR")
        row = QHBoxLayout()
        for widget in (self.account, self.new_name, self.currency):
            row.addWidget(widget)
        form.addRow("Account", row)
        self.format = QComboBox()
        self.format.addItems(["auto", *FORMATS])
        self.date_order = QComboBox()
        self.date_order.addItems(["as the file says", *DATE_ORDERS])
        form.addRow("Format", self.format)
        form.addRow("QIF dates", self.date_order)
        layout.addLayout(form)
        layout.addWidget(self._csv_box())
        self.table = QTableView()
        self.model = QStandardItemModel(0, 4, self)
        self.model.setHorizontalHeaderLabels(["Date", "Amount", "Description", "Status"])
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout.addWidget(self.message)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        buttons = QDialogButtonBox()
        self.preview_button = QPushButton("Preview")
        self.import_button = QPushButton("Import")
        self.cancel_button = QPushButton("Cancel")
        for button, role in (
            (self.preview_button, QDialogButtonBox.ButtonRole.ActionRole),
            (self.import_button, QDialogButtonBox.ButtonRole.AcceptRole),
            (self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole),
        ):
            buttons.addButton(button, role)
        self.preview_button.clicked.connect(self.preview)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(buttons)
        self.account.currentIndexChanged.connect(self._account_changed)
        self._account_changed()
        self._show_file()

    def _csv_box(self) -> QGroupBox:
        self.csv_box = QGroupBox("CSV columns (saved for the account after the import)")
        form = QFormLayout(self.csv_box)
        self.preset = QComboBox()
        self.preset.addItem("custom")
        self.preset.addItems(sorted(PRESETS))
        self.preset.currentTextChanged.connect(self._preset_chosen)
        form.addRow("Preset", self.preset)
        self.csv_fields: dict[str, QLineEdit] = {}
        for name in _CSV_FIELDS:
            edit = QLineEdit()
            self.csv_fields[name] = edit
            form.addRow(name.replace("_", " ").capitalize(), edit)
        self.csv_fields["date"].setText("Date")
        self.csv_fields["amount"].setText("Amount")
        self.csv_fields["decimal"].setText(".")
        self.csv_fields["date_format"].setText("%Y-%m-%d")
        self.csv_fields["encoding"].setText("auto")
        return self.csv_box

    def _show_file(self) -> None:
        if not self.paths:
            self.file_label.setText("")
            self.csv_box.setVisible(False)
            return
        more = f" (and {len(self.paths) - 1} more)" if len(self.paths) > 1 else ""
        self.file_label.setText(f"<b>{self.paths[0].name}</b>{more}")
        self.csv_box.setVisible(self.paths[0].suffix.lower() in (".csv", ".txt"))

    def _account_changed(self) -> None:
        new = self.account.currentData() == _NEW
        self.new_name.setVisible(new)
        self.currency.setVisible(new)

    def _preset_chosen(self, name: str) -> None:
        preset = PRESETS.get(name)
        if preset is None:
            return
        for field, edit in self.csv_fields.items():
            value = getattr(preset, field)
            edit.setText(", ".join(value) if isinstance(value, tuple) else (value or ""))

    # -- what the person chose ---------------------------------------------------------------

    def target(self) -> Target:
        choice = self.account.currentData()
        if choice == _NEW:
            return Target(
                new_name=self.new_name.text().strip() or None, currency=self.currency.text().strip().upper() or None
            )
        return Target(account_id=choice) if isinstance(choice, int) and choice >= 0 else Target()

    def options(self) -> ReadOptions:
        order = self.date_order.currentText()
        return ReadOptions(
            format=self.format.currentText(),
            csv_mapping=self.mapping() if not self.csv_box.isHidden() else None,  # also before show()
            date_order=order if order in DATE_ORDERS else None,
        )

    def mapping(self) -> CsvMapping | None:
        base = PRESETS.get(self.preset.currentText())
        values = {name: edit.text().strip() or None for name, edit in self.csv_fields.items()}
        if not values["date"]:
            return None
        fields: dict[str, Any] = {}
        if base is not None:  # a preset's other settings (currency, markers) stay as they are
            fields = {name: getattr(base, name) for name in base.__dataclass_fields__}
        description = values.pop("description")
        fields.update({k: v for k, v in values.items() if k not in ("decimal", "date_format", "encoding") or v})
        fields["description"] = tuple(p.strip() for p in (description or "").split(",") if p.strip())
        return CsvMapping(**fields)

    # -- work on the runner --------------------------------------------------------------

    def _load_accounts(self) -> None:
        def shown(accounts: list[Account]) -> None:
            for account in accounts:
                self.account.addItem(f"{account.name} ({account.currency})", account.id)

        self.ctx.tasks.run(lambda: ops_.read_accounts(self.ctx), shown, self._failed)

    def preview(self) -> None:
        if not self.paths or self.running is not None:
            return
        path, target, options = self.paths[0], self.target(), self.options()
        self.message.setText("Reading…")
        self.ctx.tasks.run(
            lambda: ops_.import_statement(self.ctx, path, target, options, dry_run=True),
            self._show_preview,
            self._failed,
        )

    def _show_preview(self, result: ImportResult) -> None:
        self.model.removeRows(0, self.model.rowCount())
        shown = 0
        for item in result.accounts:
            for entry, mark in item.preview[: PREVIEW_ROWS - shown]:
                self._add_row(entry.tx.booking_date.isoformat(), entry.tx.amount, entry.tx.description, mark)
                shown += 1
        for column in (0, 1, 3):
            self.table.resizeColumnToContents(column)
        self.message.setStyleSheet("")
        self.message.setText(_summary(result, preview=True))

    def _add_row(self, day: str, amount: Money, text: str, mark: str) -> None:
        status = "new" if mark == "new" else "already present"
        cells = [
            QStandardItem(day),
            QStandardItem(f"{format_amount(amount, self.ctx.numbers)} {amount.currency}"),
            QStandardItem(text),
            QStandardItem(status),
        ]
        cells[1].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if mark != "new":
            for cell in cells:
                cell.setForeground(Qt.GlobalColor.gray)
        self.model.appendRow(cells)

    def start_import(self) -> None:
        if not self.paths or self.running is not None:
            return
        path, target, options = self.paths[0], self.target(), self.options()
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.import_button.setEnabled(False)
        self.preview_button.setEnabled(False)
        self.message.setText(f"Importing {path.name}…")

        def work(context: TaskContext) -> ImportResult:
            return ops_.import_statement(
                self.ctx,
                path,
                target,
                options,
                cancel=context.cancel,
                progress=lambda done, total: context.progress((done, total)),
            )

        self.running = self.ctx.tasks.run(work, self._done, self._failed, self._progressed, with_context=True)

    def _progressed(self, value: tuple[int, int]) -> None:
        done, total = value
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def cancel(self) -> None:
        if self.running is not None:
            self.running.cancel.set()  # the import rolls back; _failed reports it
            return
        self.reject()

    def _done(self, result: ImportResult) -> None:
        self.running = None
        self.progress.setVisible(False)
        self.results.append(result)
        self.imported.emit(result)
        self.paths.pop(0)
        self.import_button.setEnabled(bool(self.paths))
        self.preview_button.setEnabled(bool(self.paths))
        self.message.setStyleSheet("")
        self.message.setText(
            _summary(result, preview=False) + ("\nNext file: preview or import." if self.paths else "")
        )
        self.cancel_button.setText("Close")
        self._show_file()
        if self.paths:
            self.preview()

    def _failed(self, exc: BaseException) -> None:
        self.running = None
        self.progress.setVisible(False)
        self.import_button.setEnabled(bool(self.paths))
        self.preview_button.setEnabled(bool(self.paths))
        self.message.setStyleSheet("color: #b00020")
        self.message.setText(str(exc))


def _summary(result: ImportResult, *, preview: bool) -> str:
    verb = "would add" if preview else "added"
    lines = [
        f"{item.account_name}{' (new account)' if item.created else ''}: {verb} {item.added}, "
        f"already present {item.present}"
        for item in result.accounts
    ]
    lines += [f"⚠ {warning}" for warning in result.warnings]
    return "\n".join(lines)

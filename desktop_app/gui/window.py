"""The main window: accounts on the left; balance, monthly in/out and transactions on the right.

The window only arranges views and forwards the person's actions; reading the cache, syncing
and connecting run through the TaskRunner and come back by signal.
"""

from __future__ import annotations

import base64
import csv
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.core.errors import ProviderUnavailable
from desktop_app.core.models import ConnectionStatus, SyncStatus, TransactionStatus
from desktop_app.core.money import Money, format_money
from desktop_app.core.sidefiles import read_json, write_json
from desktop_app.core.store import AccountBalance, MonthTotals
from desktop_app.core.sync import SyncProgress, SyncResult, consent_warning
from desktop_app.gui.context import AppContext
from desktop_app.gui.series import total_series
from desktop_app.gui.table import TransactionsModel
from desktop_app.gui.tasks import TaskContext
from desktop_app.gui.wizard import ConnectWizard

log = logging.getLogger(__name__)
ACCOUNT_ROLE = Qt.ItemDataRole.UserRole + 1
TOTAL_ROLE = Qt.ItemDataRole.UserRole + 2  # a currency: the total of its accounts
PERIODS = (("All time", None), ("Last 30 days", 30), ("Last 3 months", 92), ("Last 12 months", 366))


def badges(connection: Any, syncing: bool, offline: bool) -> list[str]:
    """The short status words shown beside a connection."""
    out = []
    if syncing:
        out.append("⟳ syncing")
    if connection.status is ConnectionStatus.NEEDS_RECONSENT:
        out.append("✖ reconnect")
    else:
        warning = consent_warning(connection)
        if warning:
            out.append("⚠ " + warning.replace("Consent ", "consent ").rstrip("."))
    if connection.one_time:
        out.append("one-time")
    if offline:
        out.append("offline")
    return out


class MainWindow(QMainWindow):
    """Saldo's window. `open_url` opens the consent page (QDesktopServices in the app)."""

    data_loaded = Signal()
    sync_finished = Signal(object)

    def __init__(self, ctx: AppContext, open_url: Callable[[str], object]) -> None:
        super().__init__()
        self.ctx = ctx
        self.open_url = open_url
        self.setWindowTitle(APP_NAME)
        self.resize(1180, 760)
        self.syncing: set[str] = set()
        self.offline_connections: set[str] = set()
        self.sync_task: TaskContext | None = None
        self.selected_account: int | None = None
        self.selected_total: str | None = None  # a currency, when its total is shown instead
        self.accounts: list[AccountBalance] = []
        self.has_connections = False
        self._build()
        self._update_actions()
        self._restore_state()
        self.reload()
        self.note_session_only()

    # -- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.sync_action = QAction("⟳ Sync all", self)
        self.sync_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.sync_action.triggered.connect(self.sync_all)
        toolbar.addAction(self.sync_action)
        self.connect_action = QAction("+ Connect", self)
        self.connect_action.triggered.connect(lambda: self.open_wizard())
        toolbar.addAction(self.connect_action)
        self.export_action = QAction("Export CSV…", self)
        self.export_action.triggered.connect(self.export_csv)
        toolbar.addAction(self.export_action)
        self.import_action = QAction("Import…", self)  # statement files; also by dropping them on the window
        self.import_action.triggered.connect(lambda: self.import_statements())
        toolbar.addAction(self.import_action)
        self.setAcceptDrops(True)
        settings = QAction("Settings", self)
        settings.triggered.connect(self.show_settings)
        toolbar.addAction(settings)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
        toolbar.addWidget(spacer)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search transactions…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        toolbar.addWidget(self.search)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(180)
        self.search_timer.timeout.connect(self._search_now)
        self.search.textChanged.connect(lambda _: self.search_timer.start())

        self.banner = QLabel("")
        self.banner.setStyleSheet("background: #fff4d6; color: #5c4a00; padding: 6px 12px;")
        self.banner.setVisible(False)

        # left: connections and accounts
        self.tree_model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.clicked.connect(self._account_clicked)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._connection_menu)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.tree)

        # right: charts, filters, table
        # The charts need pyqtgraph and numpy (~0.2 s to import): they are built right after
        # the first paint, so the window shows the cached accounts and table at once.
        self.chart: Any = None
        self.monthly: Any = None
        self._pending_series: tuple[str, list[Any]] | None = None
        self._pending_monthly: tuple[list[MonthTotals], str | None] | None = None
        self.chart_slot = QVBoxLayout()
        self.monthly_slot = QVBoxLayout()
        self.installEventFilter(self)
        self.model = TransactionsModel(self.ctx.store, self.ctx.tasks, self.ctx.numbers, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self.table.setColumnWidth(0, 110)
        self.table.setColumnWidth(2, 170)
        delete = QAction("Delete transaction", self.table)
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.triggered.connect(self.delete_selected)
        self.table.addAction(delete)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.status_filter = QComboBox()
        self.status_filter.addItems(["All", "Booked", "Pending"])
        self.direction_filter = QComboBox()
        self.direction_filter.addItems(["In and out", "Money in", "Money out"])
        self.period_filter = QComboBox()
        for label, days in PERIODS:
            self.period_filter.addItem(label, days)
        for combo in (self.status_filter, self.direction_filter, self.period_filter):
            combo.currentIndexChanged.connect(lambda _: self._apply_filters())
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Transactions"))
        filters.addStretch(1)
        filters.addWidget(self.period_filter)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.direction_filter)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addLayout(self.chart_slot, 3)
        right_layout.addWidget(QLabel("In/out by month"))
        right_layout.addLayout(self.monthly_slot, 1)
        right_layout.addLayout(filters)
        right_layout.addWidget(self.table, 4)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([320, 860])
        self.splitter = splitter

        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.banner)
        main_layout.addWidget(splitter)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._welcome())
        self.stack.addWidget(main)
        self.setCentralWidget(self.stack)

        self.status_text = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_sync)
        self.statusBar().addWidget(self.status_text, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)

    def _header_clicked(self, section: int) -> None:
        """Dates sort both ways (the keyset order); other columns keep the date order."""
        if section == 0:
            self.model.toggle_order()
        order = Qt.SortOrder.AscendingOrder if self.model.filter.oldest_first else Qt.SortOrder.DescendingOrder
        self.table.horizontalHeader().setSortIndicator(0, order)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _search_now(self) -> None:
        self.model.set_search(self.search.text())

    def _welcome(self) -> QWidget:
        page = QFrame()
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        title = QLabel(f"<h1>Welcome to {APP_NAME}</h1>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "All your bank accounts in one private place, on this computer, offline too.<br>"
            "Start with the built-in Demo Bank — no bank account or credentials needed."
        )
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.try_demo = QPushButton("Try the Demo Bank")
        self.try_demo.setDefault(True)
        self.try_demo.setMinimumHeight(36)
        self.try_demo.clicked.connect(lambda: self.open_wizard("demo"))
        self.connect_bank = QPushButton("Connect your bank")
        self.connect_bank.setMinimumHeight(36)
        self.connect_bank.clicked.connect(lambda: self.open_wizard())
        buttons.addWidget(self.try_demo)
        buttons.addWidget(self.connect_bank)
        buttons.addStretch(1)
        for widget in (title, text):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(3)
        return page

    # -- data ------------------------------------------------------------------------

    def reload(self) -> None:
        """Read accounts and totals from the cache (off the UI thread) and refresh every view."""
        store = self.ctx.store
        self.ctx.tasks.run(
            lambda: (store.accounts_with_balances(), store.connections()),
            self._show_data,
            lambda exc: self.status_text.setText(f"Could not read the cache: {exc}"),
        )
        self.model.refresh()

    def _show_data(self, result: tuple[list[AccountBalance], list[Any]]) -> None:
        self.accounts, connections = result
        self.stack.setCurrentIndex(1 if connections else 0)
        self.has_connections = bool(connections)
        self._update_actions()
        self.tree_model.clear()
        by_connection: dict[str, list[AccountBalance]] = defaultdict(list)
        for item in self.accounts:
            by_connection[item.connection.id].append(item)
        totals: dict[str, int] = defaultdict(int)
        for connection in connections:
            if connection.status is ConnectionStatus.DISCONNECTED and not by_connection.get(connection.id):
                continue
            words = badges(connection, connection.id in self.syncing, connection.id in self.offline_connections)
            head = QStandardItem(f"{connection.label.upper()}   {'  '.join(words) or '● synced'}")
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            head.setData(connection.id, Qt.ItemDataRole.UserRole)
            self.tree_model.appendRow(head)
            for item in by_connection.get(connection.id, []):
                balance = format_money(item.balance, self.ctx.numbers) if item.balance else "—"
                row = QStandardItem(f"    {item.account.name}   {balance}")
                row.setData(item.account.id, ACCOUNT_ROLE)
                self.tree_model.appendRow(row)
                if item.balance is not None:
                    totals[item.balance.currency] += item.balance.minor_units
        if totals:
            head = QStandardItem("TOTALS")
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            head.setSelectable(False)
            self.tree_model.appendRow(head)
            for currency_code, minor in sorted(totals.items()):
                amount = format_money(Money.from_minor(minor, currency_code), self.ctx.numbers)
                row = QStandardItem(f"    All {currency_code} accounts   {amount}")
                row.setData(currency_code, TOTAL_ROLE)
                self.tree_model.appendRow(row)
        if self.selected_total not in totals:
            self.selected_total = None
        if self.selected_account not in {a.account.id for a in self.accounts}:
            self.selected_account = None
        if self.selected_account is None and self.selected_total is None and self.accounts:
            self.selected_account = self.accounts[0].account.id
        self._mark_selection()
        self._load_chart()
        last = max((c.last_synced_at for c in connections if c.last_synced_at), default=None)
        if last and not self.sync_task:
            self.status_text.setText(f"Last synced {last.astimezone().strftime('%d %b %H:%M')}")
        self.data_loaded.emit()

    def _update_actions(self) -> None:
        """Nothing to sync, export or search before a connection."""
        self.sync_action.setEnabled(self.has_connections)
        self.export_action.setEnabled(self.has_connections)
        self.search.setEnabled(self.has_connections)

    def note_session_only(self) -> None:
        """Say once, quietly, that there is no keyring (Settings says more)."""
        if self.ctx.vault.session_only:
            self.status_text.setText("No system keyring: connections last for this session only (see Settings).")

    def _chart_currency(self) -> str | None:
        if self.selected_total is not None:
            return self.selected_total
        for item in self.accounts:
            if item.account.id == self.selected_account:
                return item.account.currency
        return self.accounts[0].account.currency if self.accounts else None

    def _account_clicked(self, index: QModelIndex) -> None:
        account_id = index.data(ACCOUNT_ROLE)
        currency = index.data(TOTAL_ROLE)
        if account_id is not None:
            self.select_account(int(account_id))
        elif currency is not None:
            self.select_total(str(currency))

    def _mark_selection(self) -> None:
        """Highlight the tree row the chart is about."""
        for row in range(self.tree_model.rowCount()):
            item = self.tree_model.item(row)
            account_id, currency = item.data(ACCOUNT_ROLE), item.data(TOTAL_ROLE)
            if (account_id is not None and account_id == self.selected_account) or (
                currency is not None and currency == self.selected_total
            ):
                self.tree.setCurrentIndex(item.index())
                return

    def select_account(self, account_id: int) -> None:
        self.selected_account, self.selected_total = account_id, None
        self._load_chart()
        self._apply_filters()

    def select_total(self, currency: str) -> None:
        """Chart the total of every account in `currency`; the table shows those accounts."""
        self.selected_account, self.selected_total = None, currency
        self._load_chart()
        self._apply_filters()

    def _selected_accounts(self) -> tuple[int, ...] | None:
        if self.selected_account is not None:
            return (self.selected_account,)
        if self.selected_total is not None:
            return tuple(
                a.account.id
                for a in self.accounts
                if a.account.currency == self.selected_total and a.account.id is not None
            )
        return None

    def _load_chart(self) -> None:
        """Balance and monthly in/out of the selected account (or currency total), read on a worker."""
        accounts = self._selected_accounts()
        currency = self._chart_currency()
        if accounts is None or currency is None:
            self._set_series("Balance", [])
            return
        if self.selected_total is not None:
            title = f"Balance — all {currency} accounts"
        else:
            name = next((a.account.name for a in self.accounts if a.account.id == self.selected_account), "Account")
            title = f"Balance — {name}"
        store = self.ctx.store
        key = (self.selected_account, self.selected_total)

        def read() -> tuple[list[Any], list[MonthTotals]]:
            if len(accounts) == 1:
                series = store.daily_balance_series(accounts[0])
            else:
                series = total_series(store, accounts, currency)
            return series, store.monthly_in_out(accounts)

        def show(result: tuple[list[Any], list[MonthTotals]]) -> None:
            if key != (self.selected_account, self.selected_total):
                return  # the person chose something else meanwhile
            self._set_series(title, result[0])
            self._pending_monthly = (result[1], currency)
            if self.monthly is not None:
                self.monthly.set_totals(result[1], currency)

        self.ctx.tasks.run(read, show, lambda exc: self.status_text.setText(f"Could not draw the chart: {exc}"))

    def _set_series(self, title: str, series: list[Any]) -> None:
        self._pending_series = (title, series)
        if self.chart is not None:
            self.chart.set_series(title, series)

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.Paint and self.chart is None:
            QTimer.singleShot(0, self.ensure_charts)
        return False

    def ensure_charts(self) -> None:
        """Build the charts (once) and show whatever data already arrived."""
        if self.chart is not None:
            return
        from desktop_app.gui.charts import BalanceChart, MonthlyChart

        self.chart = BalanceChart(self.ctx.numbers)
        self.monthly = MonthlyChart()
        self.chart_slot.addWidget(self.chart)
        self.monthly_slot.addWidget(self.monthly)
        if self._pending_series is not None:
            self.chart.set_series(*self._pending_series)
        if self._pending_monthly is not None:
            self.monthly.set_totals(*self._pending_monthly)

    def _apply_filters(self) -> None:
        status = {1: TransactionStatus.BOOKED, 2: TransactionStatus.PENDING}.get(self.status_filter.currentIndex())
        direction = {1: "in", 2: "out"}.get(self.direction_filter.currentIndex())
        accounts = self._selected_accounts()
        days = self.period_filter.currentData()
        since = date.today() - timedelta(days=days) if days else None
        self.model.set_filter(
            replace(self.model.filter, status=status, direction=direction, account_ids=accounts, date_from=since)
        )

    # -- actions ---------------------------------------------------------------------

    def _connection_menu(self, pos: Any) -> None:
        connection_id = self.tree.indexAt(pos).data(Qt.ItemDataRole.UserRole)
        if connection_id is None:
            return
        connection = self.ctx.store.get_connection(str(connection_id))
        menu = QMenu(self)
        menu.addAction("Reconnect…", lambda: self.open_wizard(connection.provider))
        menu.addAction("Disconnect…", lambda: self.disconnect_connection(connection.id))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def disconnect_connection(self, connection_id: str) -> None:
        """Remove the tokens; ask whether the cached accounts and history should stay."""
        answer = QMessageBox.question(
            self,
            "Disconnect",
            "Saldo will forget its access to this provider. Keep the accounts and transactions already "
            "downloaded, to review them offline?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return
        keep = answer == QMessageBox.StandardButton.Yes
        self.ctx.tasks.run(
            lambda: self.ctx.connector.disconnect(connection_id, keep_data=keep),
            lambda _: self.reload(),
            lambda exc: self.status_text.setText(f"Could not disconnect: {exc}"),
        )

    def open_wizard(self, provider_id: str | None = None) -> ConnectWizard:
        wizard = ConnectWizard(self.ctx, self.open_url, self)
        if provider_id:
            wizard.choose(provider_id)
        wizard.connected.connect(lambda _: self.reload())
        wizard.show()
        if provider_id:
            wizard._picked()
        self.wizard = wizard
        return wizard

    def sync_all(self) -> None:
        if self.sync_task is not None:
            return
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.status_text.setText("Syncing…")
        engine = self.ctx.engine
        self.syncing = {c.id for c in self.ctx.store.connections()}
        self.sync_task = self.ctx.tasks.run(
            lambda ctx: engine.sync_all(progress=ctx.progress, cancel=ctx.cancel),
            self._synced,
            self._sync_failed,
            on_progress=self._sync_progress,
            with_context=True,
        )

    def _sync_progress(self, p: SyncProgress) -> None:
        self.status_text.setText(f"Syncing {p.account or ''}: {p.new} new")

    def cancel_sync(self) -> None:
        if self.sync_task is not None:
            self.sync_task.cancel.set()

    def _sync_done(self) -> None:
        self.sync_task = None
        self.syncing = set()
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)

    def _synced(self, results: list[SyncResult]) -> None:
        self._sync_done()
        unreachable = [r for r in results if r.status is SyncStatus.OFFLINE]
        self.offline_connections = {r.connection_id for r in unreachable}
        if unreachable:
            self.show_offline(datetime.now(UTC))
        else:
            self.banner.setVisible(False)
        problems = [r for r in results if not r.ok and r not in unreachable]
        new = sum(r.new for r in results)
        text = f"Synced: {new} new transactions" if results else "Nothing to sync"
        if problems:
            text += " — " + "; ".join(r.error or r.status.value for r in problems)
        self.status_text.setText(text)
        self.sync_finished.emit(results)
        self.reload()

    def _sync_failed(self, exc: BaseException) -> None:
        self._sync_done()
        if isinstance(exc, ProviderUnavailable):
            self.show_offline(datetime.now(UTC))
        self.status_text.setText(f"Sync failed: {exc}")
        self.sync_finished.emit([])

    def show_offline(self, since: datetime) -> None:
        """A quiet banner, not a dialog: the cached data stays usable."""
        cached = max((c.last_synced_at for c in self.ctx.store.connections() if c.last_synced_at), default=None)
        when = f" — showing data cached {cached.astimezone().strftime('%d %b %H:%M')}" if cached else ""
        self.banner.setText(f"Offline: your providers cannot be reached{when}.")
        self.banner.setVisible(True)

    def delete_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows:
            return
        answer = QMessageBox.question(
            self, "Delete transaction", "Delete the selected transaction? A later sync will not bring it back."
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        chosen = [t.id for t in map(self.model.transaction, rows) if t is not None and t.id is not None]
        store = self.ctx.store

        def delete() -> None:
            for transaction_id in chosen:
                store.delete_transaction(transaction_id)  # a tombstone: a later sync skips it

        self.ctx.tasks.run(
            delete,
            lambda _: self.reload(),
            lambda exc: self.status_text.setText(f"Could not delete the transaction: {exc}"),
        )

    def import_statements(self, paths: list[Path] | None = None) -> None:
        from desktop_app.gui.import_dialog import open_import  # loaded on first use

        self.import_dialog = open_import(self, self.ctx, paths, self.reload)

    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        self.import_statements([Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()])

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export transactions", "transactions.csv", "CSV files (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> int:
        """Write the current view (filters and search applied) with exact decimal amounts."""
        count = 0
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["date", "status", "description", "counterparty", "amount", "currency"])
            for t in self.ctx.store.iter_transactions(self.model.filter):
                writer.writerow(
                    [
                        t.booking_date.isoformat(),
                        t.status.value,
                        t.description,
                        t.counterparty or "",
                        str(t.amount.normalized()),
                        t.amount.currency,
                    ]
                )
                count += 1
        self.status_text.setText(f"Exported {count} transactions to {path.name}")
        return count

    def show_settings(self) -> None:
        from desktop_app.gui.settings import SettingsDialog

        SettingsDialog(self.ctx, self).exec()

    # -- window state (JSON, never pickled) ----------------------------------------------

    def _state_path(self) -> Path:
        return self.ctx.data_dir / "window.json"

    def _restore_state(self) -> None:
        data = read_json(self._state_path(), {"geometry": str, "splitter": str})
        for name, restore in (("geometry", self.restoreGeometry), ("splitter", self.splitter.restoreState)):
            try:
                state = base64.b64decode(data[name], validate=True) if name in data else None
            except ValueError:
                log.warning("window.json: ignoring %s, which is not base64", name)
                continue
            if state is not None and not restore(state):
                log.warning("window.json: ignoring %s, which Qt could not restore", name)

    def save_state(self) -> None:
        data = {
            "geometry": base64.b64encode(bytes(self.saveGeometry().data())).decode(),
            "splitter": base64.b64encode(bytes(self.splitter.saveState().data())).decode(),
        }
        try:
            write_json(self._state_path(), data)
        except OSError as exc:
            log.warning("could not save the window state: %s", exc)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_sync()
        self.save_state()
        super().closeEvent(event)

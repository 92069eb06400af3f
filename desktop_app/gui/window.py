"""The main window: arranges the panes and keeps them on one scope.

Accounts on the left; the balance chart and monthly bars over the transactions on the
right. The chosen scope (an account, a connection or a currency total) drives the chart,
the bars and the table, at start-up and on every keyboard move. All data arrives through
background operations; a mutation announces itself and the window reads again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLineEdit, QMainWindow, QMenu, QSplitter, QStackedWidget, QToolBar, QVBoxLayout, QWidget

from desktop_app import APP_NAME
from desktop_app.core.accounts import MANUAL_CONNECTION
from desktop_app.core.store import TxFilter
from desktop_app.core.views.accounts import AccountTree
from desktop_app.core.views.scope import ResolvedScope, Scope, ScopeKind, keep_or_default, resolve
from desktop_app.gui import dialogs, menus
from desktop_app.gui import operations as ops_
from desktop_app.gui.accounts_pane import AccountsView, AccountTreeModel
from desktop_app.gui.charts_pane import ChartsPane, since_days
from desktop_app.gui.chrome import OfflineBanner, StatusArea
from desktop_app.gui.drops import StatementDrops
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import EVERYTHING, MutationOp, Operations, QueryOp
from desktop_app.gui.sync_controller import SyncController
from desktop_app.gui.table import TransactionsModel
from desktop_app.gui.transaction_actions import TransactionActions
from desktop_app.gui.transactions_pane import TransactionsPane
from desktop_app.gui.welcome import WelcomePage
from desktop_app.gui.window_state import WindowState

if TYPE_CHECKING:
    from desktop_app.gui.wizard import ConnectWizard

WELCOME, MAIN = range(2)


class MainWindow(StatementDrops, QMainWindow):
    """Saldo's window. `open_url` opens the consent page (QDesktopServices in the app); a `tree`
    read while the app started is shown at once (else the window reads it)."""

    data_loaded = Signal()
    sync_finished = Signal(object)

    def __init__(
        self,
        ctx: Any,
        open_url: Callable[[str], object],
        ops: Operations | None = None,
        fmt: Formatter | None = None,
        tree: AccountTree | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.open_url = open_url
        self.ops = ops or Operations(ctx, ctx.tasks, self)
        self.fmt = fmt or Formatter()
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(780, 560)
        self.resize(1180, 760)
        self.tree = AccountTree((), ())
        self.scope: Scope | None = None
        self.scope_chosen = False  # by the person (else the default: the first account)
        self.range_days: int | None = None
        self.wizard: ConnectWizard | None = None
        self.sync = SyncController(self.ops, self.fmt, self)
        self.state = WindowState(ctx.data_dir)
        self._build()
        self.edits = TransactionActions(
            self.ops, self.fmt, self.model, self.transactions.selected_rows, self._account_label, self
        )
        self.commands = menus.build(self)
        self._wire()
        self._tab_order()
        self._update_actions()
        self.state.restore(self, self._splitters())
        self.ops.changed.connect(lambda _: self.reload())
        if tree is not None:
            self._show_tree(tree)
        else:
            self.reload()
        self.sync.keep_fresh(lambda: {c.id: c.label for c in self.tree.connections})
        self.note_session_only()
        self.setAcceptDrops(True)  # statement files dropped on the window are imported

    # -- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        self.toolbar = QToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search transactions…  (Ctrl+F)")
        self.search.setAccessibleName("Search transactions")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(180)
        self.banner = OfflineBanner()

        self.tree_model = AccountTreeModel(self.fmt, self)
        self.accounts = AccountsView(self.tree_model)
        self.accounts.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.accounts_panel = QWidget()
        left = QVBoxLayout(self.accounts_panel)
        left.setContentsMargins(6, 6, 0, 6)
        left.addWidget(self.accounts)
        self.accounts_panel.setMinimumWidth(230)
        self.charts = ChartsPane(self.fmt)
        self.model = TransactionsModel(self.ops, self.fmt, self)
        self.transactions = TransactionsPane(self.model, self.fmt)
        self.table = self.transactions.table
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(self.charts)
        self.right.addWidget(self.transactions)
        self.right.setStretchFactor(0, 2)
        self.right.setStretchFactor(1, 3)
        self.right.setChildrenCollapsible(False)
        self.right.setSizes([380, 420])  # proportions: the splitter keeps them as the window resizes
        self.splitter = QSplitter()
        self.splitter.addWidget(self.accounts_panel)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([330, 850])

        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.banner)
        main_layout.addWidget(self.splitter)
        self.welcome = WelcomePage()
        self.try_demo, self.connect_bank = self.welcome.try_demo, self.welcome.connect_bank
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(main)
        self.setCentralWidget(self.stack)
        self.status = StatusArea(self.statusBar())
        self.status_text = self.status.text

    def _splitters(self) -> dict[str, QSplitter]:
        return {"splitter": self.splitter, "right": self.right}

    def _tab_order(self) -> None:
        pane = self.transactions
        chain: list[QWidget] = [self.search, self.accounts, *self.charts.buttons.buttons()]
        chain += [pane.period_filter, pane.status_filter, pane.direction_filter, self.table]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _wire(self) -> None:
        a = self.commands
        self.toolbar.addActions([a.sync, a.connect, a.export])
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
        self.toolbar.addWidget(spacer)
        self.toolbar.addWidget(self.search)
        self.search_timer.timeout.connect(self.apply_scope)
        self.search.textChanged.connect(lambda _: self.search_timer.start())
        self.banner.retry_button.clicked.connect(self.sync_all)
        self.welcome.try_demo.clicked.connect(lambda: self.open_wizard("demo"))
        self.welcome.connect_bank.clicked.connect(lambda: self.open_wizard())
        self.accounts.scope_chosen.connect(self.select_scope)
        self.accounts.reconnect_requested.connect(self.reconnect)
        self.accounts.customContextMenuRequested.connect(self._connection_menu)
        self.charts.range_chosen.connect(self.set_range)
        self.transactions.range_chosen.connect(self.set_range)
        self.transactions.filters_changed.connect(self.apply_scope)
        self.transactions.open_row.connect(self.edits.open_detail)
        self.status.cancel_button.clicked.connect(self.cancel_running)
        self.sync.started.connect(lambda: self.status.busy(True))
        self.sync.progress.connect(self.status_text.setText)
        self.sync.outcome.connect(self.status_text.setText)
        self.sync.finished.connect(self._synced)
        self.edits.status.connect(self.status_text.setText)
        self.edits.busy.connect(self.status.busy)
        self.edits.busy.connect(lambda _: self._update_actions())
        self.edits.progress.connect(self.status.advance)
        self.edits.undo_changed.connect(a.undo.setEnabled)
        self.edits.undo_changed.connect(lambda _, text: a.undo.setText(text))

    @property
    def chart(self) -> Any:
        return self.charts.balance

    # -- data and scope ------------------------------------------------------------------

    def reload(self) -> None:
        """Read the account tree (off the UI thread); the chart and table follow the scope."""
        syncing = self.sync.syncing
        QueryOp(self.ops, parent=self, op=lambda app: ops_.read_tree(app, syncing), success=self._show_tree).failure(
            lambda exc: self.status_text.setText(f"Could not read the cache: {ops_.user_message(exc)}")
        ).run()

    def _show_tree(self, tree: AccountTree) -> None:
        first = self.tree.empty and self.scope is None
        self.tree = tree
        self.stack.setCurrentIndex(MAIN if not tree.empty else WELCOME)
        self.tree_model.set_tree(tree)
        self.model.account_names = {a.account_id: a.name for a in tree.accounts}
        # an automatic choice follows the data (a new first account); the person's choice stays
        self.scope = keep_or_default(tree, self.scope if self.scope_chosen else None)
        self.accounts.show_scope(self.scope)
        self.apply_scope()
        if tree.empty:
            self.welcome.try_demo.setFocus()
        elif first:
            self.accounts.setFocus()
        last = self._last_synced()
        if last and not self.sync.running and not self.status_text.text():
            self.status_text.setText(f"Last synced {self.fmt.moment(last)}")
        self.data_loaded.emit()

    def _last_synced(self) -> datetime | None:
        return max(
            (c.connection.last_synced_at for c in self.tree.connections if c.connection.last_synced_at), default=None
        )

    def _account_label(self, account_id: int) -> str:
        account = self.tree.account(account_id)
        return f"{account.name} ({account.currency})" if account else ""

    @property
    def resolved(self) -> ResolvedScope | None:
        return resolve(self.tree, self.scope)

    def select_scope(self, scope: Scope) -> None:
        self.scope_chosen = True
        if scope != self.scope:
            self.scope = scope
            self.accounts.show_scope(scope)
            self.apply_scope()

    def set_range(self, days: int | None) -> None:
        self.range_days = days
        self.charts.set_range(days)
        self.transactions.set_range(days)
        for action in self.commands.ranges.actions():
            action.setChecked(action.data() == days)
        self.apply_scope()

    def current_filter(self) -> TxFilter:
        resolved = self.resolved
        return TxFilter(
            account_ids=resolved.account_ids if resolved else (),
            date_from=since_days(self.range_days),
            status=self.transactions.status,
            direction=self.transactions.direction,
            search=self.search.text().strip() or None,
        )

    def apply_scope(self) -> None:
        """Point the table and the charts at the scope, range, filters and search."""
        resolved = self.resolved
        self.transactions.show_account_column(bool(resolved and resolved.spans_accounts))
        self.transactions.heading.setText(f"Transactions — {resolved.title}" if resolved else "Transactions")
        self.model.set_filter(self.current_filter())
        self._load_chart()
        self._update_actions()

    def _load_chart(self) -> None:
        resolved, filt = self.resolved, self.current_filter()
        if resolved is not None:
            key = (self.scope, filt)  # the reads land only while the person still wants them
            wanted = lambda: key == (self.scope, self.current_filter())  # noqa: E731
            self.charts.load(self.ops, resolved, filt, wanted, self._failed, then=self.model.when_first_page)

    def _failed(self, exc: BaseException) -> None:
        self.status_text.setText(f"Could not draw the chart: {ops_.user_message(exc)}")

    def _update_actions(self) -> None:
        """Nothing to sync, export or search before a connection."""
        if not hasattr(self, "commands"):
            return
        a, has = self.commands, not self.tree.empty
        a.sync.setEnabled(has and not self.sync.running)
        a.export.setEnabled(has and self.edits.export_task is None)
        self.search.setEnabled(has)
        a.find.setEnabled(has)
        a.connect.setEnabled(True)
        self.welcome.set_ready(True)
        connection = self.current_connection()
        a.reconnect.setEnabled(connection not in (None, MANUAL_CONNECTION))  # nothing to consent to
        a.disconnect.setEnabled(connection is not None)

    def note_session_only(self) -> None:
        """Say once, quietly, that there is no keyring (Settings says more)."""
        if self.ctx.vault.session_only:
            self.status_text.setText("No system keyring: connections last for this session only (see Settings).")

    # -- connections -----------------------------------------------------------------

    def current_connection(self) -> str | None:
        """The connection the scope belongs to (None for a currency total)."""
        if self.scope is None or self.scope.kind is ScopeKind.CURRENCY:
            return None
        if self.scope.kind is ScopeKind.CONNECTION:
            return str(self.scope.key)
        account = self.tree.account(int(self.scope.key))
        return account.connection_id if account else None

    def _connection_menu(self, pos: Any) -> None:
        if self.current_connection() is not None:
            menu = QMenu(self)
            menu.addActions([self.commands.reconnect, self.commands.disconnect])
            menu.exec(self.accounts.viewport().mapToGlobal(pos))

    def reconnect_current(self) -> None:
        if (connection_id := self.current_connection()) is not None:
            self.reconnect(connection_id)

    def reconnect(self, connection_id: str) -> ConnectWizard | None:
        node = self.tree.connection(connection_id)
        return self.open_wizard(node.connection.provider, reconnect=connection_id) if node else None

    def disconnect_current(self) -> None:
        if (connection_id := self.current_connection()) is not None:
            self.disconnect_connection(connection_id)

    def disconnect_connection(self, connection_id: str) -> None:
        """Remove the tokens; keep or delete the cached accounts and history, as the person chooses."""
        node = self.tree.connection(connection_id)
        label = node.label if node else "this connection"
        choice = dialogs.ask_disconnect(self, label)
        if choice is None:
            return
        keep = choice is dialogs.DisconnectChoice.KEEP_DATA
        MutationOp(
            self.ops,
            parent=self,
            op=lambda app: ops_.disconnect(app, connection_id, keep),
            changes=EVERYTHING,
            success=lambda _: self.status_text.setText(f"Disconnected {label}; data {'kept' if keep else 'deleted'}"),
        ).run()

    def open_wizard(self, provider_id: str | None = None, reconnect: str | None = None) -> ConnectWizard:
        from desktop_app.gui.wizard import ConnectWizard  # signing in needs no time at start-up

        self.wizard = ConnectWizard(self.ctx, self.ops, self.fmt, self.open_url, self)
        self.wizard.start(provider_id, reconnect=reconnect)
        return self.wizard

    # -- sync ------------------------------------------------------------------------------

    def sync_all(self) -> None:
        if self.sync.running or self.tree.empty:
            return
        self.sync.sync_all({c.id: c.label for c in self.tree.connections})
        self._update_actions()
        self.reload()  # the syncing badges

    def cancel_sync(self) -> None:
        self.sync.cancel()

    def cancel_running(self) -> None:
        self.sync.cancel()
        self.edits.cancel()

    def _synced(self, results: list[Any]) -> None:
        self.status.busy(False)
        self._update_actions()
        if self.sync.offline:
            last = self._last_synced()
            when = f" — showing data cached {self.fmt.moment(last)}" if last else ""
            self.banner.text.setText(f"Offline: your providers cannot be reached{when}.")
        self.banner.setVisible(self.sync.offline)
        self.sync_finished.emit(results)

    # -- other windows and closing -----------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def show_settings(self) -> None:
        from desktop_app.gui.settings import SettingsDialog

        SettingsDialog(self.ctx, self).exec()

    def show_about(self) -> None:
        dialogs.show_about(self)

    def save_state(self) -> None:
        self.state.save(self, self._splitters())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_running()
        self.save_state()
        super().closeEvent(event)

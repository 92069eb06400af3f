"""The accounts pane: connections with their accounts and badges, and the totals per currency.

`AccountTreeModel` is a two-level item model over the core's `AccountTree` (no strings are
parsed back): column 0 names, column 1 balances or badges. Roles carry the scope a row
stands for and the connection's badges. Choosing a row (mouse or keyboard) emits
`scope_chosen`; Enter or a click on a "reconnect" badge emits `reconnect_requested`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView

from desktop_app.core.views.accounts import AccountTree, Badge, BadgeInfo, ConnectionNode
from desktop_app.core.views.scope import Scope
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.theme import colours

SCOPE_ROLE = Qt.ItemDataRole.UserRole + 1  # the Scope a row stands for
BADGES_ROLE = Qt.ItemDataRole.UserRole + 2  # a connection's tuple[BadgeInfo, ...]
CONNECTION_ROLE = Qt.ItemDataRole.UserRole + 3  # the connection id of a connection row
COL_NAME, COL_VALUE = range(2)
Index = QModelIndex | QPersistentModelIndex


def badge_text(badge: BadgeInfo, fmt: Formatter) -> str:
    """The short words beside a connection; the reason goes to the tooltip."""
    if badge.kind is Badge.CONSENT_EXPIRING:
        days = badge.days or 0
        return "⚠ consent ends today" if days == 0 else f"⚠ consent ends in {fmt.things(days, 'day')}"
    if badge.kind is Badge.SYNCED and badge.when is not None:
        return f"✓ synced {fmt.moment(badge.when)}"
    return _WORDS[badge.kind]


_WORDS = {
    Badge.SYNCING: "⟳ syncing",
    Badge.NEEDS_RECONSENT: "✖ reconnect",
    Badge.CONSENT_EXPIRED: "✖ consent expired",
    Badge.CONSENT_EXPIRING: "⚠ consent ends",
    Badge.OFFLINE: "offline",
    Badge.FAILED: "✖ sync failed",
    Badge.PARTIAL: "⚠ partial",
    Badge.CANCELLED: "⚠ sync cancelled",
    Badge.RATE_LIMITED: "⏸ limit reached",
    Badge.ONE_TIME: "one-time",
    Badge.SYNCED: "✓ synced",
    Badge.NEVER_SYNCED: "not synced yet",
    Badge.DISCONNECTED: "disconnected",
}
_BAD = {Badge.NEEDS_RECONSENT, Badge.CONSENT_EXPIRED, Badge.FAILED}
_WARN = {Badge.CONSENT_EXPIRING, Badge.PARTIAL, Badge.CANCELLED, Badge.OFFLINE, Badge.RATE_LIMITED}


class AccountTreeModel(QAbstractItemModel):
    """Top level: one row per connection, then a "Totals" row; children: accounts or currency totals."""

    def __init__(self, fmt: Formatter, parent: Any = None) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self.tree = AccountTree((), ())

    def set_tree(self, tree: AccountTree) -> None:
        self.beginResetModel()
        self.tree = tree
        self.endResetModel()

    def _groups(self) -> int:
        return len(self.tree.connections) + (1 if self.tree.totals else 0)

    # -- structure -------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(int(child.internalId()) - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return self._groups()
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        if parent.row() < len(self.tree.connections):
            return len(self.tree.connections[parent.row()].accounts)
        return len(self.tree.totals)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 2

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0 and index.row() >= len(self.tree.connections):
            return Qt.ItemFlag.ItemIsEnabled  # the "Totals" heading
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- data ------------------------------------------------------------------------

    def node(self, index: Index) -> ConnectionNode | None:
        if index.isValid() and index.internalId() == 0 and index.row() < len(self.tree.connections):
            return self.tree.connections[index.row()]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group = int(index.internalId())
        if group == 0:
            node = self.node(index)
            if node is not None:
                return self._connection_data(node, index.column(), role)
            return self._totals_head(role) if index.column() == COL_NAME else None
        if group - 1 < len(self.tree.connections):
            account = self.tree.connections[group - 1].accounts[index.row()]
            scope, name = Scope.account(account.account_id), account.name
            value = self.fmt.money(account.balance) if account.balance else "—"
            tip = f"{account.name} ({account.currency})" + (
                f"\nBalance reported {self.fmt.moment(account.as_of)}" if account.as_of else "\nNo balance yet"
            )
        else:
            total = self.tree.totals[index.row()]
            scope, name, value = (
                Scope.currency(total.currency),
                f"All {total.currency} accounts",
                self.fmt.money(total.total),
            )
            tip = f"The total of your {self.fmt.things(len(total.account_ids), total.currency + ' account')}"
        if role == Qt.ItemDataRole.DisplayRole:
            return name if index.column() == COL_NAME else value
        if role == SCOPE_ROLE:
            return scope
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{name}, {value}"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == COL_VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _connection_data(self, node: ConnectionNode, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_NAME:
                return node.label
            return "  ".join(badge_text(b, self.fmt) for b in node.badges)
        if role == SCOPE_ROLE:
            return Scope.connection(node.id)
        if role == CONNECTION_ROLE:
            return node.id
        if role == BADGES_ROLE:
            return node.badges
        if role == Qt.ItemDataRole.ToolTipRole:
            reasons = [b.reason for b in node.badges]
            if node.wants_reconnect:
                reasons.append("Press Enter or click to reconnect.")
            return "\n".join(reasons) or node.label
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{node.label}: " + ", ".join(badge_text(b, self.fmt) for b in node.badges)
        if role == Qt.ItemDataRole.FontRole and column == COL_NAME:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_VALUE and node.badges:
            kinds = {b.kind for b in node.badges}
            theme = colours()
            return QBrush(QColor(theme.error if kinds & _BAD else theme.warning if kinds & _WARN else theme.muted))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _totals_head(self, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return "Totals"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def find(self, scope: Scope | None) -> QModelIndex:
        """The row that stands for `scope` (invalid if none)."""
        for group in range(self._groups()):
            head = self.index(group, 0)
            if head.data(SCOPE_ROLE) == scope and scope is not None:
                return head
            for row in range(self.rowCount(head)):
                child = self.index(row, 0, head)
                if child.data(SCOPE_ROLE) == scope and scope is not None:
                    return child
        return QModelIndex()


class AccountsView(QTreeView):
    """The tree: the current row is the scope; Enter on a connection that needs it reconnects."""

    scope_chosen = Signal(object)  # Scope
    reconnect_requested = Signal(str)  # connection id

    def __init__(self, model: AccountTreeModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setObjectName("accounts")
        self.setAccessibleName("Accounts")
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setItemsExpandable(False)
        self.setRootIsDecorated(False)
        self.setIndentation(14)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_VALUE, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(40)
        model.modelReset.connect(self.expandAll)
        self.clicked.connect(self._clicked)

    def currentChanged(self, current: Index, previous: Index) -> None:
        super().currentChanged(current, previous)
        scope = current.data(SCOPE_ROLE)
        if scope is not None and (not previous.isValid() or previous.data(SCOPE_ROLE) != scope):
            self.scope_chosen.emit(scope)

    def show_scope(self, scope: Scope | None) -> None:
        """Make `scope`'s row current without announcing it again."""
        model = self.model()
        assert isinstance(model, AccountTreeModel)
        index = model.find(scope)
        if index.isValid() and index != self.currentIndex():
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)

    def _clicked(self, index: QModelIndex) -> None:
        model = self.model()
        assert isinstance(model, AccountTreeModel)
        node = model.node(index)
        if node is not None and node.wants_reconnect and index.column() == COL_VALUE:
            self.reconnect_requested.emit(node.id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        assert isinstance(model, AccountTreeModel)
        node = model.node(self.currentIndex())
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and node is not None and node.wants_reconnect:
            self.reconnect_requested.emit(node.id)
            return
        super().keyPressEvent(event)

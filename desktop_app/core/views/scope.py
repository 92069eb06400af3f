"""What the window is about: one account, one connection, or every account in one currency.

The tree, the balance chart, the monthly bars and the table all show one `Scope`; resolving
it against the account tree gives the accounts, the chart currency and the title.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.core.views.accounts import AccountTree


class ScopeKind(StrEnum):
    ACCOUNT = "account"
    CONNECTION = "connection"
    CURRENCY = "currency"


@dataclass(frozen=True, slots=True)
class Scope:
    kind: ScopeKind
    key: int | str

    @classmethod
    def account(cls, account_id: int) -> Scope:
        return cls(ScopeKind.ACCOUNT, account_id)

    @classmethod
    def connection(cls, connection_id: str) -> Scope:
        return cls(ScopeKind.CONNECTION, connection_id)

    @classmethod
    def currency(cls, code: str) -> Scope:
        return cls(ScopeKind.CURRENCY, code)


@dataclass(frozen=True, slots=True)
class ResolvedScope:
    scope: Scope
    title: str  # "Everyday account", "Demo Bank", "All EUR accounts"
    account_ids: tuple[int, ...]  # every account the table shows
    currency: str | None  # the one currency the chart and the bars draw
    chart_account_ids: tuple[int, ...]  # the accounts the chart adds up (those in `currency`)

    @property
    def spans_accounts(self) -> bool:
        return len(self.account_ids) != 1


def resolve(tree: AccountTree, scope: Scope | None) -> ResolvedScope | None:
    """`scope` against the current tree; None when it no longer exists."""
    if scope is None:
        return None
    if scope.kind is ScopeKind.ACCOUNT:
        account = tree.account(int(scope.key))
        if account is None:
            return None
        ids: tuple[int, ...] = (account.account_id,)
        return ResolvedScope(scope, account.name, ids, account.currency, ids)
    if scope.kind is ScopeKind.CONNECTION:
        node = tree.connection(str(scope.key))
        if node is None:
            return None
        ids = tuple(a.account_id for a in node.accounts)
        # a connection with accounts in several currencies charts the most common one
        common = Counter(a.currency for a in node.accounts).most_common(1)
        currency = common[0][0] if common else None
        chart = tuple(a.account_id for a in node.accounts if a.currency == currency)
        return ResolvedScope(scope, node.label, ids, currency, chart)
    total = tree.total(str(scope.key))
    if total is None:
        return None
    return ResolvedScope(scope, f"All {total.currency} accounts", total.account_ids, total.currency, total.account_ids)


def default_scope(tree: AccountTree) -> Scope | None:
    """What the window shows at start-up: the first account, else the first connection."""
    for node in tree.connections:
        if node.accounts:
            return Scope.account(node.accounts[0].account_id)
    return Scope.connection(tree.connections[0].id) if tree.connections else None


def keep_or_default(tree: AccountTree, scope: Scope | None) -> Scope | None:
    """`scope` if it still exists in `tree`, else the default."""
    return scope if resolve(tree, scope) is not None else default_scope(tree)

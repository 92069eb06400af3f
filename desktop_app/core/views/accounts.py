"""The account tree: connections with their accounts, balances, per-currency totals and badges.

Badges are enum values with the reason a person would want to read in a tooltip; nothing
here is a sentence to be cut up or a string padded for alignment. Session state the cache
does not know (which connections are syncing right now) is passed in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from desktop_app.core.accounts import MANUAL_CONNECTION
from desktop_app.core.consent import consent_days_left
from desktop_app.core.models import Connection, ConnectionStatus, SyncStatus
from desktop_app.core.money import Money
from desktop_app.core.store import AccountBalance, Store

if TYPE_CHECKING:
    from desktop_app.core.app import App

EXPIRY_WARNING_DAYS = 7


class Badge(StrEnum):
    """A connection's state, most urgent first in `BADGE_ORDER`."""

    SYNCING = "syncing"
    NEEDS_RECONSENT = "needs_reconsent"
    CONSENT_EXPIRED = "consent_expired"
    CONSENT_EXPIRING = "consent_expiring"
    OFFLINE = "offline"
    FAILED = "failed"
    PARTIAL = "partial"
    CANCELLED = "cancelled"
    RATE_LIMITED = "rate_limited"
    ONE_TIME = "one_time"
    SYNCED = "synced"
    NEVER_SYNCED = "never_synced"
    DISCONNECTED = "disconnected"


# Which badges call for a reconnect (clicking or pressing Enter on them starts one).
RECONNECT_BADGES = frozenset({Badge.NEEDS_RECONSENT, Badge.CONSENT_EXPIRED})
# The outcome of the last sync run, as recorded by the sync engine.
_OUTCOMES = {
    SyncStatus.OFFLINE: Badge.OFFLINE,
    SyncStatus.FAILED: Badge.FAILED,
    SyncStatus.PARTIAL: Badge.PARTIAL,
    SyncStatus.CANCELLED: Badge.CANCELLED,
    SyncStatus.RATE_LIMITED: Badge.RATE_LIMITED,
    SyncStatus.NEEDS_RECONSENT: Badge.NEEDS_RECONSENT,
    SyncStatus.OK: Badge.SYNCED,
}


@dataclass(frozen=True, slots=True)
class BadgeInfo:
    kind: Badge
    reason: str  # why, in plain words, for a tooltip
    days: int | None = None  # for CONSENT_EXPIRING: whole days left
    when: datetime | None = None  # for SYNCED and the outcomes: when the last sync ended

    @property
    def wants_reconnect(self) -> bool:
        return self.kind in RECONNECT_BADGES


@dataclass(frozen=True, slots=True)
class AccountNode:
    account_id: int
    connection_id: str
    name: str
    currency: str
    balance: Money | None
    as_of: datetime | None


@dataclass(frozen=True, slots=True)
class ConnectionNode:
    connection: Connection
    badges: tuple[BadgeInfo, ...]
    accounts: tuple[AccountNode, ...]

    @property
    def id(self) -> str:
        return self.connection.id

    @property
    def label(self) -> str:
        return self.connection.label

    @property
    def wants_reconnect(self) -> bool:
        return any(b.wants_reconnect for b in self.badges)


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    currency: str
    total: Money
    account_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AccountTree:
    connections: tuple[ConnectionNode, ...]
    totals: tuple[CurrencyTotal, ...]

    @property
    def accounts(self) -> tuple[AccountNode, ...]:
        return tuple(a for c in self.connections for a in c.accounts)

    def account(self, account_id: int) -> AccountNode | None:
        return next((a for a in self.accounts if a.account_id == account_id), None)

    def connection(self, connection_id: str) -> ConnectionNode | None:
        return next((c for c in self.connections if c.id == connection_id), None)

    def total(self, currency: str) -> CurrencyTotal | None:
        return next((t for t in self.totals if t.currency == currency), None)

    @property
    def empty(self) -> bool:
        return not self.connections


@dataclass(frozen=True, slots=True)
class LastRun:
    """What the last sync of a connection ended with (from the cache's sync-run log)."""

    status: str
    finished_at: datetime | None
    error: str | None


def badges_for(
    connection: Connection,
    *,
    syncing: bool,
    last_run: LastRun | None,
    now: datetime | None = None,
    has_access: bool = True,
) -> tuple[BadgeInfo, ...]:
    """Every badge that is true of `connection` now, most urgent first.

    `has_access` is False when the keyring holds no tokens for it (removed, or a session-only
    keyring after a restart): it cannot sync, whatever its last sync said.
    """
    now = now or datetime.now(UTC)
    out: list[BadgeInfo] = []
    if connection.provider == MANUAL_CONNECTION:
        return ()  # kept by hand: nothing to sync, nothing to reconnect
    if syncing:
        out.append(BadgeInfo(Badge.SYNCING, "Fetching new transactions now."))
    if connection.status is ConnectionStatus.DISCONNECTED:
        out.append(BadgeInfo(Badge.DISCONNECTED, "Disconnected: the data already downloaded is kept for review."))
        return tuple(out)
    days = consent_days_left(connection, now)
    if connection.status is ConnectionStatus.ACTIVE and not has_access:
        out.append(BadgeInfo(Badge.NEEDS_RECONSENT, "Saldo holds no access for it in your keyring. Reconnect to sync."))
        return tuple(out)
    if connection.status is ConnectionStatus.NEEDS_RECONSENT:
        why = (last_run.error if last_run and last_run.status == SyncStatus.NEEDS_RECONSENT else None) or (
            "The provider no longer accepts Saldo's access (revoked or expired)."
        )
        out.append(BadgeInfo(Badge.NEEDS_RECONSENT, f"{why} Reconnect to sync again."))
    elif (days is not None and days < 0) or connection.status is ConnectionStatus.EXPIRED:
        out.append(BadgeInfo(Badge.CONSENT_EXPIRED, "Your consent has expired. Reconnect to sync again.", days))
    elif days is not None and days < EXPIRY_WARNING_DAYS:
        out.append(
            BadgeInfo(Badge.CONSENT_EXPIRING, "Reconnect before it lapses to keep syncing without a gap.", days=days)
        )
    if not syncing and last_run is not None:
        kind = _OUTCOMES.get(SyncStatus(last_run.status)) if last_run.status in _OUTCOMES else None
        if kind is not None and kind is not Badge.NEEDS_RECONSENT:
            out.append(BadgeInfo(kind, last_run.error or _DEFAULT_REASON[kind], when=last_run.finished_at))
    elif not syncing and connection.last_synced_at is not None:
        out.append(BadgeInfo(Badge.SYNCED, _DEFAULT_REASON[Badge.SYNCED], when=connection.last_synced_at))
    elif not syncing:
        out.append(BadgeInfo(Badge.NEVER_SYNCED, "Not synced yet."))
    if connection.one_time:
        out.append(BadgeInfo(Badge.ONE_TIME, "A one-time consent: it cannot be refreshed; connect again for new data."))
    return tuple(out)


_DEFAULT_REASON = {
    Badge.SYNCED: "The last sync finished.",
    Badge.OFFLINE: "The provider could not be reached; the cached data is shown.",
    Badge.FAILED: "The last sync failed.",
    Badge.PARTIAL: "The last sync skipped some records.",
    Badge.CANCELLED: "The last sync was cancelled before it finished.",
    Badge.RATE_LIMITED: "The provider's daily limit was reached; Saldo will sync later.",
}


def build_tree(
    balances: Iterable[AccountBalance],
    connections: Iterable[Connection],
    *,
    last_runs: dict[str, LastRun] | None = None,
    syncing: Collection[str] = (),
    now: datetime | None = None,
    has_access: Callable[[str], bool] | None = None,
    shape: dict[int, tuple[str | None, int | None]] | None = None,
) -> AccountTree:
    """The tree out of plain cache rows (no I/O but `has_access`): for tests and the store reader below.

    `shape` is what the person made of each account: (their name for it, its place in their order).
    """
    shape = shape or {}
    by_connection: dict[str, list[AccountNode]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    members: dict[str, list[int]] = defaultdict(list)
    for item in balances:
        account_id = item.account.id
        assert account_id is not None  # stored accounts always have an id
        by_connection[item.account.connection_id].append(
            AccountNode(
                account_id,
                item.account.connection_id,
                shape.get(account_id, (None, None))[0] or item.account.name,
                item.account.currency,
                item.balance,
                item.as_of,
            )
        )
        members[item.account.currency].append(account_id)
        if item.balance is not None and item.balance.currency == item.account.currency:
            totals[item.account.currency] += item.balance.minor_units
    nodes = []
    runs = last_runs or {}
    for connection in connections:
        accounts = tuple(sorted(by_connection.get(connection.id, ()), key=lambda a: _place(shape, a.account_id)))
        if connection.status is ConnectionStatus.DISCONNECTED and not accounts:
            continue
        access = has_access(connection.id) if has_access is not None and not connection.one_time else True
        badges = badges_for(
            connection, syncing=connection.id in syncing, last_run=runs.get(connection.id), now=now, has_access=access
        )
        nodes.append(ConnectionNode(connection, badges, accounts))
    currency_totals = tuple(
        CurrencyTotal(code, Money.from_minor(totals[code], code), tuple(ids)) for code, ids in sorted(members.items())
    )
    return AccountTree(tuple(nodes), currency_totals)


def _place(shape: dict[int, tuple[str | None, int | None]], account_id: int) -> tuple[bool, int, int]:
    position = shape.get(account_id, (None, None))[1]
    return position is None, position or 0, account_id


def account_tree(
    store: Store,
    *,
    syncing: Collection[str] = (),
    now: datetime | None = None,
    has_access: Callable[[str], bool] | None = None,
) -> AccountTree:
    """Read the tree from the cache (a worker-thread call); `has_access` asks the keyring."""
    connections = store.connections()
    last_runs: dict[str, LastRun] = {}
    for connection in connections:
        runs = [r for r in store.sync_runs(connection.id, limit=3) if r.status != "running" or r.finished_at]
        if runs:
            last_runs[connection.id] = LastRun(str(runs[0].status), runs[0].finished_at, runs[0].error)
    return build_tree(
        [_kept_by_hand(store, item) for item in store.accounts_with_balances()],
        connections,
        last_runs=last_runs,
        syncing=syncing,
        now=now,
        has_access=has_access,
        shape={int(r[0]): (r[1], r[2]) for r in store._read("SELECT id, display_name, position FROM accounts")},
    )


def _kept_by_hand(store: Store, item: AccountBalance) -> AccountBalance:
    """A manual account's balance is what its transactions add up to (no bank reports one)."""
    if item.account.connection_id != MANUAL_CONNECTION or item.account.id is None:
        return item
    total, last = store._read(
        "SELECT coalesce(sum(amount_minor), 0), max(date) FROM transactions "
        "WHERE account_id = ? AND status = 'booked' AND withdrawn_at IS NULL",
        (item.account.id,),
    )[0]
    as_of = datetime.fromisoformat(last).replace(tzinfo=UTC) if last else None
    return replace(item, balance=Money.from_minor(int(total), item.account.currency), as_of=as_of)


def app_tree(app: App, syncing: Collection[str] = ()) -> AccountTree:
    """The tree of the assembled app; a connection without tokens in the keyring says so."""
    vault = app.vault
    return account_tree(
        app.store, syncing=syncing, has_access=lambda connection: vault.load_tokens(connection) is not None
    )

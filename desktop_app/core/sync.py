"""The sync engine: incremental, exact and crash-safe.

One sync of one connection reads its accounts, balances and transactions and stores them
page by page, each page in its own database transaction, so a crash or a kill loses nothing
and the next run simply does the same work again and lands in the same state.

The rules that keep the cache honest:

* one row per real transaction: the provider's id per account, else a versioned fingerprint;
* later syncs start at the last booked day minus an overlap window (and never after the
  oldest transaction still pending), so late bookings and state changes are seen;
* a booked transaction claims its pending twin, also when the provider gave it a new id
  (Aiia does); a pending one the bank no longer lists and nothing claimed is marked
  withdrawn, never silently dropped;
* a transaction the person deleted stays deleted (the store keeps a tombstone);
* a record that cannot be read is reported and skipped; the rest goes on;
* a revoked or expired consent stops that connection as "needs re-consent", data kept;
* unattended syncs respect a per-connection daily budget (PSD2 allows about 4 a day).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from desktop_app.core.categories import carry_over_to_twins
from desktop_app.core.collector import collection_paused
from desktop_app.core.consent import consent_days_left, consent_warning
from desktop_app.core.errors import (
    Cancelled,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ReconsentNeeded,
    SaldoError,
)
from desktop_app.core.imports.dedupe import absorb_imported_twins
from desktop_app.core.models import (
    Account,
    BalanceSnapshot,
    Connection,
    ConnectionStatus,
    SyncRun,
    SyncStatus,
    Transaction,
    TransactionStatus,
    fingerprint,
)
from desktop_app.core.providers.base import RemoteAccount, RemoteTransaction
from desktop_app.core.readahead import read_ahead
from desktop_app.core.rules_engine import categorise_new, last_transaction_id
from desktop_app.core.store import Store
from desktop_app.core.sync_types import ProviderSession, Reporter, SessionFactory, SyncProgress, SyncResult
from desktop_app.core.transfers import pair_transfers

__all__ = [
    "ProviderSession",
    "SessionFactory",
    "SyncEngine",
    "SyncProgress",
    "SyncResult",
    "consent_days_left",
    "consent_warning",
]

log = logging.getLogger(__name__)

OVERLAP_DAYS = 10
UNATTENDED_PER_DAY = 4
# How far after a pending transaction its booked twin may be dated.
TWIN_WINDOW_DAYS = 14
# New rows paired at a time (see SyncEngine._pair): small enough that freeing them is quick.
PAIR_CHUNK = 1_500


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SyncEngine:
    """Syncs connections into a Store. Thread-safe per connection; run it off the UI thread."""

    def __init__(
        self,
        store: Store,
        open_session: SessionFactory,
        *,
        clock: Callable[[], datetime] = _utcnow,
        overlap_days: int = OVERLAP_DAYS,
        unattended_per_day: int = UNATTENDED_PER_DAY,
    ) -> None:
        self.store = store
        self._open_session = open_session
        self._clock = clock
        self.overlap = timedelta(days=overlap_days)
        self.unattended_per_day = unattended_per_day

    # -- public ----------------------------------------------------------------------

    def sync_all(
        self,
        *,
        progress: Callable[[SyncProgress], None] | None = None,
        cancel: threading.Event | None = None,
        unattended: bool = False,
    ) -> list[SyncResult]:
        results = []
        for connection in self.store.connections():
            if connection.status in (ConnectionStatus.DISCONNECTED, ConnectionStatus.NEEDS_RECONSENT):
                continue
            results.append(self.sync(connection.id, progress=progress, cancel=cancel, unattended=unattended))
            if cancel is not None and cancel.is_set():
                break
        return results

    def next_unattended_sync(self, connection_id: str) -> datetime | None:
        """When an unattended sync is next allowed (None: now)."""
        since = self._clock() - timedelta(days=1)
        runs = [
            r
            for r in self.store.sync_runs(connection_id, limit=100)
            if r.details.get("unattended") and r.started_at >= since
        ]
        if len(runs) < self.unattended_per_day:
            return None
        oldest = min(r.started_at for r in runs[: self.unattended_per_day])
        return oldest + timedelta(days=1)

    def sync(
        self,
        connection_id: str,
        *,
        progress: Callable[[SyncProgress], None] | None = None,
        cancel: threading.Event | None = None,
        unattended: bool = False,
    ) -> SyncResult:
        """Sync one connection. Never raises for provider trouble: the result says what happened."""
        cancel = cancel or threading.Event()
        connection = self.store.get_connection(connection_id)
        result = SyncResult(connection_id, SyncStatus.OK)
        if unattended:
            allowed = self.next_unattended_sync(connection_id)
            if allowed is not None:
                result.status = SyncStatus.RATE_LIMITED
                result.next_allowed_at = allowed
                result.error = f"Daily limit of {self.unattended_per_day} automatic syncs reached."
                return result
        run = self.store.start_sync_run(connection_id)
        report = Reporter(connection_id, result, progress)
        session: ProviderSession | None = None
        try:
            session = self._open_session(connection, cancel)
            self._sync_connection(connection, session, result, report, cancel)
        except ReconsentNeeded as exc:
            result.status, result.error = SyncStatus.NEEDS_RECONSENT, str(exc)
            self.store.set_connection_status(connection_id, ConnectionStatus.NEEDS_RECONSENT)
        except RateLimited as exc:
            result.status, result.error = SyncStatus.RATE_LIMITED, str(exc)
            if exc.retry_after is not None:
                result.next_allowed_at = self._clock() + timedelta(seconds=exc.retry_after)
        except Cancelled as exc:
            result.status, result.error = SyncStatus.CANCELLED, str(exc)
        except ProviderUnavailable as exc:
            result.status, result.error = (SyncStatus.OFFLINE if exc.unreachable else SyncStatus.FAILED), str(exc)
        except (ProviderError, SaldoError) as exc:
            result.status, result.error = SyncStatus.FAILED, str(exc)
        finally:
            if result.status is SyncStatus.OK and result.problems:
                result.status = SyncStatus.PARTIAL
            # (test doubles may have no ApiClient)
            result.requests = getattr(session.api, "requests", 0) if session is not None else 0
            self._finish(connection, run, result, unattended)
        return result

    # -- the work --------------------------------------------------------------------

    def _sync_connection(
        self,
        connection: Connection,
        session: ProviderSession,
        result: SyncResult,
        report: Reporter,
        cancel: threading.Event,
    ) -> None:
        report("Reading accounts…")
        remote_accounts = session.adapter.accounts(session.api)
        saved = self.store.save_accounts(
            Account(
                connection_id=connection.id,
                provider_account_id=r.provider_account_id,
                name=r.name,
                currency=r.currency,
                iban=r.iban,
                kind=r.kind,
                owner=r.owner,
            )
            for r in remote_accounts
        )
        for remote, account in zip(remote_accounts, saved, strict=True):
            if cancel.is_set():
                raise Cancelled()
            assert account.id is not None
            self._sync_account(session, remote, account.id, result, report, cancel)

    def _sync_account(
        self,
        session: ProviderSession,
        remote: RemoteAccount,
        account_id: int,
        result: SyncResult,
        report: Reporter,
        cancel: threading.Event,
    ) -> None:
        report.account = remote.name
        previous = self.store.latest_balance(account_id)
        now = self._clock()
        for balance in session.adapter.balances(session.api, remote):
            self.store.add_balance(BalanceSnapshot(account_id, balance.kind, balance.amount, balance.as_of or now))

        since = self._window_start(account_id)
        # Only pending rows already cached can vanish in this sync: keep the booked rows
        # that could be their twins (same amount), not the whole history.
        watch = {t.amount for t in self.store.open_pending(account_id, since)}
        seen: set[str] = set()
        fetched_booked: list[Transaction] = []
        occurrences: Counter[tuple[object, ...]] = Counter()
        paired_upto = newest = last_transaction_id(self.store)
        # the provider prepares (and the client reads) the next page while this one is stored
        with read_ahead(session.adapter.transactions(session.api, remote, since)) as pages:
            for page in pages:
                if cancel.is_set():
                    raise Cancelled()
                rows = [self._to_row(account_id, remote, t, occurrences) for t in page.transactions]
                stored = self.store.upsert_transactions(rows)
                newest = categorise_new(self.store, newest, pair=False)  # provider guess and rules
                seen.update(r.dedupe_key for r in rows)
                fetched_booked.extend(r for r in rows if r.status is TransactionStatus.BOOKED and r.amount in watch)
                result.pages += 1
                result.new += stored.new
                result.updated += stored.updated
                result.problems.extend(f"{remote.name}: {p.reason} {p.record_ref}".strip() for p in page.problems)
                report(f"{remote.name}: page {result.pages}")
                if newest - paired_upto >= PAIR_CHUNK:
                    paired_upto = self._pair(paired_upto, newest)
        self._reconcile_pending(account_id, since, seen, fetched_booked, result)
        absorb_imported_twins(self.store, account_id, seen)  # a statement file's copies of these rows
        self._pair(paired_upto, newest)  # the rest, now that imported copies are gone
        self._check_balance(account_id, remote.name, previous, result)

    def _pair(self, after_id: int, newest: int) -> int:
        """Pair the transfers among the rows stored after `after_id`; returns `newest`.

        Pairing reads all of its new rows at once and frees them on return, and Python holds the
        interpreter lock for that whole free (and for any full garbage collection it starts):
        over a first sync's 30,000 rows of one account the window froze for 70-130 ms. So the
        sync pairs every PAIR_CHUNK new rows (a leg pairs with the closest-dated leg already
        stored, chunk by chunk), with automatic collection paused meanwhile.
        """
        with collection_paused():
            pair_transfers(self.store, after_id=after_id)
        return newest

    def _window_start(self, account_id: int) -> date | None:
        last = self.store.last_booked_date(account_id)
        if last is None:
            return None  # first sync: the whole history
        start = last - self.overlap
        oldest_pending = self.store.oldest_open_pending(account_id)
        if oldest_pending is not None and oldest_pending < start:
            start = oldest_pending
        return start

    @staticmethod
    def _to_row(
        account_id: int, remote: RemoteAccount, t: RemoteTransaction, occurrences: Counter[tuple[object, ...]]
    ) -> Transaction:
        if t.provider_id:
            key = Transaction.key_for_id(t.provider_id)
        else:
            ident = (t.status, t.booking_date, t.amount, " ".join(t.description.split()).casefold())
            occurrences[ident] += 1
            key = fingerprint(
                remote.provider_account_id, t.booking_date, t.amount, t.description, occurrences[ident] - 1
            )
            if t.status is TransactionStatus.PENDING:
                key = "p" + key  # a pending record and its booked twin never share a fingerprint
        return Transaction(
            account_id=account_id,
            dedupe_key=key,
            status=t.status,
            booking_date=t.booking_date,
            amount=t.amount,
            description=t.description,
            counterparty=t.counterparty,
            value_date=t.value_date,
            provider_id=t.provider_id,
            raw=t.raw,
        )

    def _reconcile_pending(
        self,
        account_id: int,
        since: date | None,
        seen: set[str],
        fetched_booked: list[Transaction],
        result: SyncResult,
    ) -> None:
        """Pending rows the bank stopped listing: claimed by their booked twin, or withdrawn."""
        gone = [t for t in self.store.open_pending(account_id, since) if t.dedupe_key not in seen]
        if not gone:
            return
        amounts = {t.amount for t in gone}
        candidates = {t.dedupe_key: t for t in fetched_booked if t.amount in amounts}
        free = self.store.unclaimed(account_id, candidates)
        claimable = {k: t for k, t in candidates.items() if k in free}
        claimed: list[tuple[str, str]] = []
        withdrawn: list[str] = []
        for pending in sorted(gone, key=lambda t: t.booking_date):
            twin = _best_twin(pending, claimable.values())
            if twin is None:
                withdrawn.append(pending.dedupe_key)
            else:
                claimed.append((pending.dedupe_key, twin.dedupe_key))
                del claimable[twin.dedupe_key]
        carry_over_to_twins(self.store, account_id, claimed)  # the person's choices on a pending row stay
        result.claimed += self.store.claim_pending(account_id, claimed)
        result.withdrawn += self.store.mark_withdrawn(account_id, withdrawn)

    def _check_balance(self, account_id: int, name: str, previous: BalanceSnapshot | None, result: SyncResult) -> None:
        """Flag when the reported balance moved differently from the booked transactions."""
        latest = self.store.latest_balance(account_id)
        if previous is None or latest is None or latest.as_of.date() <= previous.as_of.date():
            return
        if latest.amount.currency != previous.amount.currency:
            return
        moved = self.store.booked_sum(account_id, previous.as_of.date(), latest.as_of.date())
        reported = latest.amount.minor_units - previous.amount.minor_units
        if moved != reported:
            result.balance_mismatches.append(
                f"{name}: the bank's balance changed by {reported} but its transactions add up to {moved} "
                f"(minor units of {latest.amount.currency})"
            )

    def _finish(self, connection: Connection, run: SyncRun, result: SyncResult, unattended: bool) -> None:
        details: dict[str, object] = {
            "unattended": unattended,
            "withdrawn": result.withdrawn,
            "claimed": result.claimed,
            "requests": result.requests,
        }
        if result.problems:
            details["problems"] = result.problems[:200]
        if result.balance_mismatches:
            details["balance_mismatches"] = result.balance_mismatches
        self.store.finish_sync_run(
            replace(
                run,
                status=result.status.value,
                pages=result.pages,
                new=result.new,
                updated=result.updated,
                skipped=len(result.problems),
                error=result.error,
                details=details,
            )
        )
        current = self.store.get_connection(connection.id)
        if result.ok:
            # the status follows the latest outcome: a sync that worked proves the consent is alive
            current = replace(current, last_synced_at=self._clock(), status=ConnectionStatus.ACTIVE)
        if unattended and result.ok:
            current = replace(current, next_sync_allowed_at=self.next_unattended_sync(connection.id))
        elif result.next_allowed_at is not None:
            current = replace(current, next_sync_allowed_at=result.next_allowed_at)
        self.store.save_connection(current)


def _best_twin(pending: Transaction, candidates: Iterable[Transaction]) -> Transaction | None:
    best: Transaction | None = None
    best_score: tuple[int, int] | None = None
    for booked in candidates:
        if booked.amount != pending.amount:
            continue
        lag = (booked.booking_date - pending.booking_date).days
        if lag < -3 or lag > TWIN_WINDOW_DAYS:
            continue
        same_party = int((booked.counterparty or "").casefold() != (pending.counterparty or "").casefold())
        score = (same_party, abs(lag))
        if best_score is None or score < best_score:
            best, best_score = booked, score
    return best

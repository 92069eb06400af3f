"""The sync engine over a real SQLite cache, with an in-memory bank behind a fake adapter.

The adapter is the only fake: the store, the engine and their rules are the real ones. The
end-to-end suites run the same engine against the sandbox over real HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desktop_app.core.api import ApiClient
from desktop_app.core.errors import ReconsentNeeded
from desktop_app.core.models import BalanceKind, Connection, ConnectionStatus, TransactionStatus, raw_json
from desktop_app.core.money import Money
from desktop_app.core.providers.base import Problem, RemoteAccount, RemoteBalance, RemoteTransaction, TxPage
from desktop_app.core.store import Store
from desktop_app.core.sync import ProviderSession, SyncEngine, SyncProgress, consent_days_left, consent_warning

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


@dataclass
class BankTx:
    id: str | None
    day: date
    amount: str
    text: str
    status: TransactionStatus = TransactionStatus.BOOKED
    broken: bool = False

    def remote(self) -> RemoteTransaction:
        return RemoteTransaction(
            status=self.status,
            booking_date=self.day,
            amount=Money(Decimal(self.amount), "EUR"),
            description=self.text,
            raw=raw_json({"id": self.id, "amount": self.amount}),
            provider_id=self.id,
            counterparty=self.text.split()[0],
        )


@dataclass
class FakeBank:
    """An account's ledger as the provider holds it, with knobs for trouble."""

    txs: list[BankTx] = field(default_factory=list)
    balance: str = "1000.00"
    page_size: int = 3
    revoked: bool = False
    calls: list[date | None] = field(default_factory=list)

    def accounts(self, api: ApiClient) -> list[RemoteAccount]:
        if self.revoked:
            raise ReconsentNeeded("revoked", "Fake")
        return [RemoteAccount("acc-1", "Everyday", "EUR", iban="DK00")]

    def balances(self, api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]:
        return [RemoteBalance(BalanceKind.BOOKED, Money(Decimal(self.balance), "EUR"), NOW)]

    def transactions(self, api: ApiClient, account: RemoteAccount, since: date | None) -> Iterator[TxPage]:
        self.calls.append(since)
        listed = [t for t in sorted(self.txs, key=lambda t: t.day) if since is None or t.day >= since]
        for start in range(0, len(listed), self.page_size):
            chunk = listed[start : start + self.page_size]
            good = [t.remote() for t in chunk if not t.broken]
            problems = [Problem("amount has too many decimals", t.id or "") for t in chunk if t.broken]
            yield TxPage(good, problems)


@pytest.fixture
def bank() -> FakeBank:
    return FakeBank(
        txs=[
            BankTx("b1", date(2026, 11, 1), "2500.00", "ACME salary"),
            BankTx("b2", date(2026, 11, 3), "-850.00", "Landlord rent"),
            BankTx("b3", date(2026, 11, 5), "-42.10", "Netto groceries"),
            BankTx("p1", date(2026, 11, 18), "-99.00", "Spotify", TransactionStatus.PENDING),
        ]
    )


@pytest.fixture
def engine(store: Store, bank: FakeBank) -> SyncEngine:
    store.save_connection(Connection(id="c1", provider="fake", label="Fake Bank", created_at=NOW))
    session = ProviderSession(api=None, adapter=bank)  # type: ignore[arg-type]  # the fake needs no HTTP

    def open_session(connection: Connection, cancel: threading.Event) -> ProviderSession:
        return session

    return SyncEngine(store, open_session, clock=lambda: NOW)


def _cache(store: Store) -> list[tuple[str, str, int, bool]]:
    return sorted((t.dedupe_key, t.status.value, t.amount.minor_units, t.withdrawn) for t in store.iter_transactions())


def test_first_sync_reads_everything_and_records_the_run(engine: SyncEngine, store: Store, bank: FakeBank) -> None:
    seen: list[SyncProgress] = []
    result = engine.sync("c1", progress=seen.append)
    assert result.status == "ok" and result.new == 4 and result.pages == 2
    assert bank.calls == [None]
    assert _cache(store) == [
        ("id:b1", "booked", 250000, False),
        ("id:b2", "booked", -85000, False),
        ("id:b3", "booked", -4210, False),
        ("id:p1", "pending", -9900, False),
    ]
    assert [p.pages for p in seen][-1] == 2 and seen[-1].account == "Everyday"
    (run,) = store.sync_runs("c1")
    assert (run.status, run.new, run.pages) == ("ok", 4, 2)
    assert store.get_connection("c1").last_synced_at == NOW


def test_second_sync_is_incremental_and_changes_nothing(engine: SyncEngine, store: Store, bank: FakeBank) -> None:
    engine.sync("c1")
    before = _cache(store)
    again = engine.sync("c1")
    assert (again.new, again.updated) == (0, 0)
    # from the last booked day minus the overlap, but never after the oldest open pending
    assert bank.calls[-1] == date(2026, 11, 5) - timedelta(days=10)
    assert _cache(store) == before


def test_pending_booked_under_a_new_id_claims_its_twin(engine: SyncEngine, store: Store, bank: FakeBank) -> None:
    engine.sync("c1")
    bank.txs[3] = BankTx("b4", date(2026, 11, 19), "-99.00", "Spotify")  # Aiia: new id once booked
    result = engine.sync("c1")
    assert result.claimed == 1 and result.withdrawn == 0
    keys = [k for k, *_ in _cache(store)]
    assert "id:p1" not in keys and "id:b4" in keys
    assert len(keys) == 4


def test_pending_that_vanishes_unclaimed_is_marked_withdrawn(engine: SyncEngine, store: Store, bank: FakeBank) -> None:
    engine.sync("c1")
    del bank.txs[3]
    result = engine.sync("c1")
    assert result.withdrawn == 1
    assert ("id:p1", "pending", -9900, True) in _cache(store)
    # and it stays withdrawn, not re-counted, on the next sync
    assert engine.sync("c1").withdrawn == 0


def test_deleted_by_the_person_stays_deleted(engine: SyncEngine, store: Store, bank: FakeBank) -> None:
    engine.sync("c1")
    victim = store.transaction_by_key(1, "id:b3")
    assert victim is not None and victim.id is not None
    store.delete_transaction(victim.id)
    bank.txs.append(BankTx("b5", date(2026, 11, 20), "-5.00", "Kiosk"))
    engine.sync("c1")
    assert store.transaction_by_key(1, "id:b3") is None
    assert store.transaction_by_key(1, "id:b5") is not None


def test_transactions_without_ids_get_stable_fingerprints(engine: SyncEngine, store: Store, bank: FakeBank) -> None:
    bank.txs = [
        BankTx(None, date(2026, 11, 2), "-3.50", "Café coffee"),
        BankTx(None, date(2026, 11, 2), "-3.50", "Café coffee"),  # two identical coffees, one day
        BankTx(None, date(2026, 11, 4), "-3.50", "Café coffee"),
    ]
    engine.sync("c1")
    engine.sync("c1")
    rows = _cache(store)
    assert len(rows) == 3 and all(k.startswith("fp1:") for k, *_ in rows)


def test_malformed_record_is_reported_and_the_rest_is_kept(engine: SyncEngine, store: Store, bank: FakeBank) -> None:
    bank.txs.append(BankTx("bad", date(2026, 11, 6), "-1.001", "Broken", broken=True))
    result = engine.sync("c1")
    assert result.status == "partial"
    assert result.problems == ["Everyday: amount has too many decimals bad"]
    assert len(_cache(store)) == 4
    assert store.sync_runs("c1")[0].skipped == 1


def test_revoked_consent_needs_reconsent_and_keeps_data(engine: SyncEngine, store: Store, bank: FakeBank) -> None:
    engine.sync("c1")
    before = _cache(store)
    bank.revoked = True
    result = engine.sync("c1")
    assert result.status == "needs_reconsent"
    assert store.get_connection("c1").status is ConnectionStatus.NEEDS_RECONSENT
    assert _cache(store) == before
    assert store.sync_runs("c1")[0].error == "revoked"


def test_unattended_budget_is_per_connection_and_says_when(engine: SyncEngine, store: Store) -> None:
    for _ in range(4):
        assert engine.sync("c1", unattended=True).ok
    blocked = engine.sync("c1", unattended=True)
    assert blocked.status == "rate_limited"
    assert blocked.next_allowed_at is not None and blocked.next_allowed_at > NOW
    assert engine.sync("c1").ok  # the person asking in person is not unattended access
    assert store.get_connection("c1").next_sync_allowed_at == blocked.next_allowed_at


def test_cancel_stops_between_pages_and_the_next_run_converges(
    engine: SyncEngine, store: Store, bank: FakeBank
) -> None:
    cancel = threading.Event()

    def stop_after_first_page(p: SyncProgress) -> None:
        if p.pages == 1:
            cancel.set()

    result = engine.sync("c1", progress=stop_after_first_page, cancel=cancel)
    assert result.status == "cancelled" and len(_cache(store)) == 3
    assert engine.sync("c1").ok
    assert len(_cache(store)) == 4


def test_balance_mismatch_is_flagged(engine: SyncEngine, store: Store, bank: FakeBank) -> None:
    engine.sync("c1")
    later = NOW + timedelta(days=2)
    engine._clock = lambda: later
    bank.balance = "990.00"  # moved by -10.00 …
    bank.txs.append(BankTx("b6", date(2026, 11, 21), "-25.00", "Shell"))  # … but -25.00 was booked
    original = bank.balances

    def balances_now(api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]:
        return [replace_as_of(b, later) for b in original(api, account)]

    bank.balances = balances_now  # type: ignore[method-assign]
    result = engine.sync("c1")
    assert (
        result.balance_mismatches
        and "-1000" in result.balance_mismatches[0]
        and "-2500" in result.balance_mismatches[0]
    )


def replace_as_of(balance: RemoteBalance, when: datetime) -> RemoteBalance:
    return RemoteBalance(balance.kind, balance.amount, when)


def test_consent_expiry_words() -> None:
    base = Connection(id="c", provider="tatrabanka", label="Tatra banka", consent_expires_at=NOW + timedelta(days=5))
    assert consent_days_left(base, NOW) == 5
    assert consent_warning(base, NOW) == "Consent expires in 5 days."
    assert consent_warning(base, NOW + timedelta(days=6)) == "Consent has expired; reconnect to sync again."
    assert consent_warning(base, NOW - timedelta(days=30)) is None
    assert consent_warning(Connection(id="c", provider="demo", label="Demo"), NOW) is None

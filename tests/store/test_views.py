"""Read models over a real cache: the account tree, scopes, chart series, browsing, export, undo."""

from __future__ import annotations

import io
import json
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from desktop_app.core.models import BalanceKind, BalanceSnapshot, Connection, ConnectionStatus
from desktop_app.core.money import Money
from desktop_app.core.store import Store, TxFilter, browse
from desktop_app.core.store.browse import Sort, SortKey
from desktop_app.core.store.undo import restore_transactions
from desktop_app.core.views.accounts import Badge, account_tree
from desktop_app.core.views.charts import balance_series
from desktop_app.core.views.export import ExportFormat, export_file, write_transactions
from desktop_app.core.views.scope import Scope, default_scope, resolve
from tests.factories import account, connection, tx


def _filled(store: Store) -> tuple[int, int]:
    connection(store, "c1")
    a = account(store, "c1", ref="a", name="Everyday")
    b = account(store, "c1", ref="b", name="Krona", currency="SEK")
    assert a.id is not None and b.id is not None
    store.upsert_transactions(
        [
            tx(a.id, n, amount=f"{n - 5}.25", day=date(2026, 1, 1) + timedelta(days=n), counterparty=f"P{n % 7}")
            for n in range(30)
        ]
        + [tx(b.id, 100 + n, amount="-3.00", currency="SEK", day=date(2026, 2, 1)) for n in range(5)]
    )
    store.add_balance(
        BalanceSnapshot(a.id, BalanceKind.BOOKED, Money(Decimal("100.00"), "EUR"), datetime(2026, 6, 1, tzinfo=UTC))
    )
    return a.id, b.id


def test_tree_has_typed_totals_badges_and_scopes(store: Store) -> None:
    a, b = _filled(store)
    now = datetime.now(UTC)
    store.save_connection(
        Connection(id="x", provider="aiia", label="Aiia", status=ConnectionStatus.NEEDS_RECONSENT, created_at=now)
    )
    store.save_connection(
        Connection(
            id="y",
            provider="aiia",
            label="Soon",
            consent_expires_at=now + timedelta(days=4, hours=1),
            one_time=True,
            created_at=now + timedelta(seconds=1),
        )
    )
    tree = account_tree(store, syncing={"c1"})
    first, revoked, soon = tree.connections
    assert [n.name for n in first.accounts] == ["Everyday", "Krona"]
    assert first.badges[0].kind is Badge.SYNCING
    assert revoked.wants_reconnect and revoked.badges[0].kind is Badge.NEEDS_RECONSENT
    assert "Reconnect" in revoked.badges[0].reason
    kinds = {x.kind: x for x in soon.badges}
    assert kinds[Badge.CONSENT_EXPIRING].days == 4 and Badge.ONE_TIME in kinds
    assert [(t.currency, t.total) for t in tree.totals] == [
        ("EUR", Money(Decimal("100.00"), "EUR")),
        ("SEK", Money(Decimal("0"), "SEK")),
    ]
    assert default_scope(tree) == Scope.account(a)
    whole = resolve(tree, Scope.connection("c1"))
    assert whole is not None and whole.account_ids == (a, b) and whole.spans_accounts
    assert whole.currency == "EUR" and whole.chart_account_ids == (a,)
    assert resolve(tree, Scope.account(999)) is None


def test_last_sync_outcome_is_a_badge_until_the_next(store: Store) -> None:
    _filled(store)
    run = store.start_sync_run("c1")
    store.finish_sync_run(replace(run, status="cancelled", error="Cancelled."))
    node = account_tree(store).connections[0]
    assert [x.kind for x in node.badges] == [Badge.CANCELLED]


def test_balance_line_stops_at_the_last_data_day(store: Store) -> None:
    a, _ = _filled(store)
    series = balance_series(store, [a], "EUR")
    assert series[-1][0] == date(2026, 1, 30)  # not the balance snapshot's 1 June
    assert series[-1][1] == Money(Decimal("100.00"), "EUR")


def test_browse_counts_sums_sorts_and_reads_from_either_end(store: Store) -> None:
    a, b = _filled(store)
    everything = TxFilter()
    assert browse.count(store, everything) == 35
    assert browse.sums(store, everything) == [Money(Decimal("290.00"), "EUR"), Money(Decimal("-15.00"), "SEK")]
    by_amount = Sort(SortKey.AMOUNT, descending=True)
    top = browse.rows(store, TxFilter(account_ids=(a,)), by_amount, 10)
    assert [t.amount.amount for t in top[:2]] == [Decimal("24.25"), Decimal("23.25")]
    after = browse.position(top[-1], by_amount)
    nxt = browse.rows(store, TxFilter(account_ids=(a,)), by_amount, 10, after=after)
    assert nxt[0].amount.amount == Decimal("14.25")
    # the last rows, read from the bottom, come back in display order
    bottom = browse.rows(store, TxFilter(account_ids=(a,)), by_amount, 3, backward=True)
    assert [t.amount.amount for t in bottom] == [Decimal("-3.25"), Decimal("-4.25"), Decimal("-5.25")]
    before = browse.rows(
        store, TxFilter(account_ids=(a,)), by_amount, 2, backward=True, after=browse.position(bottom[0], by_amount)
    )
    assert [t.amount.amount for t in before] == [Decimal("-1.25"), Decimal("-2.25")]
    assert browse.count(store, TxFilter(search="nothing-like-it")) == 0
    assert browse.count(store, TxFilter(search="card", account_ids=(b,))) == 5
    months = browse.monthly_in_out(store, TxFilter(account_ids=(a,), date_from=date(2026, 1, 10)), "EUR")
    assert [m.month for m in months] == ["2026-01"]
    assert months[0].money_out == Money(Decimal("0"), "EUR")


def test_undo_restores_a_deleted_transaction_and_lifts_its_tombstone(store: Store) -> None:
    a, _ = _filled(store)
    victim = browse.rows(store, TxFilter(account_ids=(a,)), Sort(), 1)[0]
    assert victim.id is not None
    full = browse.transaction(store, victim.id)
    assert full is not None and full.raw is not None
    store.delete_transaction(victim.id)
    assert store.upsert_transactions([full]).tombstoned == 1  # a sync would skip it
    restore_transactions(store, [full])
    back = store.transaction_by_key(a, full.dedupe_key)
    assert back is not None and back.amount == full.amount and back.raw == full.raw
    assert store.search(full.description)


def test_export_streams_exact_csv_and_json_and_cancels_cleanly(store: Store, tmp_path: Path) -> None:
    a, _ = _filled(store)
    out = io.StringIO()
    result = write_transactions(store.iter_transactions(TxFilter(account_ids=(a,))), out, ExportFormat.JSON)
    rows = json.loads(out.getvalue())
    assert result.rows == 30 and rows[0]["amount"] == "24.25" and rows[0]["date"] == "2026-01-30"
    empty = io.StringIO()
    write_transactions([], empty, ExportFormat.JSON)
    assert json.loads(empty.getvalue()) == []
    target = tmp_path / "t.csv"
    assert export_file(store, TxFilter(), target).rows == 35
    assert target.read_text(encoding="utf-8").splitlines()[0].startswith("id,account,date")
    stop = threading.Event()
    stop.set()
    cancelled = export_file(store, TxFilter(), tmp_path / "never.csv", cancel=stop)
    assert cancelled.cancelled and not (tmp_path / "never.csv").exists()
    assert list(tmp_path.glob("*.part")) == []


def test_a_connection_without_tokens_needs_reconnecting(store: Store) -> None:
    _filled(store)
    store.save_connection(replace(store.get_connection("c1"), last_synced_at=datetime.now(UTC)))
    assert [b.kind for b in account_tree(store).connections[0].badges] == [Badge.SYNCED]
    node = account_tree(store, has_access=lambda connection_id: False).connections[0]
    assert [b.kind for b in node.badges] == [Badge.NEEDS_RECONSENT] and node.wants_reconnect
    assert "keyring" in node.badges[0].reason


def test_pages_over_several_accounts_keep_the_newest_first_order(store: Store) -> None:
    a, b = _filled(store)
    both = TxFilter(account_ids=(a, b))
    expected = [t.id for t in store.iter_transactions(both)]
    newest = browse.Sort()
    got: list[int | None] = []
    after = None
    while True:
        page = browse.rows(store, both, newest, 4, after=after)
        got += [t.id for t in page]
        if len(page) < 4:
            break
        after = browse.position(page[-1], newest)
    assert got == expected
    tail = browse.rows(store, both, newest, 3, backward=True)
    assert [t.id for t in tail] == expected[-3:]
    middle = browse.rows(store, both, newest, 5, offset=10)
    assert [t.id for t in middle] == expected[10:15]

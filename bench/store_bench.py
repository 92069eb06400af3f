"""Cache figures: bulk insert, idempotent re-upsert, series, search and first page on 1M rows."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.figures import Figure, at_least, at_most, median_ms
from bench.synthetic import transactions
from desktop_app.core.models import Account, Connection, Transaction
from desktop_app.core.store import Store, TxFilter
from desktop_app.core.store.rows import tx_row as _tx_row

ACCOUNTS = 10


def _fresh_store(folder: Path, name: str) -> tuple[Store, list[int]]:
    store = Store.open(folder / f"{name}.db")
    store.save_connection(Connection(id="bench", provider="demo", label="Bench", created_at=datetime.now(UTC)))
    accounts = store.save_accounts(
        Account(connection_id="bench", provider_account_id=f"a{i}", name=f"Account {i}", currency="EUR")
        for i in range(ACCOUNTS)
    )
    return store, [a.id for a in accounts if a.id is not None]


def _raw_executemany(folder: Path, name: str, txs: list[Transaction]) -> float:
    """The floor: the very rows Saldo writes, built beforehand, one executemany, no index."""
    conn = sqlite3.connect(folder / f"{name}.db", isolation_level=None)
    conn.execute("PRAGMA page_size=16384")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, account_id INT, dedupe_key TEXT, key_version INT, provider_id TEXT, "
        "status TEXT, date TEXT, value_date TEXT, amount_minor INT, currency TEXT, description TEXT, "
        "counterparty TEXT, raw TEXT, first_seen_at TEXT, updated_at TEXT)"
    )
    now = datetime.now(UTC).isoformat()
    rows = [_tx_row(t, now) for t in txs]
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO t VALUES (NULL{', ?' * 14})", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return len(txs) / elapsed


def run(large: int = 1_000_000, small: int = 100_000) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="saldo-bench-") as tmp:
        folder = Path(tmp)
        probe, ids = _fresh_store(folder, "probe")
        probe.close()
        print(f"store: generating {large:,} synthetic transactions over {ACCOUNTS} accounts and 10 years…", flush=True)
        everything = list(transactions(large, ids))
        for size in (small, large):
            rows = everything[:size]
            raw_rate = _raw_executemany(folder, f"raw{size}", rows)
            store, _ = _fresh_store(folder, f"saldo{size}")
            start = time.perf_counter()
            result = store.bulk_import(rows)
            rate = size / (time.perf_counter() - start)
            assert result.new == size, result
            ratio = rate / raw_rate
            figures.append(
                at_least(
                    "store",
                    f"bulk insert of {size:,} transactions",
                    rate,
                    "tx/s",
                    150_000,
                    f"{ratio:.2f}x raw executemany at {raw_rate:,.0f} tx/s; target >= 0.6x",
                )
            )
            if ratio < 0.6:
                figures[-1].ok = False
            if size == large:
                big = store
            else:
                store.close()

        again = everything[:small]
        start = time.perf_counter()
        result = big.upsert_transactions(again)
        rate = small / (time.perf_counter() - start)
        assert result.new == 0 and result.updated == 0, result
        figures.append(at_least("store", f"idempotent re-upsert of {small:,} (into {large:,})", rate, "tx/s", 300_000))

        account = ids[0]
        ms = median_ms(lambda: big.daily_balance_series(account))
        points = len(big.daily_balance_series(account))
        per_account = big.count_transactions(account)
        figures.append(
            at_most(
                "store",
                f"10-year daily balance series on {large:,} rows",
                ms,
                "ms",
                20,
                f"{points} days, {per_account:,} rows in the account",
            )
        )

        worst = 0.0
        for term in ("netto", "spotify 4", "café", "salary acme"):
            worst = max(worst, median_ms(lambda term=term: big.search(term, limit=50)))
        figures.append(
            at_most("store", f"FTS search, first 50 hits, on {large:,} rows", worst, "ms", 20, "worst of 4 queries")
        )

        ms = median_ms(lambda: big.transactions_page(TxFilter(), None, 50))
        figures.append(at_most("store", f"first page of 50, newest first, on {large:,} rows", ms, "ms", 5))
        big.close()
    return figures

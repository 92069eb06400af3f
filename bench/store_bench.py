"""Cache figures on 1M rows, for a plain and an encrypted (SQLCipher) cache, plus backup and restore.

Every store figure is measured twice, plain and encrypted; an extra figure per pair gives the
encrypted cost as a multiple of the plain one (target: within 15%).
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.figures import Figure, at_least, at_most, median_ms
from bench.synthetic import transactions
from desktop_app.core.models import Account, Connection, Transaction
from desktop_app.core.store import Store, TxFilter
from desktop_app.core.store.backup import restore_backup, write_backup
from desktop_app.core.store.cache import open_cache
from desktop_app.core.store.driver import CacheKey, apply_key, sqlite
from desktop_app.core.store.keys import KeyringKeys, KeySource, PlainKeys
from desktop_app.core.store.store import _tx_row
from desktop_app.core.vault import Vault, _Memory

ACCOUNTS = 10
MODES = ("plain", "encrypted")
BACKUP_PASSPHRASE = "bench backup passphrase"  # noqa: S105 (a throwaway bench file)


def _keys(mode: str) -> KeySource:
    if mode == "plain":
        return PlainKeys()
    # The real KeyringKeys over an in-memory keyring backend: the bench leaves the user's keyring alone.
    return KeyringKeys(Vault(_Memory()))  # type: ignore[arg-type]


def _fresh_store(folder: Path, name: str, keys: KeySource) -> tuple[Store, list[int]]:
    store = open_cache(folder / f"{name}.db", keys)
    store.save_connection(Connection(id="bench", provider="demo", label="Bench", created_at=datetime.now(UTC)))
    accounts = store.save_accounts(
        Account(connection_id="bench", provider_account_id=f"a{i}", name=f"Account {i}", currency="EUR")
        for i in range(ACCOUNTS)
    )
    return store, [a.id for a in accounts if a.id is not None]


def _raw_executemany(folder: Path, name: str, txs: list[Transaction], key: CacheKey | None) -> float:
    """The floor: the very rows Saldo writes, built beforehand, one executemany, no index."""
    conn = sqlite.connect(folder / f"{name}.db", isolation_level=None)
    apply_key(conn, key)
    if key is None:
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


def _figures(folder: Path, mode: str, everything: list[Transaction], large: int, small: int) -> list[Figure]:
    keys = _keys(mode)
    figures: list[Figure] = []
    for size in (small, large):
        rows = everything[:size]
        raw_rate = _raw_executemany(folder, f"raw{size}-{mode}", rows, CacheKey.random() if keys.encrypted else None)
        store, _ = _fresh_store(folder, f"saldo{size}-{mode}", keys)
        start = time.perf_counter()
        result = store.bulk_import(rows)
        rate = size / (time.perf_counter() - start)
        assert result.new == size, result
        ratio = rate / raw_rate
        note = f"{ratio:.2f}x raw executemany at {raw_rate:,.0f} tx/s; target >= 0.6x"
        figures.append(at_least("store", f"bulk insert of {size:,} transactions ({mode})", rate, "tx/s", 150_000, note))
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
    figures.append(
        at_least("store", f"idempotent re-upsert of {small:,} (into {large:,}) ({mode})", rate, "tx/s", 300_000)
    )

    account = ids_of(big)[0]
    ms = median_ms(lambda: big.daily_balance_series(account))
    points = len(big.daily_balance_series(account))
    per_account = big.count_transactions(account)
    note = f"{points} days, {per_account:,} rows in the account"
    figures.append(at_most("store", f"10-year daily balance series on {large:,} rows ({mode})", ms, "ms", 20, note))

    worst = 0.0
    for term in ("netto", "spotify 4", "café", "salary acme"):
        worst = max(worst, median_ms(lambda term=term: big.search(term, limit=50)))
    figures.append(
        at_most("store", f"FTS search, first 50 hits, on {large:,} rows ({mode})", worst, "ms", 20, "worst of 4")
    )

    ms = median_ms(lambda: big.transactions_page(TxFilter(), None, 50))
    figures.append(at_most("store", f"first page of 50, newest first, on {large:,} rows ({mode})", ms, "ms", 5))
    if keys.encrypted:
        figures += _backup_figures(folder, big, keys, large)
    big.close()
    return figures


def ids_of(store: Store) -> list[int]:
    return [a.id for a in store.accounts() if a.id is not None]


def _backup_figures(folder: Path, big: Store, keys: KeySource, large: int) -> list[Figure]:
    target = folder / "bench.backup"
    start = time.perf_counter()
    info = write_backup(big, target, BACKUP_PASSPHRASE)
    took = time.perf_counter() - start
    size = f"{info.size / 1e6:,.0f} MB backup"
    figures = [at_most("store", f"backup of the {large:,}-row encrypted cache", took, "s", 10, size)]
    other = folder / "restored"
    other.mkdir()
    start = time.perf_counter()
    restore_backup(target, other / "saldo.db", BACKUP_PASSPHRASE, _keys("encrypted"))
    took = time.perf_counter() - start
    figures.append(at_most("store", "restore of that backup (another keyring)", took, "s", 10, "verified"))
    return figures


def _compare(plain: list[Figure], encrypted: list[Figure]) -> list[Figure]:
    """Encrypted cost as a multiple of plain, per figure pair (higher-is-better figures inverted)."""
    out = []
    for p, e in zip(plain, encrypted, strict=False):
        if not e.name.endswith("(encrypted)"):
            continue
        cost = p.value / e.value if p.unit == "tx/s" else e.value / p.value
        name = p.name.removesuffix(" (plain)")
        out.append(at_most("store", f"encrypted/plain cost: {name}", cost, "x", 1.15))
    return out


def run(large: int = 1_000_000, small: int = 100_000) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="saldo-bench-") as tmp:
        folder = Path(tmp)
        probe, ids = _fresh_store(folder, "probe", PlainKeys())
        probe.close()
        print(f"store: generating {large:,} synthetic transactions over {ACCOUNTS} accounts and 10 years…", flush=True)
        everything = list(transactions(large, ids))
        measured = {}
        for mode in MODES:
            print(f"store: {mode} cache…", flush=True)
            measured[mode] = _figures(folder, mode, everything, large, small)
            figures += measured[mode]
        figures += _compare(measured["plain"], measured["encrypted"])
    return figures

"""Cache figures on 1M rows, for a plain and an encrypted (SQLCipher) cache, plus backup and restore.

Every store figure is measured twice, plain and encrypted; an extra figure per pair gives the
encrypted cost as a multiple of the plain one (target: within 15%).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
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
from desktop_app.core.store.rows import tx_row as _tx_row
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


def _bulk(folder: Path, name: str, keys: KeySource, rows: list[Transaction]) -> tuple[Store, float, float]:
    """A fresh cache with `rows` bulk-imported: (store, its rate, the raw executemany rate)."""
    raw_rate = _raw_executemany(folder, f"raw-{name}", rows, CacheKey.random() if keys.encrypted else None)
    _remove(folder / f"raw-{name}.db")
    store, _ = _fresh_store(folder, name, keys)
    start = time.perf_counter()
    result = store.bulk_import(rows)
    rate = len(rows) / (time.perf_counter() - start)
    assert result.new == len(rows), result
    return store, rate, raw_rate


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _paired(measure: Callable[[str], float], rounds: int, best: Callable[..., float]) -> dict[str, float]:
    """Measure both modes back to back, `rounds` times, and keep each mode's best: on a shared
    machine the load changes by the minute, and alternating keeps the two sides comparable."""
    samples: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(rounds):
        for mode in MODES:
            samples[mode].append(measure(mode))
    return {mode: best(values) for mode, values in samples.items()}


def _insert_figures(
    folder: Path, keys: dict[str, KeySource], everything: list[Transaction], large: int, small: int
) -> tuple[list[Figure], dict[str, Store]]:
    floors: dict[tuple[int, str], float] = {}
    kept: dict[str, Store] = {}  # the last large cache of each mode, for the query figures
    trial = iter(range(1_000))

    def insert(mode: str, size: int) -> float:
        store, rate, raw_rate = _bulk(folder, f"saldo{size}-{mode}-{next(trial)}", keys[mode], everything[:size])
        floors[(size, mode)] = max(floors.get((size, mode), 0.0), raw_rate)
        done: Store | None = store
        if size == large:  # keep this one; drop the one it replaces
            done = kept.get(mode)
            kept[mode] = store
        if done is not None:
            done.close()
            _remove(done.path)
        return rate

    rates = {small: _paired(lambda mode: insert(mode, small), 3, max)}
    rates[large] = _paired(lambda mode: insert(mode, large), 2, max)
    figures: list[Figure] = []
    for size in (small, large):
        for mode in MODES:
            ratio = rates[size][mode] / floors[(size, mode)]
            note = f"{ratio:.2f}x raw executemany at {floors[(size, mode)]:,.0f} tx/s; target >= 0.6x"
            name = f"bulk insert of {size:,} transactions ({mode})"
            figures.append(at_least("store", name, rates[size][mode], "tx/s", 150_000, note))
            figures[-1].ok = figures[-1].ok and ratio >= 0.6
    return figures, kept


def _query_figures(big: dict[str, Store], everything: list[Transaction], large: int, small: int) -> list[Figure]:
    figures: list[Figure] = []
    again = everything[:small]

    def reupsert(mode: str) -> float:
        start = time.perf_counter()
        result = big[mode].upsert_transactions(again)
        assert result.new == 0 and result.updated == 0, result
        return small / (time.perf_counter() - start)

    rates = _paired(reupsert, 3, max)
    for mode in MODES:
        name = f"idempotent re-upsert of {small:,} (into {large:,}) ({mode})"
        figures.append(at_least("store", name, rates[mode], "tx/s", 300_000))

    account = next(a.id for a in big["plain"].accounts() if a.id is not None)
    series = _paired(lambda mode: median_ms(lambda: big[mode].daily_balance_series(account)), 3, min)
    points = len(big["plain"].daily_balance_series(account))
    note = f"{points} days, {big['plain'].count_transactions(account):,} rows in the account"
    for mode in MODES:
        name = f"10-year daily balance series on {large:,} rows ({mode})"
        figures.append(at_most("store", name, series[mode], "ms", 20, note))

    def search(mode: str) -> float:
        terms = ("netto", "spotify 4", "café", "salary acme")
        return max(median_ms(lambda term=term: big[mode].search(term, limit=50)) for term in terms)

    worst = _paired(search, 3, min)
    for mode in MODES:
        name = f"FTS search, first 50 hits, on {large:,} rows ({mode})"
        figures.append(at_most("store", name, worst[mode], "ms", 20, "worst of 4 queries"))

    first = _paired(lambda mode: median_ms(lambda: big[mode].transactions_page(TxFilter(), None, 50)), 3, min)
    for mode in MODES:
        figures.append(
            at_most("store", f"first page of 50, newest first, on {large:,} rows ({mode})", first[mode], "ms", 5)
        )
    return figures


def _backup_figures(folder: Path, big: Store, large: int) -> list[Figure]:
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


def _compare(figures: list[Figure]) -> list[Figure]:
    """Encrypted cost as a multiple of plain, per figure pair (higher-is-better figures inverted)."""
    by_name = {f.name: f for f in figures}
    out = []
    for name, plain in by_name.items():
        if not name.endswith(" (plain)"):
            continue
        what = name.removesuffix(" (plain)")
        encrypted = by_name[f"{what} (encrypted)"]
        cost = plain.value / encrypted.value if plain.unit == "tx/s" else encrypted.value / plain.value
        out.append(at_most("store", f"encrypted/plain cost: {what}", cost, "x", 1.15))
    return out


def run(large: int = 1_000_000, small: int = 100_000) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="saldo-bench-") as tmp:
        folder = Path(tmp)
        probe, ids = _fresh_store(folder, "probe", PlainKeys())
        probe.close()
        print(f"store: generating {large:,} synthetic transactions over {ACCOUNTS} accounts and 10 years…", flush=True)
        everything = list(transactions(large, ids))
        keys = {mode: _keys(mode) for mode in MODES}
        print("store: bulk inserts, plain and encrypted in turn…", flush=True)
        figures, big = _insert_figures(folder, keys, everything, large, small)
        try:
            figures += _query_figures(big, everything, large, small)
            comparisons = _compare(figures)
            figures += _backup_figures(folder, big["encrypted"], large)
        finally:
            for store in big.values():
                store.close()
    return figures + comparisons

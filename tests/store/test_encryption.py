"""The encrypted cache: nothing readable on disk, keys in the keyring, plain caches encrypted in place."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from desktop_app.core.errors import CacheLockedError, CorruptDatabaseError, SaldoError
from desktop_app.core.store import Store, migrations
from desktop_app.core.store.cache import cache_status, change_passphrase, open_cache
from desktop_app.core.store.keys import KeyringKeys, PassphraseKeys, PlainKeys
from desktop_app.core.vault import Vault
from tests.cachekeys import MemoryKeyring, connect_raw, memory_keys
from tests.factories import account, connection, tx

SECRET_TEXTS = (b"Kebab Palace Vesterbro", b"Dr. Jensen Psychiatry", b"DK5000400440116243")


def _fill(store: Store, count: int = 400) -> None:
    connection(store)
    acc = account(store).id
    assert acc is not None
    rows = [
        tx(acc, n, description=f"Kebab Palace Vesterbro {n}", counterparty="Dr. Jensen Psychiatry DK5000400440116243")
        for n in range(count)
    ]
    store.upsert_transactions(rows)


def _leaks(folder: Path) -> list[str]:
    found = []
    for path in folder.iterdir():
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {text!r}" for text in SECRET_TEXTS if text in data or text.lower() in data]
    return found


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_no_transaction_text_in_the_cache_or_its_write_ahead_log(data_dir: Path) -> None:
    keys = memory_keys()
    store = open_cache(data_dir / "saldo.db", keys)
    _fill(store)
    # While open, recent commits sit in the WAL: it must be as unreadable as the file.
    assert (data_dir / "saldo.db-wal").stat().st_size > 0
    assert _leaks(data_dir) == []
    assert (data_dir / "saldo.db").read_bytes()[:16] != b"SQLite format 3\x00"
    assert store.search("kebab vesterbro")  # FTS5 works under encryption
    store.close()
    assert _leaks(data_dir) == []
    with open_cache(data_dir / "saldo.db", keys) as again:
        assert again.count_transactions() == 400
        assert again.schema_version == migrations.LATEST


def test_the_same_texts_are_found_in_a_plain_cache(data_dir: Path) -> None:
    """The grep above can fail: in a plain cache it finds the texts."""
    with open_cache(data_dir / "saldo.db", PlainKeys()) as store:
        _fill(store)
    assert _leaks(data_dir)


def test_migrations_run_on_an_encrypted_cache(data_dir: Path) -> None:
    keys = memory_keys()
    key = keys.new_key()
    path = data_dir / "saldo.db"
    conn = connect_raw(path, key)
    conn.execute("PRAGMA journal_mode=WAL")
    migrations.migrate(conn, path, target=1, key=key)
    conn.close()
    with open_cache(path, keys) as store:
        assert store.schema_version == migrations.LATEST
        assert store.backup_path is not None
        assert store.backup_path.read_bytes()[:16] == key.salt  # the schema backup is encrypted too
        _fill(store, 10)
        assert len(store.search("kebab")) == 10


def test_a_keyring_that_lost_the_key_is_reported_and_nothing_is_created(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    with open_cache(path, memory_keys()) as store:
        _fill(store, 5)
    before = _digest(path)
    with pytest.raises(CacheLockedError, match=r"not in your keyring.*saldo restore FILE"):
        open_cache(path, memory_keys())  # a fresh, empty keyring
    assert _digest(path) == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["saldo.db"]


def test_wrong_passphrase_is_refused_and_changes_nothing(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    with open_cache(path, PassphraseKeys("first passphrase")) as store:
        _fill(store, 5)
    before = _digest(path)
    with pytest.raises(CacheLockedError, match="passphrase does not open"):
        open_cache(path, PassphraseKeys("second passphrase"))
    assert _digest(path) == before
    with pytest.raises(CacheLockedError, match="no key for it is at hand"):
        open_cache(path, PlainKeys())
    assert _digest(path) == before


def test_change_passphrase_re_encrypts(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    store = open_cache(path, PassphraseKeys("first passphrase"))
    _fill(store, 5)
    with pytest.raises(CacheLockedError):
        change_passphrase(store, "not the current one", "second passphrase")
    with pytest.raises(SaldoError, match="too short"):
        change_passphrase(store, "first passphrase", "short")
    keys = change_passphrase(store, "first passphrase", "second passphrase")
    store.close()
    with pytest.raises(CacheLockedError):
        open_cache(path, PassphraseKeys("first passphrase"))
    with open_cache(path, keys) as reopened:
        assert reopened.count_transactions() == 5
        assert cache_status(reopened, keys).describe() == "Your data is encrypted; the key is in your passphrase."


def test_status_names_the_keyring_and_warns_when_plain(data_dir: Path) -> None:
    keys = memory_keys()
    with open_cache(data_dir / "saldo.db", keys) as store:
        status = cache_status(store, keys)
        assert status.encrypted and not status.passphrase
        assert status.describe() == "Your data is encrypted; the key is in MemoryKeyring."
        with pytest.raises(SaldoError, match="not protected by a passphrase"):
            change_passphrase(store, "x" * 8, "y" * 8)
    with open_cache(data_dir / "plain.db", PlainKeys()) as store:
        assert "NOT encrypted" in cache_status(store, PlainKeys()).describe()


def test_a_session_only_vault_cannot_hold_the_cache_key() -> None:
    with pytest.raises(SaldoError, match="needs a system keyring"):
        KeyringKeys(Vault(None, session_only=True))


def test_a_plain_cache_is_encrypted_in_place_and_the_plain_copies_go(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    conn = connect_raw(path, None)
    conn.execute("PRAGMA journal_mode=WAL")
    migrations.migrate(conn, path, target=2)
    conn.close()
    with Store.open(path) as plain:  # a cache from before encryption, migrated once (a plain .bak)
        _fill(plain, 50)
    assert _leaks(data_dir)
    keyring = MemoryKeyring()
    keys = KeyringKeys(Vault(keyring))
    with open_cache(path, keys) as store:
        assert store.key is not None
        assert store.count_transactions() == 50
        assert [t.booking_date for t in store.search("kebab palace", limit=1)] == [date(2026, 3, 1)]
    assert _leaks(data_dir) == []
    assert sorted(p.name for p in data_dir.iterdir()) == ["saldo.db"]
    assert any(name.startswith("cache-key:") for _, name in keyring.values)


def test_a_damaged_cache_opened_lazily_is_never_written(data_dir: Path) -> None:
    """The app opens without the whole-file check; the first write runs it and writes nothing."""
    path = data_dir / "saldo.db"
    keys = memory_keys()
    with open_cache(path, keys) as store:
        _fill(store, 3000)
    raw = bytearray(path.read_bytes())
    pages = len(raw) // 16384
    for page in (pages // 2, pages // 2 + 1):
        raw[page * 16384 : (page + 1) * 16384] = bytes(16384)
    path.write_bytes(bytes(raw))
    before = _digest(path)
    with pytest.raises(CorruptDatabaseError, match="damaged"):
        open_cache(path, keys)
    store = open_cache(path, keys, verify=False)
    try:
        assert [c.id for c in store.connections()] == ["c1"]  # reading what is sound still works
        with pytest.raises(CorruptDatabaseError, match="damaged"):
            store.start_sync_run("c1")
    finally:
        store.close()
    assert _digest(path) == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["saldo.db"]

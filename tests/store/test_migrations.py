"""Opening the cache: new files, migrations from every schema, and files we must not touch."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest

from desktop_app.core.store import CorruptDatabaseError, DatabaseTooNewError, Store, StoreError, migrations
from desktop_app.core.store.database import connect


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_private_wal_and_latest(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    with Store.open(path) as store:
        assert store.schema_version == migrations.LATEST
        assert store.backup_path is None
        mode = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _database_at(path: Path, version: int) -> None:
    conn = connect(path)
    try:
        migrations.migrate(conn, path, target=version)
        conn.execute(
            "INSERT INTO connections (id, provider, label, status, created_at) "
            "VALUES ('c1', 'demo', 'Demo', 'active', '2026-01-01T00:00:00+00:00')"
        )
        conn.execute(
            "INSERT INTO accounts (connection_id, provider_account_id, name, currency) VALUES ('c1','a','A','EUR')"
        )
        conn.execute(
            "INSERT INTO transactions (account_id, dedupe_key, status, date, amount_minor, currency, description, "
            "first_seen_at, updated_at) VALUES (1, 'id:x', 'booked', '2026-02-03', -1230, 'EUR', 'Netto Aarhus', "
            "'2026-02-03T00:00:00+00:00', '2026-02-03T00:00:00+00:00')"
        )
        if version >= 3:  # the search index exists: index the row as the store does
            conn.execute(migrations.INDEX_NEW_ROWS, (0,))
    finally:
        conn.close()


@pytest.mark.parametrize("version", range(1, migrations.LATEST))
def test_migrates_from_every_earlier_schema_keeping_data(data_dir: Path, version: int) -> None:
    path = data_dir / "saldo.db"
    _database_at(path, version)
    with Store.open(path) as store:
        assert store.schema_version == migrations.LATEST
        assert store.backup_path is not None and store.backup_path.exists()
        assert stat.S_IMODE(store.backup_path.stat().st_mode) == 0o600
        (found,) = store.search("netto")
        assert found.amount.minor_units == -1230
        assert store.integrity_check() == "ok"
    backup = sqlite3.connect(store.backup_path)
    try:
        assert backup.execute("PRAGMA user_version").fetchone()[0] == version
        assert backup.execute("SELECT count(*) FROM transactions").fetchone()[0] == 1
    finally:
        backup.close()


def test_reopening_latest_makes_no_backup(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    Store.open(path).close()
    with Store.open(path) as store:
        assert store.backup_path is None
    assert list(data_dir.glob("*.bak")) == []


def test_too_new_database_is_refused_and_untouched(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    before = _digest(path)
    with pytest.raises(DatabaseTooNewError, match="newer Saldo"):
        Store.open(path)
    assert _digest(path) == before


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a database at all" * 100,
        b"SQLite format 3\x00" + b"\xff" * 4080,  # right magic, garbage pages
    ],
)
def test_corrupt_file_is_reported_and_left_byte_for_byte(data_dir: Path, content: bytes) -> None:
    path = data_dir / "saldo.db"
    path.write_bytes(content)
    before = _digest(path)
    with pytest.raises(CorruptDatabaseError) as info:
        Store.open(path)
    assert "untouched" in str(info.value)
    assert _digest(path) == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["saldo.db"]


def test_damaged_pages_in_a_real_database_are_reported(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    Store.open(path).close()
    raw = bytearray(path.read_bytes())
    raw[100:4096] = b"\x00\xee" * ((4096 - 100) // 2)  # wipe the schema page after the header
    path.write_bytes(bytes(raw))
    before = _digest(path)
    with pytest.raises(StoreError):
        Store.open(path)
    assert _digest(path) == before


def test_failed_step_rolls_back_to_a_whole_version(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_dir / "saldo.db"
    _database_at(path, 1)

    def broken(db: object) -> None:
        raise RuntimeError("step failed half way")

    monkeypatch.setattr(migrations, "STEPS", (*migrations.STEPS[:1], broken, *migrations.STEPS[2:]))
    with pytest.raises(RuntimeError):
        Store.open(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM transactions").fetchone()[0] == 1
    finally:
        conn.close()

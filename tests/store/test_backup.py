"""Backups: passphrase-sealed snapshots that restore on another machine, and every bad input refused."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.errors import CacheLockedError, SaldoError
from desktop_app.core.models import ConnectionStatus
from desktop_app.core.oauth.tokens import TokenSet
from desktop_app.core.store import migrations
from desktop_app.core.store.backup import restore_backup, write_backup
from desktop_app.core.store.cache import open_cache
from desktop_app.core.store.keys import KeyringKeys, PassphraseKeys, PlainKeys
from desktop_app.core.store.sealed import MAGIC, BackupTooNewError, DamagedBackupError, WrongPassphraseError
from desktop_app.core.vault import Vault
from tests.cachekeys import CHILD_ENV, MemoryKeyring, memory_keys, passphrase_cache
from tests.factories import account, connection, tx

PASS = "a backup passphrase"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.access-token-never-in-a-backup"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def machine(tmp_path: Path) -> tuple[Path, KeyringKeys, Path]:
    """A cache with 500 transactions and a token in the keyring; returns (cache, keys, backup)."""
    vault = Vault(MemoryKeyring())
    keys = KeyringKeys(vault)
    cache = tmp_path / "one" / "saldo.db"
    cache.parent.mkdir()
    with open_cache(cache, keys) as store:
        connection(store)
        acc = account(store).id
        assert acc is not None
        store.upsert_transactions([tx(acc, n, description=f"Wolt Frederiksberg {n}") for n in range(500)])
        vault.save_tokens("c1", TokenSet(access_token=TOKEN, refresh_token="refresh-" + TOKEN))
        made = write_backup(store, tmp_path / "saldo.backup", PASS)
    assert made.schema == migrations.LATEST
    return cache, keys, made.path


def test_restores_on_another_machine_without_its_keyring(
    tmp_path: Path, machine: tuple[Path, KeyringKeys, Path]
) -> None:
    _, _, backup = machine
    data = backup.read_bytes()
    assert data.startswith(MAGIC)
    assert b"Wolt" not in data and TOKEN.encode() not in data
    other = memory_keys()  # a different keyring: the first machine's key is not in it
    cache = tmp_path / "two" / "saldo.db"
    cache.parent.mkdir()
    result = restore_backup(backup, cache, PASS, other)
    assert result.previous is None and result.reconsent == 1
    with open_cache(cache, other) as store:
        assert store.count_transactions() == 500
        assert [c.status for c in store.connections()] == [ConnectionStatus.NEEDS_RECONSENT]
        tables = [r[0] for r in store._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        dump = "\n".join(str(row) for t in tables for row in store._conn.execute(f'SELECT * FROM "{t}"'))
        assert "Wolt Frederiksberg 499" in dump and TOKEN not in dump
    assert sorted(p.name for p in cache.parent.iterdir()) == ["saldo.db"]


@pytest.mark.parametrize("keys", [PassphraseKeys("cache passphrase"), PlainKeys()], ids=["passphrase", "plain"])
def test_restores_under_a_passphrase_or_plain_key_source(
    tmp_path: Path, machine: tuple[Path, KeyringKeys, Path], keys: PassphraseKeys | PlainKeys
) -> None:
    cache = tmp_path / "three" / "saldo.db"
    cache.parent.mkdir()
    restore_backup(machine[2], cache, PASS, keys)
    with open_cache(cache, keys) as store:
        assert store.count_transactions() == 500
        assert (store.key is None) is isinstance(keys, PlainKeys)


def test_restore_keeps_the_previous_cache_aside(machine: tuple[Path, KeyringKeys, Path]) -> None:
    cache, keys, backup = machine
    with open_cache(cache, keys) as store:
        store.delete_transaction(1)
    before = _digest(cache)
    result = restore_backup(backup, cache, PASS, keys)
    assert result.previous is not None and _digest(result.previous) == before
    with open_cache(cache, keys) as store:
        assert store.count_transactions() == 500
    with open_cache(result.previous, keys) as old:
        assert old.count_transactions() == 499


def test_a_keyring_that_lost_the_key_can_restore_a_backup(machine: tuple[Path, KeyringKeys, Path]) -> None:
    cache, _, backup = machine
    before = _digest(cache)
    fresh = memory_keys()
    with pytest.raises(CacheLockedError, match="saldo restore FILE"):
        open_cache(cache, fresh)
    result = restore_backup(backup, cache, PASS, fresh)
    assert result.previous is not None and _digest(result.previous) == before
    with open_cache(cache, fresh) as store:
        assert store.count_transactions() == 500


def _expect_refused(cache: Path, keys: KeyringKeys, backup: Path, error: type[SaldoError], match: str) -> None:
    before = {p.name: _digest(p) for p in cache.parent.iterdir()}
    with pytest.raises(error, match=match):
        restore_backup(backup, cache, PASS, keys)
    assert {p.name: _digest(p) for p in cache.parent.iterdir()} == before


def test_wrong_passphrase(machine: tuple[Path, KeyringKeys, Path]) -> None:
    cache, keys, backup = machine
    before = _digest(cache)
    with pytest.raises(WrongPassphraseError, match="passphrase is wrong"):
        restore_backup(backup, cache, "not the passphrase", keys)
    assert _digest(cache) == before


@pytest.mark.parametrize("cut", ["half", "last bytes", "last chunk"])
def test_truncated_backup(tmp_path: Path, machine: tuple[Path, KeyringKeys, Path], cut: str) -> None:
    cache, keys, backup = machine
    data = backup.read_bytes()
    size = {"half": len(data) // 2, "last bytes": len(data) - 7, "last chunk": _chunk_starts(data)[-1]}[cut]
    short = tmp_path / "short.backup"
    short.write_bytes(data[:size])
    _expect_refused(cache, keys, short, DamagedBackupError, "truncated")


def test_tampered_backup(tmp_path: Path, machine: tuple[Path, KeyringKeys, Path]) -> None:
    cache, keys, backup = machine
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "bad.backup"
    bad.write_bytes(bytes(data))
    _expect_refused(cache, keys, bad, DamagedBackupError, "tampered")


def test_not_a_backup(tmp_path: Path, machine: tuple[Path, KeyringKeys, Path]) -> None:
    cache, keys, _ = machine
    junk = tmp_path / "junk"
    junk.write_bytes(b"PK\x03\x04 a zip file, say" * 10)
    _expect_refused(cache, keys, junk, DamagedBackupError, "not a Saldo backup")


@pytest.mark.parametrize("field", ["format", "schema"])
def test_a_backup_from_a_newer_saldo_is_refused(
    tmp_path: Path, machine: tuple[Path, KeyringKeys, Path], field: str
) -> None:
    cache, keys, backup = machine
    data = backup.read_bytes()
    size = int.from_bytes(data[8:12], "big")
    header = json.loads(data[12 : 12 + size])
    header[field] += 1
    raw = json.dumps(header).encode()
    newer = tmp_path / "newer.backup"
    newer.write_bytes(MAGIC + len(raw).to_bytes(4, "big") + raw + data[12 + size :])
    _expect_refused(cache, keys, newer, BackupTooNewError, "newer Saldo")


def test_backup_never_overwrites_and_checks_the_passphrase(
    tmp_path: Path, machine: tuple[Path, KeyringKeys, Path]
) -> None:
    cache, keys, backup = machine
    before = _digest(backup)
    with open_cache(cache, keys) as store:
        with pytest.raises(SaldoError, match="already exists"):
            write_backup(store, backup, PASS)
        with pytest.raises(SaldoError, match="too short"):
            write_backup(store, tmp_path / "new.backup", "short")
    assert _digest(backup) == before
    assert not (tmp_path / "new.backup").exists()


def _chunk_starts(data: bytes) -> list[int]:
    at = 12 + int.from_bytes(data[8:12], "big")
    starts = []
    while at < len(data):
        starts.append(at)
        at += 4 + int.from_bytes(data[at : at + 4], "big")
    return starts


def _saldo(data_dir: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **CHILD_ENV},
        timeout=60,
    )


def test_cli_backup_and_restore_read_the_passphrase_from_stdin(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with passphrase_cache(data / "saldo.db") as store:
        connection(store)
        acc = account(store).id
        assert acc is not None
        store.upsert_transactions([tx(acc, n, description="Irma Nørrebro") for n in range(20)])
    made = _saldo(data, "backup", str(tmp_path / "cli.backup"), stdin=PASS + "\n")
    assert made.returncode == 0, made.stderr
    assert PASS not in made.stdout + made.stderr
    wrong = _saldo(data, "restore", str(tmp_path / "cli.backup"), stdin="wrong passphrase\n")
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1 and "passphrase is wrong" in wrong.stderr
    done = _saldo(data, "restore", str(tmp_path / "cli.backup"), stdin=PASS + "\n")
    assert done.returncode == 0, done.stderr
    assert "1 connection(s) need your consent again" in done.stdout
    listed = _saldo(data, "connections", "--format", "json", stdin="")
    assert json.loads(listed.stdout)[0]["status"] == "needs_reconsent"

"""Every `saldo` command against every kind of file Saldo must refuse: not one byte changes.

Each command runs as a real subprocess on a data folder whose saldo.db is damaged, another
app's, conflicting, too new, negatively versioned, a FIFO, a directory, a dangling symlink or
read-only. It must exit non-zero with exactly one line on stderr, within 10 s (a FIFO once made
Saldo hang forever), and leave every file of the folder as it was. `restore` is the way back
from a damaged or too new cache: there it must succeed and keep the old file, unchanged, aside.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core.store import migrations
from desktop_app.core.store.driver import CacheKey, sqlite
from tests.cachekeys import CHILD_ENV, TEST_PASSPHRASE, connect_raw, passphrase_cache
from tests.factories import account, connection, tx

PAGE = 16384


def _filled(path: Path) -> None:
    with passphrase_cache(path) as store:
        connection(store)
        acc = account(store).id
        assert acc is not None
        store.upsert_transactions([tx(acc, n, description=f"Netto Aarhus {n} " * 4) for n in range(3000)])


def _damaged(path: Path) -> None:
    _filled(path)
    raw = bytearray(path.read_bytes())
    pages = len(raw) // PAGE
    for page in (pages // 3, pages // 2, pages // 2 + 1):  # a few interior pages, header intact
        raw[page * PAGE : (page + 1) * PAGE] = bytes(PAGE)
    path.write_bytes(bytes(raw))


def _versioned(version: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        _filled(path)
        conn = connect_raw(path, CacheKey(passphrase=TEST_PASSPHRASE))
        conn.execute(f"PRAGMA user_version = {version}")
        conn.close()

    return make


def _foreign(path: Path) -> None:
    conn = sqlite.connect(path)
    conn.execute("PRAGMA application_id = 0x0F055112")  # another application's mark
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not yours')")
    conn.commit()
    conn.close()


def _conflicting(path: Path) -> None:
    conn = sqlite.connect(path)
    conn.execute("CREATE TABLE transactions (id INTEGER PRIMARY KEY, memo TEXT)")
    conn.execute("CREATE TABLE accounts (nr TEXT)")
    conn.execute("INSERT INTO transactions (memo) VALUES ('their ledger')")
    conn.commit()
    conn.close()


def _read_only(path: Path) -> None:
    _filled(path)
    path.chmod(0o444)


KINDS: dict[str, Callable[[Path], None]] = {
    "damaged pages": _damaged,
    "foreign database": _foreign,
    "conflicting tables": _conflicting,
    "too new": _versioned(migrations.LATEST + 1),
    "negative version": _versioned(-1),
    "fifo": lambda path: os.mkfifo(path),
    "directory": lambda path: path.mkdir(),
    "dangling symlink": lambda path: path.symlink_to(path.with_name("gone.db")),
    "read-only": _read_only,
}
RESTORABLE = {"damaged pages", "too new"}  # restoring a backup is the way back from these

COMMANDS: dict[str, list[str]] = {
    "accounts": ["accounts"],
    "transactions": ["transactions", "--search", "netto"],
    "connections": ["connections"],
    "sync": ["sync", "--all"],
    "disconnect": ["disconnect", "c1"],
    "connect": ["connect", "demo", "--no-browser", "--sandbox", "http://127.0.0.1:9"],
    "backup": ["backup", "{out}/backup.saldo"],
    "restore": ["restore", "{out}/good.saldo"],
}


def _state(folder: Path) -> dict[str, object]:
    """What is in the folder, read without opening anything that could block (a FIFO)."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        name = str(path.relative_to(folder))
        if stat.S_ISREG(info.st_mode):
            found[name] = (stat.S_IMODE(info.st_mode), hashlib.sha256(path.read_bytes()).hexdigest())
        elif stat.S_ISLNK(info.st_mode):
            found[name] = ("link", os.readlink(path))
        else:
            found[name] = ("special", stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode))
    return found


def _saldo(data: Path, out: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "desktop_app", "--data-dir", str(data), *(a.format(out=out) for a in args)]
    env = {**os.environ, **CHILD_ENV, "LC_ALL": "C.UTF-8"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=10, input="backup passphrase\n")


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real backup to restore from."""
    folder = tmp_path_factory.mktemp("good")
    data, out = folder / "data", folder / "out"
    data.mkdir()
    out.mkdir()
    _filled(data / "saldo.db")
    made = _saldo(data, out, ["backup", "{out}/good.saldo"])
    assert made.returncode == 0, made.stderr
    return out / "good.saldo"


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_command_refuses_the_file_and_changes_nothing(tmp_path: Path, kind: str, good_backup: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir(mode=0o700)
    out.mkdir()
    (out / "good.saldo").write_bytes(good_backup.read_bytes())
    KINDS[kind](data / "saldo.db")
    before = _state(data)
    for name, args in COMMANDS.items():
        if name == "restore" and kind in RESTORABLE:
            continue
        result = _saldo(data, out, args)
        assert result.returncode != 0, (name, result.stdout)
        assert "Traceback" not in result.stderr, (name, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (name, result.stderr)
        assert _state(data) == before, name
    assert not (out / "backup.saldo").exists()


@pytest.mark.parametrize("kind", sorted(RESTORABLE))
def test_restore_replaces_a_broken_cache_and_keeps_it_aside_unchanged(
    tmp_path: Path, kind: str, good_backup: Path
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir(mode=0o700)
    out.mkdir()
    (out / "good.saldo").write_bytes(good_backup.read_bytes())
    KINDS[kind](data / "saldo.db")
    original = hashlib.sha256((data / "saldo.db").read_bytes()).hexdigest()
    result = _saldo(data, out, COMMANDS["restore"])
    assert result.returncode == 0, result.stderr
    (aside,) = data.glob("saldo.db.before-restore-*")
    assert hashlib.sha256(aside.read_bytes()).hexdigest() == original
    listed = _saldo(data, out, ["transactions", "--search", "netto", "--limit", "1", "--format", "csv"])
    assert listed.returncode == 0, listed.stderr
    assert "Netto Aarhus" in listed.stdout


def test_commands_that_never_open_the_cache_leave_it_alone(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir(mode=0o700)
    out.mkdir()
    os.mkfifo(data / "saldo.db")
    before = _state(data)
    for args in (["providers"], ["--version"]):
        result = _saldo(data, out, args)
        assert result.returncode == 0, result.stderr
    assert _state(data) == before

"""How `saldo` finds the cache key without a keyring: a passphrase, or a plain cache with a warning."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.cachekeys import CHILD_ENV

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def _saldo(data: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "SALDO_PASSPHRASE"}
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_no_keyring_and_no_passphrase_runs_plain_and_says_so(data_dir: Path) -> None:
    result = _saldo(data_dir, NO_KEYRING, "accounts")
    assert result.returncode == 0, result.stderr
    assert "NOT encrypted" in result.stderr and len(result.stderr.splitlines()) == 1
    assert (data_dir / "saldo.db").read_bytes()[:16] == b"SQLite format 3\x00"


def test_a_passphrase_encrypts_and_is_needed_again(data_dir: Path) -> None:
    made = _saldo(data_dir, CHILD_ENV, "accounts")
    assert made.returncode == 0 and made.stderr == ""
    path = data_dir / "saldo.db"
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    locked = _saldo(data_dir, NO_KEYRING, "accounts")
    assert locked.returncode == 1
    assert locked.stderr.count("\n") == 1 and "no key for it is at hand" in locked.stderr
    wrong = _saldo(data_dir, {**CHILD_ENV, "SALDO_PASSPHRASE": "another passphrase"}, "accounts")
    assert wrong.returncode == 1 and "passphrase does not open" in wrong.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["saldo.db"]

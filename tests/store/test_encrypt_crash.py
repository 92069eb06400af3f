"""Encrypting a plain cache in place survives a SIGKILL at every step: one readable cache is left."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.store import Store
from desktop_app.core.store.cache import open_cache
from desktop_app.core.store.keys import PassphraseKeys
from tests.factories import account, connection, tx
from tests.store.encrypt_child import PASSPHRASE, POINTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("point", list(POINTS))
def test_a_kill_at_any_point_leaves_one_readable_cache(data_dir: Path, point: str) -> None:
    path = data_dir / "saldo.db"
    with Store.open(path) as plain:
        connection(plain)
        acc = account(plain).id
        assert acc is not None
        plain.upsert_transactions([tx(acc, n, description=f"Føtex Aalborg {n}") for n in range(2000)])
    child = subprocess.run(
        [sys.executable, "-m", "tests.store.encrypt_child", str(path), point],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    expected = 0 if point == "never" else -signal.SIGKILL
    assert child.returncode == expected, child.stderr
    # The next start finishes or undoes the step, and ends with one encrypted cache.
    with open_cache(path, PassphraseKeys(PASSPHRASE)) as store:
        assert store.key is not None
        assert store.count_transactions() == 2000
        assert len(store.search("føtex aalborg", limit=5)) == 5
        assert store.integrity_check() == "ok"
    assert sorted(p.name for p in data_dir.iterdir()) == ["saldo.db"]
    assert b"Aalborg" not in path.read_bytes()

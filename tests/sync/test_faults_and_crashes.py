"""Sync under a misbehaving provider, and sync killed with SIGKILL at random moments."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.api import RetryPolicy
from desktop_app.core.app import create_app
from desktop_app.core.connect import Connector
from desktop_app.core.store.driver import CacheKey
from desktop_app.core.store.keys import KeyringKeys
from desktop_app.core.vault import Vault
from saldo_sandbox.app import Sandbox
from tests.cachekeys import connect_raw, memory_keys
from tests.e2e.browser import consent
from tests.e2e.conftest import World

CRASH_TRIALS = int(os.environ.get("SALDO_CRASH_TRIALS", "20"))


def _connect(connector: Connector, sandbox: Sandbox, provider: str = "demo") -> str:
    if provider != "demo":
        connector.save_credentials(provider, f"{provider}-client", f"{provider}-secret")
    pending = connector.begin(provider, sandbox=sandbox.url)
    try:
        browser = threading.Thread(target=consent, args=(pending.url,))
        browser.start()
        callback = pending.wait(15)
        browser.join()
        return connector.finish(pending, callback).id
    finally:
        pending.close()


@pytest.mark.parametrize("provider", ["demo", "aiia", "tatrabanka", "connectpay"])
def test_twenty_percent_faults_of_every_kind_still_give_the_exact_ledger(tmp_path: Path, provider: str) -> None:
    with Sandbox(seed=11, transactions=1500) as sandbox, httpx2.Client(timeout=10) as http:
        retry = RetryPolicy(attempts=12, base_delay=0.002, max_delay=0.02, rng=random.Random(5))
        app = create_app(tmp_path, vault=Vault(None, session_only=True), http=http, retry=retry, keys=memory_keys())
        store, connector, engine = app.store, app.connector, app.engine
        world = World(sandbox, store, connector.vault, connector, engine)
        connection_id = _connect(connector, sandbox, provider)
        sandbox.admin("faults", rate=0.2)
        result = engine.sync(connection_id)
        assert result.status == "ok", result.error
        key = "iban" if provider == "tatrabanka" else "id"
        assert world.cache(connection_id) == world.truth(provider, key)
        app.close()


def _copy_db(source: Path, target: Path, key: CacheKey | None) -> None:
    """A consistent copy (WAL included) through SQLite's backup API, under the same key."""
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src, dst = connect_raw(source, key), connect_raw(target, key)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _duplicates(db: Path, key: CacheKey | None) -> int:
    conn = connect_raw(db, key)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(
            conn.execute(
                "SELECT count(*) FROM (SELECT account_id, provider_id FROM transactions "
                "WHERE provider_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1)"
            ).fetchone()[0]
        )
    finally:
        conn.close()


@pytest.mark.secret_service
def test_sigkill_at_random_points_never_corrupts_and_the_next_sync_converges(
    tmp_path: Path, secret_service: dict[str, str]
) -> None:
    from keyring.backends import SecretService

    data = tmp_path / "data"
    data.mkdir()
    with Sandbox(seed=21, transactions=12000, latency_ms=25) as sandbox, httpx2.Client(timeout=10) as http:
        vault = Vault.open(SecretService.Keyring())
        app = create_app(data, vault=vault, http=http, keys=KeyringKeys(vault))
        key = app.store.key
        connector = app.connector
        connection_id = _connect(connector, sandbox)
        app.close()
        env = {**os.environ, **secret_service, "QT_QPA_PLATFORM": "offscreen"}
        command = [sys.executable, "-m", "desktop_app", "--data-dir", str(data), "sync", connection_id]
        pristine = data / "pristine.db"
        _copy_db(data / "saldo.db", pristine, key)
        began = time.monotonic()
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
        full = time.monotonic() - began  # one whole first sync, start-up included
        rng = random.Random(99)
        killed = 0
        for trial in range(CRASH_TRIALS):
            if trial % 2 == 0:
                _copy_db(pristine, data / "saldo.db", key)  # even trials: a first sync from nothing
            child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                child.wait(timeout=rng.uniform(0.1, full))
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
                killed += 1
                child.wait(timeout=30)
            assert child.stderr is not None
            errors = child.stderr.read().decode()
            child.stderr.close()
            assert child.returncode in (0, -signal.SIGKILL), errors
            assert _duplicates(data / "saldo.db", key) == 0
        assert killed >= CRASH_TRIALS // 2, "the kills must land mid-sync"
        final = subprocess.run(
            [sys.executable, "-m", "desktop_app", "--data-dir", str(data), "sync", connection_id],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert final.returncode == 0, final.stderr
        with create_app(data, vault=connector.vault, http=http) as after:
            world = World(sandbox, after.store, after.vault, after.connector, after.engine)
            assert world.cache(connection_id) == world.truth("demo")

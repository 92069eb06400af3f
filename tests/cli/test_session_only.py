"""With no keyring, `connect` then `sync` says what really happened instead of "consent revoked".

Real processes throughout: a `saldo sandbox`, then `saldo connect`, `saldo sync` and
`saldo connections` as separate commands, with the keyring forced to keyring's fail backend.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.session_only import CONNECT_WARNING, EXPLANATION, made_without_keyring, record_connect
from desktop_app.core.store import Store
from tests.factories import connection

SALDO = [sys.executable, "-m", "desktop_app"]
NO_KEYRING = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "sandbox", "--transactions", "50", "--auto-approve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=NO_KEYRING,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip().split(" ", 1)[1]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)


def saldo(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=NO_KEYRING,
        timeout=60,
    )


def connect_without_keyring(data_dir: Path, sandbox: str) -> tuple[str, str]:
    """Run `saldo connect demo --no-browser`, act as the browser, return (connection id, stderr)."""
    proc = subprocess.Popen(
        [
            *SALDO,
            "connect",
            "demo",
            "--no-browser",
            "--sandbox",
            sandbox,
            "--timeout",
            "30",
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=NO_KEYRING,
    )
    assert proc.stderr is not None
    lines = []
    while not (line := proc.stderr.readline()).startswith("http"):
        assert line, "connect ended before printing the consent address"
        lines.append(line)
    with httpx2.Client(timeout=10, follow_redirects=True) as http:
        assert http.get(line.strip()).status_code == 200  # auto-approved, then the receiver's page
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return out.strip().removeprefix("connected: "), "".join(lines) + err


def test_connect_warns_and_sync_and_connections_explain_the_missing_keyring(data_dir: Path, sandbox_url: str) -> None:
    connection_id, err = connect_without_keyring(data_dir, sandbox_url)
    assert CONNECT_WARNING in err

    synced = saldo(data_dir, "sync", connection_id)
    assert synced.returncode == 1
    assert f"saldo: {connection_id}: {EXPLANATION}" in synced.stderr.splitlines()
    assert "revoked" not in synced.stderr

    again = saldo(data_dir, "sync", "--all")  # now marked as needing re-consent: skipped, but not silently
    assert again.returncode == 0 and again.stdout == ""
    assert f"saldo: {connection_id}: skipped — {EXPLANATION}" in again.stderr.splitlines()

    listed = saldo(data_dir, "connections", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert EXPLANATION in listed.stdout and "revoked" not in listed.stdout


def test_only_the_newest_connect_counts(store: Store) -> None:
    made = connection(store)
    assert not made_without_keyring(store, made.id)
    record_connect(store, made.id, session_only=True)
    assert made_without_keyring(store, made.id)
    record_connect(store, made.id, session_only=False)  # reconnected once a keyring was there
    assert not made_without_keyring(store, made.id)
    assert all("token" not in str(run.details) for run in store.sync_runs(made.id))

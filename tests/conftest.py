"""Fixtures shared by every suite: fresh objects per test, nothing touches the real profile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Keep every test away from the user's real data, keyring and display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def keys() -> object:
    """A keyring key source in memory: the caches tests make are encrypted like the app's."""
    from tests.cachekeys import memory_keys

    return memory_keys()


@pytest.fixture
def store(data_dir: Path, keys: object) -> Iterator[object]:
    from desktop_app.core.store.cache import open_cache

    s = open_cache(data_dir / "saldo.db", keys)  # type: ignore[arg-type]
    try:
        yield s
    finally:
        s.close()


def require_binary(name: str) -> str:
    """The path of a system tool a suite needs: missing fails in CI, skips on a developer machine."""
    import shutil

    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (make test installs it with apt-get when run as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A private D-Bus session with an unlocked gnome-keyring: a real Secret Service.

    Yields the environment variables that point a process (this one or a child) at it.
    """
    import signal
    import subprocess

    dbus = require_binary("dbus-daemon")
    keyring_daemon = require_binary("gnome-keyring-daemon")
    home = tmp_path_factory.mktemp("keyring-home")
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    out = subprocess.run(
        [dbus, "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=20,
    ).stdout.split()
    address, dbus_pid = out[0], int(out[1])
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    started = subprocess.run(
        [keyring_daemon, "--unlock", "--components=secrets", "--daemonize"],
        input="saldo-test",
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=20,
    )
    pids = [dbus_pid]
    for line in started.stdout.splitlines():
        if line.startswith("GNOME_KEYRING_PID="):
            pids.append(int(line.split("=", 1)[1]))
    saved = {k: os.environ.get(k) for k in ("DBUS_SESSION_BUS_ADDRESS",)}
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        yield {
            k: env[k]
            for k in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS")
        }
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for pid in reversed(pids):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

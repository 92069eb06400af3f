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
    from bench.keyring_session import keyring_session

    require_binary("dbus-daemon")
    require_binary("gnome-keyring-daemon")
    saved = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    with keyring_session(tmp_path_factory.mktemp("keyring-home"), unlock="saldo-test") as variables:
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = variables["DBUS_SESSION_BUS_ADDRESS"]
        try:
            yield variables
        finally:
            if saved is None:
                os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved

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
def store(data_dir: Path) -> Iterator[object]:
    from desktop_app.core.store import Store

    s = Store.open(data_dir / "saldo.db")
    try:
        yield s
    finally:
        s.close()

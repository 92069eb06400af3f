"""The data folder is private to its owner: created 0700, tightened if it was left open."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from desktop_app.core.errors import SaldoError
from desktop_app.core.paths import resolve_data_dir

pytestmark = pytest.mark.skipif(os.name != "posix", reason="mode bits are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_folder_is_created_private(tmp_path: Path) -> None:
    assert mode(resolve_data_dir(tmp_path / "new" / "saldo")) == 0o700


@pytest.mark.parametrize("loose", [0o777, 0o755, 0o750, 0o707])
def test_an_existing_open_folder_is_tightened(tmp_path: Path, caplog: pytest.LogCaptureFixture, loose: int) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "saldo.db").write_bytes(b"kept")
    folder.chmod(loose)
    with caplog.at_level(logging.WARNING):
        assert resolve_data_dir(folder) == folder
    assert mode(folder) == 0o700 and (folder / "saldo.db").read_bytes() == b"kept"
    assert "private" in caplog.text


def test_a_private_folder_is_left_alone(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    with caplog.at_level(logging.WARNING):
        resolve_data_dir(folder)
    assert mode(folder) == 0o700 and caplog.text == ""


def test_a_shared_sticky_folder_is_refused_not_chmodded(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp
    with pytest.raises(SaldoError, match="other users can write to it"):
        resolve_data_dir(shared)
    assert mode(shared) == 0o1777

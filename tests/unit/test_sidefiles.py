"""Side files: atomic private writes and defensive reads, over real files (FIFO included)."""

from __future__ import annotations

import logging
import os
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core import sidefiles
from desktop_app.core.sidefiles import read_json, write_json, write_private

FIELDS = {"name": str, "width": int}


def test_write_is_private_and_replaces_in_one_step(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("old")
    path.chmod(0o644)
    old = os.umask(0o000)  # even a permissive umask must not widen the mode
    try:
        write_json(path, {"name": "x", "width": 3})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_json(path, FIELDS) == {"name": "x", "width": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.json"
    write_json(path, {"name": "kept"})

    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sidefiles.os, "replace", broken)
    with pytest.raises(OSError):
        write_private(path, "new")
    assert read_json(path, FIELDS) == {"name": "kept"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


@pytest.mark.parametrize(
    ("content", "expected", "warning"),
    [
        (b'{"name": "a", "wid', {}, "not valid JSON"),
        (b"\xff\xfe\x00", {}, "not valid JSON"),
        (b"[1]", {}, "not a JSON object"),
        (b"[" * 50_000, {}, "not valid JSON"),
        (b'{"name": "a", "colour": "red"}', {"name": "a"}, "unknown entry 'colour'"),
        (b'{"name": 5, "width": true}', {}, "not a int"),
        (b'{"name": "a", "width": 1.5}', {"name": "a"}, "not a int"),
    ],
)
def test_bad_content_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes, expected: dict[str, object], warning: str
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        assert read_json(path, FIELDS) == expected
    assert warning in caplog.text


def test_missing_file_is_silent_and_odd_files_are_refused_without_blocking(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert read_json(tmp_path / "absent.json", FIELDS) == {}
    assert caplog.text == ""
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (sidefiles.MAX_SIDE_FILE + 1))
    result: list[dict[str, object]] = []
    reader = threading.Thread(target=lambda: result.extend(read_json(p, FIELDS) for p in (fifo, folder, huge)))
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert result == [{}, {}, {}]
    assert caplog.text.count("not a regular file") == 2 and "larger than" in caplog.text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_read_as_a_subset_of_the_schema(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "state.json"
    path.write_bytes(content)
    loaded = read_json(path, FIELDS)
    assert set(loaded) <= set(FIELDS)
    assert all(type(loaded[k]) is FIELDS[k] for k in loaded)

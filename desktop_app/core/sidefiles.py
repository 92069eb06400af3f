"""Small files beside the database (window state and the like): written atomically and privately,
read defensively.

A side file is a convenience, never a source of truth: one that is truncated, not JSON, huge,
not a regular file (a FIFO would block the reader forever) or full of unexpected values is
ignored with a log warning, and the command carries on. Writes go to a private temporary
file in the same folder (mode 0600 from the start, so no reader ever sees a wider mode) that
then replaces the old file in one step, so a crash leaves the old file or the new one, never half.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_SIDE_FILE = 1 << 20  # far above any side file Saldo writes; a bigger one is not ours


def write_private(path: Path, data: bytes | str) -> None:
    """Replace path with data atomically; the file is readable by its owner only (0600)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def write_json(path: Path, value: Mapping[str, Any]) -> None:
    write_private(path, json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def read_json(path: Path, fields: Mapping[str, type]) -> dict[str, Any]:
    """The fields of a JSON object file that have the expected types; {} when the file is unusable.

    Missing files are normal (first start) and silent; every other problem is logged once.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        return _ignored(path, exc.strerror or type(exc).__name__)
    if not stat.S_ISREG(info.st_mode):
        return _ignored(path, "not a regular file")
    if info.st_size > MAX_SIDE_FILE:
        return _ignored(path, f"larger than {MAX_SIDE_FILE} bytes")
    try:
        with path.open("rb") as handle:
            loaded = json.loads(handle.read(MAX_SIDE_FILE + 1).decode("utf-8"))
    except OSError as exc:
        return _ignored(path, exc.strerror or type(exc).__name__)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _ignored(path, "not valid JSON (truncated or damaged)")
    if not isinstance(loaded, dict):
        return _ignored(path, "not a JSON object")
    kept: dict[str, Any] = {}
    for name, value in loaded.items():
        expected = fields.get(name)
        if expected is None:
            log.warning("%s: ignoring the unknown entry %r", path.name, name[:40])
        elif type(value) is not expected:  # exact: bool is an int, but not a width
            log.warning("%s: ignoring %r, which is not a %s", path.name, name, expected.__name__)
        else:
            kept[name] = value
    return kept


def _ignored(path: Path, why: str) -> dict[str, Any]:
    log.warning("%s ignored: %s", path.name, why)
    return {}


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows has no directory handles to sync.
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

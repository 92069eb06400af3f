"""Where Saldo keeps its files: the platform data dir, or the --data-dir override."""

import logging
import os
import stat
from pathlib import Path

import platformdirs

from desktop_app.core.errors import SaldoError

log = logging.getLogger(__name__)

DATABASE_NAME = "saldo.db"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("Saldo", appauthor=False, roaming=False))


def resolve_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory, created private to the user (0700) if it is missing."""
    path = Path(override).expanduser() if override else default_data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise SaldoError(f"Cannot use {path} as the data directory: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise SaldoError(f"Cannot use {path} as the data directory: it is not a directory")
    _make_private(path)
    return path


def _make_private(path: Path) -> None:
    """Tighten a folder others can read or write to 0700; refuse one that is shared and not ours.

    mkdir's mode only applies to a new folder; an existing one (made by hand, unpacked from an
    archive, or created under a lax umask) keeps whatever it had.
    """
    if os.name != "posix":
        return  # Windows folders get their access from the profile's ACLs, not mode bits
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return
    if info.st_uid != os.getuid() or mode & stat.S_ISVTX:
        # Someone else's folder, or a shared one like /tmp (sticky): chmod would be wrong or refused.
        if mode & 0o022:
            raise SaldoError(
                f"Cannot use {path} as the data directory: other users can write to it. Use a folder of your own."
            )
        return
    try:
        path.chmod(0o700)
    except OSError as exc:
        raise SaldoError(f"Cannot make {path} private to you: {exc.strerror or exc}") from None
    log.warning("made the data directory %s private to you (it was %s)", path, oct(mode))


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_NAME

"""Where Saldo keeps its files: the platform data dir, or the --data-dir override."""

import os
from pathlib import Path

import platformdirs

from desktop_app.core.errors import SaldoError

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
    return path


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_NAME

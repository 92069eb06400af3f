"""`saldo backup FILE` and `saldo restore FILE`: passphrase-encrypted snapshots of the cache.

The passphrase is read from a prompt (or the first line of stdin), never from the command line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.commands import argtypes
from desktop_app.commands.common import open_store
from desktop_app.commands.unlock import key_source, read_passphrase
from desktop_app.core.app import open_vault
from desktop_app.core.paths import database_path, resolve_data_dir
from desktop_app.core.store.backup import restore_backup, write_backup


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("backup", parents=[common], help="write a passphrase-encrypted backup of the cache")
    p.add_argument("file", type=argtypes.path, help="the backup file to create (must not exist)")
    p.set_defaults(func=backup)

    p = sub.add_parser("restore", parents=[common], help="replace the cache with a backup (the old one is kept)")
    p.add_argument("file", type=argtypes.path, help="a backup made by `saldo backup`")
    p.set_defaults(func=restore)


def backup(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        passphrase = read_passphrase("Passphrase for the backup: ", confirm=True)
        info = write_backup(store, Path(args.file), passphrase)
    print(f"backed up: {info.path} ({info.size:,} bytes, schema {info.schema})")
    return 0


def restore(args: argparse.Namespace) -> int:
    cache = database_path(resolve_data_dir(args.data_dir))
    keys = key_source(open_vault(warn=lambda note: None))  # the cache may be damaged or locked: not opened
    passphrase = read_passphrase("Passphrase of the backup: ", confirm=False)
    result = restore_backup(Path(args.file), cache, passphrase, keys)
    kept = f"; the previous cache is kept as {result.previous}" if result.previous else ""
    print(f"restored: {cache}; {result.reconsent} connection(s) need your consent again{kept}")
    return 0

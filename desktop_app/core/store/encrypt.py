"""Encrypting an existing plain cache in place, so that a crash at any moment leaves one readable cache.

The steps: check the plain file (read-only, whole-file quick_check); fold its write-ahead log
into it; copy it with ``sqlcipher_export`` into ``saldo.db.encrypting`` under the new key (kept
in the key source first, so no moment exists where the only cache has no key); check the copy
(quick_check, schema version, row counts of every table); then swap: a hard link keeps the
plain file reachable as ``saldo.db.plain`` while ``os.replace`` puts the encrypted copy in its
place atomically; last, the plain file is overwritten and deleted. ``recover`` finishes or
undoes whatever a crash interrupted, on the next start.

Overwriting before deleting is what the OS allows from user space; on SSDs and copy-on-write
file systems old blocks may survive it, which is why the cache is encrypted from its first
start whenever a keyring is there.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from desktop_app.core.errors import StoreError
from desktop_app.core.store import migrations, safety
from desktop_app.core.store.database import create_private, explain
from desktop_app.core.store.driver import SALT_BYTES, CacheKey, apply_key, attach_keyed, sqlite
from desktop_app.core.store.keys import KeySource

log = logging.getLogger(__name__)

_BLOCK = 1 << 20


def side_file(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def shred(path: Path) -> None:
    """Overwrite a file with zeros, flush it, then delete it."""
    try:
        size = path.stat().st_size
        fd = os.open(path, os.O_WRONLY)
        try:
            zeros = bytes(_BLOCK)
            for start in range(0, size, _BLOCK):
                os.write(fd, zeros[: min(_BLOCK, size - start)])
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        log.warning("could not overwrite %s before deleting it: %s", path.name, exc.strerror)
    path.unlink(missing_ok=True)


def read_salt(path: Path) -> bytes:
    """The first 16 bytes of an encrypted cache: its salt, which names its key in the keyring."""
    with path.open("rb") as handle:
        return handle.read(SALT_BYTES)


def _sync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(path: Path) -> None:
    """Clean up after an encryption or restore that a crash interrupted; the cache at `path` stays."""
    for suffix in (".encrypting", ".restoring", ".restoring-tmp", ".backup-snapshot"):
        side_file(path, suffix).unlink(missing_ok=True)  # incomplete copies; the cache was never replaced
    if path.exists():
        for aside in path.parent.glob(f"{path.name}.before-restore-*"):
            if aside.is_file() and os.path.samefile(aside, path):
                aside.unlink()  # a restore stopped before its swap: the cache was never replaced
    plain = side_file(path, ".plain")
    if not plain.exists():
        return
    if not path.exists():
        os.replace(plain, path)  # the swap never happened: the plain file is the cache
    elif os.path.samefile(plain, path):
        plain.unlink()  # only the safety link was made
    else:
        shred(plain)  # the encrypted cache is in place and was checked before the swap


def _counts(conn: sqlite.Connection, schema: str) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        )
    ]
    return {n: int(conn.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0]) for n in names}


def export_copy(source: sqlite.Connection, target: Path, key: CacheKey | None) -> None:
    """Copy the open database into a new file keyed with `key` (None: plain), in one read snapshot.

    ``sqlcipher_export`` copies schema and rows but not the header fields, so the schema
    version and application id are set on the copy as well.
    """
    create_private(target)
    attach_keyed(source, str(target), "dest", key)
    try:
        source.execute("BEGIN")  # one snapshot of the source for the whole copy
        try:
            version = int(source.execute("PRAGMA main.user_version").fetchone()[0])
            app_id = int(source.execute("PRAGMA main.application_id").fetchone()[0])
            source.execute("SELECT sqlcipher_export('dest')")
            source.execute(f"PRAGMA dest.user_version = {version}")
            source.execute(f"PRAGMA dest.application_id = {app_id}")
            if _counts(source, "main") != _counts(source, "dest"):
                raise StoreError("The encrypted copy of the cache does not match it; nothing was replaced.")
        finally:
            source.execute("COMMIT")
    finally:
        source.execute("DETACH DATABASE dest")


def encrypt_in_place(path: Path, keys: KeySource) -> CacheKey:
    """Turn the plain cache at `path` into an encrypted one; returns its key."""
    safety.probe(path, None, latest=migrations.LATEST, verify=True)
    copy = side_file(path, ".encrypting")
    copy.unlink(missing_ok=True)
    source = sqlite.connect(path, isolation_level=None, timeout=10.0)
    try:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        key = keys.new_key()
        assert key is not None
        export_copy(source, copy, key)
    except sqlite.Error as exc:
        copy.unlink(missing_ok=True)
        raise explain(exc, path) from None
    finally:
        source.close()
    if side_file(path, "-wal").exists():
        copy.unlink(missing_ok=True)
        raise StoreError("Another Saldo is using the cache; close it and start again to encrypt the cache.")
    check = sqlite.connect(safety.read_only_uri(copy), uri=True)
    try:
        apply_key(check, key)
        safety.check_whole_file(check, copy)
    finally:
        check.close()
    plain = side_file(path, ".plain")
    os.link(path, plain)
    os.replace(copy, path)
    _sync_dir(path.parent)
    shred(plain)
    for old in path.parent.glob(f"{path.name}.v*.bak"):
        if safety.examine(old) is safety.FileState.PLAIN:
            shred(old)  # a schema backup in clear would undo the encryption
    log.info("encrypted the cache %s", path.name)
    return key

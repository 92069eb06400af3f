"""Backing up the cache to a passphrase-encrypted file, and restoring it, on this or another machine.

A backup is a consistent snapshot (SQLite's online backup API, or ``sqlcipher_export`` in one
read transaction for a plain cache) taken into a temporary SQLCipher file under a fresh random
key, then sealed with the person's passphrase (``sealed``: scrypt + AES-256-GCM stream). The
fresh key travels inside the sealed stream; the cache's own key never leaves the keyring.
Tokens are never in the cache, so never in a backup.

Restore authenticates the whole file, checks the snapshot like any cache (``safety.probe``,
whole-file check), brings it under this machine's key source, marks every connection as needing
re-consent, and only then swaps it in: the previous cache stays beside it as
``saldo.db.before-restore-<time>``. The caller must have closed its Store first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desktop_app import __version__
from desktop_app.core.errors import (
    CacheLockedError,
    CorruptDatabaseError,
    DatabaseTooNewError,
    ForeignDatabaseError,
    SaldoError,
    StoreError,
)
from desktop_app.core.models import ConnectionStatus
from desktop_app.core.store import migrations, safety
from desktop_app.core.store.database import create_private
from desktop_app.core.store.driver import (
    ENCRYPTION_AVAILABLE,
    KEY_BYTES,
    SALT_BYTES,
    CacheKey,
    apply_key,
    backup_into,
    sqlite,
)
from desktop_app.core.store.encrypt import export_copy, read_salt, recover, side_file
from desktop_app.core.store.keys import KeyringKeys, KeySource, check_passphrase
from desktop_app.core.store.sealed import CHUNK, BackupTooNewError, DamagedBackupError, read_header, seal, unseal
from desktop_app.core.store.store import Store


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    schema: int
    size: int


@dataclass(frozen=True)
class RestoreResult:
    previous: Path | None  # the cache that was replaced, kept aside
    schema: int
    reconsent: int  # connections that now ask for consent again


def _chunks(prefix: bytes, path: Path) -> Iterator[bytes]:
    yield prefix
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            yield block


def write_backup(store: Store, dest: Path, passphrase: str) -> BackupInfo:
    """Write a passphrase-encrypted snapshot of the open cache to `dest` (which must not exist)."""
    check_passphrase(passphrase)
    if dest.exists() or dest.is_symlink():
        raise SaldoError(f"{dest} already exists; choose a new file name for the backup.")
    snapshot = side_file(store.path, ".backup-snapshot")
    partial = dest.with_name(dest.name + ".partial")
    key = CacheKey.random() if ENCRYPTION_AVAILABLE else None
    snapshot.unlink(missing_ok=True)
    try:
        with store.locked_connection() as conn:
            if store.key is None and key is not None:
                export_copy(conn, snapshot, key)
            else:
                backup_into(conn, snapshot, key)
            schema = store.schema_version
        prefix = key.raw + key.salt if key is not None and key.raw and key.salt else b""
        meta = {"schema": schema, "saldo": __version__, "created": datetime.now(UTC).isoformat(timespec="seconds")}
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            seal(_chunks(prefix, snapshot), out, passphrase, {**meta, "payload": "sqlcipher" if key else "sqlite"})
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, dest)
    except sqlite.Error as exc:
        raise StoreError(f"The backup could not be taken: {exc}.") from None
    finally:
        snapshot.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return BackupInfo(dest, schema, dest.stat().st_size)


def restore_backup(source: Path, cache: Path, passphrase: str, keys: KeySource) -> RestoreResult:
    """Replace the cache at `cache` with the backup `source`, keeping the old cache aside."""
    recover(cache)
    _check_replaceable(cache, keys)
    incoming = side_file(cache, ".restoring")
    try:
        with source.open("rb") as inp:
            header, raw = read_header(inp)
            schema = header.get("schema")
            if not isinstance(schema, int) or schema > migrations.LATEST:
                raise BackupTooNewError(
                    f"This backup was made by a newer Saldo (schema {schema}; this one knows up to "
                    f"{migrations.LATEST}). Update Saldo to restore it."
                )
            key = _unpack(unseal(inp, passphrase, header, raw), incoming, header.get("payload"))
    except OSError as exc:
        incoming.unlink(missing_ok=True)
        raise SaldoError(f"Cannot read the backup {source}: {exc.strerror}.") from None
    except BaseException:
        incoming.unlink(missing_ok=True)
        raise
    try:
        try:
            safety.probe(incoming, key, latest=migrations.LATEST, verify=True)
        except StoreError as exc:
            raise DamagedBackupError(f"The backup does not hold a readable Saldo cache: {exc}") from None
        ready, final = _rekey_for(incoming, key, keys)
        # A converted copy is checked again; the snapshot itself was checked just above.
        with Store.open(ready, key=final, verify=ready != incoming) as restored:
            marked = 0
            for connection in restored.connections():
                if connection.status is not ConnectionStatus.DISCONNECTED:
                    restored.set_connection_status(connection.id, ConnectionStatus.NEEDS_RECONSENT)
                    marked += 1
            with restored.locked_connection() as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        previous = _swap(ready, cache, keys)
    finally:
        for leftover in (incoming, side_file(cache, ".restoring-tmp")):
            leftover.unlink(missing_ok=True)
    return RestoreResult(previous, schema, marked)


def _check_replaceable(cache: Path, keys: KeySource) -> None:
    """Refuse to put a backup in place of what is not a Saldo cache: another app's database, a
    directory, a FIFO, a dangling link, a read-only file. A damaged, too new or locked cache may
    be replaced: restoring is the way back from those, and the old file is kept aside."""
    try:
        state = safety.examine(cache)
        if state in (safety.FileState.PLAIN, safety.FileState.ENCRYPTED):
            key = keys.key_for(cache, read_salt(cache)) if state is safety.FileState.ENCRYPTED else None
            safety.probe(cache, key, latest=migrations.LATEST, verify=False)
    except ForeignDatabaseError:
        raise
    except (CorruptDatabaseError, DatabaseTooNewError, CacheLockedError):
        pass


def _unpack(chunks: Iterator[bytes], incoming: Path, payload: object) -> CacheKey | None:
    if payload not in ("sqlcipher", "sqlite"):
        raise DamagedBackupError("The backup is damaged: its header names no known content.")
    if payload == "sqlcipher" and not ENCRYPTION_AVAILABLE:
        raise SaldoError("This backup is encrypted with SQLCipher, which this build of Saldo lacks.")
    incoming.unlink(missing_ok=True)
    create_private(incoming)
    key: CacheKey | None = None
    with incoming.open("r+b") as out:
        for block in chunks:
            if payload == "sqlcipher" and key is None:
                if len(block) < KEY_BYTES + SALT_BYTES:
                    raise DamagedBackupError("The backup is damaged: its key is missing.")
                key = CacheKey(raw=block[:KEY_BYTES], salt=block[KEY_BYTES : KEY_BYTES + SALT_BYTES])
                block = block[KEY_BYTES + SALT_BYTES :]
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    return key


def _rekey_for(incoming: Path, key: CacheKey | None, keys: KeySource) -> tuple[Path, CacheKey | None]:
    """Bring the verified snapshot under this machine's key source; returns the file and its key."""
    if key is not None and isinstance(keys, KeyringKeys):
        keys.adopt(key)  # the snapshot's own random key joins the keyring: no re-encryption needed
        return incoming, key
    wanted = keys.new_key() if keys.encrypted and ENCRYPTION_AVAILABLE else None
    if wanted is None and key is None:
        return incoming, None
    converted = side_file(incoming.with_name(incoming.name.removesuffix(".restoring")), ".restoring-tmp")
    converted.unlink(missing_ok=True)
    conn = sqlite.connect(safety.read_only_uri(incoming), uri=True, isolation_level=None)
    try:
        apply_key(conn, key)
        export_copy(conn, converted, wanted)
    finally:
        conn.close()
    incoming.unlink()
    return converted, wanted


def _fold_wal(cache: Path, keys: KeySource) -> None:
    """Checkpoint the current cache so no write-ahead log of it can meet the restored file."""
    wal = side_file(cache, "-wal")
    if not wal.exists():
        return
    try:
        state = safety.examine(cache)
        key = keys.key_for(cache, read_salt(cache)) if state is safety.FileState.ENCRYPTED else None
        conn = sqlite.connect(cache, isolation_level=None)
        try:
            apply_key(conn, key)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except (SaldoError, sqlite.Error):
        # An unreadable cache (lost key, damage): its log goes aside with it, unread.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        for suffix in ("-wal", "-shm"):
            if side_file(cache, suffix).exists():
                os.replace(side_file(cache, suffix), cache.with_name(f"{cache.name}.unreadable-{stamp}{suffix}"))
    if wal.exists():
        raise SaldoError("Another Saldo is using the cache; close it, then restore again. Nothing was changed.")


def _swap(ready: Path, cache: Path, keys: KeySource) -> Path | None:
    previous = None
    if cache.exists():
        _fold_wal(cache, keys)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        previous = cache.with_name(f"{cache.name}.before-restore-{stamp}")
        os.link(cache, previous)  # the old cache stays reachable whatever happens next
    os.replace(ready, cache)
    side_file(cache, "-shm").unlink(missing_ok=True)
    return previous

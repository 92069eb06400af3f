"""Secrets in the operating system's keyring, and nowhere else.

One keyring entry per connection holds its token set; one per provider holds the client
credentials the person brought from the provider's developer portal. Values longer than
1,200 characters are split across numbered entries behind a small index entry, because
Windows Credential Manager refuses long values.

With no usable keyring (a Linux desktop without Secret Service, say) Saldo never writes a
plaintext file: ``Vault.open`` raises ``VaultUnavailable`` naming the backend, and the caller
may choose session-only mode, where secrets live in memory until Saldo quits.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from desktop_app.core.errors import VaultError, VaultUnavailable
from desktop_app.core.oauth.token_set import ClientCredentials, TokenSet, TokenStore
from desktop_app.core.redact import Redactor

log = logging.getLogger(__name__)

SERVICE = "Saldo"
CHUNK = 1200
_INDEX = "saldo-chunks:"


def backend_name(backend: KeyringBackend) -> str:
    module = type(backend).__module__.rsplit(".", 1)[-1]
    names = {
        "SecretService": "Secret Service",
        "Windows": "Windows Credential Manager",
        "macOS": "macOS Keychain",
        "kwallet": "KWallet",
        "fail": "no keyring",
        "chainer": "system keyring",
    }
    return names.get(module, type(backend).__name__)


_READ_ATTEMPTS = 4


class _Transient(Exception):
    """A keyring call that failed to start (D-Bus busy): worth another try."""


def _hiccups() -> tuple[type[BaseException], ...]:
    """Errors a Secret Service throws now and then while other processes use it (a collection
    handle that vanished for a moment); keyring passes them through unwrapped."""
    found: list[type[BaseException]] = [keyring.errors.InitError]
    try:
        from secretstorage.exceptions import SecretStorageException

        found.append(SecretStorageException)
    except ImportError:  # not on Windows or macOS
        pass
    return tuple(found)


_HICCUPS = _hiccups()


def _retrying[T](call: Callable[[], T]) -> T:
    """`call`, tried again a few times while the keyring hiccups; _Transient if it never settles."""
    for attempt in range(_READ_ATTEMPTS):
        try:
            return call()
        except _HICCUPS:
            if attempt + 1 < _READ_ATTEMPTS:
                time.sleep(0.05 * 2**attempt)
    raise _Transient


def _part_names(key: str, index: str) -> list[str]:
    """The entries holding a long value's parts: ``saldo-chunks:<generation>:<count>``, or the
    first layout ``saldo-chunks:<count>`` with parts ``key#0``, ``key#1``, …"""
    spec = index[len(_INDEX) :]
    generation, _, count = spec.rpartition(":")
    if generation:
        return [f"{key}#{generation}.{i}" for i in range(int(count))]
    return [f"{key}#{i}" for i in range(int(count))]


class _Memory:
    """Session-only storage: a dict that lives as long as the process."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get_password(self, service: str, key: str) -> str | None:
        return self.values.get(key)

    def set_password(self, service: str, key: str, value: str) -> None:
        self.values[key] = value

    def delete_password(self, service: str, key: str) -> None:
        if key not in self.values:
            raise keyring.errors.PasswordDeleteError(key)
        del self.values[key]


class Vault(TokenStore):
    """Connection tokens and provider credentials in the keyring (or in memory, session-only)."""

    def __init__(
        self,
        backend: KeyringBackend | None,
        *,
        session_only: bool = False,
        chunk: int = CHUNK,
        redactor: Redactor | None = None,
    ) -> None:
        # every secret read or written is registered here, so it is masked in any log line
        self.redactor = redactor or Redactor()
        self._backend: Any = _Memory() if session_only or backend is None else backend
        self.session_only = session_only or backend is None
        self._name = "this session only" if self.session_only else backend_name(backend)  # type: ignore[arg-type]
        self._chunk = chunk
        self._lock = threading.RLock()

    @classmethod
    def open(cls, backend: KeyringBackend | None = None, *, redactor: Redactor | None = None) -> Vault:
        """The system keyring, probed once; VaultUnavailable if it cannot hold secrets."""
        backend = backend or keyring.get_keyring()
        name = backend_name(backend)
        if type(backend).__module__.endswith(".fail") or getattr(backend, "priority", 1) <= 0:
            raise VaultUnavailable(
                f"No system keyring is available ({name}). Saldo will not store secrets in a plain file; "
                "install or unlock a keyring (e.g. GNOME Keyring), or continue in session-only mode."
            )
        try:
            _retrying(lambda: backend.get_password(SERVICE, "saldo-probe"))
        except _Transient:
            raise VaultUnavailable(
                f"The system keyring ({name}) did not answer; unlock it or continue in session-only mode."
            ) from None
        except (keyring.errors.KeyringError, OSError) as exc:
            raise VaultUnavailable(
                f"The system keyring ({name}) is not usable: {type(exc).__name__}. Unlock it or continue "
                "in session-only mode."
            ) from None
        return cls(backend, redactor=redactor)

    @property
    def backend(self) -> str:
        """Where secrets go, in words: "Secret Service", "macOS Keychain", "this session only"…"""
        return self._name

    def describe(self) -> str:
        if self.session_only:
            return (
                "Secrets are kept for this session only: no system keyring is available, "
                "so you will sign in again next time."
            )
        return f"Stored in your system keyring ({self._name})."

    # -- raw values, chunked ---------------------------------------------------------

    def _get(self, key: str) -> str | None:
        try:
            return _retrying(lambda: self._get_once(key))
        except _Transient:
            raise VaultError(f"Could not read from the keyring ({self._name}): it did not answer; try again.") from None

    def _get_once(self, key: str) -> str | None:
        with self._lock:
            try:
                for _ in range(3):  # another process may be replacing a chunked value right now
                    index = self._backend.get_password(SERVICE, key)
                    if index is None or not index.startswith(_INDEX):
                        return index  # type: ignore[no-any-return]
                    parts = [self._backend.get_password(SERVICE, name) for name in _part_names(key, index)]
                    if all(p is not None for p in parts):
                        return "".join(parts)
                    if self._backend.get_password(SERVICE, key) == index:
                        break  # the index did not move: the value really is incomplete
            except _HICCUPS:
                raise
            except (keyring.errors.KeyringError, OSError) as exc:
                raise VaultError(f"Could not read from the keyring ({self._name}): {type(exc).__name__}.") from None
            raise VaultError(f"A secret in the keyring ({self._name}) is incomplete; reconnect to replace it.")

    def _set(self, key: str, value: str) -> None:
        """Replace a value so that a reader in another process sees the old one or the new one,
        never nothing: the entry is overwritten in place, and a long value's new parts are
        written under a fresh generation before the index switches to them."""
        with self._lock:
            try:
                old = self._backend.get_password(SERVICE, key)
                if len(value) <= self._chunk:
                    self._backend.set_password(SERVICE, key, value)
                else:
                    generation = secrets.token_hex(4)
                    parts = [value[i : i + self._chunk] for i in range(0, len(value), self._chunk)]
                    for i, part in enumerate(parts):
                        self._backend.set_password(SERVICE, f"{key}#{generation}.{i}", part)
                    self._backend.set_password(SERVICE, key, f"{_INDEX}{generation}:{len(parts)}")
            except (keyring.errors.KeyringError, OSError) as exc:
                raise VaultError(f"Could not write to the keyring ({self._name}): {type(exc).__name__}.") from None
            if old and old.startswith(_INDEX):
                self._delete_names(_part_names(key, old))

    def _delete(self, key: str) -> None:
        with self._lock:
            try:
                value = self._backend.get_password(SERVICE, key)
            except (keyring.errors.KeyringError, OSError):
                value = None
            parts = _part_names(key, value) if value and value.startswith(_INDEX) else []
            self._delete_names([*parts, key])

    def _delete_names(self, names: list[str]) -> None:
        for name in names:
            try:
                self._backend.delete_password(SERVICE, name)
            except keyring.errors.PasswordDeleteError:
                pass
            except (keyring.errors.KeyringError, OSError) as exc:
                raise VaultError(f"Could not delete from the keyring ({self._name}): {type(exc).__name__}.") from None

    # -- what Saldo keeps --------------------------------------------------------------

    def load_tokens(self, connection_id: str) -> TokenSet | None:
        value = self._get(f"connection:{connection_id}")
        if not value:
            return None
        tokens = TokenSet.from_dict(json.loads(value))
        for secret in tokens.secrets():
            self.redactor.register(secret)
        return tokens

    def save_tokens(self, connection_id: str, tokens: TokenSet) -> None:
        for secret in tokens.secrets():
            self.redactor.register(secret)
        self._set(f"connection:{connection_id}", json.dumps(tokens.to_dict(), separators=(",", ":")))

    def delete_connection(self, connection_id: str) -> None:
        self._delete(f"connection:{connection_id}")

    def load_credentials(self, provider_id: str) -> ClientCredentials | None:
        value = self._get(f"client:{provider_id}")
        if not value:
            return None
        credentials = ClientCredentials(**json.loads(value))
        self.redactor.register(credentials.client_secret)
        return credentials

    def save_credentials(self, provider_id: str, credentials: ClientCredentials) -> None:
        self.redactor.register(credentials.client_secret)
        self._set(
            f"client:{provider_id}",
            json.dumps({"client_id": credentials.client_id, "client_secret": credentials.client_secret}),
        )

    def delete_credentials(self, provider_id: str) -> None:
        self._delete(f"client:{provider_id}")

    # The cache's encryption key, one entry per encrypted file, named by the file's salt (its
    # first 16 bytes), so a moved folder, a schema backup and a restored cache all find theirs.

    def load_cache_key(self, salt_hex: str) -> str | None:
        return self._get(f"cache-key:{salt_hex}")

    def save_cache_key(self, salt_hex: str, key_hex: str) -> None:
        self._set(f"cache-key:{salt_hex}", key_hex)

    def delete_cache_key(self, salt_hex: str) -> None:
        self._delete(f"cache-key:{salt_hex}")

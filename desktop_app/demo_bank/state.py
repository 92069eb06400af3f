"""The Demo Bank's memory across restarts: one small JSON file in Saldo's data folder.

It holds what regenerates the very same ledger (seed, size, the day it was first opened), the
consents, and the tokens issued for them with their expiry — by SHA-256 only: the tokens
themselves live in Saldo's keyring, so this file is no key to the demo data. It is written
atomically (a private temporary file, fsync, rename) with mode 0600. A file that cannot be read
is refused with a one-line :class:`DemoBankError` and left exactly as it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

STATE_FILE = "demo-bank.json"
VERSION = 1
MAX_STATE_BYTES = 4 * 1024 * 1024  # a real state file is a few kilobytes
ACCESS_LIFETIME = 3600  # seconds


class DemoBankError(Exception):
    """The Demo Bank cannot start; the message is one line, written for the person."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Consent:
    """What the person approved on the consent page; every token minted from it points here."""

    id: str
    accounts: tuple[str, ...]
    scopes: tuple[str, ...]
    granted_at: float
    revoked: bool = False


class DemoState:
    """Seed, consents and token hashes; `save()` after every change. Not thread-safe: callers lock."""

    def __init__(self, path: Path, seed: int, transactions: int, anchor: date) -> None:
        self.path = path
        self.seed = seed
        self.transactions = transactions
        self.anchor = anchor  # the ledger is generated around this day, so it is the same every run
        self.consents: dict[str, Consent] = {}
        self.access: dict[str, tuple[str, float]] = {}  # hash -> (consent id, expires at)
        self.refresh: dict[str, str] = {}  # hash -> consent id; used up on use (refresh tokens rotate)

    # -- file ----------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path, seed: int, transactions: int, today: date) -> DemoState:
        """The saved state, or a new one (seeded with `seed`, anchored on `today`) when there is none."""
        try:
            info = path.stat()
        except FileNotFoundError:
            state = cls(path, seed, transactions, today)
            try:
                state.save()
            except OSError as exc:
                raise DemoBankError(f"The Demo Bank cannot write {path}: {exc.strerror}.") from None
            return state
        except OSError as exc:
            raise DemoBankError(f"The Demo Bank cannot read {path}: {exc.strerror}.") from None
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STATE_BYTES:
            raise DemoBankError(f"{path} is not the Demo Bank's state file; move it away to start the Demo Bank.")
        try:
            data = json.loads(path.read_bytes())
            return cls._parse(path, data)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            raise DemoBankError(
                f"The Demo Bank's state file {path} is damaged; move it away to start afresh "
                "(a Demo Bank connection then needs Reconnect)."
            ) from None

    @classmethod
    def _parse(cls, path: Path, data: Any) -> DemoState:
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError("unknown version")
        seed, transactions = data["seed"], data["transactions"]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (seed, transactions)) or transactions < 0:
            raise ValueError("seed and transactions are whole numbers")
        state = cls(path, seed, transactions, date.fromisoformat(data["anchor"]))
        for c in data["consents"]:
            consent = Consent(
                str(c["id"]), tuple(map(str, c["accounts"])), tuple(map(str, c["scopes"])), float(c["granted_at"])
            )
            consent.revoked = bool(c["revoked"])
            state.consents[consent.id] = consent
        state.access = {str(h): (str(cid), float(until)) for h, (cid, until) in data["access"].items()}
        state.refresh = {str(h): str(cid) for h, cid in data["refresh"].items()}
        return state

    def save(self) -> None:
        body = {
            "version": VERSION,
            "seed": self.seed,
            "transactions": self.transactions,
            "anchor": self.anchor.isoformat(),
            "consents": [
                {**c.__dict__, "accounts": list(c.accounts), "scopes": list(c.scopes)} for c in self.consents.values()
            ],
            "access": {h: [cid, until] for h, (cid, until) in self.access.items()},
            "refresh": self.refresh,
        }
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(body, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise

    # -- consents and tokens ---------------------------------------------------------------------

    def grant(self, accounts: tuple[str, ...], scopes: tuple[str, ...], now: float) -> Consent:
        consent = Consent(str(uuid.uuid4()), accounts, scopes, now)
        self.consents[consent.id] = consent
        return consent

    def mint(self, consent: Consent, now: float) -> dict[str, Any]:
        """A new access and refresh token for `consent`; only their hashes are kept."""
        self._prune(now)
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.access[token_hash(access)] = (consent.id, now + ACCESS_LIFETIME)
        self.refresh[token_hash(refresh)] = consent.id
        self.save()
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ACCESS_LIFETIME,
            "refresh_token": refresh,
            "scope": " ".join(consent.scopes),
        }

    def by_access(self, token: str, now: float) -> Consent | None:
        found = self.access.get(token_hash(token))
        if found is None or now > found[1]:
            return None
        consent = self.consents.get(found[0])
        return None if consent is None or consent.revoked else consent

    def use_refresh(self, token: str) -> Consent | None:
        """The consent behind a refresh token, which is used up; None if unknown, used or revoked."""
        consent_id = self.refresh.pop(token_hash(token), None)
        consent = self.consents.get(consent_id or "")
        return None if consent is None or consent.revoked else consent

    def revoke(self, token: str) -> None:
        """Revoke the consent behind an access or refresh token (RFC 7009: unknown ones are ignored)."""
        digest = token_hash(token)
        consent_id = self.refresh.get(digest) or self.access.get(digest, ("", 0.0))[0]
        consent = self.consents.get(consent_id)
        if consent is not None:
            consent.revoked = True
            self._prune(0.0)
            self.save()

    def _prune(self, now: float) -> None:
        """Forget expired access tokens and everything of revoked consents, so the file stays small."""
        live = {c.id for c in self.consents.values() if not c.revoked}
        self.access = {h: (cid, until) for h, (cid, until) in self.access.items() if cid in live and until >= now}
        self.refresh = {h: cid for h, cid in self.refresh.items() if cid in live}
        self.consents = {cid: c for cid, c in self.consents.items() if cid in live}

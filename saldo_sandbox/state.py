"""What the simulator knows: registered clients, grants, consents, tokens, the clock, the ledgers.

Everything sits behind one lock (``SandboxState.lock``); request handlers run on daemon threads.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from saldo_sandbox.data import CURRENCY_DECIMALS, Account, Ledger, Tx, generate
from saldo_sandbox.faults import Faults

PROVIDERS = ("demo", "aiia", "aritma", "connectpay", "tatrabanka", "simplefin", "enablebanking")
NAMES = {
    "demo": "Demo Bank",
    "aiia": "Aiia",
    "aritma": "Aritma",
    "connectpay": "ConnectPay",
    "tatrabanka": "Tatra banka",
    "simplefin": "SimpleFIN Bridge",
    "enablebanking": "Enable Banking",
}
CODE_LIFETIME = 60  # seconds; every provider's codes are single-use
CONSENT_REQUEST_LIFETIME = 15 * 60  # how long a consent page stays answerable
ONE_TIME_LIFETIME = 24 * 3600  # Aiia one-time connections: data gone after a day
ACCESS_LIFETIME = {
    "demo": 3600,
    "aiia": 3600,
    "aritma": 86400,
    "connectpay": 3600,
    "tatrabanka": 90 * 86400,
    "simplefin": 0,  # SimpleFIN has no OAuth tokens: a claimed access URL lasts until revoked
    "enablebanking": 0,  # neither has Enable Banking: each call carries the app's own JWT
}
REFRESH_LIFETIME = {"connectpay": 30 * 86400}  # documented only for ConnectPay
CONNECTPAY_FLOW = "GetPSD2AuthCode"
AIIA_TOKEN_TYPE = "bearer"  # noqa: S105 (lower case, as in Aiia's example response)


@dataclass(frozen=True)
class Client:
    """A registered test client. ``client_secret`` is None for the Demo Bank's public client."""

    client_id: str
    client_secret: str | None
    redirects: tuple[str, ...]


def registered_clients() -> dict[str, Client]:
    """The test clients every provider knows.

    Loopback redirects (127.0.0.1, [::1], localhost over http) accept any port, so a real
    loopback receiver on an ephemeral port works. Aiia also has wildcard paths registered.
    """
    clients = {}
    for p in PROVIDERS:
        redirects = tuple(f"http://{host}/callback/{p}" for host in ("127.0.0.1", "[::1]", "localhost"))
        if p == "aiia":
            redirects += ("http://127.0.0.1/aiia/*", "http://localhost/aiia/*")
        clients[p] = Client(f"{p}-client", None if p == "demo" else f"{p}-secret", redirects)
    return clients


@dataclass
class Grant:
    """An authorization request on its way through consent to a code."""

    provider: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    challenge: str | None
    accounts: tuple[str, ...] = ()
    customer: str = "c1"
    nonce: str | None = None
    one_time: bool = False
    group: str | None = None
    consent_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: float = 0.0


@dataclass
class Consent:
    """What a person approved; every token minted from one code points at it."""

    provider: str
    accounts: tuple[str, ...]
    scopes: tuple[str, ...]
    one_time: bool
    granted_at: float
    consent_id: str
    customer: str = "c1"
    revoked: bool = False
    expired: bool = False

    def gone(self, now: float) -> bool:
        return self.revoked or self.expired or (self.one_time and now - self.granted_at > ONE_TIME_LIFETIME)

    def describe(self) -> dict[str, Any]:
        return {
            "consent_id": self.consent_id,
            "provider": self.provider,
            "customer": self.customer,
            "accounts": list(self.accounts),
            "scopes": list(self.scopes),
            "one_time": self.one_time,
            "revoked": self.revoked,
            "expired": self.expired,
        }


@dataclass
class SimpleFinBook:
    """SimpleFIN Bridge's own records: setup tokens, claimed access credentials, request counts."""

    setup: dict[str, str] = field(default_factory=dict)  # claim id -> customer
    claimed: set[str] = field(default_factory=set)
    access: dict[str, tuple[str, str]] = field(default_factory=dict)  # user -> (password, consent id)
    requests: dict[tuple[str, date], int] = field(default_factory=dict)  # (user, day) -> requests that day
    windows: list[tuple[int, int]] = field(default_factory=list)  # (start-date, end-date) of every request


@dataclass
class BankBook:
    """Enable Banking's records: registered applications (public key, redirect URLs) and sessions."""

    apps: dict[str, tuple[bytes, tuple[str, ...]]] = field(default_factory=dict)  # app id -> (public PEM, URLs)
    uids: dict[str, tuple[str, str]] = field(default_factory=dict)  # account uid -> (session id, account id)
    valid_until: dict[str, float] = field(default_factory=dict)  # session id -> end of consent (epoch)
    jwts_seen: int = 0


class SandboxState:
    """Everything the simulator knows, behind one lock.

    `clock` gives the wall time in epoch seconds (default ``time.time``); the sandbox clock is
    that plus an offset the admin can advance. Ledgers end on the clock's day at start and are
    generated on first use.
    """

    def __init__(
        self,
        seed: int,
        transactions: int,
        auto_approve: bool,
        fail_rate: float,
        latency_ms: int,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.transactions = transactions
        self.clock = clock or time.time
        self.offset = 0.0
        self.start_day = self.today()
        self._ledgers: dict[str, Ledger] = {}
        self.clients = registered_clients()
        self.auto_approve = auto_approve
        self.faults = Faults(rate=fail_rate, latency_ms=latency_ms)
        self.rng = random.Random(seed)
        self.pending_requests: dict[str, Grant] = {}
        self.codes: dict[str, tuple[Grant, float]] = {}
        self.used_codes: set[str] = set()
        self.used_nonces: set[str] = set()
        self.access: dict[str, tuple[Consent, float]] = {}
        self.refresh: dict[str, tuple[Consent, float | None]] = {}
        self.consents: dict[str, Consent] = {}
        self.force_tricky_codes = True  # Aiia's codes carry + / = %
        self.simplefin = SimpleFinBook()
        self.enablebanking = BankBook()

    def now(self) -> float:
        return self.clock() + self.offset

    def today(self) -> date:
        return datetime.fromtimestamp(self.now(), UTC).date()

    def stamp(self) -> str:
        return datetime.fromtimestamp(self.now(), UTC).isoformat().replace("+00:00", "Z")

    def ledger(self, provider: str) -> Ledger:
        with self.lock:
            found = self._ledgers.get(provider)
            if found is None:
                size = self.transactions if provider == "demo" else max(self.transactions // 5, 1)
                found = self._ledgers[provider] = generate(provider, self.seed, size, self.start_day)
            return found

    def accounts(self, provider: str, customer: str | None = None) -> list[Account]:
        return [a for a in self.ledger(provider).accounts if customer is None or a.customer == customer]

    # -- admin actions ----------------------------------------------------------------------

    def _matching(self, provider: str | None, consent_id: str | None) -> list[Consent]:
        return [
            c
            for c in self.consents.values()
            if (provider is None or c.provider == provider) and (consent_id is None or c.consent_id == consent_id)
        ]

    def revoke(self, provider: str | None = None, consent_id: str | None = None) -> int:
        with self.lock:
            found = self._matching(provider, consent_id)
            for c in found:
                c.revoked = True
            return len(found)

    def expire(self, provider: str | None = None, consent_id: str | None = None) -> int:
        with self.lock:
            found = self._matching(provider, consent_id)
            for c in found:
                c.expired = True
            return len(found)

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.offset += seconds

    def add_transaction(
        self,
        provider: str,
        amount: str,
        account: str | None = None,
        description: str = "Added in the sandbox",
        counterparty: str = "Sandbox",
        pending: bool = False,
        day: date | None = None,
        customer: str | None = None,
    ) -> Tx:
        ledger = self.ledger(provider)
        with self.lock:
            candidates = [a for a in ledger.accounts if customer is None or a.customer == customer]
            target = next((a for a in candidates if a.id == account or a.iban == account), None) if account else None
            if target is None:
                if account:
                    raise ValueError(f"no account {account!r} at {provider}")
                target = candidates[0]
            when = day or self.today()
            minor = Decimal(amount).scaleb(CURRENCY_DECIMALS[target.currency])
            if minor != minor.to_integral_value():
                raise ValueError(f"{amount} has more decimals than {target.currency} allows")
            return ledger.add(
                target.id, when, int(minor), description, counterparty, when + timedelta(days=1) if pending else None
            )

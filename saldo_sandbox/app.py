"""Starting and stopping the sandbox in-process (on an ephemeral loopback port)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from desktop_app.demo_bank.loopback import Running
from saldo_sandbox.admin import ground_truth
from saldo_sandbox.server import SandboxServer
from saldo_sandbox.state import PROVIDERS, Client, SandboxState, registered_clients

# Paths below the base URL, per provider (the documented paths under each provider's prefix).
ENDPOINTS: dict[str, dict[str, str]] = {
    "demo": {"authorize": "/demo/oauth/authorize", "token": "/demo/oauth/token", "api": "/demo"},
    "aiia": {"authorize": "/aiia/v1/oauth/connect", "token": "/aiia/v1/oauth/token", "api": "/aiia"},
    "aritma": {
        "authorize": "/aritma/{tenant}/connect/authorize",
        "token": "/aritma/{tenant}/connect/token",
        "api": "/aritma",
    },
    "connectpay": {
        "authorize": "/connectpay/auth/v1/oauth2/authorize",
        "token": "/connectpay/auth/v1/oauth2/token",
        "api": "/connectpay",
    },
    "tatrabanka": {
        "authorize": "/tatrabanka/auth/oauth/v2/authorize",
        "token": "/tatrabanka/auth/oauth/v2/token",
        "api": "/tatrabanka",
    },
    "simplefin": {"create": "/simplefin/create", "api": "/simplefin/bridge"},
    "enablebanking": {"api": "/enablebanking"},
}


class Sandbox(Running):
    """The simulator in a background thread. ``start()`` returns its base URL.

    `clock` (epoch seconds, default ``time.time``) lets a test fix the sandbox's notion of now,
    which also fixes the day the synthetic history ends on: same seed + same clock = same data.
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        transactions: int = 2000,
        auto_approve: bool = False,
        fail_rate: float = 0.0,
        latency_ms: int = 0,
        port: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.state = SandboxState(seed, transactions, auto_approve, fail_rate, latency_ms, clock)
        self._port = port
        self.clients: dict[str, Client] = registered_clients()

    def start(self) -> str:
        if self._server is None:
            self._run(SandboxServer(("127.0.0.1", self._port), self.state), "saldo-sandbox")
        return self.url

    # -- conveniences for tests and the GUI ------------------------------------------------

    def endpoint(self, provider: str, which: str, tenant: str = "saldo") -> str:
        """Absolute URL of ``authorize``, ``token`` or ``api`` (the data base URL) for a provider."""
        return self.url + ENDPOINTS[provider][which].replace("{tenant}", tenant)

    @property
    def auto_approve(self) -> bool:
        return self.state.auto_approve

    @auto_approve.setter
    def auto_approve(self, value: bool) -> None:
        self.state.auto_approve = value

    def ground_truth(self, provider: str, customer: str | None = None) -> dict[str, Any]:
        """What the bank holds now (see the package docstring for the format)."""
        if provider not in PROVIDERS:
            raise ValueError(f"unknown provider {provider!r}")
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return ground_truth(self.state, provider, customer)

    def admin(self, what: str, **body: Any) -> dict[str, Any]:
        """POST to an admin endpoint over HTTP, as an external test would."""
        request = urllib.request.Request(  # noqa: S310 (loopback http only)
            f"{self.url}/_admin/{what}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
            result: dict[str, Any] = json.loads(response.read())
        return result

    def advance(self, seconds: float = 0, days: float = 0) -> None:
        """Move the sandbox clock forward (codes and tokens age, pending movements book)."""
        self.state.advance(seconds + days * 86400)

    def revoke(self, provider: str | None = None, consent_id: str | None = None) -> int:
        """Revoke consents (all of a provider's, or one): every token of theirs then gets 401."""
        return self.state.revoke(provider, consent_id)

    def expire(self, provider: str | None = None, consent_id: str | None = None) -> int:
        """Let consents lapse, as when their validity period ends."""
        return self.state.expire(provider, consent_id)

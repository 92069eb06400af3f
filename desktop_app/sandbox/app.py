"""Starting and stopping the sandbox in-process (on an ephemeral loopback port)."""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

from desktop_app.sandbox.server import SandboxServer, SandboxState, registered_clients


class Sandbox:
    """The simulator in a background thread. ``start()`` returns its base URL."""

    def __init__(
        self,
        *,
        seed: int = 1,
        transactions: int = 2000,
        auto_approve: bool = False,
        fail_rate: float = 0.0,
        latency_ms: int = 0,
        port: int = 0,
    ) -> None:
        self.state = SandboxState(seed, transactions, auto_approve, fail_rate, latency_ms)
        self._port = port
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self.clients = registered_clients()

    def start(self) -> str:
        self._server = SandboxServer(("127.0.0.1", self._port), self.state)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="saldo-sandbox", daemon=True
        )
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def ground_truth(self, provider: str) -> dict[str, Any]:
        assert self._server is not None
        return self._server.ground_truth(provider)

    def admin(self, what: str, **body: Any) -> dict[str, Any]:
        """Call an admin endpoint over HTTP, as an external test would."""
        request = urllib.request.Request(  # noqa: S310 (loopback http only)
            f"{self.url}/_admin/{what}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
            result: dict[str, Any] = json.loads(response.read())
        return result

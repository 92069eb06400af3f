"""Misbehaviour on demand: outages, rate limits, resets, cut bodies, slow answers, latency.

``POST /_admin/faults`` sets them (see the package docstring); :func:`maybe_fail` is called by a
data route (and by the token routes, if asked) just before it would answer. A queued fault is
used by exactly one response: the one of the request that took it from the queue.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from saldo_sandbox.exchange import Exchange

FAULT_KINDS = ("500", "503", "429", "reset", "truncated", "slow")
EXTRA_KINDS = ("502", "504")  # accepted when asked for, never picked by default


@dataclass
class Faults:
    """Misbehaviour of the data APIs (and, if asked, the token endpoints)."""

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    latency_ms: int = 0
    queue: list[str] = field(default_factory=list)  # forced faults for the next calls, in order
    retry_after: int = 0
    slow_ms: int = 50
    where: tuple[str, ...] = ("api",)

    def describe(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "latency_ms": self.latency_ms,
            "queue": list(self.queue),
            "retry_after": self.retry_after,
            "slow_ms": self.slow_ms,
            "where": list(self.where),
        }

    def configure(self, data: dict[str, Any]) -> None:
        """Replace every setting from an admin body (``{}`` clears them). Raises ValueError on bad input."""
        kinds = tuple(str(k) for k in data.get("kinds") or FAULT_KINDS)
        queue = [str(k) for k in data.get("queue") or []]
        unknown = set(kinds + tuple(queue)) - set(FAULT_KINDS) - set(EXTRA_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        self.rate = float(data.get("rate", 0))
        self.kinds = kinds
        self.queue = queue
        self.latency_ms = int(data.get("latency_ms", 0))
        self.retry_after = int(data.get("retry_after", 0))
        self.slow_ms = int(data.get("slow_ms", 50))
        self.where = tuple(data.get("where") or ("api",))


def maybe_fail(x: Exchange, where: str = "api") -> None:
    """Maybe misbehave. Raises Answered when a fault has answered the request itself."""
    from saldo_sandbox.exchange import Answered

    st = x.st
    faults = st.faults
    if faults.latency_ms and where == "api":
        time.sleep(faults.latency_ms / 1000)
    with st.lock:
        if where not in faults.where:
            return
        if faults.queue:
            kind = faults.queue.pop(0)
        elif faults.rate > 0 and st.rng.random() < faults.rate:
            kind = st.rng.choice(faults.kinds)
        else:
            return
    if kind in ("500", "502", "503", "504"):
        x.json(int(kind), {"error": "server_error", "error_description": "simulated outage"})
    elif kind == "429":
        x.json(
            429,
            {"error": "rate_limited", "error_description": "too many requests"},
            {"Retry-After": str(faults.retry_after)},
        )
    elif kind == "reset":
        # SO_LINGER with a zero timeout makes close() send a RST instead of a FIN.
        conn = x.handler.connection
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        x.handler.close_connection = True
        conn.close()
    elif kind == "truncated":
        x.truncate = True  # this exchange's answer only, cut in half
        return
    elif kind == "slow":
        time.sleep(faults.slow_ms / 1000)
        return
    raise Answered

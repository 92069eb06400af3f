"""Remembering, without a secret, that a connection was made with no keyring.

Without a usable keyring the vault keeps tokens in the memory of the process that connected,
so the connection ends with that process. A later command then finds no tokens, which the
token manager can only describe as a revoked consent. To say what really happened, every
connect leaves a non-secret audit row in the sync log (status ``connected``, with whether the
tokens were session-only); the newest such row tells which case applies.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from desktop_app.core.models import SyncRun
from desktop_app.core.store import Store

CONNECTED = "connected"
# How far back in the sync log to look for the connect row; a connection is re-made long before.
_LOOKBACK = 1000

EXPLANATION = (
    "No keyring: the connection lasted only for the command (or app session) that made it, because its "
    "tokens could only be kept in memory. Install or unlock a Secret Service (e.g. GNOME Keyring) and "
    "reconnect, or use the app, which keeps the session open."
)
CONNECT_WARNING = (
    "Without a keyring this connection lasts only for this command: a later `saldo sync` cannot use it. "
    "Install or unlock a Secret Service (e.g. GNOME Keyring), or use the app, which keeps the session open."
)


def record_connect(store: Store, connection_id: str, *, session_only: bool) -> None:
    """Log that a connection was (re)made, and whether its tokens live only in this process."""
    run = store.start_sync_run(connection_id)
    store.finish_sync_run(
        replace(run, status=CONNECTED, finished_at=datetime.now(UTC), details={"session_only": session_only})
    )


def made_without_keyring(store: Store, connection_id: str) -> bool:
    """True when the newest connect of this connection kept its tokens in memory only."""
    latest = _latest_connect(store, connection_id)
    return bool(latest and latest.details.get("session_only") is True)


def _latest_connect(store: Store, connection_id: str) -> SyncRun | None:
    for run in store.sync_runs(connection_id, limit=_LOOKBACK):
        if run.status == CONNECTED:
            return run
    return None

"""Connecting SimpleFIN Bridge and opening its sync sessions (no browser, no OAuth).

A connection is made from a setup token: claimed once, its access URL goes to the keyring (as
the connection's only secret) and nowhere else: not the cache, not a log line, not the output.
The cache keeps the connection without any address; every sync reads the access URL back
from the vault. Re-connecting with a new token keeps the accounts and their history when it
shows accounts Saldo already holds.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import httpx2

from desktop_app.core.api import ApiClient, RetryPolicy
from desktop_app.core.errors import ReconsentNeeded
from desktop_app.core.models import Connection, ConnectionStatus
from desktop_app.core.oauth.tokens import TokenSet
from desktop_app.core.providers.simplefin import NAME, AccessUrl, SimpleFinAdapter, claim, claim_url, parse_access_url
from desktop_app.core.session_only import CONNECTED, record_connect
from desktop_app.core.store import Store
from desktop_app.core.sync import ProviderSession
from desktop_app.core.vault import Vault

log = logging.getLogger(__name__)

PROVIDER_ID = "simplefin"
TOKEN_TYPE = "SimpleFIN access URL"  # noqa: S105 (a label, not a secret)


@dataclass(frozen=True)
class Connected:
    connection: Connection
    messages: tuple[str, ...]  # what the Bridge said, for the person to read


class SimpleFinLink:
    def __init__(
        self,
        store: Store,
        vault: Vault,
        http: httpx2.Client,
        *,
        retry: RetryPolicy | None = None,
        today: Callable[[], date] = date.today,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.vault = vault
        self.http = http
        self.retry = retry
        self.today = today
        self.clock = clock  # counts the requests of the last 24 hours against the daily limit

    def connect(self, setup_token: str) -> Connected:
        """Claim the token, look at the accounts once, keep the access URL in the keyring."""
        self.vault.redactor.register(setup_token.strip())
        self.vault.redactor.register(claim_url(setup_token))
        access = claim(self.http, setup_token)
        for secret in access.secrets():
            self.vault.redactor.register(secret)
        adapter = SimpleFinAdapter(used_today=self._used_today(), today=self.today)
        shown = {a.provider_account_id for a in adapter.accounts(self._api(access, threading.Event()))}
        known = self._same_login(shown)
        connection_id = known.id if known else uuid.uuid4().hex[:12]
        self.vault.save_tokens(connection_id, TokenSet(access_token=access.url, token_type=TOKEN_TYPE))
        now = datetime.now(UTC)
        connection = Connection(
            id=connection_id,
            provider=PROVIDER_ID,
            label=known.label if known else NAME,
            status=ConnectionStatus.ACTIVE,
            created_at=known.created_at if known else now,
            last_synced_at=known.last_synced_at if known else None,
        )
        saved = self.store.save_connection(connection)
        record_connect(self.store, saved.id, session_only=self.vault.session_only)
        return Connected(saved, tuple(adapter.said))

    def open_session(self, connection: Connection, cancel: threading.Event) -> ProviderSession:
        tokens = self.vault.load_tokens(connection.id)
        if tokens is None:
            raise ReconsentNeeded.for_provider(NAME)
        access = parse_access_url(tokens.access_token)
        for secret in access.secrets():
            self.vault.redactor.register(secret)
        adapter = SimpleFinAdapter(used_today=self._used_today(connection.id), today=self.today)
        return ProviderSession(api=self._api(access, cancel), adapter=adapter)

    def disconnect(self, connection: Connection) -> bool:
        """The Bridge has no revocation call: the person disables the access there. False: not revoked."""
        return False

    # -- internals -------------------------------------------------------------------

    def _api(self, access: AccessUrl, cancel: threading.Event) -> ApiClient:
        return ApiClient(
            self.http,
            access.base,
            NAME,
            extra_headers={"Authorization": access.basic()},
            retry=replace(self.retry) if self.retry else None,
            cancel=cancel,
            revoked_statuses=(401, 403),  # the Bridge answers a revoked or disabled access with 403
        )

    def _used_today(self, connection_id: str | None = None) -> int:
        """Requests made in the last 24 hours: each sync records its count, each connect made two."""
        if connection_id is None:
            return 0
        since = self.clock() - timedelta(days=1)
        used = 0
        for run in self.store.sync_runs(connection_id, limit=200):
            if run.started_at >= since:
                used += 2 if run.status == CONNECTED else int(run.details.get("requests", 0) or 0)
        return used

    def _same_login(self, shown: set[str]) -> Connection | None:
        """A SimpleFIN connection that already holds these accounts (a new token for the same login)."""
        for connection in self.store.connections():
            if connection.provider == PROVIDER_ID:
                held = {a.provider_account_id for a in self.store.accounts(connection.id)}
                if shown & held or (not held and connection.status is not ConnectionStatus.ACTIVE):
                    return connection
        return None

"""Connecting a provider end to end, and opening provider sessions for sync.

``Connector.begin`` binds the loopback receiver and builds the authorization request; the
caller shows or opens ``pending.url`` and then waits (or passes a pasted redirect).
``finish`` redeems the code at once, saves the tokens in the vault and the connection in
the cache. Connecting again to a connection that needs re-consent reuses its id, so its
accounts and history stay and no account appears twice.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import httpx2

from desktop_app.core.api import ApiClient, RetryPolicy
from desktop_app.core.errors import SaldoError
from desktop_app.core.models import Connection, ConnectionStatus
from desktop_app.core.oauth.flow import AuthorizationRequest, Callback, build_authorization, parse_pasted_redirect
from desktop_app.core.oauth.receiver import LoopbackReceiver
from desktop_app.core.oauth.tokens import ClientCredentials, TokenClient, TokenManager, TokenSet
from desktop_app.core.providers.registry import Endpoints, Provider, get_provider
from desktop_app.core.redact import register_secret
from desktop_app.core.session_only import record_connect
from desktop_app.core.store import Store
from desktop_app.core.sync import ProviderSession
from desktop_app.core.vault import Vault

log = logging.getLogger(__name__)

CONSENT_TIMEOUT = 300.0


class CredentialsNeeded(SaldoError):
    """The provider needs the client id and secret from its developer portal."""


@dataclass
class PendingConsent:
    """An authorization waiting for the person: show `url`, then `wait()` or `paste()`."""

    provider: Provider
    endpoints: Endpoints
    request: AuthorizationRequest
    receiver: LoopbackReceiver
    connection_id: str

    @property
    def url(self) -> str:
        return self.request.url

    def wait(self, timeout: float = CONSENT_TIMEOUT) -> Callback:
        return self.receiver.wait(timeout)

    def paste(self, pasted_url: str) -> Callback:
        callback = parse_pasted_redirect(self.request, pasted_url)
        self.receiver.deliver(callback)
        return callback

    def cancel(self) -> None:
        self.receiver.cancel()

    def close(self) -> None:
        self.receiver.close()


class Connector:
    """Connects providers and opens sessions on them. One per app; thread-safe."""

    def __init__(self, store: Store, vault: Vault, http: httpx2.Client, retry: RetryPolicy | None = None) -> None:
        self.store = store
        self.vault = vault
        self.http = http
        self.retry = retry
        # The embedded Demo Bank moves to a new port each run: its connections follow it.
        self.demo_sandbox: str | None = None

    # -- credentials -----------------------------------------------------------------

    def credentials(self, provider: Provider) -> ClientCredentials:
        if not provider.needs_credentials:
            assert provider.default_client_id is not None
            return ClientCredentials(provider.default_client_id)
        creds = self.vault.load_credentials(provider.id)
        if creds is None:
            raise CredentialsNeeded(
                f"{provider.name} needs the client id and secret from its developer portal; enter them first."
            )
        return creds

    def save_credentials(self, provider_id: str, client_id: str, client_secret: str | None) -> None:
        register_secret(client_secret)
        self.vault.save_credentials(provider_id, ClientCredentials(client_id.strip(), client_secret))

    # -- connecting ------------------------------------------------------------------

    def begin(self, provider_id: str, sandbox: str | None = None, reconnect: str | None = None) -> PendingConsent:
        provider = get_provider(provider_id)
        endpoints = provider.endpoints(sandbox)
        creds = self.credentials(provider)
        connection_id = reconnect or self._reconnectable(provider) or uuid.uuid4().hex[:12]
        profile = provider.oauth_profile(endpoints)
        receiver = LoopbackReceiver(profile)
        redirect = receiver.start()  # bound before anyone opens the URL
        request = build_authorization(profile, creds.client_id, redirect)
        receiver.expect(request)
        return PendingConsent(provider, endpoints, request, receiver, connection_id)

    def _reconnectable(self, provider: Provider) -> str | None:
        waiting = [
            c
            for c in self.store.connections()
            if c.provider == provider.id and c.status in (ConnectionStatus.NEEDS_RECONSENT, ConnectionStatus.EXPIRED)
        ]
        return waiting[0].id if len(waiting) == 1 else None

    def finish(self, pending: PendingConsent, callback: Callback) -> Connection:
        """Redeem the code (once, at once) and record the connection. Tokens go to the vault."""
        provider = pending.provider
        register_secret(callback.code)
        client = TokenClient(self.http, pending.request.profile, self.credentials(provider))
        tokens = client.exchange(pending.request, callback.code)
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        if provider.one_time:
            tokens = replace(tokens, refresh_token=None)  # one-time consents are never renewed
        self.vault.save_tokens(pending.connection_id, tokens)
        now = datetime.now(UTC)
        try:
            existing: Connection | None = self.store.get_connection(pending.connection_id)
        except SaldoError:
            existing = None
        connection = Connection(
            id=pending.connection_id,
            provider=provider.id,
            label=existing.label if existing else provider.name,
            status=ConnectionStatus.ACTIVE,
            scopes=tuple((tokens.scope or " ".join(pending.request.profile.scopes)).split()),
            consent_id=callback.extras.get("consentId") or _text(tokens.extras.get("consentId")),
            consent_expires_at=_consent_expiry(provider, tokens, now),
            one_time=provider.one_time,
            created_at=existing.created_at if existing else now,
            last_synced_at=existing.last_synced_at if existing else None,
        )
        saved = self.store.save_connection(connection)
        record_connect(self.store, saved.id, session_only=self.vault.session_only)
        self._remember_endpoints(saved.id, pending.endpoints)
        return saved

    def connect(
        self, provider_id: str, *, sandbox: str | None = None, open_url: object = None, timeout: float = CONSENT_TIMEOUT
    ) -> Connection:
        """The whole flow for scripts: begin, hand the URL to `open_url`, wait, finish."""
        pending = self.begin(provider_id, sandbox)
        try:
            if callable(open_url):
                open_url(pending.url)
            return self.finish(pending, pending.wait(timeout))
        finally:
            pending.close()

    # -- endpoints per connection (not secret; kept beside the tokens' lifetime) -------

    def _remember_endpoints(self, connection_id: str, endpoints: Endpoints) -> None:
        path = self.store.path.with_name("endpoints.json")
        with _FILE_LOCK:
            known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            known[connection_id] = endpoints.__dict__
            path.write_text(json.dumps(known, indent=1), encoding="utf-8")

    def endpoints_for(self, connection: Connection) -> Endpoints:
        if connection.provider == "demo" and self.demo_sandbox:
            return get_provider("demo").endpoints(self.demo_sandbox)
        path = self.store.path.with_name("endpoints.json")
        with _FILE_LOCK:
            known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if connection.id in known:
            return Endpoints(**known[connection.id])
        return get_provider(connection.provider).endpoints()

    # -- sessions and disconnecting ------------------------------------------------------

    def token_manager(self, connection: Connection) -> TokenManager:
        provider = get_provider(connection.provider)
        endpoints = self.endpoints_for(connection)
        client = TokenClient(self.http, provider.oauth_profile(endpoints), self.credentials(provider))
        return TokenManager(
            connection.id,
            client,
            self.vault,
            on_reconsent=lambda cid: self.store.set_connection_status(cid, ConnectionStatus.NEEDS_RECONSENT),
        )

    def open_session(self, connection: Connection, cancel: threading.Event) -> ProviderSession:
        provider = get_provider(connection.provider)
        endpoints = self.endpoints_for(connection)
        api = ApiClient(
            self.http,
            endpoints.api,
            provider.name,
            self.token_manager(connection),
            request_id_header=provider.api_request_id_header,
            retry=replace(self.retry) if self.retry else None,
            cancel=cancel,
        )
        return ProviderSession(api=api, adapter=provider.adapter)

    def disconnect(self, connection_id: str, *, keep_data: bool) -> bool:
        """Forget the tokens (revoking them at the provider where it can) and, unless kept, the data."""
        connection = self.store.get_connection(connection_id)
        revoked = False
        tokens = self.vault.load_tokens(connection_id)
        if tokens is not None:
            try:
                revoked = self.token_manager(connection)._client.revoke(tokens)
            except SaldoError:
                revoked = False
        self.vault.delete_connection(connection_id)
        self.store.delete_connection(connection_id, keep_data=keep_data)
        return revoked


_FILE_LOCK = threading.Lock()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _consent_expiry(provider: Provider, tokens: TokenSet, now: datetime) -> datetime | None:
    """The documented consent lifetime, else when the refresh token lapses, else unknown."""
    if provider.consent_lifetime is not None:
        return now + provider.consent_lifetime
    if tokens.refresh_expires_at is not None:
        return datetime.fromtimestamp(tokens.refresh_expires_at, UTC)
    if tokens.refresh_token is None and tokens.expires_at is not None:
        return datetime.fromtimestamp(tokens.expires_at, UTC)
    return None


__all__ = ["CONSENT_TIMEOUT", "Connector", "CredentialsNeeded", "PendingConsent"]

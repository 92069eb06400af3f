"""Connecting a provider end to end, and opening provider sessions for sync.

``Connector.begin`` binds the loopback receiver and builds the authorization request; the
caller shows or opens ``pending.url`` and then waits (or passes a pasted redirect).
``finish`` redeems the code at once, saves the tokens in the vault and the connection in
the cache. Connecting again to a connection that needs re-consent reuses its id, so its
accounts and history stay and no account appears twice.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import httpx2

from desktop_app.core.api import ApiClient, RetryPolicy
from desktop_app.core.enablebanking_link import PROVIDER_ID as ENABLEBANKING
from desktop_app.core.enablebanking_link import BankConsent, EnableBankingLink
from desktop_app.core.errors import CredentialsNeeded, SaldoError
from desktop_app.core.locks import ProcessLocks
from desktop_app.core.models import Connection, ConnectionStatus, Endpoints
from desktop_app.core.oauth.flow import AuthorizationRequest, Callback, build_authorization, parse_pasted_redirect
from desktop_app.core.oauth.receiver import LoopbackReceiver
from desktop_app.core.oauth.tokens import ClientCredentials, TokenClient, TokenManager, TokenSet
from desktop_app.core.providers.registry import Provider, get_provider
from desktop_app.core.session_only import record_connect
from desktop_app.core.simplefin_link import PROVIDER_ID as SIMPLEFIN
from desktop_app.core.simplefin_link import SimpleFinLink
from desktop_app.core.store import Store
from desktop_app.core.sync import ProviderSession
from desktop_app.core.vault import Vault

log = logging.getLogger(__name__)

CONSENT_TIMEOUT = 300.0


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

    def __init__(
        self,
        store: Store,
        vault: Vault,
        http: httpx2.Client,
        *,
        locks: ProcessLocks | None = None,
        retry: RetryPolicy | None = None,
        demo_bank_url: str | None = None,
        sandbox: str | None = None,
    ) -> None:
        self.store = store
        self.vault = vault
        self.http = http
        self.retry = retry
        self.locks = locks or ProcessLocks(None)
        # The Demo Bank moves to a new port each run: its connections follow it.
        self.demo_bank_url = demo_bank_url
        # Development only: every provider answered by a running `saldo sandbox`.
        self.sandbox = sandbox
        # Providers connected without a browser sign-in (their own connect; sessions and disconnect here).
        self.simplefin = SimpleFinLink(store, vault, http, retry=retry)
        self.enablebanking = EnableBankingLink(store, vault, http, store.path.parent, retry=retry)
        self.links: dict[str, SimpleFinLink | EnableBankingLink] = {
            SIMPLEFIN: self.simplefin,
            ENABLEBANKING: self.enablebanking,
        }

    # -- credentials -----------------------------------------------------------------

    def credentials(self, provider: Provider) -> ClientCredentials:
        if not provider.needs_credentials:
            assert provider.default_client_id is not None
            return ClientCredentials(provider.default_client_id)
        creds = self.vault.load_credentials(provider.id)
        if creds is None:
            raise CredentialsNeeded.for_provider(provider.name)
        return creds

    def save_credentials(self, provider_id: str, client_id: str, client_secret: str | None) -> None:
        self.vault.save_credentials(provider_id, ClientCredentials(client_id.strip(), client_secret))

    # -- connecting ------------------------------------------------------------------

    def begin(
        self, provider_id: str, sandbox: str | None = None, reconnect: str | None = None, *, tenant: str | None = None
    ) -> PendingConsent:
        """`tenant` (Aritma): the organisation's tenant, kept with the connection's endpoints (not secret)."""
        provider = get_provider(provider_id)
        if provider.id in self.links:
            raise SaldoError(f"{provider.name} connects with a {provider.setup}, not a browser sign-in.")
        if sandbox is None:
            sandbox = self.demo_bank_url if provider.id == "demo" and self.demo_bank_url else self.sandbox
        creds = self.credentials(provider)
        connection_id = reconnect or self._reconnectable(provider) or uuid.uuid4().hex[:12]
        stored = self.store.endpoints(connection_id) if provider.needs_tenant and tenant is None else None
        endpoints = stored or provider.endpoints(sandbox, tenant)  # re-consent keeps the tenant it had
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

    def finish(self, pending: PendingConsent | BankConsent, callback: Callback) -> Connection:
        """Redeem the code (once, at once) and record the connection. Tokens go to the vault.

        A new consent that returns accounts Saldo already holds under another connection of
        the same provider is the same login approved again: it re-consents that connection
        instead of creating a second one, so no account and no money appears twice.
        """
        if isinstance(pending, BankConsent):  # Enable Banking's own flow: a session, not tokens
            return self.enablebanking.finish(pending, callback)
        provider = pending.provider
        self.vault.redactor.register(callback.code)
        client = TokenClient(self.http, pending.request.profile, self.credentials(provider))
        tokens = client.exchange(pending.request, callback.code)
        self.vault.redactor.register(tokens.access_token)
        self.vault.redactor.register(tokens.refresh_token)
        existing = self._known_connection(pending.connection_id)
        if existing is None:
            existing = self._same_login(pending, tokens)
        connection_id = existing.id if existing else pending.connection_id
        self.vault.save_tokens(connection_id, tokens)
        now = datetime.now(UTC)
        connection = Connection(
            id=connection_id,
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
        self.store.save_endpoints(saved.id, pending.endpoints)
        return saved

    def _known_connection(self, connection_id: str) -> Connection | None:
        return next((c for c in self.store.connections() if c.id == connection_id), None)

    def _same_login(self, pending: PendingConsent, tokens: TokenSet) -> Connection | None:
        """The connection of this provider that already holds the accounts this consent shows."""
        others = [c for c in self.store.connections() if c.provider == pending.provider.id]
        if not others:
            return None
        api = ApiClient(
            self.http,
            pending.endpoints.api,
            pending.provider.name,
            _FixedToken(tokens.access_token),
            request_id_header=pending.provider.api_request_id_header,
            retry=replace(self.retry) if self.retry else None,
        )
        try:
            shown = {r.provider_account_id for r in pending.provider.adapter.accounts(api)}
        except SaldoError as exc:  # the sync will meet the same trouble and report it
            log.info("could not list accounts right after consent: %s", exc)
            return None
        for connection in others:
            if shown & {a.provider_account_id for a in self.store.accounts(connection.id)}:
                return connection
        return None

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

    # -- endpoints per connection (not secret; kept in the cache with the connection) ------

    def endpoints_for(self, connection: Connection) -> Endpoints:
        if connection.provider == "demo" and self.demo_bank_url:
            return get_provider("demo").endpoints(self.demo_bank_url)
        return self.store.endpoints(connection.id) or get_provider(connection.provider).endpoints()

    # -- sessions and disconnecting ------------------------------------------------------

    def _token_client(self, connection: Connection) -> TokenClient:
        provider = get_provider(connection.provider)
        endpoints = self.endpoints_for(connection)
        return TokenClient(self.http, provider.oauth_profile(endpoints), self.credentials(provider))

    def token_manager(self, connection: Connection) -> TokenManager:
        return TokenManager(
            connection.id,
            self._token_client(connection),
            self.vault,
            on_reconsent=lambda cid: self.store.set_connection_status(cid, ConnectionStatus.NEEDS_RECONSENT),
            locks=self.locks,
        )

    def open_session(self, connection: Connection, cancel: threading.Event) -> ProviderSession:
        if connection.provider in self.links:
            return self.links[connection.provider].open_session(connection, cancel)
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
        if connection.provider in self.links:
            revoked = self.links[connection.provider].disconnect(connection)
        elif tokens is not None:
            try:
                revoked = self._token_client(connection).revoke(tokens)
            except SaldoError:
                revoked = False
        self.vault.delete_connection(connection_id)
        self.store.delete_connection(connection_id, keep_data=keep_data)
        return revoked


class _FixedToken:
    """A token source for one look at the accounts right after consent (no refresh needed)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def after_unauthorized(self, rejected: str) -> bool:
        return False


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

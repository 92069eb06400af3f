"""Connecting a bank through Enable Banking, and opening its sync sessions.

The person registers their own application with Enable Banking (free for their own accounts)
and gives Saldo its id and RSA private key; the key goes to the keyring and nowhere else. Then:

1. the bank is chosen from Enable Banking's list for a country (kept in the cache, so it can
   be browsed offline);
2. ``POST /auth`` asks for a consent as long as the bank allows, less a margin for clock skew;
   the person approves at the bank, which sends the browser to a redirect URL registered with
   the application. ``GET /application`` tells which ones are registered: an
   ``https://localhost:<port>/<path>`` one gets the https loopback receiver on exactly that port;
   otherwise (or when the browser refuses the certificate) the person pastes the address the
   browser ended on. Either way the answer goes through the same ``validate_callback``;
3. ``POST /sessions`` turns the code into a session; its id is kept in the keyring (never in the
   cache) and its ``valid_until`` is the consent's end, so Saldo warns a week ahead. Accounts are keyed on
   their identification hash, so a new session for the same accounts continues the same
   connection and history. Disconnecting deletes the session at Enable Banking.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2

from desktop_app.core.api import ApiClient, RetryPolicy
from desktop_app.core.errors import (
    AppKeyError,
    ConsentCancelled,
    ConsentTimeout,
    OAuthError,
    ProviderError,
    ReconsentNeeded,
    SaldoError,
)
from desktop_app.core.models import Connection, ConnectionStatus
from desktop_app.core.oauth.flow import AuthorizationRequest, Callback, new_state, parse_pasted_redirect
from desktop_app.core.oauth.https_receiver import HttpsLoopbackReceiver
from desktop_app.core.oauth.profile import OAuthProfile
from desktop_app.core.oauth.tokens import ClientCredentials, TokenSet
from desktop_app.core.providers.enablebanking import API, NAME, AppToken, EnableBankingAdapter, load_app_key
from desktop_app.core.session_only import record_connect
from desktop_app.core.store import Store
from desktop_app.core.sync import ProviderSession
from desktop_app.core.vault import Vault

log = logging.getLogger(__name__)

PROVIDER_ID = "enablebanking"
CONSENT_MARGIN = timedelta(hours=6)  # asking for exactly the bank's maximum is refused through clock skew
DEFAULT_VALIDITY = timedelta(days=90)
SESSION = "session"  # the token type of a stored session id


@dataclass
class BankConsent:
    """A consent waiting at the bank: show `url`, then `wait()` for the https receiver or a `paste()`."""

    url: str
    request: AuthorizationRequest
    receiver: HttpsLoopbackReceiver | None
    aspsp: dict[str, Any]
    base: str
    connection_id: str
    _pasted: threading.Event = field(default_factory=threading.Event)
    _result: Callback | OAuthError | None = None

    def wait(self, timeout: float) -> Callback:
        if self.receiver is not None:
            return self.receiver.wait(timeout)
        if not self._pasted.wait(timeout):  # no https://localhost redirect registered: paste-back only
            raise ConsentTimeout(f"No answer from {NAME} in time. Try again, or paste the address.", "timeout")
        if isinstance(self._result, OAuthError):
            raise self._result
        assert self._result is not None
        return self._result

    def paste(self, pasted_url: str) -> Callback:
        callback = parse_pasted_redirect(self.request, pasted_url)
        if self.receiver is not None:
            self.receiver.deliver(callback)
        self._result = callback
        self._pasted.set()
        return callback

    def cancel(self) -> None:
        if self.receiver is not None:
            self.receiver.cancel()
        elif not self._pasted.is_set():
            self._result = ConsentCancelled("Cancelled.", "cancelled")
            self._pasted.set()

    def close(self) -> None:
        if self.receiver is not None:
            self.receiver.close()


class EnableBankingLink:
    def __init__(
        self, store: Store, vault: Vault, http: httpx2.Client, folder: Path, *, retry: RetryPolicy | None = None
    ) -> None:
        self.store = store
        self.vault = vault
        self.http = http
        self.folder = folder
        self.retry = retry

    # -- the person's application ------------------------------------------------------

    def save_app(self, app_id: str, pem: bytes) -> None:
        """Keep the application id and key in the keyring (checked first: a bad file stores nothing)."""
        load_app_key(pem)
        cleaned = app_id.strip()
        if not cleaned or len(cleaned) > 100 or not cleaned.isprintable():
            raise AppKeyError("The application id is the UUID Enable Banking shows for your application.")
        text = pem.decode("ascii", "replace")
        self.vault.redactor.register(text)
        self.vault.save_credentials(PROVIDER_ID, ClientCredentials(cleaned, text))

    def _token(self) -> AppToken:
        creds = self.vault.load_credentials(PROVIDER_ID)
        if creds is None or not creds.client_secret:
            raise AppKeyError.missing()
        return AppToken(creds.client_id, creds.client_secret, on_new=self.vault.redactor.register)

    def api(self, base: str | None = None, cancel: threading.Event | None = None) -> ApiClient:
        return ApiClient(self.http, base or API, NAME, self._token(), retry=self.retry, cancel=cancel)

    # -- banks ---------------------------------------------------------------------------

    def banks(self, country: str, base: str | None = None) -> list[dict[str, Any]]:
        """The banks of a country for personal accounts, fresh when reachable, else as cached."""
        country = country.upper()
        try:
            body = self.api(base).get("/aspsps", {"country": country, "psu_type": "personal", "service": "AIS"})
        except ProviderError as exc:
            cached = [json.loads(r) for r in self.store.bank_directory(country)]
            if cached:
                log.info("bank list for %s from the cache: %s", country, exc)
                return cached
            raise
        found = [a for a in (body.get("aspsps") or []) if isinstance(a, dict) and isinstance(a.get("name"), str)]
        now = datetime.now(UTC).isoformat()
        self.store.save_bank_directory(country, [(a["name"], json.dumps(a)) for a in found], now)
        return sorted(found, key=lambda a: str(a["name"]).casefold())

    def find_bank(self, country: str, name: str, base: str | None = None) -> dict[str, Any]:
        banks = self.banks(country, base)
        exact = [b for b in banks if b["name"].casefold() == name.strip().casefold()]
        near = exact or [b for b in banks if name.strip().casefold() in b["name"].casefold()]
        if len(near) == 1:
            return near[0]
        shown = ", ".join(b["name"] for b in (near or banks)[:8])
        what = "matches several banks" if near else "matches no bank"
        raise SaldoError(f"{name!r} {what} in {country.upper()}; choose one of: {shown}.")

    # -- consent ---------------------------------------------------------------------------

    def begin(self, country: str, bank: str, *, base: str | None = None, reconnect: str | None = None) -> BankConsent:
        api = self.api(base)
        aspsp = self.find_bank(country, bank, base)
        registered = [u for u in (api.get("/application") or {}).get("redirect_urls") or [] if isinstance(u, str)]
        if not registered:
            raise SaldoError("Your Enable Banking application has no redirect URL: add one in its control panel.")
        local = [u for u in registered if _loopback_https(u)]
        redirect = local[0] if local else registered[0]
        receiver = None
        if local:
            parts = urlsplit(redirect)
            profile = OAuthProfile(
                NAME, "", "", redirect_host="localhost", redirect_path=parts.path or "/", fixed_port=parts.port or 443
            )
            receiver = HttpsLoopbackReceiver(profile, self.folder)
            receiver.start()
        else:
            profile = OAuthProfile(NAME, "", "", redirect_path=urlsplit(redirect).path or "/")
        try:
            seconds = aspsp.get("maximum_consent_validity")
            validity = timedelta(seconds=int(seconds)) if isinstance(seconds, int) and seconds > 0 else DEFAULT_VALIDITY
            until = datetime.now(UTC) + validity - CONSENT_MARGIN
            state = new_state()
            body = {
                "access": {"valid_until": until.isoformat(timespec="seconds")},
                "aspsp": {"name": aspsp["name"], "country": aspsp.get("country") or country.upper()},
                "state": state,
                "redirect_url": redirect,
                "psu_type": "personal",
            }
            started = api.post("/auth", body)
            url = str((started or {}).get("url") or "")
            if not url:
                raise ProviderError(f"{NAME} did not say where to approve the consent.", NAME)
            if url.startswith("http://") and (urlsplit(url).hostname or "").endswith("enablebanking.com"):
                url = "https://" + url[len("http://") :]  # its port 80 is firewalled; https answers
            request = AuthorizationRequest(profile, url, state, redirect)
            if receiver is not None:
                receiver.expect(request)
        except BaseException:
            if receiver is not None:
                receiver.close()
            raise
        connection_id = reconnect or uuid.uuid4().hex[:12]
        return BankConsent(url, request, receiver, aspsp, base or API, connection_id)

    def finish(self, pending: BankConsent, callback: Callback) -> Connection:
        self.vault.redactor.register(callback.code)
        api = self.api(pending.base)
        session = api.post("/sessions", {"code": callback.code})
        session_id = str((session or {}).get("session_id") or "")
        if not session_id:
            raise ProviderError(f"{NAME} did not open a session for this consent.", NAME)
        hashes = {
            str(a.get("identification_hash"))
            for a in (session.get("accounts") or [])
            if isinstance(a, dict) and a.get("identification_hash")
        }
        existing = self._same_accounts(hashes, pending.connection_id)
        connection_id = existing.id if existing else pending.connection_id
        old = self.vault.load_tokens(connection_id)
        until = _moment((session.get("access") or {}).get("valid_until"))
        extras = {"aspsp": pending.aspsp["name"], "country": pending.aspsp.get("country"), "base": pending.base}
        self.vault.save_tokens(connection_id, TokenSet(access_token=session_id, token_type=SESSION, extras=extras))
        if old is not None and old.access_token != session_id:
            self._delete_session(old)  # the new consent replaces it; the bank need not keep both
        now = datetime.now(UTC)
        connection = Connection(
            id=connection_id,
            provider=PROVIDER_ID,
            label=existing.label if existing else f"{pending.aspsp['name']} (Enable Banking)",
            status=ConnectionStatus.ACTIVE,
            consent_id=None,  # the session id stays in the keyring with the rest of what opens the data
            consent_expires_at=until,
            created_at=existing.created_at if existing else now,
            last_synced_at=existing.last_synced_at if existing else None,
        )
        saved = self.store.save_connection(connection)
        record_connect(self.store, saved.id, session_only=self.vault.session_only)
        return saved

    def _same_accounts(self, hashes: set[str], connection_id: str) -> Connection | None:
        for connection in self.store.connections():
            if connection.provider != PROVIDER_ID:
                continue
            if connection.id == connection_id:
                return connection
            if hashes & {a.provider_account_id for a in self.store.accounts(connection.id)}:
                return connection
        return None

    # -- sessions ------------------------------------------------------------------------

    def open_session(self, connection: Connection, cancel: threading.Event) -> ProviderSession:
        tokens = self.vault.load_tokens(connection.id)
        if tokens is None:
            raise ReconsentNeeded.for_provider(NAME)
        if connection.consent_expires_at is not None and connection.consent_expires_at <= datetime.now(UTC):
            raise ReconsentNeeded.for_provider(NAME)  # no call on a lapsed consent: it counts against the bank's cap
        api = self.api(str(tokens.extras.get("base") or API), cancel)
        return ProviderSession(api=api, adapter=EnableBankingAdapter(tokens.access_token))

    def disconnect(self, connection: Connection) -> bool:
        tokens = self.vault.load_tokens(connection.id)
        return self._delete_session(tokens) if tokens is not None else False

    def _delete_session(self, tokens: TokenSet) -> bool:
        try:
            self.api(str(tokens.extras.get("base") or API)).request("DELETE", f"/sessions/{tokens.access_token}")
        except SaldoError as exc:
            log.info("could not delete the Enable Banking session: %s", exc)
            return False
        return True


def _loopback_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname == "localhost" and not parts.query


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

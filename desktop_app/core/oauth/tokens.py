"""Redeeming codes, refreshing and revoking tokens, and keeping a connection's token fresh.

Client authentication comes in the four variants the providers use: HTTP Basic with a JSON
body (Aiia), Basic with a form body (ConnectPay, Tatra banka), ``client_secret_post``
(Aritma) and none with PKCE (the Demo Bank). A code is redeemed once and never retried: a
reused code can make the provider revoke what it issued (RFC 6749 §4.1.2).
"""

from __future__ import annotations

import base64
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx2

from desktop_app.core.api import ReconsentNeeded
from desktop_app.core.money import MoneyError, loads
from desktop_app.core.oauth.flow import AuthorizationRequest, InvalidClient, InvalidGrant, OAuthError
from desktop_app.core.oauth.profile import OAuthProfile

log = logging.getLogger(__name__)

REFRESH_LEEWAY = 120.0  # seconds before expiry when a token is refreshed ahead of time


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str | None = None


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (a token type, not a secret)
    refresh_token: str | None = None
    expires_at: float | None = None
    refresh_expires_at: float | None = None
    scope: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        return self.expires_at is not None and self.expires_at - (now or time.time()) <= seconds

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["extras"] = dict(self.extras)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenSet:
        return cls(**{**data, "extras": dict(data.get("extras") or {})})

    def __repr__(self) -> str:  # never show a token in a traceback or log line
        return f"TokenSet(expires_at={self.expires_at}, refresh={'yes' if self.refresh_token else 'no'})"


def _seconds(value: Any) -> float | None:
    """expires_in as sent: an int, a Decimal or a string (ConnectPay's refresh_token_expires_in)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


class TokenClient:
    """Talks to one provider's token endpoint on an injected httpx2.Client."""

    def __init__(self, http: httpx2.Client, profile: OAuthProfile, credentials: ClientCredentials) -> None:
        self._http = http
        self.profile = profile
        self._credentials = credentials

    def exchange(self, request: AuthorizationRequest, code: str) -> TokenSet:
        """Redeem an authorization code, once."""
        body: dict[str, str] = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": request.redirect_uri,
        }
        if request.code_verifier:
            body["code_verifier"] = request.code_verifier
        return self._token_request(body, previous=None)

    def refresh(self, current: TokenSet) -> TokenSet:
        if not current.refresh_token:
            raise InvalidGrant(
                f"{self.profile.provider} gave no way to renew access; reconnect to continue.", "no_refresh_token"
            )
        body = {"grant_type": "refresh_token", "refresh_token": current.refresh_token}
        return self._token_request(body, previous=current)

    def revoke(self, tokens: TokenSet) -> bool:
        """Revoke at the provider (RFC 7009) where it offers an endpoint. True if it answered 200."""
        if not self.profile.revocation_url:
            return False
        token, hint = (
            (tokens.refresh_token, "refresh_token") if tokens.refresh_token else (tokens.access_token, "access_token")
        )
        try:
            response = self._post(self.profile.revocation_url, {"token": token or "", "token_type_hint": hint})
        except httpx2.HTTPError:
            return False
        return response.status_code == 200

    # -- internals -------------------------------------------------------------------

    def _post(self, url: str, body: dict[str, str]) -> httpx2.Response:
        headers = {"Accept": "application/json"}
        if self.profile.request_id_header:
            headers[self.profile.request_id_header] = str(uuid.uuid4())
        creds = self._credentials
        auth = self.profile.client_auth
        if auth in ("basic_json", "basic_form"):
            # RFC 6749 §2.3.1: form-encode id and secret before base64
            pair = f"{quote(creds.client_id, safe='')}:{quote(creds.client_secret or '', safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        elif auth == "client_secret_post":
            body = {**body, "client_id": creds.client_id, "client_secret": creds.client_secret or ""}
        else:
            body = {**body, "client_id": creds.client_id}
        if auth == "basic_json":
            return self._http.post(url, json=body, headers=headers)
        return self._http.post(url, data=body, headers=headers)

    def _token_request(self, body: dict[str, str], previous: TokenSet | None) -> TokenSet:
        provider = self.profile.provider
        try:
            response = self._post(self.profile.token_url, body)
        except httpx2.HTTPError as exc:
            raise OAuthError(
                f"{provider} could not be reached to finish signing in ({type(exc).__name__}).", "unreachable"
            ) from None
        try:
            data = loads(response.content) if response.content else {}
        except (ValueError, MoneyError):
            data = None
        if response.status_code != 200 or not isinstance(data, dict) or "error" in data:
            raise _token_error(provider, response.status_code, data if isinstance(data, dict) else {})
        if not isinstance(data.get("access_token"), str):
            raise OAuthError(f"{provider} answered without an access token.", "malformed")
        now = time.time()
        expires_in = _seconds(data.get("expires_in"))
        refresh_in = _seconds(data.get("refresh_token_expires_in"))
        refresh = data.get("refresh_token")
        if refresh is None and previous is not None:
            refresh = previous.refresh_token  # providers that do not rotate keep the old one valid
        keep = {k: data[k] for k in self.profile.keep_token_fields if k in data}
        tokens = TokenSet(
            access_token=data["access_token"],
            token_type=str(data.get("token_type") or "Bearer"),
            refresh_token=str(refresh) if refresh else None,
            expires_at=now + expires_in if expires_in is not None else None,
            refresh_expires_at=now + refresh_in if refresh_in is not None else None,
            scope=str(data["scope"]) if isinstance(data.get("scope"), str) else None,
            extras={**(dict(previous.extras) if previous else {}), **_plain(keep)},
        )
        if previous is not None and refresh_in is None:
            tokens = replace(tokens, refresh_expires_at=previous.refresh_expires_at)
        return tokens


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if not isinstance(v, str | int | bool | type(None)) else v) for k, v in values.items()}


def _token_error(provider: str, status: int, data: Mapping[str, Any]) -> OAuthError:
    code = str(data.get("error") or f"http_{status}")
    if code == "invalid_grant":
        return InvalidGrant(
            f"{provider} no longer accepts this sign-in (it expired, was used already or was revoked). "
            "Connect again to continue.",
            code,
        )
    if code in ("invalid_client", "unauthorized_client") or status == 401:
        return InvalidClient(
            f"{provider} did not accept Saldo's client id or secret. Check the credentials from the "
            "provider's developer portal.",
            code,
        )
    return OAuthError(f"{provider} refused the token request ({code}).", code)


class TokenStore:
    """Where a TokenManager reads and writes a connection's tokens (the vault, in practice)."""

    def load_tokens(self, connection_id: str) -> TokenSet | None:
        raise NotImplementedError

    def save_tokens(self, connection_id: str, tokens: TokenSet) -> None:
        raise NotImplementedError


class TokenManager:
    """Keeps one connection's access token fresh; implements the data API's TokenSource.

    One refresh at a time: the lock is taken, the vault re-read (another thread may have
    refreshed already), and a rotated refresh token is saved before the new access token is
    handed out. ``invalid_grant`` on refresh, or a 401 after a refresh, means the consent is
    gone: ``on_reconsent`` is called and ReconsentNeeded raised. Cached data is not touched.
    """

    _locks: dict[str, threading.Lock] = {}
    _locks_guard = threading.Lock()

    def __init__(
        self,
        connection_id: str,
        client: TokenClient,
        store: TokenStore,
        on_reconsent: Callable[[str], None] | None = None,
        leeway: float = REFRESH_LEEWAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.connection_id = connection_id
        self._client = client
        self._store = store
        self._on_reconsent = on_reconsent
        self._leeway = leeway
        self._clock = clock
        with TokenManager._locks_guard:
            self._lock = TokenManager._locks.setdefault(connection_id, threading.Lock())

    def access_token(self) -> str:
        tokens = self._load()
        if tokens.expires_within(self._leeway, self._clock()):
            tokens = self._refresh(stale=tokens)
        return tokens.access_token

    def after_unauthorized(self) -> bool:
        current = self._load()
        if not current.refresh_token:
            self._gone()
        self._refresh(stale=current, force=True)
        return True

    def _load(self) -> TokenSet:
        tokens = self._store.load_tokens(self.connection_id)
        if tokens is None:
            self._gone()
        assert tokens is not None
        return tokens

    def _refresh(self, stale: TokenSet, force: bool = False) -> TokenSet:
        with self._lock:
            fresh = self._load()
            if fresh.access_token != stale.access_token and not fresh.expires_within(self._leeway, self._clock()):
                return fresh  # someone else refreshed while we waited
            if not force and not fresh.expires_within(self._leeway, self._clock()):
                return fresh
            try:
                renewed = self._client.refresh(fresh)
            except InvalidGrant:
                self._gone()
            self._store.save_tokens(self.connection_id, renewed)  # persist rotation before use
            log.info("refreshed access for connection %s", self.connection_id)
            return renewed

    def _gone(self) -> None:
        if self._on_reconsent is not None:
            self._on_reconsent(self.connection_id)
        raise ReconsentNeeded(
            f"{self._client.profile.provider} no longer accepts Saldo's access: the consent expired or was revoked. "
            "Reconnect to continue; your data is kept.",
            self._client.profile.provider,
        )

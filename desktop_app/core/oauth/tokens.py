"""Redeeming codes, refreshing and revoking tokens, and keeping a connection's token fresh.

The OAuth mechanics are authlib's: its protocol client builds the token and revocation
requests and authenticates the client (``client_secret_basic``, ``client_secret_post``,
``none``), here on Saldo's own injected ``httpx2.Client``. Saldo adds what the providers need
beyond the standard: Aiia's Basic header of ``client_id:client_secret`` exactly as given (its
document says so) with a JSON body, the RFC 6749 §2.3.1 form-encoded Basic header for the
providers whose documents only point at OAuth 2.0 (Tatra banka, ConnectPay), a
request-id header on every token request (ConnectPay), ``refresh_token_expires_in`` and
extra response fields kept. A code is redeemed once and never retried: a reused code can
make the provider revoke what it issued (RFC 6749 §4.1.2).
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote_plus

import httpx2
from authlib.common.encoding import to_unicode
from authlib.common.urls import url_decode
from authlib.integrations.httpx_client.oauth2_client import OAuth2ClientAuth
from authlib.oauth2.auth import encode_client_secret_basic
from authlib.oauth2.base import OAuth2Error
from authlib.oauth2.client import DEFAULT_HEADERS, OAuth2Client

from desktop_app.core.errors import InvalidClient, InvalidGrant, MalformedTokenResponse, OAuthError, ReconsentNeeded
from desktop_app.core.locks import ProcessLocks
from desktop_app.core.oauth.flow import AuthorizationRequest
from desktop_app.core.oauth.profile import ClientAuth, OAuthProfile
from desktop_app.core.oauth.token_set import ClientCredentials, TokenSet, TokenStore

log = logging.getLogger(__name__)

__all__ = [
    "REFRESH_LEEWAY",
    "ClientCredentials",
    "TokenClient",
    "TokenManager",
    "TokenSet",
    "TokenStore",
]

REFRESH_LEEWAY = 120.0  # seconds before expiry when a token is refreshed ahead of time

# Saldo's names for client authentication, and authlib's.
_AUTH_METHODS: dict[ClientAuth, str] = {
    "basic_json": "client_secret_basic_json",
    "basic_form": "client_secret_basic_form",
    "client_secret_post": "client_secret_post",
    "none": "none",
}


def _seconds(value: Any) -> float | None:
    """expires_in as sent: an int, a float or a string (ConnectPay's refresh_token_expires_in)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _basic_with_json_body(
    client: Any, method: str, uri: str, headers: dict[str, str], body: Any
) -> tuple[str, dict[str, str], bytes]:
    """Aiia: HTTP Basic with ``client_id:client_secret`` as given, and the grant as a JSON body."""
    uri, headers, body = encode_client_secret_basic(client, method, uri, headers, body)
    fields = dict(url_decode(to_unicode(body or b"")))
    headers["Content-Type"] = "application/json"
    return uri, headers, json.dumps(fields).encode()


def _basic_form_encoded(
    client: Any, method: str, uri: str, headers: dict[str, str], body: Any
) -> tuple[str, dict[str, str], Any]:
    """RFC 6749 §2.3.1, which Tatra banka's and ConnectPay's documents point to: the client id
    and secret are each form-urlencoded before they are joined and base64-encoded."""
    text = f"{quote_plus(client.client_id)}:{quote_plus(client.client_secret or '')}"
    headers["Authorization"] = "Basic " + base64.b64encode(text.encode("utf-8")).decode("ascii")
    return uri, headers, body


class _Protocol(OAuth2Client):  # type: ignore[misc]
    """authlib's OAuth 2 client on an injected httpx2.Client (authlib's own one owns its client)."""

    client_auth_class = OAuth2ClientAuth


class TokenClient:
    """Talks to one provider's token endpoint on an injected httpx2.Client."""

    def __init__(self, http: httpx2.Client, profile: OAuthProfile, credentials: ClientCredentials) -> None:
        self.profile = profile
        method = _AUTH_METHODS[profile.client_auth]
        self._oauth = _Protocol(
            http,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            token_endpoint_auth_method=method,
            revocation_endpoint_auth_method=method,
        )
        self._oauth.register_client_auth_method(("client_secret_basic_json", _basic_with_json_body))
        self._oauth.register_client_auth_method(("client_secret_basic_form", _basic_form_encoded))

    def exchange(self, request: AuthorizationRequest, code: str) -> TokenSet:
        """Redeem an authorization code, once."""
        extra = {"code_verifier": request.code_verifier} if request.code_verifier else {}
        return self._token_request(
            lambda headers: self._oauth.fetch_token(
                self.profile.token_url,
                grant_type="authorization_code",
                code=code,
                redirect_uri=request.redirect_uri,
                headers=headers,
                **extra,
            ),
            previous=None,
        )

    def refresh(self, current: TokenSet) -> TokenSet:
        if not current.refresh_token:
            raise InvalidGrant(
                f"{self.profile.provider} gave no way to renew access; reconnect to continue.", "no_refresh_token"
            )
        refresh_token = current.refresh_token
        return self._token_request(
            lambda headers: self._oauth.refresh_token(
                self.profile.token_url, refresh_token=refresh_token, headers=headers
            ),
            previous=current,
        )

    def revoke(self, tokens: TokenSet) -> bool:
        """Revoke at the provider (RFC 7009) where it offers an endpoint. True if it answered 200."""
        if not self.profile.revocation_url:
            return False
        token, hint = (
            (tokens.refresh_token, "refresh_token") if tokens.refresh_token else (tokens.access_token, "access_token")
        )
        try:
            response = self._oauth.revoke_token(
                self.profile.revocation_url, token=token, token_type_hint=hint, headers=self._headers()
            )
        except httpx2.HTTPError:
            return False
        return bool(response.status_code == 200)

    # -- internals -------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = dict(DEFAULT_HEADERS)
        if self.profile.request_id_header:
            headers[self.profile.request_id_header] = str(uuid.uuid4())
        return headers

    def _token_request(
        self, send: Callable[[dict[str, str]], Mapping[str, Any]], previous: TokenSet | None
    ) -> TokenSet:
        provider = self.profile.provider
        try:
            data = send(self._headers())
        except OAuth2Error as exc:
            raise _token_error(provider, exc.status_code or 400, str(exc.error or "")) from None
        except httpx2.HTTPStatusError as exc:
            raise _token_error(provider, exc.response.status_code, "") from None
        except httpx2.HTTPError as exc:
            raise OAuthError(
                f"{provider} could not be reached to finish signing in ({type(exc).__name__}).", "unreachable"
            ) from None
        except ValueError:  # a 2xx/4xx whose body is not a JSON object
            raise MalformedTokenResponse.for_provider(provider, 200) from None
        if not isinstance(data.get("access_token"), str) or not data["access_token"]:
            raise MalformedTokenResponse.for_provider(provider, 200)
        return _token_set(self.profile, dict(data), previous)


def _token_set(profile: OAuthProfile, data: dict[str, Any], previous: TokenSet | None) -> TokenSet:
    now = time.time()
    expires_in = _seconds(data.get("expires_in"))
    refresh_in = _seconds(data.get("refresh_token_expires_in"))
    refresh = data.get("refresh_token")
    if refresh is None and previous is not None:
        refresh = previous.refresh_token  # providers that do not rotate keep the old one valid
    keep = {k: data[k] for k in profile.keep_token_fields if k in data}
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


def _token_error(provider: str, status: int, code: str) -> OAuthError:
    code = code or f"http_{status}"
    if code == "invalid_grant":
        return InvalidGrant.for_provider(provider, code)
    if code in ("invalid_client", "unauthorized_client") or status == 401:
        return InvalidClient.for_provider(provider, code)
    if status >= 500:
        return OAuthError(f"{provider} is having trouble signing in (HTTP {status}); try again later.", code)
    return OAuthError(f"{provider} refused the token request ({code}).", code)


class TokenManager:
    """Keeps one connection's access token fresh; implements the data API's TokenSource.

    One refresh at a time: the lock is taken, the vault re-read (another thread may have
    refreshed already), and a rotated refresh token is saved before the new access token is
    handed out. ``invalid_grant`` on refresh, or a 401 after a refresh, means the consent is
    gone: ``on_reconsent`` is called and ReconsentNeeded raised. Cached data is not touched.
    """

    def __init__(
        self,
        connection_id: str,
        client: TokenClient,
        store: TokenStore,
        on_reconsent: Callable[[str], None] | None = None,
        leeway: float = REFRESH_LEEWAY,
        clock: Callable[[], float] = time.time,
        locks: ProcessLocks | None = None,
    ) -> None:
        self.connection_id = connection_id
        self._client = client
        self._store = store
        self._on_reconsent = on_reconsent
        self._leeway = leeway
        self._clock = clock
        self._locks = locks or ProcessLocks(None)

    def access_token(self) -> str:
        tokens = self._load()
        if tokens.expires_within(self._leeway, self._clock()):
            tokens = self._refresh(stale=tokens)
        return tokens.access_token

    def after_unauthorized(self, rejected: str) -> bool:
        """The provider refused `rejected`. If another thread or process has stored a newer
        token since, that one is used as it is; only a token still current is refreshed, so
        processes that meet a 401 together never spend each other's refresh tokens."""
        current = self._load()
        if not current.refresh_token and current.access_token == rejected:
            self._gone()
        self._refresh(stale=current, rejected=rejected)
        return True

    def _load(self) -> TokenSet:
        tokens = self._store.load_tokens(self.connection_id)
        if tokens is None:
            self._gone()
        assert tokens is not None
        return tokens

    def _refresh(self, stale: TokenSet, rejected: str | None = None) -> TokenSet:
        with self._locks.hold(f"refresh-{self.connection_id}"):
            fresh = self._load()  # another thread or process may have refreshed while we waited
            if rejected is not None:
                if fresh.access_token != rejected:
                    return fresh  # someone else already replaced the refused token
            elif fresh.access_token != stale.access_token or not fresh.expires_within(self._leeway, self._clock()):
                return fresh  # someone else refreshed while we waited, or nothing is due
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
        raise ReconsentNeeded.for_provider(self._client.profile.provider)

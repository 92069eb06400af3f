"""Building the authorization request and judging what comes back on the redirect.

The same ``validate_callback`` serves the loopback receiver and a URL the person pasted by
hand, so both paths apply exactly the same checks: ``state`` first (in constant time), then
the issuer (``iss``, RFC 9207), then ``error``, then ``code``. The query string is decoded
exactly once.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from desktop_app.core.errors import AccessDenied, IssuerMismatch, OAuthError, StateMismatch
from desktop_app.core.oauth.profile import OAuthProfile


@dataclass(frozen=True)
class AuthorizationRequest:
    """One pending authorization: everything needed to check the answer and redeem the code."""

    profile: OAuthProfile
    url: str
    state: str
    redirect_uri: str
    code_verifier: str | None = None
    nonce: str | None = None


@dataclass(frozen=True)
class Callback:
    """A redirect that passed validation: the code and the extras the provider sent along."""

    code: str
    extras: Mapping[str, str] = field(default_factory=dict)


def new_state() -> str:
    """At least 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def new_code_verifier() -> str:
    """An RFC 7636 verifier: 64 characters from the unreserved set."""
    return str(generate_token(64))


def build_authorization(
    profile: OAuthProfile, client_id: str, redirect_uri: str, extra: Mapping[str, str] | None = None
) -> AuthorizationRequest:
    state = new_state()
    params: dict[str, str] = {
        "response_type": "code",
        "client_id": client_id,
        profile.redirect_param: redirect_uri,
        "state": state,
    }
    if profile.scopes:
        params["scope"] = " ".join(profile.scopes)
    verifier = None
    if profile.pkce:
        verifier = new_code_verifier()
        params["code_challenge"] = create_s256_code_challenge(verifier)
        params["code_challenge_method"] = "S256"
    nonce = None
    if profile.nonce == "guid":
        nonce = str(uuid.uuid4())
    elif profile.nonce == "token":
        nonce = secrets.token_urlsafe(24)
    if nonce:
        params["nonce"] = nonce
    params.update(profile.extra_authorize_params)
    params.update(extra or {})
    separator = "&" if urlsplit(profile.authorize_url).query else "?"
    url = f"{profile.authorize_url}{separator}{urlencode(params)}"
    return AuthorizationRequest(profile, url, state, redirect_uri, verifier, nonce)


def validate_callback(request: AuthorizationRequest, query: str) -> Callback:
    """Judge a redirect's raw query string. Raises StateMismatch, AccessDenied or OAuthError."""
    params = parse_qs(query, keep_blank_values=True)  # decodes exactly once

    def one(name: str) -> str | None:
        values = params.get(name)
        return values[0] if values else None

    state = one("state") or ""
    if not hmac.compare_digest(state.encode(), request.state.encode()):
        raise StateMismatch("This answer does not belong to the authorization Saldo started; it was ignored.")
    _check_issuer(request.profile, params.get("iss"))
    error = one("error")
    if error is not None:
        if error == "access_denied":
            raise AccessDenied(
                f"{request.profile.provider} declined access — try again or choose another provider.", error
            )
        raise OAuthError(f"{request.profile.provider} could not complete the authorization ({error}).", error)
    code = one("code")
    if not code:
        raise OAuthError(f"{request.profile.provider} came back without an authorization code.", "missing_code")
    extras = {name: value for name in request.profile.callback_extras if (value := one(name)) is not None}
    return Callback(code, extras)


def _check_issuer(profile: OAuthProfile, sent: list[str] | None) -> None:
    """Refuse a redirect from another authorization server than the one asked (RFC 9207 §2.4)."""
    if profile.issuer is None:
        return  # nothing to compare with: the provider publishes no issuer
    if sent is None:
        if profile.issuer_in_response:
            raise IssuerMismatch(
                f"This answer does not say it comes from {profile.provider}, which always says so; "
                "it was ignored (possible mix-up attack).",
                "issuer_missing",
            )
    elif len(sent) != 1 or sent[0] != profile.issuer:  # simple string comparison, as the RFC says
        raise IssuerMismatch(
            f"This answer comes from another sign-in server than {profile.provider}'s; "
            "it was ignored (possible mix-up attack).",
            "issuer_mismatch",
        )


def parse_pasted_redirect(request: AuthorizationRequest, pasted: str) -> Callback:
    """The fallback when the browser cannot reach the receiver: the person pastes the address."""
    text = pasted.strip()
    parts = urlsplit(text)
    expected = urlsplit(request.redirect_uri)
    if not parts.query or parts.path.rstrip("/") != expected.path.rstrip("/"):
        raise OAuthError(
            "That address is not the one the provider sent you back to; copy the whole address "
            "from the browser's address bar after approving.",
            "bad_paste",
        )
    return validate_callback(request, parts.query)

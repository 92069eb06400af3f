"""OAuth machinery every simulated provider shares: authorize checks, consent hand-off, codes,
client authentication, token minting, refresh rotation and bearer checks.

Functions that answer the request themselves raise :class:`Answered` (typed ``NoReturn``).
"""

from __future__ import annotations

import base64
import binascii
import html
import secrets
import uuid
from typing import Any, NoReturn
from urllib.parse import unquote_plus, urlencode, urlsplit

from saldo_sandbox.data import Account
from saldo_sandbox.exchange import Answered, Exchange
from saldo_sandbox.state import (
    ACCESS_LIFETIME,
    CODE_LIFETIME,
    CONNECTPAY_FLOW,
    NAMES,
    REFRESH_LIFETIME,
    Consent,
    Grant,
)
from saldo_sandbox.wire import redirect_allowed, s256, same


def start_authorize(x: Exchange, provider: str, q: dict[str, str], redirect_param: str = "redirect_uri") -> Grant:
    """Validate the parts that decide where errors may go, then the rest (errors go back).

    An unknown client or unregistered redirect is shown to the person, never redirected to.
    """
    st = x.st
    client = st.clients[provider]
    redirect = q.get(redirect_param, "")
    if q.get("client_id") != client.client_id:
        auth_error_page(x, provider, 400, "invalid_client", "unknown client_id")
    if not redirect_allowed(client, redirect, provider):
        auth_error_page(x, provider, 400, "invalid_request", f"{redirect_param} is not registered")
    state = q.get("state")
    if q.get("response_type") != "code":
        redirect_back(x, redirect, {"error": "unsupported_response_type"}, state)
    challenge = q.get("code_challenge")
    if challenge and q.get("code_challenge_method", "plain") != "S256":
        redirect_back(
            x, redirect, {"error": "invalid_request", "error_description": "code_challenge_method must be S256"}, state
        )
    scopes = tuple(q.get("scope", "").split())
    return Grant(provider, client.client_id, redirect, scopes, state, challenge, nonce=q.get("nonce"), created=st.now())


def auth_error_page(x: Exchange, provider: str, status: int, error: str, description: str) -> NoReturn:
    if provider == "connectpay":
        x.json(status, {"error": error, "error_description": description})
    else:
        x.html(
            status,
            f"<!doctype html><title>{html.escape(NAMES[provider])}</title>"
            f"<h1>{html.escape(error)}</h1><p>{html.escape(description)}</p>",
        )
    raise Answered


def redirect_back(x: Exchange, redirect: str, params: dict[str, str], state: str | None, status: int = 302) -> NoReturn:
    """Send the browser back to the client; `state` is echoed exactly when one was sent."""
    if state is not None:
        params = {**params, "state": state}
    sep = "&" if urlsplit(redirect).query else "?"
    x.redirect(f"{redirect}{sep}{urlencode(params)}", status)
    raise Answered


def to_consent(x: Exchange, grant: Grant, status: int = 302) -> NoReturn:
    st = x.st
    if st.auto_approve:
        grant.accounts = tuple(a.id for a in st.accounts(grant.provider, grant.customer))
        issue_code(x, grant, status)
    request_id = secrets.token_urlsafe(16)
    with st.lock:
        st.pending_requests[request_id] = grant
    x.redirect(f"{x.url}/{grant.provider}/consent?{urlencode({'request_id': request_id})}", status)
    raise Answered


def issue_code(x: Exchange, grant: Grant, status: int = 302) -> NoReturn:
    st = x.st
    code = secrets.token_urlsafe(24)
    if grant.provider == "aiia" and st.force_tricky_codes:
        code = f"{code[:8]}+{code[8:12]}/{code[12:16]}=={code[16:]}%"  # Aiia codes are not URL safe
    with st.lock:
        st.codes[code] = (grant, st.now())
    params = {"code": code}
    if grant.provider == "aiia":
        params["consentId"] = grant.consent_id
    if grant.provider == "connectpay":
        params["flowId"] = CONNECTPAY_FLOW
    redirect_back(x, grant.redirect_uri, params, grant.state, status)


def deny(x: Exchange, grant: Grant, description: str) -> NoReturn:
    params = {"error": "access_denied", "error_description": description}
    if grant.provider == "connectpay":
        params["flowId"] = CONNECTPAY_FLOW
    redirect_back(x, grant.redirect_uri, params, grant.state)


def basic_client(x: Exchange, provider: str) -> bool:
    """HTTP Basic client authentication, decoded as each provider's document says.

    Aiia: ``base64("<client_id>:<client_secret>")`` with both exactly as issued, so a secret
    holding ``+ / = :`` or ``%`` is compared byte for byte. The others only point at OAuth 2.0,
    whose §2.3.1 form-urlencodes id and secret first: they are form-decoded here.
    """
    client = x.st.clients[provider]
    auth = x.headers.get("Authorization", "")
    if not auth.startswith("Basic "):
        return False
    try:
        cid, _, secret = base64.b64decode(auth[6:], validate=True).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    if provider != "aiia":
        cid, secret = unquote_plus(cid), unquote_plus(secret)
    return same(cid, client.client_id) and same(secret, client.client_secret or "")


def redeem(
    x: Exchange, provider: str, code: str, redirect: str | None, verifier: str | None, check_redirect: bool
) -> Grant:
    """The grant behind a code. Codes are single-use and live 60 s; PKCE is checked when used.

    Raises _Answered with the provider's error when the code cannot be redeemed.
    """
    st = x.st
    with st.lock:
        found = st.codes.pop(code, None)
        if found is not None:
            st.used_codes.add(code)
    if found is None:
        grant_error(x, provider, "invalid_grant", "The code is unknown, used or expired.")
    grant, issued = found
    if grant.provider != provider or st.now() - issued > CODE_LIFETIME:
        grant_error(x, provider, "invalid_grant", "The code is unknown, used or expired.")
    if check_redirect and redirect != grant.redirect_uri:
        grant_error(x, provider, "invalid_grant", "redirect_uri does not match the authorization request.")
    if grant.challenge and (not verifier or not same(s256(verifier), grant.challenge)):
        grant_error(x, provider, "invalid_grant", "PKCE verification failed.")
    return grant


def grant_error(x: Exchange, provider: str, error: str, description: str, status: int = 400) -> NoReturn:
    if provider == "aiia":
        x.json(status, {"error": error, "errorMessage": description})
    else:
        x.json(status, {"error": error, "error_description": description})
    raise Answered


def mint(x: Exchange, source: Grant | Consent, refresh: bool) -> dict[str, Any]:
    """New tokens for a fresh consent (from a code) or an existing one (from a refresh)."""
    st = x.st
    with st.lock:
        if isinstance(source, Grant):
            g = source
            consent = Consent(g.provider, g.accounts, g.scopes, g.one_time, st.now(), g.consent_id, customer=g.customer)
            st.consents[consent.consent_id] = consent
        else:
            consent = source
        uuids = consent.provider == "connectpay"
        access = str(uuid.uuid4()) if uuids else secrets.token_urlsafe(32)
        lifetime = ACCESS_LIFETIME[consent.provider]
        st.access[access] = (consent, st.now() + lifetime)
        body: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": lifetime}
        if refresh:
            token = str(uuid.uuid4()) if uuids else secrets.token_urlsafe(32)
            limit = REFRESH_LIFETIME.get(consent.provider)
            st.refresh[token] = (consent, st.now() + limit if limit else None)
            body["refresh_token"] = token
        body["scope"] = " ".join(consent.scopes)
    return body


def use_refresh(x: Exchange, provider: str, token: str) -> Consent:
    """The consent behind a refresh token, which is used up (every provider here rotates)."""
    st = x.st
    with st.lock:
        found = st.refresh.pop(token, None)
    if found is None:
        grant_error(x, provider, "invalid_grant", "The refresh token is unknown or already used.")
    consent, until = found
    if consent.provider != provider or consent.gone(st.now()) or (until is not None and st.now() > until):
        grant_error(x, provider, "invalid_grant", "The refresh token is expired or revoked.")
    return consent


def bearer(x: Exchange, provider: str) -> Consent | None:
    st = x.st
    auth = x.headers.get("Authorization", "")
    token = auth[7:] if auth[:7].lower() == "bearer " else ""
    with st.lock:
        found = st.access.get(token)
    if found is None:
        return None
    consent, expires = found
    if consent.provider != provider or consent.gone(st.now()) or st.now() > expires:
        return None
    return consent


def granted(x: Exchange, provider: str, consent: Consent) -> list[Account]:
    return [a for a in x.st.ledger(provider).accounts if a.id in consent.accounts]


# -- Demo Bank -----------------------------------------------------------------------


def code_grant(x: Exchange, provider: str, form: dict[str, str]) -> Grant:
    """The grant behind a form-encoded authorization_code request (code, redirect_uri, code_verifier)."""
    return redeem(x, provider, form.get("code", ""), form.get("redirect_uri"), form.get("code_verifier"), True)


def plain_tokens(x: Exchange, provider: str, form: dict[str, str], unsupported: str) -> dict[str, Any]:
    """The token endpoint of plain OAuth 2.0: a code or a refresh token in, both tokens out."""
    kind = form.get("grant_type")
    if kind == "authorization_code":
        return mint(x, code_grant(x, provider, form), refresh=True)
    if kind == "refresh_token":
        return mint(x, use_refresh(x, provider, form.get("refresh_token", "")), refresh=True)
    grant_error(x, provider, "unsupported_grant_type", unsupported)

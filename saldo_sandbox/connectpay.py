"""``/connectpay``: ConnectPay's PSD2 authorization-code flow and its NextGenPSD2 account data.

A token is per PSU (Person + Customer) and sees only that Customer's accounts; both tokens
rotate; the refresh token lives 30 days; every data call needs ``X-Request-ID``.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn
from urllib.parse import urlsplit

from saldo_sandbox import oauth
from saldo_sandbox.berlin import berlin_error, serve_berlin
from saldo_sandbox.exchange import Answered, Exchange
from saldo_sandbox.faults import maybe_fail
from saldo_sandbox.state import CONNECTPAY_FLOW, REFRESH_LIFETIME, Consent
from saldo_sandbox.wire import masked

PSD2_SCOPES = frozenset({"psd2-ais", "psd2-pis"})


def authorize(x: Exchange) -> None:
    st = x.st
    q = x.q

    def refuse(description: str, error: str = "invalid_request") -> NoReturn:
        x.json(400, {"error": error, "error_description": description})
        raise Answered

    if urlsplit(q.get("redirect_url", "")).query:
        refuse("redirect_url must not contain a query")
    grant = oauth.start_authorize(x, "connectpay", q, "redirect_url")
    scopes = set(grant.scopes)
    if not scopes:
        refuse("scope is required", "invalid_scope")
    if scopes - PSD2_SCOPES:
        refuse("PSD2 and proprietary scopes cannot be mixed; this flow takes psd2-ais and psd2-pis", "invalid_scope")
    if (q.get("flowId") or q.get("flowid")) != CONNECTPAY_FLOW:
        refuse(f"flowId must be {CONNECTPAY_FLOW}")
    nonce = q.get("nonce", "")
    try:
        if uuid.UUID(nonce).version != 4:
            raise ValueError
    except ValueError:
        refuse("nonce must be a GUIDv4")
    with st.lock:
        replayed = nonce.lower() in st.used_nonces
        st.used_nonces.add(nonce.lower())
    if replayed:
        refuse("nonce was already used")
    oauth.to_consent(x, grant, 301)


def _client(x: Exchange) -> dict[str, str]:
    """The form of an authenticated token or revoke call."""
    if not oauth.basic_client(x, "connectpay"):
        oauth.grant_error(x, "connectpay", "invalid_client", "Client authentication failed.", 401)
    if not x.headers.get("X-Request-ID"):
        oauth.grant_error(x, "connectpay", "invalid_request", "X-Request-ID header is required.")
    return x.form1()


def revoke(x: Exchange) -> None:
    form = _client(x)
    with x.st.lock:
        x.st.refresh.pop(form.get("refresh_token") or form.get("token", ""), None)
    x.json(200, {})


def token(x: Exchange) -> None:
    form = _client(x)
    st = x.st
    maybe_fail(x, "token")
    tokens: dict[str, Any]
    if form.get("grant_type") == "authorization_code":
        # the documented body is grant_type and code only: no redirect to compare
        tokens = oauth.mint(x, oauth.redeem(x, "connectpay", form.get("code", ""), None, None, False), refresh=True)
    elif form.get("grant_type") == "refresh_token":
        tokens = oauth.mint(x, oauth.use_refresh(x, "connectpay", form.get("refresh_token", "")), refresh=True)
    else:
        oauth.grant_error(x, "connectpay", "unsupported_grant_type", "Unknown grant_type.")
    psu = st.access[tokens["access_token"]][0]
    owner = st.accounts("connectpay", psu.customer)[0].owner
    tokens["refresh_token_expires_in"] = str(REFRESH_LIFETIME["connectpay"])  # a string, as documented
    tokens["client_customer_name"] = masked(owner)
    x.json(200, tokens)


def _consent(x: Exchange) -> Consent:
    consent = oauth.bearer(x, "connectpay")
    if consent is None:
        berlin_error(x, 401, "TOKEN_INVALID", "Token invalid, expired or revoked")
    elif not x.headers.get("X-Request-ID"):
        berlin_error(x, 400, "FORMAT_ERROR", "X-Request-ID header is required")
    elif "psd2-ais" not in consent.scopes:
        berlin_error(x, 403, "CONSENT_INVALID", "Account information (psd2-ais) was not granted")
    else:
        maybe_fail(x)
        return consent
    raise Answered


def data(x: Exchange) -> None:
    """``/connectpay/v1/accounts[/{id}[/balances|/transactions]]``."""
    serve_berlin(x, "connectpay", _consent(x), "/v1/accounts", "remittanceInformationUnstructured")


def not_found(x: Exchange) -> None:
    if not x.path.startswith("/connectpay/auth/"):
        _consent(x)
    berlin_error(x, 404, "RESOURCE_UNKNOWN", "Unknown resource")

"""``/demo``: the Demo Bank as the simulator serves it, with faults, admin revocation and the clock.

Same URLs and wire shapes as the product Demo Bank (:mod:`desktop_app.demo_bank`), whose data
shapes it reuses; plain OAuth 2.0 + PKCE (S256 required) for the public client ``demo-client``.
"""

from __future__ import annotations

from urllib.parse import unquote

from desktop_app.demo_bank.wire import account_json, error, transactions_page
from saldo_sandbox import oauth
from saldo_sandbox.exchange import Exchange
from saldo_sandbox.faults import maybe_fail


def authorize(x: Exchange) -> None:
    grant = oauth.start_authorize(x, "demo", x.q)
    if not grant.challenge:
        oauth.redirect_back(
            x,
            grant.redirect_uri,
            {"error": "invalid_request", "error_description": "PKCE (S256) is required"},
            grant.state,
        )
    grant.scopes = grant.scopes or ("accounts",)
    oauth.to_consent(x, grant)


def token(x: Exchange) -> None:
    form = x.form1()
    if form.get("client_id") != x.st.clients["demo"].client_id:
        oauth.grant_error(x, "demo", "invalid_client", "Unknown client_id.", 401)
    maybe_fail(x, "token")
    x.json(200, oauth.plain_tokens(x, "demo", form, "Use authorization_code or refresh_token."))


def revoke(x: Exchange) -> None:
    token = x.form1().get("token", "")
    st = x.st
    with st.lock:
        found = st.refresh.get(token) or st.access.get(token)
        if found is not None:
            found[0].revoked = True
    return x.json(200, {})  # RFC 7009: unknown tokens are not an error


def _shared(x: Exchange) -> tuple[str, ...]:
    consent = oauth.bearer(x, "demo")
    if consent is None:
        x.answer(401, error("invalid_token", "The access token is invalid or revoked."))
    maybe_fail(x)
    return consent.accounts


def accounts(x: Exchange) -> None:
    shared = _shared(x)
    st = x.st
    today, ledger = st.today(), st.ledger("demo")
    x.json(200, {"accounts": [account_json(ledger, a, today, st.now()) for a in ledger.accounts if a.id in shared]})


def transactions(x: Exchange) -> None:
    shared = _shared(x)
    account_id = unquote(x.params["account"])
    if account_id not in shared:
        return x.json(404, error("not_found", "Unknown account."))
    status, body = transactions_page(x.st.ledger("demo"), account_id, x.st.today(), x.q)
    return x.json(status, body)


def not_found(x: Exchange) -> None:
    if x.path.startswith("/demo/api/"):
        _shared(x)  # a bad token is 401 on any data path
    x.json(404, error("not_found", "No such endpoint."))

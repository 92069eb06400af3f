"""``/aritma``: Aritma ID (IdentityServer style, any tenant), its Berlin-Group-like banking API
and Bank Service v3 (PascalCase, JSON number amounts; paths partly inferred).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NoReturn

from saldo_sandbox import oauth
from saldo_sandbox.berlin import serve_berlin
from saldo_sandbox.exchange import Exchange
from saldo_sandbox.faults import maybe_fail
from saldo_sandbox.state import Consent
from saldo_sandbox.wire import fake_jwt, major, parse_day, same

PROMPTS = (None, "none", "login", "consent", "select_account")


def authorize(x: Exchange) -> None:
    grant = oauth.start_authorize(x, "aritma", x.q)
    prompt, acr = x.q.get("prompt"), x.q.get("acr_values")
    if prompt not in PROMPTS:
        oauth.redirect_back(
            x, grant.redirect_uri, {"error": "invalid_request", "error_description": "bad prompt"}, grant.state
        )
    if acr is not None and "mfa" in acr.split() and prompt != "login":
        oauth.redirect_back(
            x,
            grant.redirect_uri,
            {"error": "invalid_request", "error_description": "acr_values=mfa needs prompt=login"},
            grant.state,
        )
    if prompt == "none":  # silent authentication: the sandbox never has a session
        oauth.redirect_back(x, grant.redirect_uri, {"error": "login_required"}, grant.state)
    if not grant.scopes:
        oauth.redirect_back(x, grant.redirect_uri, {"error": "invalid_scope"}, grant.state)
    oauth.to_consent(x, grant)


def token(x: Exchange) -> None:
    st = x.st
    form = x.form1()
    client = st.clients["aritma"]
    # client_secret_post: the secret travels in the form body, not in an Authorization header
    if form.get("client_id") != client.client_id or not same(form.get("client_secret", ""), client.client_secret or ""):
        oauth.grant_error(x, "aritma", "invalid_client", "Client authentication failed.", 401)
    maybe_fail(x, "token")
    if form.get("grant_type") == "authorization_code":
        grant = oauth.code_grant(x, "aritma", form)
        tokens = oauth.mint(x, grant, refresh="offline_access" in grant.scopes)
        if "openid" in grant.scopes:
            claims = {
                "iss": f"{x.url}/aritma",
                "sub": "alex",
                "aud": client.client_id,
                "iat": int(st.now()),
                "exp": int(st.now()) + 300,
                "nonce": grant.nonce,
            }
            tokens["id_token"] = fake_jwt({k: v for k, v in claims.items() if v is not None})
        return x.json(200, tokens)
    if form.get("grant_type") == "refresh_token":
        return x.json(200, oauth.mint(x, oauth.use_refresh(x, "aritma", form.get("refresh_token", "")), refresh=True))
    oauth.grant_error(x, "aritma", "unsupported_grant_type", "Unknown grant_type.")


def _problem(x: Exchange, status: int, title: str, detail: str) -> NoReturn:
    x.answer(status, {"type": "about:blank", "title": title, "status": status, "detail": detail})


def _consent(x: Exchange) -> Consent:
    consent = oauth.bearer(x, "aritma")
    if consent is None:
        _problem(x, 401, "Unauthorized", "Token invalid or revoked")
    if not {"banking.ais.read", "bankservice"} & set(consent.scopes):
        _problem(x, 403, "Forbidden", "Scope banking.ais.read needed")
    maybe_fail(x)
    return consent


def banking(x: Exchange) -> None:
    """``/aritma/api/accounts[/{id}[/balances|/transactions]]``, Berlin Group style."""
    serve_berlin(x, "aritma", _consent(x), "/api/accounts", "unstructuredRemittanceInformation")


def not_found(x: Exchange) -> None:
    if x.path.startswith("/aritma/api/"):
        _consent(x)
    x.json(404, {"error": "not_found"})


def _company(x: Exchange) -> str:
    return "c0mpany-" + x.st.ledger("aritma").accounts[0].id


def companies(x: Exchange) -> None:
    _consent(x)
    x.json(200, [{"CompanyId": _company(x), "Name": "Alex Jensen", "OrganizationNumber": None}])


def bank_service(x: Exchange) -> None:
    """``/aritma/api/v3/{accounts|statements}/{companyId}``."""
    consent = _consent(x)
    st = x.st
    ledger = st.ledger("aritma")
    today = st.today()
    company = _company(x)

    def problem(status: int, detail: str) -> None:
        _problem(x, status, "Bad Request" if status == 400 else "Not Found", detail)

    if x.params["company"] != company:
        return problem(404, "Unknown company or endpoint")
    accounts = oauth.granted(x, "aritma", consent)
    if x.params["what"] == "accounts":
        return x.json(
            200,
            {
                "CompanyId": company,
                "Accounts": [
                    {
                        "AccountId": a.id,
                        "AccountNumber": a.iban[4:],
                        "Iban": a.iban,
                        "Bic": "DNBANOKK",
                        "Currency": a.currency,
                        "Name": a.name,
                        "BookedBalance": major(ledger.balance(a.id, today), a),
                        "AvailableBalance": major(ledger.balance(a.id, today, True), a),
                        "BalanceDate": datetime.fromtimestamp(st.now(), UTC).astimezone().isoformat(),
                    }
                    for a in accounts
                ],
            },
        )
    if x.params["what"] == "statements":
        if bool(x.q.get("fromDate")) != bool(x.q.get("toDate")):
            return problem(400, "fromDate and toDate must be sent together")
        account = next((a for a in accounts if a.iban[4:] == x.q.get("accountNo")), None)
        if account is None:
            return problem(400, "accountNo is missing or not consented")
        try:
            take, skip = int(x.q.get("take") or 100), int(x.q.get("skip") or 0)
        except ValueError:
            return problem(400, "take and skip are numbers")
        if not 1 <= take <= 1000 or skip < 0:
            return problem(400, "take must be 1..1000")
        view = ledger.view(account.id, today, parse_day(x.q.get("fromDate")), parse_day(x.q.get("toDate")), "booked")
        return x.json(
            200,
            {
                "Statements": [
                    {
                        "StatementId": t.id,
                        "Name": t.counterparty,
                        "AccountNumber": account.iban[4:],
                        "AccountCurrency": account.currency,
                        "ArchiveReference": t.id[-8:],
                        "Amount": t.amount(),
                        "AmountCurrency": t.currency,
                        "Description": t.description,
                        "BookingDate": f"{(t.books_on or t.day).isoformat()}T00:00:00+01:00",
                        "ValueDate": f"{t.day.isoformat()}T00:00:00+01:00",
                        "TransactionCount": 1,
                    }
                    for t in view.page(skip, take)
                ],
                "Total": len(view),
            },
        )
    return problem(404, "Unknown endpoint")

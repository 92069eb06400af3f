"""The consent page every simulated provider sends the browser to (``/{provider}/consent``).

Plain HTML from ``resources/sandbox/consent.html`` (rendered by the Demo Bank's page code), one
form: ``request_id``, ``account`` checkboxes, for ConnectPay a ``customer`` radio and ``scope``
checkboxes, and the ``decision`` buttons. Approving redirects to the client with a code.
"""

from __future__ import annotations

import html

from desktop_app.demo_bank.wire import consent_page, message_page
from saldo_sandbox.data import CUSTOMERS
from saldo_sandbox.exchange import Exchange
from saldo_sandbox.oauth import deny, issue_code
from saldo_sandbox.state import CONSENT_REQUEST_LIFETIME, NAMES, Grant


def _open(x: Exchange, grant: Grant | None, provider: str) -> bool:
    return grant is not None and grant.provider == provider and x.st.now() - grant.created <= CONSENT_REQUEST_LIFETIME


def show(x: Exchange) -> None:
    provider = x.params["provider"]
    request_id = x.q.get("request_id", "")
    with x.st.lock:
        grant = x.st.pending_requests.get(request_id)
    if grant is None or not _open(x, grant, provider):
        return x.html(404, message_page("Expired", "This consent request has expired."))
    connectpay = provider == "connectpay"
    note = " This is a one-time connection: the data is deleted after 24 hours." if grant.one_time else ""
    page = consent_page(
        NAMES[provider],
        request_id,
        x.st.accounts(provider),
        f"/{provider}/consent",
        extra=_customers_and_scopes(grant) if connectpay else "",
        note=note,
        show_owner=connectpay,
    )
    return x.html(200, page)


def _customers_and_scopes(grant: Grant) -> str:
    """ConnectPay's extra fieldsets: which Customer the access is for, and which scopes to grant."""
    return (
        '<fieldset><legend>Customer</legend><p class="hint">Access is granted for one customer; '
        "only its accounts are shared.</p>"
        + "".join(
            f'<label><input type="radio" name="customer" value="{key}"{" checked" if key == "c1" else ""}> '
            f"{html.escape(label)}</label>"
            for key, label in CUSTOMERS.items()
        )
        + "</fieldset><fieldset><legend>Permissions</legend>"
        + "".join(
            f'<label><input type="checkbox" name="scope" value="{html.escape(s)}" checked> {html.escape(s)}</label>'
            for s in grant.scopes
        )
        + "</fieldset>"
    )


def answer(x: Exchange) -> None:
    provider = x.params["provider"]
    st = x.st
    form = x.form()
    with st.lock:
        grant = st.pending_requests.pop((form.get("request_id") or [""])[0], None)
    if grant is None or not _open(x, grant, provider):
        return x.html(400, message_page("Unknown", "Unknown or used consent request."))
    if (form.get("decision") or ["deny"])[0] != "approve":
        deny(x, grant, "The person declined access.")
    if provider == "connectpay":
        customer = (form.get("customer") or ["c1"])[0]
        if customer not in CUSTOMERS:
            deny(x, grant, "Unknown customer.")
        grant.customer = customer
        grant.scopes = tuple(s for s in grant.scopes if s in form.get("scope", []))
        if not grant.scopes:
            deny(x, grant, "Every permission was denied.")
    offered = {a.id for a in st.accounts(provider, grant.customer)}
    chosen = tuple(dict.fromkeys(a for a in form.get("account", []) if a in offered))
    if not chosen:
        deny(x, grant, "No account was shared.")
    grant.accounts = chosen
    issue_code(x, grant)

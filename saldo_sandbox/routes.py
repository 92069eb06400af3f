"""The simulator's route table: (method, path pattern) -> the function that answers.

Patterns are matched against the whole path, in order; named groups become ``Exchange.params``.
``*`` matches any method. Each provider ends with a catch-all for its own error shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from saldo_sandbox import admin, aiia, aritma, connectpay, consent, demo, enablebanking, simplefin, tatrabanka
from saldo_sandbox.exchange import Exchange
from saldo_sandbox.state import PROVIDERS

Handler = Callable[[Exchange], None]
ACCOUNT = r"(?P<account>[^/]+)"
TENANT = r"(?:[A-Za-z0-9_.-]+/)?"  # Aritma's tenant segment (optional on the token endpoint)
BERLIN_TAIL = rf"(?:/{ACCOUNT}(?:/(?:balances|transactions))?)?"

_TABLE: tuple[tuple[str, str, Handler], ...] = (
    ("GET", r"/_admin/truth/(?P<provider>[^/]*)", admin.truth),
    ("GET", r"/_admin/state", admin.state),
    ("POST", rf"/_admin/(?P<what>{'|'.join(admin.ACTIONS)})", admin.act),
    ("*", r"/_admin/.*", admin.not_found),
    ("GET", rf"/(?P<provider>{'|'.join(PROVIDERS)})/consent", consent.show),
    ("POST", rf"/(?P<provider>{'|'.join(PROVIDERS)})/consent", consent.answer),
    # Demo Bank
    ("GET", r"/demo/oauth/authorize", demo.authorize),
    ("POST", r"/demo/oauth/token", demo.token),
    ("POST", r"/demo/oauth/revoke", demo.revoke),
    ("GET", r"/demo/api/accounts", demo.accounts),
    ("GET", rf"/demo/api/accounts/{ACCOUNT}/transactions", demo.transactions),
    ("*", r"/demo(?:/.*)?", demo.not_found),
    # Aiia
    ("GET", r"/aiia/v1/oauth/connect/?", aiia.connect),
    ("POST", r"/aiia/v1/oauth/token", aiia.token),
    ("GET", r"/aiia/v1/accounts", aiia.accounts),
    ("GET", rf"/aiia/v1/accounts/{ACCOUNT}", aiia.account),
    ("GET", rf"/aiia/v1/accounts/{ACCOUNT}/transactions", aiia.transactions),
    ("*", r"/aiia(?:/.*)?", aiia.not_found),
    # Aritma
    ("GET", rf"/aritma/{TENANT}connect/authorize", aritma.authorize),
    ("POST", rf"/aritma/{TENANT}connect/token", aritma.token),
    ("GET", r"/aritma/api/v3/companies", aritma.companies),
    ("GET", r"/aritma/api/v3/(?P<what>accounts|statements)/(?P<company>[^/]+)", aritma.bank_service),
    ("GET", rf"/aritma/api/accounts{BERLIN_TAIL}", aritma.banking),
    ("*", r"/aritma(?:/.*)?", aritma.not_found),
    # ConnectPay
    ("GET", r"/connectpay/auth/v1/oauth2/authorize", connectpay.authorize),
    ("POST", r"/connectpay/auth/v1/oauth2/token", connectpay.token),
    ("POST", r"/connectpay/auth/v1/oauth2/revoke", connectpay.revoke),
    ("GET", rf"/connectpay/v1/accounts{BERLIN_TAIL}", connectpay.data),
    ("*", r"/connectpay(?:/.*)?", connectpay.not_found),
    # Tatra banka
    ("GET", r"/tatrabanka/auth/oauth/v2/authorize", tatrabanka.authorize),
    ("POST", r"/tatrabanka/auth/oauth/v2/token", tatrabanka.token),
    ("GET", r"/tatrabanka/api/v1/accounts", tatrabanka.accounts),
    ("POST", r"/tatrabanka/api/v1/accounts/information", tatrabanka.information),
    ("POST", r"/tatrabanka/api/v1/accounts/transactions", tatrabanka.transactions),
    ("*", r"/tatrabanka(?:/.*)?", tatrabanka.not_found),
    # Enable Banking
    ("GET", r"/enablebanking/application", enablebanking.application),
    ("GET", r"/enablebanking/aspsps", enablebanking.aspsps),
    ("POST", r"/enablebanking/auth", enablebanking.auth),
    ("GET", r"/enablebanking/start", enablebanking.start),
    ("POST", r"/enablebanking/sessions", enablebanking.sessions),
    ("GET", r"/enablebanking/sessions/(?P<session>[^/]+)", enablebanking.session),
    ("DELETE", r"/enablebanking/sessions/(?P<session>[^/]+)", enablebanking.session),
    ("GET", r"/enablebanking/accounts/(?P<uid>[^/]+)/(?P<what>details|balances|transactions)", enablebanking.account),
    ("*", r"/enablebanking(?:/.*)?", enablebanking.not_found),
    # SimpleFIN Bridge
    ("POST", r"/simplefin/create", simplefin.create),
    ("POST", r"/simplefin/claim/(?P<token>[A-Za-z0-9_-]+)", simplefin.claim),
    ("GET", r"/simplefin/bridge/accounts", simplefin.accounts),
    ("*", r"/simplefin(?:/.*)?", simplefin.not_found),
)
ROUTES = tuple((method, re.compile(pattern), handler) for method, pattern, handler in _TABLE)


def find(method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
    """The handler for a request and the named parts of its path, or None when nothing serves it."""
    for want, pattern, handler in ROUTES:
        found = pattern.fullmatch(path)
        if found is not None and want in ("*", method):
            return handler, {k: v for k, v in found.groupdict().items() if v is not None}
    return None

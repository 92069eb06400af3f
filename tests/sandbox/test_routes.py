"""The simulator's route table: one module per provider, explicit patterns, small modules."""

from __future__ import annotations

from pathlib import Path

import pytest

import desktop_app.demo_bank
import saldo_sandbox
from saldo_sandbox import admin, aiia, aritma, connectpay, consent, demo, tatrabanka
from saldo_sandbox.routes import ROUTES, find
from saldo_sandbox.state import PROVIDERS


def test_each_route_is_answered_by_its_own_providers_module() -> None:
    for method, pattern, handler in ROUTES:
        first = pattern.pattern.split("/")[1].removesuffix("(?:")  # "/demo(?:/.*)?" is the catch-all
        expected = {"_admin": "admin", "(?P<provider>" + "|".join(PROVIDERS) + ")": "consent"}.get(first, first)
        assert handler.__module__ == f"saldo_sandbox.{expected}", (method, pattern.pattern)


@pytest.mark.parametrize(
    ("method", "path", "handler", "params"),
    [
        ("GET", "/demo/api/accounts/de1/transactions", demo.transactions, {"account": "de1"}),
        ("POST", "/demo/oauth/token", demo.token, {}),
        ("GET", "/aiia/v1/oauth/connect/", aiia.connect, {}),
        ("GET", "/aiia/v1/accounts/a%2Fb", aiia.account, {"account": "a%2Fb"}),
        ("GET", "/aritma/tenant.one/connect/authorize", aritma.authorize, {}),
        ("POST", "/aritma/connect/token", aritma.token, {}),
        ("GET", "/aritma/api/v3/statements/c0", aritma.bank_service, {"what": "statements", "company": "c0"}),
        ("GET", "/connectpay/v1/accounts/x/balances", connectpay.data, {"account": "x"}),
        ("POST", "/tatrabanka/api/v1/accounts/information", tatrabanka.information, {}),
        ("POST", "/connectpay/consent", consent.answer, {"provider": "connectpay"}),
        ("POST", "/_admin/faults", admin.act, {"what": "faults"}),
        ("GET", "/_admin/faults", admin.not_found, {}),
        ("POST", "/aiia/v1/accounts", aiia.not_found, {}),  # data is GET only
    ],
)
def test_find_picks_the_route_and_its_named_parts(method: str, path: str, handler: object, params: object) -> None:
    assert find(method, path) == (handler, params)


def test_a_path_outside_every_provider_has_no_route() -> None:
    assert find("GET", "/") is None and find("GET", "/nobank/x") is None and find("GET", "/demonstration") is None


def test_the_simulators_stay_small() -> None:
    roots = (Path(saldo_sandbox.__file__).parent, Path(desktop_app.demo_bank.__file__).parent)
    sizes = {str(p): len(p.read_text(encoding="utf-8").splitlines()) for root in roots for p in root.glob("*.py")}
    assert {p: n for p, n in sizes.items() if n > 400} == {}

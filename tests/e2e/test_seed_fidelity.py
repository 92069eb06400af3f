"""What the seed documents say, checked end to end against the simulator through the real core.

* Aiia: the token request's Basic header is ``base64("<client_id>:<client_secret>")`` exactly as
  issued, so a secret holding ``+ / = :`` must work (the simulator compares byte for byte).
* Tatra banka and ConnectPay only point at OAuth 2.0, whose §2.3.1 form-encodes id and secret.
* Aritma's sign-in addresses carry the organisation's tenant.
* Tatra banka's incremental request names a real day as ``dateTo``: today, never 9999-12-31.
"""

from __future__ import annotations

import base64
import json
from datetime import date

import httpx2
import pytest

from desktop_app.core.api import ApiClient, RetryPolicy
from desktop_app.core.errors import InvalidClient, TenantNeeded
from desktop_app.core.providers.simple import TatraAdapter
from saldo_sandbox.state import Client
from tests.e2e.conftest import World

TRICKY_SECRET = "s3cr+t/with=equals:and%25colon"


@pytest.mark.parametrize("provider", ["aiia", "tatrabanka", "connectpay"])
def test_basic_client_auth_with_plus_slash_equals_colon_in_the_secret(world: World, provider: str) -> None:
    registered = world.sandbox.state.clients[provider]
    world.sandbox.state.clients[provider] = Client(registered.client_id, TRICKY_SECRET, registered.redirects)
    world.connector.save_credentials(provider, registered.client_id, TRICKY_SECRET)
    connection = _connect_with_saved_credentials(world, provider)
    assert world.engine.sync(connection.id).ok


def test_aiia_refuses_a_form_encoded_secret(world: World) -> None:
    """The simulator's Aiia side really compares the secret as given: the RFC 6749 encoding fails."""
    registered = world.sandbox.state.clients["aiia"]
    world.sandbox.state.clients["aiia"] = Client(registered.client_id, TRICKY_SECRET, registered.redirects)
    form_encoded = "s3cr%2Bt%2Fwith%3Dequals%3Aand%2525colon"
    header = base64.b64encode(f"aiia-client:{form_encoded}".encode()).decode()
    answer = httpx2.post(
        world.sandbox.endpoint("aiia", "token"),
        headers={"Authorization": f"Basic {header}", "Content-Type": "application/json"},
        content=json.dumps({"grant_type": "refresh_token", "refresh_token": "x"}),
    )
    assert answer.status_code == 401
    world.connector.save_credentials("aiia", "aiia-client", form_encoded)
    with pytest.raises(InvalidClient):
        _connect_with_saved_credentials(world, "aiia")


def _connect_with_saved_credentials(world: World, provider: str) -> object:
    import threading

    from tests.e2e.browser import consent

    pending = world.connector.begin(provider, sandbox=world.sandbox.url)
    try:
        browser = threading.Thread(target=consent, args=(pending.url,))
        browser.start()
        callback = pending.wait(15)
        browser.join()
        return world.connector.finish(pending, callback)
    finally:
        pending.close()


def test_aritma_tenant_goes_into_the_sign_in_addresses_and_stays_with_the_connection(world: World) -> None:
    world.connector.save_credentials("aritma", "aritma-client", "aritma-secret")
    with pytest.raises(TenantNeeded, match="tenant"):
        world.connector.begin("aritma", sandbox=world.sandbox.url)
    with pytest.raises(TenantNeeded, match="not a tenant name"):
        world.connector.begin("aritma", sandbox=world.sandbox.url, tenant="../admin")
    pending = world.connector.begin("aritma", sandbox=world.sandbox.url, tenant="acme.eu-1")
    try:
        assert pending.url.startswith(f"{world.sandbox.url}/aritma/acme.eu-1/connect/authorize?")
        assert pending.request.profile.token_url == f"{world.sandbox.url}/aritma/acme.eu-1/connect/token"
    finally:
        pending.close()
    connection = world.connect("aritma")  # the e2e helper's own tenant, "saldo"
    stored = world.store.endpoints(connection.id)
    assert stored is not None and "/aritma/saldo/connect/token" in stored.token
    # re-consent without naming the tenant again keeps the one the connection has
    again = world.connector.begin("aritma", sandbox=world.sandbox.url, reconnect=connection.id)
    try:
        assert "/aritma/saldo/connect/authorize" in again.url
    finally:
        again.close()


def test_tatra_incremental_request_sends_today_as_date_to() -> None:
    sent: list[dict[str, object]] = []

    def bank(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        return httpx2.Response(200, json={"transactions": [], "pageCount": 1})

    api = ApiClient(httpx2.Client(transport=httpx2.MockTransport(bank)), "https://tb.test", "Tatra banka")
    api.retry = RetryPolicy(attempts=1)
    adapter = TatraAdapter(today=lambda: date(2026, 11, 25))
    from desktop_app.core.providers.base import RemoteAccount

    account = RemoteAccount("SK3111000000002612345678", "Bežný účet", "EUR")
    list(adapter.transactions(api, account, date(2026, 11, 1)))
    assert sent[0]["dateFrom"] == "2026-11-01" and sent[0]["dateTo"] == "2026-11-25"
    list(adapter.transactions(api, account, None))
    assert "dateTo" not in sent[1] and "dateFrom" not in sent[1]  # the first sync asks for everything

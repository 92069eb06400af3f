"""Every provider end to end: consent through the real loopback receiver, sync, ground truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop_app.core.connect import Connector
from desktop_app.core.errors import AccessDenied, InvalidGrant, StateMismatch
from desktop_app.core.models import ConnectionStatus
from tests.e2e.browser import consent
from tests.e2e.conftest import World

ACCOUNT_KEY = {"tatrabanka": "iban"}


@pytest.mark.parametrize("provider", ["demo", "aiia", "aiia-one-time", "aritma", "connectpay", "tatrabanka"])
def test_connect_and_sync_equals_the_bank(world: World, provider: str) -> None:
    connection = world.connect(provider)
    result = world.engine.sync(connection.id)
    assert result.status == "ok", result.error
    truth = world.truth(provider, ACCOUNT_KEY.get(provider, "id"))
    assert sum(truth.values()) > 100
    assert world.cache(connection.id) == truth
    balances = {a.account.provider_account_id: a.balance for a in world.store.accounts_with_balances()}
    for account in world.sandbox.ground_truth(provider.split("-")[0])["accounts"]:
        key = account[ACCOUNT_KEY.get(provider, "id")]
        assert str(balances[key].normalized()) == account["booked_balance"]  # type: ignore[union-attr]
    assert world.engine.sync(connection.id).new == 0  # a second sync adds nothing


def test_aiia_keeps_consent_id_and_survives_codes_with_plus_slash_equals(world: World) -> None:
    connection = world.connect("aiia")
    assert connection.consent_id and len(connection.consent_id) == 36
    assert connection.scopes == ("accounts", "offline_access")


def test_one_time_connection_keeps_both_tokens_and_expires_in_a_day(world: World) -> None:
    connection = world.connect("aiia-one-time")
    assert connection.one_time
    tokens = world.vault.load_tokens(connection.id)
    assert tokens is not None and tokens.refresh_token, "both tokens are kept as the provider returned them"
    assert connection.consent_expires_at is not None
    assert timedelta(hours=23) < connection.consent_expires_at - datetime.now(UTC) <= timedelta(hours=24)
    world.engine.sync(connection.id)
    kept = sum(world.cache(connection.id).values())
    # the access token lapses after an hour; inside the one-time window Saldo renews it and syncs on
    world.sandbox.admin("advance", seconds=2 * 3600)
    assert world.engine.sync(connection.id).status == "ok"
    assert world.store.get_connection(connection.id).status is ConnectionStatus.ACTIVE
    world.sandbox.admin("advance", seconds=25 * 3600)
    result = world.engine.sync(connection.id)
    assert result.status == "needs_reconsent"
    assert sum(world.cache(connection.id).values()) == kept  # the local snapshot stays


def test_denial_is_a_plain_error(world: World) -> None:
    pending = world.connector.begin("demo", sandbox=world.sandbox.url)
    try:
        consent(pending.url, decision="deny")
        with pytest.raises(AccessDenied, match="declined access"):
            pending.wait(5)
    finally:
        pending.close()
    assert world.store.connections() == []


def test_wrong_state_is_refused_in_a_pasted_address(world: World) -> None:
    pending = world.connector.begin("demo", sandbox=world.sandbox.url)
    try:
        with pytest.raises(StateMismatch):
            pending.paste(f"{pending.request.redirect_uri}?code=stolen&state=not-yours")
    finally:
        pending.close()


def test_paste_back_completes_the_flow(world: World) -> None:
    import httpx2

    pending = world.connector.begin("demo", sandbox=world.sandbox.url)
    try:
        pending.receiver.close()  # as if the browser could not reach the receiver
        with httpx2.Client(follow_redirects=False) as http:
            page = http.get(pending.url)
            assert page.status_code == 302
        # approve without following the last hop; the person copies that address
        world.sandbox.state.auto_approve = True
        with httpx2.Client(follow_redirects=False) as http:
            landing = http.get(pending.url).headers["Location"]
        callback = pending.paste(landing)
        connection = world.connector.finish(pending, callback)
    finally:
        pending.close()
    assert world.engine.sync(connection.id).ok


def test_expired_code_is_refused(world: World) -> None:
    world.sandbox.state.auto_approve = True
    pending = world.connector.begin("demo", sandbox=world.sandbox.url)
    try:
        consent(pending.url)
        callback = pending.wait(5)
        world.sandbox.admin("advance", seconds=61)
        with pytest.raises(InvalidGrant):
            world.connector.finish(pending, callback)
    finally:
        pending.close()


def test_revoked_token_needs_reconsent_keeps_data_and_reconnect_reuses_accounts(world: World) -> None:
    connection = world.connect("tatrabanka")
    world.engine.sync(connection.id)
    before = world.cache(connection.id)
    accounts_before = [(a.id, a.provider_account_id) for a in world.store.accounts(connection.id)]
    world.sandbox.admin("revoke", provider="tatrabanka")
    result = world.engine.sync(connection.id)
    assert result.status == "needs_reconsent"
    assert world.store.get_connection(connection.id).status is ConnectionStatus.NEEDS_RECONSENT
    assert world.cache(connection.id) == before
    again = world.connect("tatrabanka")
    assert again.id == connection.id and again.status is ConnectionStatus.ACTIVE
    assert world.engine.sync(again.id).ok
    assert [(a.id, a.provider_account_id) for a in world.store.accounts(connection.id)] == accounts_before
    assert len(world.store.connections()) == 1


def test_connectpay_partial_scopes_and_customer_choice(world: World) -> None:
    from dataclasses import replace

    from desktop_app.core.providers import registry

    provider = registry.get_provider("connectpay")
    both = replace(provider, profile=replace(provider.profile, scopes=("psd2-ais", "psd2-pis")))
    world.connector.save_credentials("connectpay", "connectpay-client", "connectpay-secret")
    original = registry._BY_ID["connectpay"]
    registry._BY_ID["connectpay"] = both
    try:
        connection = world.connect("connectpay", scopes=["psd2-ais"], customer="c2")
    finally:
        registry._BY_ID["connectpay"] = original
    assert connection.scopes == ("psd2-ais",)
    assert world.engine.sync(connection.id).ok


def test_connectpay_everything_denied_is_access_denied(world: World) -> None:
    world.connector.save_credentials("connectpay", "connectpay-client", "connectpay-secret")
    pending = world.connector.begin("connectpay", sandbox=world.sandbox.url)
    try:
        consent(pending.url, scopes=[])
        with pytest.raises(AccessDenied):
            pending.wait(5)
    finally:
        pending.close()


def test_pending_books_under_a_new_id_in_aiia(world: World) -> None:
    connection = world.connect("aiia")
    world.engine.sync(connection.id)
    pending_before = [k for k in world.cache(connection.id) if k[2] == "pending"]
    assert pending_before
    world.sandbox.admin("advance", seconds=4 * 86400)
    result = world.engine.sync(connection.id)
    assert result.claimed == len(pending_before)
    assert world.cache(connection.id) == world.truth("aiia")


def test_credentials_are_required_where_the_provider_needs_them(world: World) -> None:
    from desktop_app.core.errors import CredentialsNeeded

    assert isinstance(world.connector, Connector)
    with pytest.raises(CredentialsNeeded, match="developer portal"):
        world.connector.begin("aritma", sandbox=world.sandbox.url)

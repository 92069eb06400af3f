"""Enable Banking end to end: the person's app key, bank list, consent over the https receiver,
sessions, continuation keys, references that change, faults, expiry, revocation and secrets.

The real core (create_app's connector, sync engine and SQLite file) against the simulator's
Enable Banking; the browser's last hop goes to Saldo's https loopback receiver, whose
generated certificate the test client trusts (and, for the paste-back case, refuses).
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from desktop_app.core.errors import AppKeyError, SaldoError
from desktop_app.core.models import ConnectionStatus
from desktop_app.core.oauth.https_receiver import CERT_NAME, KEY_NAME
from saldo_sandbox.enablebanking import identification_hash
from tests.e2e.conftest import World

APP_ID = "5a8c2f1e-0b7d-4c3a-9e6f-1d2b3c4d5e6f"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def app_key(world: World, tmp_path: Path) -> tuple[bytes, str]:
    """A registered application: its private key (PEM) and its one https://localhost redirect."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    redirect = f"https://localhost:{free_port()}/callback/enablebanking"
    world.sandbox.state.enablebanking.apps[APP_ID] = (public, (redirect,))
    world.sandbox.auto_approve = True
    world.connector.enablebanking.save_app(APP_ID, pem)
    return pem, redirect


def browse(url: str, trust: Path | None) -> httpx2.Response:
    """The browser: the bank's pages on http, then the redirect to Saldo's https receiver."""
    with httpx2.Client(timeout=10, follow_redirects=False) as http:
        response = http.get(url)
        while response.status_code in (301, 302) and not response.headers["Location"].startswith("https://"):
            response = http.get(urljoin(str(response.url), response.headers["Location"]))
        assert response.status_code in (301, 302), response.text
        target = response.headers["Location"]
    if trust is None:
        return httpx2.Response(0, headers={"Location": target})
    context = ssl.create_default_context(cafile=str(trust))
    with httpx2.Client(timeout=10, verify=context) as https:
        return https.get(target)


def connect(world: World, trust: bool = True) -> object:
    link = world.connector.enablebanking
    pending = link.begin("FI", "mock", base=world.sandbox.url + "/enablebanking")
    try:
        assert pending.receiver is not None
        cert = pending.receiver.certificate
        result: list[httpx2.Response] = []
        browser = threading.Thread(target=lambda: result.append(browse(pending.url, cert)))
        browser.start()
        callback = pending.wait(15)
        browser.join()
        assert result[0].status_code == 200 and result[0].headers["Cache-Control"] == "no-store"
        return link.finish(pending, callback)
    finally:
        pending.close()


def ledger_of(world: World, connection_id: str) -> Counter[tuple[str, str, str, str]]:
    accounts = {a.id: a for a in world.store.accounts(connection_id)}
    return Counter(
        (
            accounts[t.account_id].provider_account_id,
            t.status.value,
            t.booking_date.isoformat(),
            str(t.amount.normalized()),
        )
        for t in world.store.iter_transactions()
        if t.account_id in accounts and not t.withdrawn
    )


def truth_of(world: World) -> Counter[tuple[str, str, str, str]]:
    ledger = world.sandbox.state.ledger("enablebanking")
    data = world.sandbox.ground_truth("enablebanking")
    hashes = {a.id: identification_hash(a) for a in ledger.accounts}
    return Counter(
        (hashes[a["id"]], t["status"], t["date"], t["amount"]) for a in data["accounts"] for t in a["transactions"]
    )


def test_consent_over_https_and_sync_equals_the_bank(world: World, app_key: tuple[bytes, str]) -> None:
    connection = connect(world)
    assert connection.provider == "enablebanking" and connection.consent_id is None  # type: ignore[attr-defined]
    result = world.engine.sync(connection.id)  # type: ignore[attr-defined]
    assert result.status == "ok", result.error
    truth = truth_of(world)
    assert sum(truth.values()) > 100 and any(k[1] == "pending" for k in truth)
    assert ledger_of(world, connection.id) == truth  # type: ignore[attr-defined]
    assert world.engine.sync(connection.id).new == 0  # type: ignore[attr-defined]


def test_pending_rows_book_under_a_new_reference_without_duplicates(world: World, app_key: tuple[bytes, str]) -> None:
    connection = connect(world)
    world.engine.sync(connection.id)  # type: ignore[attr-defined]
    world.sandbox.admin("advance", seconds=5 * 86400)  # every pending row books, under another reference
    result = world.engine.sync(connection.id)  # type: ignore[attr-defined]
    assert result.ok and result.claimed > 0
    assert ledger_of(world, connection.id) == truth_of(world)  # type: ignore[attr-defined]


def test_twenty_percent_faults_give_an_exact_ledger(world: World, app_key: tuple[bytes, str]) -> None:
    connection = connect(world)
    world.sandbox.admin("faults", rate=0.2, kinds=["500", "503", "reset", "truncated", "429"])
    result = world.engine.sync(connection.id)  # type: ignore[attr-defined]
    world.sandbox.admin("faults")
    assert result.status == "ok", result.error
    assert ledger_of(world, connection.id) == truth_of(world)  # type: ignore[attr-defined]


def test_expired_and_revoked_consents_need_reconsent_and_reconsent_keeps_history(
    world: World, app_key: tuple[bytes, str]
) -> None:
    connection = connect(world)
    cid = connection.id  # type: ignore[attr-defined]
    world.engine.sync(cid)
    kept = ledger_of(world, cid)
    world.sandbox.revoke("enablebanking")
    assert world.engine.sync(cid).status == "needs_reconsent"
    assert world.store.get_connection(cid).status is ConnectionStatus.NEEDS_RECONSENT
    assert ledger_of(world, cid) == kept
    again = connect(world)
    assert again.id == cid and len(world.store.connections()) == 1  # type: ignore[attr-defined]
    assert world.engine.sync(cid).ok
    world.sandbox.expire("enablebanking")
    assert world.engine.sync(cid).status == "needs_reconsent"
    assert ledger_of(world, cid) == truth_of(world)


def test_consent_length_follows_the_bank_and_warns_a_week_ahead(world: World, app_key: tuple[bytes, str]) -> None:
    from desktop_app.core.sync import consent_warning

    connection = connect(world)
    left = connection.consent_expires_at - datetime.now(UTC)  # type: ignore[attr-defined]
    assert timedelta(days=179) < left < timedelta(days=180), "the bank's 180 days less a margin"
    assert consent_warning(connection, datetime.now(UTC) + timedelta(days=175)) == "Consent expires in 4 days."  # type: ignore[arg-type]


def test_disconnect_deletes_the_session(world: World, app_key: tuple[bytes, str]) -> None:
    connection = connect(world)
    tokens = world.vault.load_tokens(connection.id)  # type: ignore[attr-defined]
    assert tokens is not None
    session_id = tokens.access_token
    assert world.connector.disconnect(connection.id, keep_data=False)  # type: ignore[attr-defined]
    assert world.sandbox.state.consents[session_id].revoked
    assert world.vault.load_tokens(connection.id) is None  # type: ignore[attr-defined]


def test_paste_back_after_the_browser_refuses_the_certificate(world: World, app_key: tuple[bytes, str]) -> None:
    link = world.connector.enablebanking
    pending = link.begin("FI", "Mock ASPSP", base=world.sandbox.url + "/enablebanking")
    try:
        with pytest.raises(httpx2.ConnectError):  # a browser with no trust in the certificate
            with httpx2.Client(timeout=5) as strict:
                strict.get(pending.request.redirect_uri)
        landed = browse(pending.url, trust=None).headers["Location"]
        connection = link.finish(pending, pending.paste(landed))
    finally:
        pending.close()
    assert world.engine.sync(connection.id).ok


def test_bank_list_is_cached_for_offline_browsing(world: World, app_key: tuple[bytes, str]) -> None:
    base = world.sandbox.url + "/enablebanking"
    online = world.connector.enablebanking.banks("FI", base)
    assert [b["name"] for b in online] == ["Mock ASPSP", "Sandbox Sparbank"]
    assert online[0]["maximum_consent_validity"] == 180 * 86400
    offline = world.connector.enablebanking.banks("FI", "http://127.0.0.1:9/enablebanking")
    assert [b["name"] for b in offline] == ["Mock ASPSP", "Sandbox Sparbank"]
    with pytest.raises(SaldoError, match="matches no bank"):
        world.connector.enablebanking.find_bank("FI", "Nordea", base)


def test_unregistered_redirect_and_bad_key_are_plain_errors(world: World, app_key: tuple[bytes, str]) -> None:
    with pytest.raises(AppKeyError, match="not an RSA private key"):
        world.connector.enablebanking.save_app(APP_ID, b"-----BEGIN NOTHING-----\nabc\n")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    world.connector.enablebanking.save_app(APP_ID, wrong)  # the sandbox knows another public key
    with pytest.raises(SaldoError, match=r"Invalid JWT|no longer accepts"):
        world.connector.enablebanking.banks("SE", world.sandbox.url + "/enablebanking")


def test_certificate_is_private_sha256_397_days_server_auth_localhost(world: World, app_key: tuple[bytes, str]) -> None:
    pending = world.connector.enablebanking.begin("FI", "mock", base=world.sandbox.url + "/enablebanking")
    pending.close()
    folder = world.store.path.parent
    cert = x509.load_pem_x509_certificate((folder / CERT_NAME).read_bytes())
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= timedelta(days=397)
    assert ExtendedKeyUsageOID.SERVER_AUTH in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert "localhost" in cert.extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    ).value.get_values_for_type(x509.DNSName)
    for name in (CERT_NAME, KEY_NAME):
        assert (folder / name).stat().st_mode & 0o777 == 0o600


def test_no_key_session_or_code_outside_the_keyring(
    world: World, app_key: tuple[bytes, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pem, _ = app_key
    connection = connect(world)
    world.engine.sync(connection.id)  # type: ignore[attr-defined]
    tokens = world.vault.load_tokens(connection.id)  # type: ignore[attr-defined]
    assert tokens is not None
    secrets = [pem.decode().splitlines()[5], tokens.access_token]  # a line of the key; the session id
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name not in (CERT_NAME, KEY_NAME):
            assert not any(s.encode() in path.read_bytes() for s in secrets), path
    assert not any(s in caplog.text for s in secrets)


def test_positional_references_shift_without_overwriting_or_duplicating(
    world: World, app_key: tuple[bytes, str]
) -> None:
    connection = connect(world)
    cid = connection.id  # type: ignore[attr-defined]
    world.engine.sync(cid)
    ledger = world.sandbox.state.ledger("enablebanking")
    positional = ledger.accounts[-1]
    day = world.sandbox.state.today() - timedelta(days=3)
    before = [t.id for t in ledger.view(positional.id, world.sandbox.state.today(), day, day)]
    world.sandbox.admin(
        "transactions",
        provider="enablebanking",
        account=positional.id,
        amount="-7.25",
        date=day.isoformat(),
        description="Late entry",
        counterparty="Kiosk",
    )
    after = [t.id for t in ledger.view(positional.id, world.sandbox.state.today(), day, day)]
    assert len(after) == len(before) + 1
    result = world.engine.sync(cid)
    assert result.ok and result.new == 1, "the late entry is new; the shifted rows are neither overwritten nor doubled"
    assert ledger_of(world, cid) == truth_of(world)

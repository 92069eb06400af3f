"""The whole authorization over real loopback HTTP: receiver, authorization server, tokens, vault."""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import keyring.backends.fail
import pytest

from desktop_app.core.errors import (
    AccessDenied,
    ConsentCancelled,
    ConsentTimeout,
    InvalidGrant,
    OAuthError,
    PortInUse,
    ReconsentNeeded,
    VaultUnavailable,
)
from desktop_app.core.locks import ProcessLocks
from desktop_app.core.oauth.flow import build_authorization
from desktop_app.core.oauth.profile import OAuthProfile
from desktop_app.core.oauth.receiver import LoopbackReceiver
from desktop_app.core.oauth.tokens import ClientCredentials, TokenClient, TokenManager
from desktop_app.core.redact import RedactingFilter, Redactor
from desktop_app.core.vault import Vault
from tests.oauth.authserver import CLIENT_ID, CLIENT_SECRET, AuthServer


def profile_for(server: AuthServer, **kw: object) -> OAuthProfile:
    base = dict(
        provider="Test Bank",
        authorize_url=f"{server.base}/authorize",
        token_url=f"{server.base}/token",
        revocation_url=f"{server.base}/revoke",
        scopes=("accounts",),
        redirect_path="/callback/test",
        client_auth="basic_form",
        callback_extras=("consentId",),
        keep_token_fields=("consentId",),
        request_id_header="X-Request-ID",
    )
    base.update(kw)
    return OAuthProfile(**base)  # type: ignore[arg-type]


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=5, follow_redirects=False) as client:
        yield client


def browse(http: httpx2.Client, url: str) -> httpx2.Response:
    """Act as the browser: open the authorize URL and follow its redirect to the receiver."""
    answer = http.get(url)
    assert answer.status_code == 302
    return http.get(answer.headers["Location"])


def authorize(server: AuthServer, http: httpx2.Client, profile: OAuthProfile) -> tuple[object, object]:
    with LoopbackReceiver(profile) as receiver:
        redirect = receiver.start()
        request = build_authorization(profile, CLIENT_ID, redirect)
        receiver.expect(request)
        page = browse(http, request.url)
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        callback = receiver.wait(timeout=10)
        return request, callback


def test_success_then_code_exchange(auth_server: AuthServer, http: httpx2.Client) -> None:
    profile = profile_for(auth_server)
    request, callback = authorize(auth_server, http, profile)
    assert callback.extras == {"consentId": "consent-42"}  # type: ignore[attr-defined]
    client = TokenClient(http, profile, ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    tokens = client.exchange(request, callback.code)  # type: ignore[arg-type, attr-defined]
    assert tokens.refresh_token and tokens.expires_at and tokens.expires_at > time.time() + 3000
    assert tokens.refresh_expires_at and tokens.refresh_expires_at > time.time() + 2_500_000  # "2592000" string
    assert tokens.extras == {"consentId": "consent-42"}
    with pytest.raises(InvalidGrant, match="expired, was used already"):
        client.exchange(request, callback.code)  # type: ignore[arg-type, attr-defined]  # a code works once
    assert auth_server.state.token_requests == 2


@pytest.mark.parametrize("auth", ["basic_json", "client_secret_post", "none"])
def test_every_client_auth_variant(auth_server: AuthServer, http: httpx2.Client, auth: str) -> None:
    auth_server.state.auth_mode = auth
    profile = profile_for(auth_server, client_auth=auth)
    request, callback = authorize(auth_server, http, profile)
    secret = None if auth == "none" else CLIENT_SECRET
    tokens = TokenClient(http, profile, ClientCredentials(CLIENT_ID, secret)).exchange(request, callback.code)  # type: ignore[arg-type, attr-defined]
    assert tokens.access_token


def test_code_with_plus_slash_equals_percent(auth_server: AuthServer, http: httpx2.Client) -> None:
    auth_server.state.code_alphabet_tricky = True
    profile = profile_for(auth_server)
    request, callback = authorize(auth_server, http, profile)
    assert callback.code.startswith("a+b/c=d%e")  # type: ignore[attr-defined]
    client = TokenClient(http, profile, ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    assert client.exchange(request, callback.code).access_token  # type: ignore[arg-type, attr-defined]


def test_denial_is_explained(auth_server: AuthServer, http: httpx2.Client) -> None:
    auth_server.state.deny = True
    with pytest.raises(AccessDenied, match="declined access — try again or choose another provider"):
        authorize(auth_server, http, profile_for(auth_server))


def test_expired_code(auth_server: AuthServer, http: httpx2.Client) -> None:
    auth_server.state.code_lifetime = 0.0
    profile = profile_for(auth_server)
    request, callback = authorize(auth_server, http, profile)
    with pytest.raises(InvalidGrant):
        TokenClient(http, profile, ClientCredentials(CLIENT_ID, CLIENT_SECRET)).exchange(request, callback.code)  # type: ignore[arg-type, attr-defined]


def test_wrong_state_is_never_accepted_and_does_not_end_the_wait(auth_server: AuthServer, http: httpx2.Client) -> None:
    profile = profile_for(auth_server)
    with LoopbackReceiver(profile) as receiver:
        redirect = receiver.start()
        request = build_authorization(profile, CLIENT_ID, redirect)
        receiver.expect(request)
        forged = http.get(f"{redirect}?code=evil&state=forged")
        assert forged.status_code == 400 and "evil" not in forged.text
        missing = http.get(f"{redirect}?code=evil")
        assert missing.status_code == 400
        assert http.get(f"http://127.0.0.1:{receiver.port}/favicon.ico").status_code == 404
        assert http.post(redirect, content=b"x").status_code == 404
        browse(http, request.url)
        callback = receiver.wait(timeout=10)
        assert callback.code != "evil" and receiver.rejected == 2


def test_missing_code_is_an_error(auth_server: AuthServer, http: httpx2.Client) -> None:
    profile = profile_for(auth_server)
    with LoopbackReceiver(profile) as receiver:
        redirect = receiver.start()
        request = build_authorization(profile, CLIENT_ID, redirect)
        receiver.expect(request)
        http.get(f"{redirect}?state={request.state}")
        with pytest.raises(OAuthError, match="without an authorization code"):
            receiver.wait(timeout=5)


def test_timeout_and_cancel(auth_server: AuthServer) -> None:
    profile = profile_for(auth_server)
    with LoopbackReceiver(profile) as receiver:
        receiver.start()
        with pytest.raises(ConsentTimeout):
            receiver.wait(timeout=0.05)
    with LoopbackReceiver(profile) as receiver:
        receiver.start()
        threading.Timer(0.05, receiver.cancel).start()
        with pytest.raises(ConsentCancelled):
            receiver.wait(timeout=30)


def test_fixed_port_taken_gets_a_clear_message(auth_server: AuthServer) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    try:
        profile = profile_for(auth_server, fixed_port=blocker.getsockname()[1])
        with pytest.raises(PortInUse, match=f"Port {blocker.getsockname()[1]} .* in use"):
            LoopbackReceiver(profile).start()
    finally:
        blocker.close()


def test_localhost_binds_both_loopbacks_and_never_all_interfaces(auth_server: AuthServer) -> None:
    with LoopbackReceiver(profile_for(auth_server, redirect_host="localhost")) as receiver:
        redirect = receiver.start()
        assert urlsplit(redirect).hostname == "localhost"
        hosts = {s.server_address[0] for s in receiver._servers}
        assert hosts <= {"127.0.0.1", "::1"} and "127.0.0.1" in hosts


def test_receiver_survives_garbage_and_then_takes_the_real_redirect(
    auth_server: AuthServer, http: httpx2.Client
) -> None:
    profile = profile_for(auth_server)
    rng = random.Random(1234)
    with LoopbackReceiver(profile) as receiver:
        redirect = receiver.start()
        request = build_authorization(profile, CLIENT_ID, redirect)
        receiver.expect(request)
        port = receiver.port
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]  # pre-connect sockets
        methods = [b"GET", b"POST", b"PUT", b"DELETE", b"HEAD", b"OPTIONS", b"BREW", b"\xff\xfe"]
        paths = [b"/", b"/callback/test", b"/favicon.ico", b"/callback/test?state=x&code=y", b"/%zz%", b"/\x00"]
        for i in range(2000):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                line = rng.choice(methods) + b" " + rng.choice(paths)
                if i % 7 == 0:
                    line += b"?" + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
                headers = b"X-Big: " + b"a" * rng.choice([10, 70_000]) + b"\r\n" if i % 13 == 0 else b""
                s.sendall(line + b" HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
                try:
                    s.recv(1024)
                except OSError:
                    pass
        browse(http, request.url)
        callback = receiver.wait(timeout=10)
        for s in idle:
            s.close()
    assert callback.code and receiver.rejected >= 1


class _SharedVault(Vault):
    def __init__(self) -> None:
        super().__init__(None, session_only=True)


def test_refresh_rotates_once_for_two_threads_and_invalid_grant_needs_reconsent(
    auth_server: AuthServer, http: httpx2.Client, tmp_path: Path
) -> None:
    profile = profile_for(auth_server)
    request, callback = authorize(auth_server, http, profile)
    client = TokenClient(http, profile, ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    vault = _SharedVault()
    auth_server.state.access_lifetime = 60  # inside the refresh leeway: due at once
    first = client.exchange(request, callback.code)  # type: ignore[arg-type, attr-defined]
    auth_server.state.access_lifetime = 3600
    vault.save_tokens("c1", first)
    marked: list[str] = []
    locks = ProcessLocks(tmp_path)  # owned by the app in real use: one per data folder
    managers = [TokenManager("c1", client, vault, marked.append, locks=locks) for _ in range(2)]
    barrier = threading.Barrier(2)
    got: list[str] = []

    def use(m: TokenManager) -> None:
        barrier.wait()
        got.append(m.access_token())

    threads = [threading.Thread(target=use, args=(m,)) for m in managers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert auth_server.state.refresh_requests == 1
    assert len(set(got)) == 1 and got[0] != first.access_token
    stored = vault.load_tokens("c1")
    assert stored is not None and stored.refresh_token != first.refresh_token  # rotated and persisted
    auth_server.state.revoked.add(stored.refresh_token or "")
    with pytest.raises(ReconsentNeeded, match="data is kept"):
        managers[0].after_unauthorized(stored.access_token)
    assert marked == ["c1"]


def test_vault_chunks_long_values_for_windows_sized_backends() -> None:
    class Windowsish(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            self.values: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            if len(password) > 1280:
                raise keyring.errors.PasswordSetError("value too long")
            self.values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if (service, username) not in self.values:
                raise keyring.errors.PasswordDeleteError(username)
            del self.values[(service, username)]

    backend = Windowsish()
    vault = Vault.open(backend)
    from desktop_app.core.oauth.tokens import TokenSet

    tokens = TokenSet(access_token="A" * 5000, refresh_token="R" * 3000)
    vault.save_tokens("c9", tokens)
    assert len(backend.values) > 5 and all(len(v) <= 1280 for v in backend.values.values())
    assert vault.load_tokens("c9") == tokens
    vault.save_tokens("c9", TokenSet(access_token="short"))
    assert len(backend.values) == 1
    vault.delete_connection("c9")
    assert backend.values == {}


def test_missing_keyring_is_explained_and_session_only_works() -> None:
    with pytest.raises(VaultUnavailable, match="no keyring") as info:
        Vault.open(keyring.backends.fail.Keyring())
    assert "plain file" in str(info.value)
    vault = Vault(None, session_only=True)
    assert "session only" in vault.describe()
    from desktop_app.core.oauth.tokens import TokenSet

    vault.save_tokens("c1", TokenSet(access_token="x"))
    assert vault.load_tokens("c1") == TokenSet(access_token="x")


def test_no_secret_reaches_the_logs(
    auth_server: AuthServer, http: httpx2.Client, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    redactor = Redactor()
    caplog.handler.addFilter(RedactingFilter(redactor))
    caplog.set_level(logging.DEBUG)
    vault = Vault(None, session_only=True, redactor=redactor)  # feeds the redactor what it keeps
    vault.save_credentials("test", ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    profile = profile_for(auth_server)
    request, callback = authorize(auth_server, http, profile)
    client = TokenClient(http, profile, ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    tokens = client.exchange(request, callback.code)  # type: ignore[arg-type, attr-defined]
    redactor.register(callback.code)  # type: ignore[attr-defined]
    vault.save_tokens("c1", tokens)
    auth_server.state.access_lifetime = 3600
    refreshed = TokenManager("c1", client, vault, leeway=10**9).access_token()
    assert refreshed != tokens.access_token  # a refreshed token, saved through the vault, is masked too
    log = logging.getLogger("saldo.test")
    log.warning("refreshed %s", refreshed)
    log.warning("token response %s for %r", tokens.access_token, tokens)
    log.info("Authorization: Bearer %s", tokens.access_token)
    log.info("redirect %s?code=%s", request.redirect_uri, callback.code)  # type: ignore[attr-defined]
    print(repr(tokens))
    text = caplog.text + capsys.readouterr().out
    for secret in (tokens.access_token, tokens.refresh_token, callback.code, CLIENT_SECRET, refreshed):  # type: ignore[attr-defined]
        assert secret and secret not in text
    assert "[redacted]" in text

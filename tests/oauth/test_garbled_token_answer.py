"""A token endpoint that answers 200 with something that is not a token loses nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2
import pytest

from desktop_app.core.errors import MalformedTokenResponse, ReconsentNeeded
from desktop_app.core.locks import ProcessLocks
from desktop_app.core.oauth.profile import OAuthProfile
from desktop_app.core.oauth.tokens import ClientCredentials, TokenClient, TokenManager, TokenSet
from desktop_app.core.vault import Vault

BODIES = [b"<html>gateway hiccup</html>", b'{"access_token": ', b"[1, 2]", b'{"token_type": "Bearer"}']


class _Garbled(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@pytest.fixture
def token_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbled)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/token"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("body", BODIES, ids=["html", "cut", "list", "no access token"])
def test_a_garbled_200_on_refresh_says_so_and_keeps_the_previous_tokens(token_url: str, body: bytes) -> None:
    _Garbled.body = body
    vault = Vault(None, session_only=True)
    previous = TokenSet(access_token="old-access-token", refresh_token="old-refresh-token", expires_at=time.time() - 5)
    vault.save_tokens("c1", previous)
    marked: list[str] = []
    profile = OAuthProfile(provider="Test Bank", authorize_url="", token_url=token_url, client_auth="basic_form")
    with httpx2.Client(timeout=5) as http:
        client = TokenClient(http, profile, ClientCredentials("client", "secret"))
        manager = TokenManager("c1", client, vault, marked.append, locks=ProcessLocks(None))
        with pytest.raises(MalformedTokenResponse) as caught:
            manager.access_token()
    message = str(caught.value)
    assert "not a token" in message and "kept the sign-in it had" in message and "http_200" not in message
    assert not isinstance(caught.value, ReconsentNeeded) and marked == []  # not "needs re-consent"
    assert vault.load_tokens("c1") == previous  # nothing was replaced by half an answer
    assert "old-refresh-token" not in message

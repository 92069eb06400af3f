"""The data-API client against a real loopback HTTP server that misbehaves on cue."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2
import pytest

from desktop_app.core.api import ApiClient, RetryPolicy, parse_retry_after
from desktop_app.core.errors import (
    Cancelled,
    MalformedResponse,
    ProviderUnavailable,
    RateLimited,
    ReconsentNeeded,
    RequestRejected,
)

Script = list[tuple[int, dict[str, str], bytes]]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    script: Script
    seen: list[dict[str, str]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append({k.lower(): v for k, v in self.headers.items()})
        status, headers, body = self.server.script.pop(0) if self.server.script else (200, {}, b"{}")
        if status == 0:  # reset the connection without an answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            return
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.script, srv.seen = [], []
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join()


class Tokens:
    def __init__(self) -> None:
        self.token = "tok-1"
        self.refreshes = 0

    def access_token(self) -> str:
        return self.token

    def after_unauthorized(self, rejected: str) -> bool:
        self.refreshes += 1
        if self.refreshes > 1:
            return False
        self.token = "tok-2"
        return True


@pytest.fixture
def client(server: _Server) -> Iterator[ApiClient]:
    with httpx2.Client(timeout=5) as http:
        api = ApiClient(
            http,
            f"http://127.0.0.1:{server.server_address[1]}",
            "Test Bank",
            Tokens(),
            request_id_header="Request-ID",
            retry=RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.002),
        )
        yield api


def test_json_numbers_stay_exact_and_headers_are_sent(server: _Server, client: ApiClient) -> None:
    server.script = [(200, {"Content-Type": "application/json"}, b'{"value": 4843.34}')]
    assert client.get("/v1/accounts") == {"value": Decimal("4843.34")}
    (headers,) = server.seen
    assert headers["authorization"] == "Bearer tok-1"
    assert len(headers["request-id"]) == 36


def test_5xx_429_resets_and_truncated_bodies_are_retried(server: _Server, client: ApiClient) -> None:
    server.script = [
        (503, {}, b"down"),
        (429, {"Retry-After": "0"}, b""),
        (0, {}, b""),
        (200, {}, b'{"accounts": [1, 2'),
    ]
    client.retry.attempts = 6
    assert client.get("/x") == {}
    assert len(server.seen) == 5
    assert len({h["request-id"] for h in server.seen}) == 5  # a fresh id per attempt


def test_retries_are_bounded(server: _Server, client: ApiClient) -> None:
    server.script = [(500, {}, b"")] * 10
    with pytest.raises(ProviderUnavailable, match="Test Bank is having trouble"):
        client.get("/x")
    assert len(server.seen) == 4


def test_persistent_429_is_rate_limited_with_retry_after(server: _Server, client: ApiClient) -> None:
    server.script = [(429, {"Retry-After": "0"}, b"")] * 3 + [(429, {"Retry-After": "120"}, b"")]
    with pytest.raises(RateLimited) as info:
        client.get("/x")
    assert info.value.retry_after == 120


def test_garbage_body_is_malformed_after_retries(server: _Server, client: ApiClient) -> None:
    server.script = [(200, {}, b"<html>oops</html>")] * 4
    with pytest.raises(MalformedResponse, match="cannot read"):
        client.get("/x")


def test_401_refreshes_once_then_needs_reconsent(server: _Server, client: ApiClient) -> None:
    server.script = [(401, {}, b""), (200, {}, b'{"ok": true}')]
    assert client.get("/x") == {"ok": True}
    assert [h["authorization"] for h in server.seen] == ["Bearer tok-1", "Bearer tok-2"]
    server.script = [(401, {}, b"")] * 2
    with pytest.raises(ReconsentNeeded, match="data is kept"):
        client.get("/x")


def test_403_consent_error_and_other_4xx(server: _Server, client: ApiClient) -> None:
    body = json.dumps({"tppMessages": [{"category": "ERROR", "code": "CONSENT_EXPIRED", "text": "expired"}]})
    server.script = [(403, {}, body.encode())]
    with pytest.raises(ReconsentNeeded):
        client.get("/x")
    server.script = [(400, {}, b'{"error": "invalid_request", "error_description": "pageSize must be 10..100"}')]
    with pytest.raises(RequestRejected, match=r"pageSize must be 10\.\.100"):
        client.get("/x")


def test_cancel_interrupts_a_backoff(server: _Server, client: ApiClient) -> None:
    server.script = [(503, {}, b"")] * 5
    client.retry = RetryPolicy(attempts=5, base_delay=30, max_delay=30)
    timer = threading.Timer(0.05, client.cancel.set)
    timer.start()
    with pytest.raises(Cancelled):
        client.get("/x")
    timer.join()


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60
    assert parse_retry_after("soon") is None
    assert parse_retry_after("7") == 7

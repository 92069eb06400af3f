"""The loopback receiver under malformed requests, over real sockets with raw bytes.

Every answer, the stdlib's error cases (400, 414, 431, 501, 505) included, carries
``Cache-Control: no-store`` and ``Referrer-Policy: no-referrer`` and echoes nothing of the request.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.oauth.flow import AuthorizationRequest, build_authorization
from desktop_app.core.oauth.profile import OAuthProfile
from desktop_app.core.oauth.receiver import LoopbackReceiver

MARK = "Echo7q"  # put into every hostile request; must never come back


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[LoopbackReceiver, AuthorizationRequest]]:
    profile = OAuthProfile(
        provider="Test Bank", authorize_url="https://bank.invalid/authorize", token_url="https://bank.invalid/token"
    )
    with LoopbackReceiver(profile) as live:
        request = build_authorization(profile, "client", live.start())
        live.expect(request)
        yield live, request


def exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(raw)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before it has read everything
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except OSError:
            pass
    return b"".join(chunks)


def parse(answer: bytes) -> tuple[int, str, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    version, code, reason = status_line.split(" ", 2)
    assert version in ("HTTP/1.0", "HTTP/1.1")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(code), reason, headers, body


def assert_safe(answer: bytes, mark: str = MARK) -> int:
    code, _reason, headers, body = parse(answer)
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert mark.lower().encode() not in answer.lower()
    assert "python" not in headers.get("server", "").lower()
    assert int(headers["content-length"]) == len(body) or not body  # HEAD: the length, no body
    return code


CASES = {
    "request line too long": (f"GET /{MARK}{'a' * 70_000} HTTP/1.1\r\n\r\n".encode(), 414),
    "header line too long": (f"GET / HTTP/1.1\r\nX-{MARK}: {'a' * 70_000}\r\n\r\n".encode(), 431),
    "too many headers": (b"GET / HTTP/1.1\r\n" + b"".join(f"X-{MARK}{i}: 1\r\n".encode() for i in range(120)), 431),
    "unknown method": (f"BREW{MARK} /callback HTTP/1.1\r\n\r\n".encode(), 501),
    "bad version": (f"GET / HTTP/{MARK}\r\n\r\n".encode(), 400),
    "unsupported version": (b"GET / HTTP/2.0\r\n\r\n", 505),
    "too many words": (f"GET / {MARK} HTTP/1.1\r\n\r\n".encode(), 400),
    "one word": (f"{MARK}\r\n\r\n".encode(), 400),
    "HTTP/0.9 request": (f"GET /callback?state={MARK}\r\n".encode(), 400),
    "HTTP/0.9 other method": (f"POST /{MARK}\r\n".encode(), 400),
    "binary junk": (b"\xff\xfe\x00" + MARK.encode() + b" / HTTP/1.1\r\n\r\n", 501),
}


@pytest.mark.parametrize("name", CASES)
def test_stdlib_error_pages_carry_the_headers_and_echo_nothing(
    receiver: tuple[LoopbackReceiver, AuthorizationRequest], name: str
) -> None:
    raw, expected = CASES[name]
    answer = exchange(receiver[0].port, raw)
    assert assert_safe(answer) == expected
    assert parse(answer)[2]["connection"] == "close"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "BREW", ""]) | st.text(max_size=8),
    path=st.text(max_size=60),
    version=st.sampled_from(["HTTP/1.1", "HTTP/1.0", "", "HTTP/0.9", "HTTP/1.1 x"]) | st.text(max_size=10),
    headers=st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)), max_size=5),
    tail=st.binary(max_size=40),
)
def test_fuzzed_requests_get_a_safe_answer_and_never_a_callback(
    receiver: tuple[LoopbackReceiver, AuthorizationRequest],
    method: str,
    path: str,
    version: str,
    headers: list[tuple[str, str]],
    tail: bytes,
) -> None:
    live, _request = receiver
    line = f"{method} /{MARK}{path} {version}".encode("utf-8", "surrogateescape")
    head = b"".join(f"{k}: {v}\r\n".encode("utf-8", "surrogateescape") for k, v in headers)
    answer = exchange(live.port, line + b"\r\n" + head + b"\r\n" + tail)
    if answer:  # a request cut so short that nothing came of it may get no answer at all
        assert_safe(answer)
    assert not live._done.is_set()


@given(code=st.text(max_size=30), state=st.text(max_size=50))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fuzzed_callbacks_with_a_wrong_state_never_end_the_wait(
    receiver: tuple[LoopbackReceiver, AuthorizationRequest], code: str, state: str
) -> None:
    live, request = receiver
    if state == request.state:
        return
    with httpx2.Client(timeout=10) as http:
        page = http.get(f"http://127.0.0.1:{live.port}/callback", params={"code": code, "state": state})
    assert page.status_code == 400 and page.headers["Cache-Control"] == "no-store"
    assert not live._done.is_set()


def test_after_all_that_the_real_redirect_still_works(receiver: tuple[LoopbackReceiver, AuthorizationRequest]) -> None:
    live, request = receiver
    with httpx2.Client(timeout=10) as http:
        page = http.get(f"http://127.0.0.1:{live.port}/callback", params={"code": "c0de", "state": request.state})
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert live.wait(timeout=5).code == "c0de"

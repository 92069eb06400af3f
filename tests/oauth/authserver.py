"""A small OAuth 2.0 authorization server for the OAuth engine's tests, on loopback.

Deliberately minimal and strict: exact redirect matching (any loopback port), single-use
codes that expire, PKCE S256, refresh-token rotation, and counters the tests read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

CLIENT_ID = "test-client"
CLIENT_SECRET = "test-secret-Zx9"


@dataclass
class State:
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    refresh: dict[str, int] = field(default_factory=dict)
    refresh_requests: int = 0
    token_requests: int = 0
    deny: bool = False
    code_lifetime: float = 60.0
    code_alphabet_tricky: bool = False
    access_lifetime: int = 3600
    revoked: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    auth_mode: str = "basic_form"


class Handler(BaseHTTPRequestHandler):
    server: AuthServer

    def log_message(self, *args: object) -> None:
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        st = self.server.state
        if parts.path != "/authorize":
            self._json(404, {"error": "not_found"})
            return
        redirect = q.get("redirect_uri", "")
        target = urlsplit(redirect)
        if q.get("client_id") != CLIENT_ID or target.hostname not in ("127.0.0.1", "localhost", "::1"):
            self._json(400, {"error": "invalid_request"})
            return
        if st.deny:
            params = {"error": "access_denied", "state": q.get("state", "")}
        else:
            code = secrets.token_urlsafe(24)
            if st.code_alphabet_tricky:
                code = "a+b/c=d%e" + code
            with st.lock:
                st.codes[code] = {
                    "redirect_uri": redirect,
                    "challenge": q.get("code_challenge"),
                    "issued": time.monotonic(),
                    "used": False,
                }
            params = {"code": code, "state": q.get("state", ""), "consentId": "consent-42"}
        self.send_response(302)
        self.send_header("Location", f"{redirect}?{urlencode(params)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        st = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw)
        else:
            body = {k: v[0] for k, v in parse_qs(raw).items()}
        if urlsplit(self.path).path == "/revoke":
            st.revoked.add(body.get("token", ""))
            self._json(200, {})
            return
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            cid, secret = unquote(cid), unquote(secret)
        else:
            cid, secret = body.get("client_id", ""), body.get("client_secret", "")
        if cid != CLIENT_ID or (st.auth_mode != "none" and secret != CLIENT_SECRET):
            self._json(401, {"error": "invalid_client"})
            return
        with st.lock:
            st.token_requests += 1
            if body.get("grant_type") == "authorization_code":
                grant = st.codes.get(body.get("code", ""))
                if (
                    grant is None
                    or grant["used"]
                    or time.monotonic() - grant["issued"] > st.code_lifetime
                    or grant["redirect_uri"] != body.get("redirect_uri")
                ):
                    self._json(400, {"error": "invalid_grant", "error_description": "bad code"})
                    return
                grant["used"] = True
                if grant["challenge"]:
                    verifier = body.get("code_verifier", "")
                    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
                    if digest.decode() != grant["challenge"]:
                        self._json(400, {"error": "invalid_grant", "error_description": "pkce"})
                        return
            elif body.get("grant_type") == "refresh_token":
                st.refresh_requests += 1
                token = body.get("refresh_token", "")
                if token not in st.refresh or token in st.revoked:
                    self._json(400, {"error": "invalid_grant"})
                    return
                del st.refresh[token]  # rotation: the old one is spent
            else:
                self._json(400, {"error": "unsupported_grant_type"})
                return
            refresh = secrets.token_urlsafe(24)
            st.refresh[refresh] = 1
        self._json(
            200,
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": st.access_lifetime,
                "refresh_token": refresh,
                "refresh_token_expires_in": "2592000",
                "consentId": "consent-42",
            },
        )


class AuthServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = State()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> AuthServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()

"""Fixtures for talking to the sandbox over real loopback HTTP, as clients and as the browser."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx2
import pytest

from saldo_sandbox import Sandbox

# 2026-03-14 12:00:00 UTC: tests run on a fixed sandbox clock, moved only by `advance`.
NOW = 1_773_489_600.0
RECEIVER = "http://127.0.0.1:5123"  # any loopback port is accepted; nothing listens here


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=3, transactions=400, clock=lambda: NOW) as sb:
        yield sb


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=10, follow_redirects=False) as client:
        yield client


def basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.method = ""
        self.inputs: list[dict[str, str | None]] = []
        self.buttons: list[dict[str, str | None]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.action, self.method = a.get("action") or "", a.get("method") or ""
        elif tag == "input":
            self.inputs.append(a)
        elif tag == "button":
            self.buttons.append(a)
        elif tag == "script":
            self.scripts += 1


@dataclass
class ConsentPage:
    url: str
    status: int
    html: str
    form: _Form

    def fields(self, name: str) -> list[str]:
        return [str(i.get("value")) for i in self.form.inputs if i.get("name") == name]


def open_consent(http: httpx2.Client, authorize_url: str, expect: int = 302) -> ConsentPage:
    """GET the authorize URL (one redirect, of status `expect`) and then the consent page."""
    first = http.get(authorize_url)
    assert first.status_code == expect, first.text
    location = first.headers["Location"]
    assert "/consent?request_id=" in location, location
    page = http.get(urljoin(authorize_url, location))
    parser = _Form()
    parser.feed(page.text)
    return ConsentPage(str(page.url), page.status_code, page.text, parser)


def submit(
    http: httpx2.Client,
    page: ConsentPage,
    decision: str = "approve",
    accounts: list[str] | None = None,
    customer: str | None = None,
    scopes: list[str] | None = None,
) -> httpx2.Response:
    """Post the consent form as a browser would; None means "leave the defaults ticked"."""
    fields: list[tuple[str, str]] = [("request_id", page.fields("request_id")[0])]
    fields += [("account", a) for a in (page.fields("account") if accounts is None else accounts)]
    if page.fields("customer"):
        fields.append(("customer", customer or "c1"))
    if page.fields("scope") or scopes is not None:
        fields += [("scope", s) for s in (page.fields("scope") if scopes is None else scopes)]
    fields.append(("decision", decision))
    return http.post(urljoin(page.url, page.form.action), content=urlencode(fields).encode(), headers=FORM)


def approve(http: httpx2.Client, authorize_url: str, expect: int = 302, **choices: object) -> dict[str, str]:
    """Walk the whole consent and return the query the provider sent back to the client."""
    back = submit(http, open_consent(http, authorize_url, expect), **choices)  # type: ignore[arg-type]
    assert back.status_code == 302, back.text
    assert back.headers["Location"].startswith(RECEIVER), back.headers["Location"]
    return query_of(back.headers["Location"])


# -- per-provider authorize URLs and token calls ---------------------------------------------


def demo_authorize(sandbox: Sandbox, challenge: str, **extra: str) -> str:
    q = {
        "client_id": "demo-client",
        "redirect_uri": f"{RECEIVER}/callback/demo",
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "st-demo",
        **extra,
    }
    return f"{sandbox.url}/demo/oauth/authorize?{urlencode(q)}"


def demo_tokens(sandbox: Sandbox, http: httpx2.Client, **choices: object) -> dict[str, object]:
    verifier, challenge = pkce()
    back = approve(http, demo_authorize(sandbox, challenge), **choices)
    body = {
        "grant_type": "authorization_code",
        "client_id": "demo-client",
        "code": back["code"],
        "redirect_uri": f"{RECEIVER}/callback/demo",
        "code_verifier": verifier,
    }
    response = http.post(sandbox.endpoint("demo", "token"), content=urlencode(body).encode(), headers=FORM)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def aiia_authorize(sandbox: Sandbox, scope: str | None = None, redirect: str | None = None) -> str:
    q = {
        "client_id": "aiia-client",
        "redirect_uri": redirect or f"{RECEIVER}/callback/aiia",
        "response_type": "code",
        "state": "st-aiia",
    }
    if scope is not None:
        q["scope"] = scope
    return f"{sandbox.url}/aiia/v1/oauth/connect?{urlencode(q)}"


def aiia_token(http: httpx2.Client, sandbox: Sandbox, body: dict[str, str]) -> httpx2.Response:
    return http.post(sandbox.endpoint("aiia", "token"), json=body, headers=basic("aiia-client", "aiia-secret"))


def aiia_tokens(sandbox: Sandbox, http: httpx2.Client, scope: str | None = None) -> dict[str, object]:
    redirect = f"{RECEIVER}/callback/aiia"
    back = approve(http, aiia_authorize(sandbox, scope), expect=301 if scope == "accounts" else 302)
    response = aiia_token(
        http, sandbox, {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect}
    )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def tatra_authorize(sandbox: Sandbox, scope: str = "AISP") -> str:
    q = {
        "client_id": "tatrabanka-client",
        "redirect_uri": f"{RECEIVER}/callback/tatrabanka",
        "response_type": "code",
        "scope": scope,
        "state": "st-tb",
    }
    return f"{sandbox.url}/tatrabanka/auth/oauth/v2/authorize?{urlencode(q)}"


def tatra_token(http: httpx2.Client, sandbox: Sandbox, body: dict[str, str]) -> httpx2.Response:
    return http.post(
        sandbox.endpoint("tatrabanka", "token"),
        content=urlencode(body).encode(),
        headers={**FORM, **basic("tatrabanka-client", "tatrabanka-secret")},
    )


def tatra_tokens(sandbox: Sandbox, http: httpx2.Client) -> dict[str, object]:
    back = approve(http, tatra_authorize(sandbox))
    response = tatra_token(
        http,
        sandbox,
        {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": f"{RECEIVER}/callback/tatrabanka"},
    )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def connectpay_authorize(sandbox: Sandbox, scope: str = "psd2-ais", **extra: str) -> str:
    q = {
        "client_id": "connectpay-client",
        "flowId": "GetPSD2AuthCode",
        "nonce": str(uuid.uuid4()),
        "scope": scope,
        "state": "st-cp",
        "redirect_url": f"{RECEIVER}/callback/connectpay",
        "response_type": "code",
        **extra,
    }
    return f"{sandbox.url}/connectpay/auth/v1/oauth2/authorize?{urlencode(q)}"


def connectpay_token(http: httpx2.Client, sandbox: Sandbox, body: dict[str, str]) -> httpx2.Response:
    return http.post(
        sandbox.endpoint("connectpay", "token"),
        content=urlencode(body).encode(),
        headers={**FORM, **basic("connectpay-client", "connectpay-secret"), "X-Request-ID": str(uuid.uuid4())},
    )


def connectpay_tokens(sandbox: Sandbox, http: httpx2.Client, scope: str = "psd2-ais", **choices: object) -> Any:
    back = approve(http, connectpay_authorize(sandbox, scope), expect=301, **choices)
    response = connectpay_token(http, sandbox, {"grant_type": "authorization_code", "code": back["code"]})
    assert response.status_code == 200, response.text
    return response.json()


def aritma_authorize(sandbox: Sandbox, challenge: str | None, scope: str, **extra: str) -> str:
    q = {
        "client_id": "aritma-client",
        "redirect_uri": f"{RECEIVER}/callback/aritma",
        "response_type": "code",
        "scope": scope,
        "state": "st-ar",
        **extra,
    }
    if challenge:
        q.update(code_challenge=challenge, code_challenge_method="S256")
    return f"{sandbox.url}/aritma/saldo/connect/authorize?{urlencode(q)}"


def aritma_token(http: httpx2.Client, sandbox: Sandbox, body: dict[str, str]) -> httpx2.Response:
    return http.post(sandbox.endpoint("aritma", "token"), content=urlencode(body).encode(), headers=FORM)


def aritma_code_body(code: str, verifier: str | None) -> dict[str, str]:
    body = {
        "grant_type": "authorization_code",
        "client_id": "aritma-client",
        "client_secret": "aritma-secret",
        "code": code,
        "redirect_uri": f"{RECEIVER}/callback/aritma",
    }
    if verifier:
        body["code_verifier"] = verifier
    return body


def aritma_tokens(sandbox: Sandbox, http: httpx2.Client, scope: str = "openid banking.ais.read offline_access") -> Any:
    verifier, challenge = pkce()
    back = approve(http, aritma_authorize(sandbox, challenge, scope))
    response = aritma_token(http, sandbox, aritma_code_body(back["code"], verifier))
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: object, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}

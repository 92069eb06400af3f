"""Authorization requests and redirect validation, without a network."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from desktop_app.core.errors import AccessDenied, OAuthError, StateMismatch
from desktop_app.core.oauth.flow import build_authorization, parse_pasted_redirect, validate_callback
from desktop_app.core.oauth.profile import OAuthProfile

AIIA = OAuthProfile(
    provider="Aiia",
    authorize_url="https://api.example/v1/oauth/connect",
    token_url="https://api.example/v1/oauth/token",
    scopes=("accounts", "offline_access"),
    pkce=False,
    client_auth="basic_json",
    callback_extras=("consentId",),
)
CONNECTPAY = OAuthProfile(
    provider="ConnectPay",
    authorize_url="https://auth.example/auth/redirect",
    token_url="https://api.example/auth/v1/oauth2/token",
    scopes=("psd2-ais",),
    redirect_param="redirect_url",
    pkce=False,
    nonce="guid",
    client_auth="basic_form",
    extra_authorize_params={"flowId": "GetPSD2AuthCode"},
    callback_extras=("flowId",),
)


def test_pkce_rfc7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert create_s256_code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_demo_style_request_has_pkce_and_a_strong_state() -> None:
    profile = OAuthProfile("Demo", "https://demo.example/authorize", "https://demo.example/token", ("accounts",))
    request = build_authorization(profile, "demo-client", "http://127.0.0.1:5555/callback")
    q = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    assert q["code_challenge_method"] == "S256"
    assert request.code_verifier is not None and 43 <= len(request.code_verifier) <= 128
    assert q["code_challenge"] == create_s256_code_challenge(request.code_verifier)
    assert len(request.state) >= 43 and q["state"] == request.state
    assert q["redirect_uri"] == "http://127.0.0.1:5555/callback"
    assert build_authorization(profile, "demo-client", "http://x/cb").state != request.state


def test_connectpay_quirks() -> None:
    request = build_authorization(CONNECTPAY, "cp-client", "http://127.0.0.1:4000/cb/connectpay")
    q = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    assert q["redirect_url"] == "http://127.0.0.1:4000/cb/connectpay" and "redirect_uri" not in q
    assert q["flowId"] == "GetPSD2AuthCode"
    assert uuid.UUID(q["nonce"]).version == 4
    assert "code_challenge" not in q


def test_aiia_scopes_and_optional_group() -> None:
    request = build_authorization(AIIA, "aiia-client", "http://127.0.0.1:1/cb", {"accountsGroupName": "Family"})
    q = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    assert q["scope"] == "accounts offline_access" and q["accountsGroupName"] == "Family"


def test_state_is_checked_before_anything_else() -> None:
    request = build_authorization(AIIA, "c", "http://127.0.0.1:1/cb")
    with pytest.raises(StateMismatch):
        validate_callback(request, "error=access_denied&state=wrong")
    with pytest.raises(StateMismatch):
        validate_callback(request, "code=abc")
    with pytest.raises(AccessDenied, match="declined access"):
        validate_callback(request, f"error=access_denied&state={request.state}")
    with pytest.raises(OAuthError, match="without an authorization code"):
        validate_callback(request, f"state={request.state}")


def test_code_with_reserved_characters_is_decoded_exactly_once() -> None:
    request = build_authorization(AIIA, "c", "http://127.0.0.1:1/cb")
    code = "a+b/c=d%e"
    got = validate_callback(request, f"code={quote(code, safe='')}&state={request.state}&consentId=abc-1")
    assert got.code == code
    assert got.extras == {"consentId": "abc-1"}


def test_paste_back_uses_the_same_checks() -> None:
    request = build_authorization(AIIA, "c", "http://127.0.0.1:5000/cb")
    assert parse_pasted_redirect(request, f"  http://127.0.0.1:5000/cb?code=xyz&state={request.state} ").code == "xyz"
    with pytest.raises(StateMismatch):
        parse_pasted_redirect(request, "http://127.0.0.1:5000/cb?code=xyz&state=nope")
    with pytest.raises(OAuthError, match="not the one"):
        parse_pasted_redirect(request, "https://elsewhere.example/?code=xyz")

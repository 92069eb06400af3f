"""Authorization and token endpoints of every provider, over real HTTP, as the documents describe them."""

from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import urlencode

import httpx2
import pytest

from saldo_sandbox import Sandbox
from tests.sandbox.conftest import (
    FORM,
    RECEIVER,
    aiia_authorize,
    aiia_token,
    aiia_tokens,
    approve,
    aritma_authorize,
    aritma_code_body,
    aritma_token,
    basic,
    bearer,
    connectpay_authorize,
    connectpay_token,
    connectpay_tokens,
    demo_authorize,
    demo_tokens,
    open_consent,
    pkce,
    query_of,
    submit,
    tatra_authorize,
    tatra_token,
    tatra_tokens,
)

# -- Aiia ----------------------------------------------------------------------------------


def test_aiia_regular_flow_answers_302_and_one_time_301(sandbox: Sandbox, http: httpx2.Client) -> None:
    assert http.get(aiia_authorize(sandbox)).status_code == 302  # default scope: accounts offline_access
    assert http.get(aiia_authorize(sandbox, "accounts offline_access")).status_code == 302
    assert http.get(aiia_authorize(sandbox, "accounts")).status_code == 301
    bad = http.get(aiia_authorize(sandbox, "accounts payments"))
    assert bad.status_code == 302 and query_of(bad.headers["Location"]) == {
        "error": "invalid_scope",
        "state": "st-aiia",
    }


def test_aiia_callback_brings_consent_id_and_a_code_that_is_not_url_safe(sandbox: Sandbox, http: httpx2.Client) -> None:
    page = open_consent(http, aiia_authorize(sandbox))
    back = submit(http, page)
    raw_query = back.headers["Location"].split("?", 1)[1]
    params = query_of(back.headers["Location"])
    assert set(params) == {"code", "state", "consentId"} and params["state"] == "st-aiia"
    assert uuid.UUID(params["consentId"])
    assert set("+/=%") <= set(params["code"])  # decoded once, the code still has these
    assert "%2B" in raw_query and "%2F" in raw_query  # ... and on the wire they are percent-encoded


def test_aiia_token_takes_basic_auth_and_a_json_body(sandbox: Sandbox, http: httpx2.Client) -> None:
    redirect = f"{RECEIVER}/callback/aiia"
    back = approve(http, aiia_authorize(sandbox))
    body = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect}
    url = sandbox.endpoint("aiia", "token")
    as_form = http.post(url, content=urlencode(body).encode(), headers={**FORM, **basic("aiia-client", "aiia-secret")})
    assert as_form.status_code == 415
    assert http.post(url, json=body).status_code == 401  # no client authentication
    wrong = http.post(url, json=body, headers=basic("aiia-client", "nope"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    good = aiia_token(http, sandbox, body)
    assert good.status_code == 200
    tokens = good.json()
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 3600
    assert tokens["refresh_token"] and tokens["access_token"] and tokens["consentId"] == back["consentId"]
    again = aiia_token(http, sandbox, body)  # a code is single-use
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant" and "errorMessage" in again.json()


def test_aiia_wrongly_decoded_code_and_mismatched_redirect_are_refused(sandbox: Sandbox, http: httpx2.Client) -> None:
    redirect = f"{RECEIVER}/callback/aiia"
    back = approve(http, aiia_authorize(sandbox))
    double = back["code"].replace("+", " ")  # what decoding a second time does to it
    twice = aiia_token(http, sandbox, {"grant_type": "authorization_code", "code": double, "redirect_uri": redirect})
    assert twice.status_code == 400 and twice.json()["error"] == "invalid_grant"
    back = approve(http, aiia_authorize(sandbox))
    other = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": f"{RECEIVER}/callback/x"}
    assert aiia_token(http, sandbox, other).json()["error"] == "invalid_grant"


def test_aiia_refresh_rotates_and_one_time_gets_both_tokens(sandbox: Sandbox, http: httpx2.Client) -> None:
    tokens = aiia_tokens(sandbox, http)
    fresh = aiia_token(http, sandbox, {"grant_type": "refresh_token", "refresh_token": str(tokens["refresh_token"])})
    assert fresh.status_code == 200 and fresh.json()["refresh_token"] != tokens["refresh_token"]
    reuse = aiia_token(http, sandbox, {"grant_type": "refresh_token", "refresh_token": str(tokens["refresh_token"])})
    assert reuse.json()["error"] == "invalid_grant"
    one_time = aiia_tokens(sandbox, http, scope="accounts")
    assert one_time["access_token"] and one_time["refresh_token"] and one_time["scope"] == "accounts"
    refresh = {"grant_type": "refresh_token", "refresh_token": str(one_time["refresh_token"])}
    renewed = aiia_token(http, sandbox, refresh)
    assert renewed.status_code == 200, "a one-time refresh token works inside the window"
    sandbox.admin("advance", seconds=25 * 3600)
    late = aiia_token(http, sandbox, {**refresh, "refresh_token": str(renewed.json()["refresh_token"])})
    assert late.json()["error"] == "invalid_grant", "and not after the provider deleted the data"


def test_aiia_wildcard_paths_match_but_not_other_hosts_or_queries(sandbox: Sandbox, http: httpx2.Client) -> None:
    assert http.get(aiia_authorize(sandbox, redirect=f"{RECEIVER}/aiia/deep/path")).status_code == 302
    for redirect in (
        "https://evil.example/aiia/x",
        f"{RECEIVER}/aiia/x?tenant=1",
        f"{RECEIVER}/aiiaX/y",
        "http://127.0.0.2:5123/callback/aiia",
    ):
        refused = http.get(aiia_authorize(sandbox, redirect=redirect))
        assert refused.status_code == 400 and "Location" not in refused.headers, redirect


# -- loopback redirects and exact matching (every provider) ---------------------------------


@pytest.mark.parametrize(
    ("redirect", "ok"),
    [
        ("http://127.0.0.1:49152/callback/tatrabanka", True),
        ("http://127.0.0.1/callback/tatrabanka", True),
        ("http://[::1]:8080/callback/tatrabanka", True),
        ("http://localhost:1/callback/tatrabanka", True),
        ("http://127.0.0.1:49152/callback/tatrabanka/", False),
        ("http://127.0.0.1:49152/callback/aiia", False),
        ("https://127.0.0.1:49152/callback/tatrabanka", False),
        ("http://127.0.0.1:49152/callback/tatrabanka?x=1", False),
        ("http://127.0.0.1:49152/callback/tatrabanka#frag", False),
        ("http://example.com/callback/tatrabanka", False),
    ],
)
def test_redirects_match_exactly_except_the_loopback_port(
    sandbox: Sandbox, http: httpx2.Client, redirect: str, ok: bool
) -> None:
    q = {"client_id": "tatrabanka-client", "redirect_uri": redirect, "response_type": "code", "scope": "AISP"}
    response = http.get(f"{sandbox.url}/tatrabanka/auth/oauth/v2/authorize?{urlencode(q)}")
    if ok:
        assert response.status_code == 302 and "/consent?" in response.headers["Location"]
    else:
        assert response.status_code == 400 and "Location" not in response.headers


def test_unknown_client_is_an_error_page_not_a_redirect(sandbox: Sandbox, http: httpx2.Client) -> None:
    url = aiia_authorize(sandbox).replace("aiia-client", "stranger")
    response = http.get(url)
    assert response.status_code == 400 and "Location" not in response.headers and "invalid_client" in response.text


def test_state_is_echoed_exactly_and_left_out_when_not_sent(sandbox: Sandbox, http: httpx2.Client) -> None:
    _, challenge = pkce()
    odd = "ä b+c/=&%"
    assert approve(http, demo_authorize(sandbox, challenge, state=odd))["state"] == odd
    q = {"client_id": "tatrabanka-client", "redirect_uri": f"{RECEIVER}/callback/tatrabanka", "response_type": "code"}
    url = f"{sandbox.url}/tatrabanka/auth/oauth/v2/authorize"
    stateless = submit(http, open_consent(http, f"{url}?{urlencode({**q, 'scope': 'AISP'})}"))
    assert set(query_of(stateless.headers["Location"])) == {"code"}
    wrong_type = http.get(f"{url}?{urlencode({**q, 'response_type': 'token'})}")
    assert query_of(wrong_type.headers["Location"]) == {"error": "unsupported_response_type"}


# -- codes: single use, 60 seconds ------------------------------------------------------


def test_codes_expire_after_sixty_seconds(sandbox: Sandbox, http: httpx2.Client) -> None:
    redirect = f"{RECEIVER}/callback/tatrabanka"
    fresh = approve(http, tatra_authorize(sandbox))
    sandbox.advance(seconds=59)
    ok = tatra_token(
        http, sandbox, {"grant_type": "authorization_code", "code": fresh["code"], "redirect_uri": redirect}
    )
    assert ok.status_code == 200
    stale = approve(http, tatra_authorize(sandbox))
    sandbox.admin("advance", seconds=61)
    late = tatra_token(
        http, sandbox, {"grant_type": "authorization_code", "code": stale["code"], "redirect_uri": redirect}
    )
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
    assert set(late.json()) == {"error", "error_description"}


def test_a_code_works_once_even_when_the_first_use_failed(sandbox: Sandbox, http: httpx2.Client) -> None:
    verifier, challenge = pkce()
    back = approve(http, demo_authorize(sandbox, challenge))
    body = {
        "grant_type": "authorization_code",
        "client_id": "demo-client",
        "code": back["code"],
        "redirect_uri": f"{RECEIVER}/callback/demo",
        "code_verifier": "not-the-verifier-" + "x" * 30,
    }
    url = sandbox.endpoint("demo", "token")
    assert http.post(url, content=urlencode(body).encode(), headers=FORM).json()["error"] == "invalid_grant"
    body["code_verifier"] = verifier
    assert http.post(url, content=urlencode(body).encode(), headers=FORM).json()["error"] == "invalid_grant"


def test_a_code_belongs_to_its_provider(sandbox: Sandbox, http: httpx2.Client) -> None:
    back = approve(http, tatra_authorize(sandbox))
    stolen = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": f"{RECEIVER}/callback/aiia"}
    assert aiia_token(http, sandbox, stolen).json()["error"] == "invalid_grant"


# -- Demo Bank ---------------------------------------------------------------------------


def test_demo_requires_pkce_s256(sandbox: Sandbox, http: httpx2.Client) -> None:
    url = demo_authorize(sandbox, "c" * 43)
    without = http.get(url.replace("code_challenge=", "nothing="))
    assert query_of(without.headers["Location"])["error"] == "invalid_request"
    plain = http.get(url.replace("code_challenge_method=S256", "code_challenge_method=plain"))
    assert query_of(plain.headers["Location"])["error"] == "invalid_request"


def test_demo_tokens_refresh_and_revocation(sandbox: Sandbox, http: httpx2.Client) -> None:
    tokens = demo_tokens(sandbox, http)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    api = sandbox.endpoint("demo", "api")
    assert http.get(f"{api}/api/accounts", headers=bearer(tokens["access_token"])).status_code == 200
    body = {"grant_type": "refresh_token", "client_id": "demo-client", "refresh_token": tokens["refresh_token"]}
    fresh = http.post(sandbox.endpoint("demo", "token"), content=urlencode(body).encode(), headers=FORM).json()
    assert fresh["access_token"] != tokens["access_token"]
    revoke = http.post(
        f"{sandbox.url}/demo/oauth/revoke", content=urlencode({"token": fresh["refresh_token"]}).encode(), headers=FORM
    )
    assert revoke.status_code == 200
    assert http.get(f"{api}/api/accounts", headers=bearer(fresh["access_token"])).status_code == 401


def test_access_tokens_expire(sandbox: Sandbox, http: httpx2.Client) -> None:
    tokens = demo_tokens(sandbox, http)
    url = f"{sandbox.endpoint('demo', 'api')}/api/accounts"
    sandbox.advance(seconds=3599)
    assert http.get(url, headers=bearer(tokens["access_token"])).status_code == 200
    sandbox.advance(seconds=2)
    expired = http.get(url, headers=bearer(tokens["access_token"]))
    assert expired.status_code == 401 and expired.json()["error"] == "invalid_token"


def test_denial_redirects_back_with_access_denied_and_state(sandbox: Sandbox, http: httpx2.Client) -> None:
    _, challenge = pkce()
    back = submit(http, open_consent(http, demo_authorize(sandbox, challenge)), decision="deny")
    assert back.status_code == 302
    params = query_of(back.headers["Location"])
    assert params["error"] == "access_denied" and params["state"] == "st-demo" and "code" not in params
    nothing = submit(http, open_consent(http, demo_authorize(sandbox, challenge)), accounts=[])
    assert query_of(nothing.headers["Location"])["error"] == "access_denied"


def test_only_ticked_accounts_are_shared(sandbox: Sandbox, http: httpx2.Client) -> None:
    _, challenge = pkce()
    page = open_consent(http, demo_authorize(sandbox, challenge))
    first = page.fields("account")[0]
    tokens = demo_tokens(sandbox, http, accounts=[first])
    listed = http.get(f"{sandbox.url}/demo/api/accounts", headers=bearer(tokens["access_token"])).json()["accounts"]
    assert [a["id"] for a in listed] == [first]
    other = page.fields("account")[1]
    assert (
        http.get(
            f"{sandbox.url}/demo/api/accounts/{other}/transactions", headers=bearer(tokens["access_token"])
        ).status_code
        == 404
    )


def test_consent_page_is_plain_html_that_works_once(sandbox: Sandbox, http: httpx2.Client) -> None:
    _, challenge = pkce()
    page = open_consent(http, demo_authorize(sandbox, challenge))
    assert page.status == 200 and "Demo Bank" in page.html
    assert page.form.scripts == 0 and "javascript" not in page.html.lower()
    assert page.form.method == "post" and page.form.action == "/demo/consent"
    assert [b.get("value") for b in page.form.buttons] == ["deny", "approve"]
    assert len(page.fields("account")) == 3 and page.fields("request_id")
    assert "http://" not in page.html and "https://" not in page.html  # no external assets
    assert submit(http, page).status_code == 302
    assert submit(http, page).status_code == 400  # a consent request answers once
    assert http.get(page.url).status_code == 404


def test_consent_requests_expire(sandbox: Sandbox, http: httpx2.Client) -> None:
    _, challenge = pkce()
    page = open_consent(http, demo_authorize(sandbox, challenge))
    sandbox.advance(seconds=16 * 60)
    assert http.get(page.url).status_code == 404
    assert submit(http, page).status_code == 400


def test_auto_approve_redirects_straight_back_after_validating(sandbox: Sandbox, http: httpx2.Client) -> None:
    sandbox.admin("settings", auto_approve=True)
    _, challenge = pkce()
    back = http.get(demo_authorize(sandbox, challenge))
    assert back.status_code == 302 and back.headers["Location"].startswith(f"{RECEIVER}/callback/demo?")
    assert set(query_of(back.headers["Location"])) == {"code", "state"}
    one_time = http.get(aiia_authorize(sandbox, "accounts"))
    assert one_time.status_code == 301 and "consentId" in query_of(one_time.headers["Location"])
    refused = http.get(demo_authorize(sandbox, challenge).replace("demo-client", "x"))
    assert refused.status_code == 400


# -- Aritma --------------------------------------------------------------------------------


def test_aritma_client_secret_post_pkce_offline_access_and_id_token(sandbox: Sandbox, http: httpx2.Client) -> None:
    verifier, challenge = pkce()
    back = approve(http, aritma_authorize(sandbox, challenge, "openid banking.ais.read offline_access", nonce="n-1"))
    assert back["state"] == "st-ar"
    tokens = aritma_token(http, sandbox, aritma_code_body(back["code"], verifier)).json()
    assert tokens["expires_in"] == 86400 and tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    _header, claims, signature = tokens["id_token"].split(".")
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert decoded["aud"] == "aritma-client" and decoded["nonce"] == "n-1" and signature == ""
    refreshed = aritma_token(
        http,
        sandbox,
        {
            "grant_type": "refresh_token",
            "client_id": "aritma-client",
            "client_secret": "aritma-secret",
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert refreshed.status_code == 200 and refreshed.json()["expires_in"] == 86400


def test_aritma_refresh_only_with_offline_access_and_id_token_only_with_openid(
    sandbox: Sandbox, http: httpx2.Client
) -> None:
    verifier, challenge = pkce()
    back = approve(http, aritma_authorize(sandbox, challenge, "banking.ais.read"))
    tokens = aritma_token(http, sandbox, aritma_code_body(back["code"], verifier)).json()
    assert "refresh_token" not in tokens and "id_token" not in tokens and tokens["access_token"]


def test_aritma_pkce_failure(sandbox: Sandbox, http: httpx2.Client) -> None:
    _, challenge = pkce()
    back = approve(http, aritma_authorize(sandbox, challenge, "openid banking.ais.read"))
    wrong, _ = pkce()
    refused = aritma_token(http, sandbox, aritma_code_body(back["code"], wrong))
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    back = approve(http, aritma_authorize(sandbox, challenge, "openid banking.ais.read"))
    missing = aritma_token(http, sandbox, aritma_code_body(back["code"], None))
    assert missing.json()["error"] == "invalid_grant"


def test_aritma_client_secret_must_be_in_the_body(sandbox: Sandbox, http: httpx2.Client) -> None:
    verifier, challenge = pkce()
    back = approve(http, aritma_authorize(sandbox, challenge, "banking.ais.read"))
    body = aritma_code_body(back["code"], verifier)
    del body["client_secret"]
    as_basic = http.post(
        sandbox.endpoint("aritma", "token"),
        content=urlencode(body).encode(),
        headers={**FORM, **basic("aritma-client", "aritma-secret")},
    )
    assert as_basic.status_code == 401 and as_basic.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"prompt": "none"}, "login_required"),
        ({"acr_values": "mfa"}, "invalid_request"),
        ({"acr_values": "mfa", "prompt": "consent"}, "invalid_request"),
        ({"prompt": "sideways"}, "invalid_request"),
    ],
)
def test_aritma_prompt_and_acr_values(sandbox: Sandbox, http: httpx2.Client, extra: dict[str, str], error: str) -> None:
    response = http.get(aritma_authorize(sandbox, None, "openid", **extra))
    assert response.status_code == 302
    params = query_of(response.headers["Location"])
    assert params["error"] == error and params["state"] == "st-ar" and "code" not in params


def test_aritma_prompt_login_with_mfa_reaches_consent(sandbox: Sandbox, http: httpx2.Client) -> None:
    page = open_consent(http, aritma_authorize(sandbox, None, "openid", prompt="login", acr_values="mfa"))
    assert page.status == 200 and "Aritma" in page.html


# -- ConnectPay ----------------------------------------------------------------------------


def test_connectpay_authorize_rules(sandbox: Sandbox, http: httpx2.Client) -> None:
    assert http.get(connectpay_authorize(sandbox)).status_code == 301
    assert http.get(connectpay_authorize(sandbox, "psd2-ais psd2-pis")).status_code == 301
    mixed = http.get(connectpay_authorize(sandbox, "psd2-ais accounts.read"))
    assert mixed.status_code == 400 and mixed.json()["error"] == "invalid_scope" and "mixed" in mixed.text
    for extra in (
        {"nonce": "123"},
        {"nonce": str(uuid.uuid1())},  # a GUID, but not version 4
        {"flowId": "SomethingElse"},
        {"redirect_url": f"{RECEIVER}/callback/connectpay?x=1"},
    ):
        assert http.get(connectpay_authorize(sandbox, **extra)).status_code == 400, extra
    lower = connectpay_authorize(sandbox).replace("flowId=", "flowid=")
    assert http.get(lower).status_code == 301  # the documented sample spells it flowid
    nonce = str(uuid.uuid4())
    assert http.get(connectpay_authorize(sandbox, nonce=nonce)).status_code == 301
    replay = http.get(connectpay_authorize(sandbox, nonce=nonce))
    assert replay.status_code == 400 and "nonce" in replay.text


def test_connectpay_callback_and_token(sandbox: Sandbox, http: httpx2.Client) -> None:
    page = open_consent(http, connectpay_authorize(sandbox, "psd2-ais psd2-pis"), expect=301)
    assert page.fields("customer") == ["c1", "c2"] and page.fields("scope") == ["psd2-ais", "psd2-pis"]
    back = query_of(submit(http, page, scopes=["psd2-ais"]).headers["Location"])
    assert set(back) == {"code", "state", "flowId"} and back["flowId"] == "GetPSD2AuthCode"
    body = {"grant_type": "authorization_code", "code": back["code"]}
    no_request_id = http.post(
        sandbox.endpoint("connectpay", "token"),
        content=urlencode(body).encode(),
        headers={**FORM, **basic("connectpay-client", "connectpay-secret")},
    )
    assert no_request_id.status_code == 400
    tokens = connectpay_token(http, sandbox, body).json()
    assert tokens["scope"] == "psd2-ais"  # a partial grant
    assert tokens["refresh_token_expires_in"] == "2592000" and isinstance(tokens["expires_in"], int)
    assert tokens["expires_in"] == 3600 and tokens["token_type"] == "Bearer"
    assert tokens["client_customer_name"] == "Al********en"
    second = connectpay_token(http, sandbox, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    rotated = second.json()
    assert rotated["refresh_token"] != tokens["refresh_token"] and rotated["access_token"] != tokens["access_token"]
    reused = connectpay_token(http, sandbox, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert reused.json()["error"] == "invalid_grant"


def test_connectpay_refresh_token_lasts_thirty_days(sandbox: Sandbox, http: httpx2.Client) -> None:
    tokens = connectpay_tokens(sandbox, http)
    sandbox.advance(days=29)
    renewed = connectpay_token(http, sandbox, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert renewed.status_code == 200
    sandbox.advance(days=31)
    late = connectpay_token(
        http, sandbox, {"grant_type": "refresh_token", "refresh_token": renewed.json()["refresh_token"]}
    )
    assert late.json()["error"] == "invalid_grant"


def test_connectpay_denying_every_scope_is_an_error_with_flow_id(sandbox: Sandbox, http: httpx2.Client) -> None:
    page = open_consent(http, connectpay_authorize(sandbox, "psd2-ais psd2-pis"), expect=301)
    back = query_of(submit(http, page, scopes=[]).headers["Location"])
    assert back["error"] == "access_denied" and back["flowId"] == "GetPSD2AuthCode" and back["state"] == "st-cp"
    assert "code" not in back
    page = open_consent(http, connectpay_authorize(sandbox), expect=301)
    denied = query_of(submit(http, page, decision="deny").headers["Location"])
    assert denied["error"] == "access_denied" and denied["flowId"] == "GetPSD2AuthCode"


def test_connectpay_token_is_per_customer(sandbox: Sandbox, http: httpx2.Client) -> None:
    headers = {"X-Request-ID": str(uuid.uuid4())}
    personal = connectpay_tokens(sandbox, http)
    company = connectpay_tokens(sandbox, http, customer="c2")
    assert company["client_customer_name"] == "Je********AB"
    url = f"{sandbox.url}/connectpay/v1/accounts"
    mine = http.get(url, headers=bearer(personal["access_token"], **headers)).json()["accounts"]
    theirs = http.get(url, headers=bearer(company["access_token"], **headers)).json()["accounts"]
    assert [a["ownerName"] for a in mine] == ["Alex Jensen"]
    assert [a["ownerName"] for a in theirs] == ["Jensen Design UAB"]
    truth = sandbox.ground_truth("connectpay", customer="c2")
    assert [a["id"] for a in truth["accounts"]] == [a["resourceId"] for a in theirs]


# -- Tatra banka ------------------------------------------------------------------------------


def test_tatra_token_is_basic_and_form_and_lasts_ninety_days(sandbox: Sandbox, http: httpx2.Client) -> None:
    tokens = tatra_tokens(sandbox, http)
    assert tokens["expires_in"] == 90 * 86400 and tokens["refresh_token"] and tokens["scope"] == "AISP"
    headers = bearer(tokens["access_token"], **{"Request-ID": str(uuid.uuid4())})
    url = f"{sandbox.url}/tatrabanka/api/v1/accounts"
    sandbox.advance(days=89)
    assert http.get(url, headers=headers).status_code == 200
    sandbox.advance(days=2)
    assert http.get(url, headers=headers).status_code == 401
    refreshed = tatra_token(
        http, sandbox, {"grant_type": "refresh_token", "refresh_token": str(tokens["refresh_token"])}
    )
    assert refreshed.status_code == 200
    assert http.get(url, headers=bearer(refreshed.json()["access_token"], **{"Request-ID": "r"})).status_code == 200


def test_tatra_token_checks_client_and_redirect(sandbox: Sandbox, http: httpx2.Client) -> None:
    back = approve(http, tatra_authorize(sandbox))
    body = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": f"{RECEIVER}/callback/tatrabanka"}
    no_auth = http.post(sandbox.endpoint("tatrabanka", "token"), content=urlencode(body).encode(), headers=FORM)
    assert no_auth.status_code == 401 and no_auth.json()["error"] == "invalid_client"
    other = {**body, "redirect_uri": "http://127.0.0.1:9/callback/tatrabanka"}
    assert tatra_token(http, sandbox, other).json()["error"] == "invalid_grant"
    missing = approve(http, tatra_authorize(sandbox))
    without = tatra_token(http, sandbox, {"grant_type": "authorization_code", "code": missing["code"]})
    assert without.json()["error"] == "invalid_grant"


def test_tatra_needs_the_aisp_scope(sandbox: Sandbox, http: httpx2.Client) -> None:
    response = http.get(tatra_authorize(sandbox, scope="PREMIUM_AIS"))
    assert query_of(response.headers["Location"]) == {"error": "invalid_scope", "state": "st-tb"}

"""RFC 9207 mix-up defence: the redirect's ``iss`` must be the expected issuer.

Checked in the one ``validate_callback``, so the loopback receiver (over real HTTP here) and
a pasted address refuse the same answers; the receiver ignores them and keeps waiting.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import httpx2
import pytest

from desktop_app.core.errors import AccessDenied, IssuerMismatch, StateMismatch
from desktop_app.core.oauth.flow import build_authorization, parse_pasted_redirect, validate_callback
from desktop_app.core.oauth.profile import OAuthProfile
from desktop_app.core.oauth.receiver import LoopbackReceiver

ISSUER = "https://auth.bank.example"
BANK = OAuthProfile(
    provider="Bank",
    authorize_url=f"{ISSUER}/authorize",
    token_url=f"{ISSUER}/token",
    issuer=ISSUER,
)
ALWAYS = replace(BANK, issuer_in_response=True)


def query(state: str, **extra: str | list[str]) -> str:
    return urlencode({"state": state, "code": "abc", **extra}, doseq=True)


@pytest.mark.parametrize(
    ("profile", "extra", "accepted"),
    [
        (BANK, {"iss": ISSUER}, True),
        (BANK, {}, True),  # this provider may leave iss out
        (ALWAYS, {"iss": ISSUER}, True),
        (ALWAYS, {}, False),  # ... this one never does
        (BANK, {"iss": "https://evil.example"}, False),
        (BANK, {"iss": ISSUER + "/"}, False),  # simple string comparison: no normalisation
        (BANK, {"iss": ISSUER.upper()}, False),
        (BANK, {"iss": ""}, False),
        (BANK, {"iss": [ISSUER, "https://evil.example"]}, False),
        (BANK, {"iss": [ISSUER, ISSUER]}, False),
        (replace(BANK, issuer=None), {"iss": "https://anything.example"}, True),  # nothing to compare with
    ],
)
def test_issuer_is_checked(profile: OAuthProfile, extra: dict[str, str], accepted: bool) -> None:
    request = build_authorization(profile, "client", "http://127.0.0.1:9/callback")
    raw = query(request.state, **extra)
    if accepted:
        assert validate_callback(request, raw).code == "abc"
    else:
        with pytest.raises(IssuerMismatch, match="possible mix-up attack"):
            validate_callback(request, raw)


def test_issuer_is_checked_before_an_error_is_believed() -> None:
    request = build_authorization(BANK, "client", "http://127.0.0.1:9/callback")
    with pytest.raises(IssuerMismatch):
        validate_callback(request, urlencode({"state": request.state, "error": "access_denied", "iss": "https://x"}))
    with pytest.raises(AccessDenied):
        validate_callback(request, urlencode({"state": request.state, "error": "access_denied", "iss": ISSUER}))


def test_a_wrong_state_is_still_reported_as_such_whatever_the_issuer() -> None:
    request = build_authorization(ALWAYS, "client", "http://127.0.0.1:9/callback")
    with pytest.raises(StateMismatch) as info:
        validate_callback(request, query("not-the-state", iss=ISSUER))
    assert not isinstance(info.value, IssuerMismatch)


def test_a_pasted_address_gets_the_same_check() -> None:
    request = build_authorization(ALWAYS, "client", "http://127.0.0.1:9/callback")
    with pytest.raises(IssuerMismatch):
        parse_pasted_redirect(request, f"http://127.0.0.1:9/callback?{query(request.state, iss='https://evil')}")
    with pytest.raises(IssuerMismatch):
        parse_pasted_redirect(request, f"http://127.0.0.1:9/callback?{query(request.state)}")
    good = parse_pasted_redirect(request, f"http://127.0.0.1:9/callback?{query(request.state, iss=ISSUER)}")
    assert good.code == "abc"


def test_the_receiver_ignores_a_mixed_up_answer_and_takes_the_right_one() -> None:
    with LoopbackReceiver(ALWAYS) as receiver, httpx2.Client(timeout=10) as http:
        request = build_authorization(ALWAYS, "client", receiver.start())
        receiver.expect(request)
        for bad in ({"iss": "https://evil.example"}, {}):
            page = http.get(f"{request.redirect_uri}?{query(request.state, **bad)}")
            assert page.status_code == 400 and page.headers["Cache-Control"] == "no-store"
        assert receiver.rejected == 2 and not receiver._done.is_set()
        page = http.get(f"{request.redirect_uri}?{query(request.state, iss=ISSUER)}")
        assert page.status_code == 200
        assert receiver.wait(timeout=5).code == "abc"

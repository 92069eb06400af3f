"""The Demo Bank's OAuth 2.0: authorize (PKCE S256 required), the consent page, token and revoke.

``GET /demo/oauth/authorize`` (client_id ``demo-client``, redirect_uri on loopback at
``/callback/demo`` with any port, response_type=code, code_challenge + S256, state, scope
optional) → 302 to ``/demo/consent?request_id=…``, whose form posts back to ``/demo/consent``;
approving sends the browser to the redirect with ``code`` and ``state``. ``POST
/demo/oauth/token`` form (client_id, grant_type, code + redirect_uri + code_verifier |
refresh_token) → ``{access_token, token_type, expires_in: 3600, refresh_token, scope}``; refresh
tokens rotate. ``POST /demo/oauth/revoke`` form token → 200 ``{}``. Codes are single-use and
live 60 s; a consent request lives 15 minutes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlencode, urlsplit

from desktop_app.demo_bank.bank import (
    CLIENT_ID,
    NAME,
    Bank,
    Grant,
    Request,
    Response,
    html_response,
    json_response,
    redirect,
    redirect_back,
)
from desktop_app.demo_bank.wire import consent_page, message_page

CODE_LIFETIME = 60
REQUEST_LIFETIME = 15 * 60
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def redirect_allowed(uri: str) -> bool:
    """RFC 8252 loopback redirects: http, a loopback host, any port, path ``/callback/demo``."""
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in LOOPBACK_HOSTS
        and parts.path == "/callback/demo"
        and not parts.query
        and not parts.fragment
    )


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


def authorize(bank: Bank, req: Request) -> Response:
    q = req.query
    uri = q.get("redirect_uri", "")
    if q.get("client_id") != CLIENT_ID:
        return html_response(400, message_page(NAME, "invalid_client: unknown client_id"))
    if not redirect_allowed(uri):
        return html_response(400, message_page(NAME, "invalid_request: redirect_uri is not registered"))
    state = q.get("state")
    if q.get("response_type") != "code":
        return redirect_back(uri, {"error": "unsupported_response_type"}, state)
    challenge = q.get("code_challenge")
    if not challenge:
        return redirect_back(uri, {"error": "invalid_request", "error_description": "PKCE (S256) is required"}, state)
    if q.get("code_challenge_method", "plain") != "S256":
        return redirect_back(
            uri, {"error": "invalid_request", "error_description": "code_challenge_method must be S256"}, state
        )
    grant = Grant(uri, tuple(q.get("scope", "").split()) or ("accounts",), state, challenge, bank.now())
    request_id = secrets.token_urlsafe(16)
    with bank.lock:  # forget abandoned requests and unredeemed codes, so memory stays flat
        now = bank.now()
        bank.requests = {k: g for k, g in bank.requests.items() if now - g.created <= REQUEST_LIFETIME}
        bank.codes = {k: c for k, c in bank.codes.items() if now - c[1] <= CODE_LIFETIME}
        bank.requests[request_id] = grant
    return redirect(f"{bank.url}/demo/consent?{urlencode({'request_id': request_id})}")


def _open(bank: Bank, grant: Grant | None) -> bool:
    return grant is not None and bank.now() - grant.created <= REQUEST_LIFETIME


def consent_form(bank: Bank, req: Request) -> Response:
    request_id = req.query.get("request_id", "")
    with bank.lock:
        grant = bank.requests.get(request_id)
    if not _open(bank, grant):
        return html_response(404, message_page("Expired", "This consent request has expired."))
    return html_response(200, consent_page(NAME, request_id, bank.accounts(), "/demo/consent"))


def consent_answer(bank: Bank, req: Request) -> Response:
    with bank.lock:
        grant = bank.requests.pop(req.field("request_id"), None)
    if grant is None or not _open(bank, grant):
        return html_response(400, message_page("Unknown", "Unknown or used consent request."))
    offered = {a.id for a in bank.accounts()}
    chosen = tuple(dict.fromkeys(a for a in req.form.get("account", []) if a in offered))
    if req.field("decision") != "approve" or not chosen:
        reason = "No account was shared." if req.field("decision") == "approve" else "The person declined access."
        return redirect_back(grant.redirect_uri, {"error": "access_denied", "error_description": reason}, grant.state)
    grant.accounts = chosen
    code = secrets.token_urlsafe(24)
    with bank.lock:
        bank.codes[code] = (grant, bank.now())
    return redirect_back(grant.redirect_uri, {"code": code}, grant.state)


def _grant_error(error: str, description: str, status: int = 400) -> Response:
    return json_response(status, {"error": error, "error_description": description})


def token(bank: Bank, req: Request) -> Response:
    if req.field("client_id") != CLIENT_ID:
        return _grant_error("invalid_client", "Unknown client_id.", 401)
    kind = req.field("grant_type")
    if kind == "authorization_code":
        with bank.lock:
            found = bank.codes.pop(req.field("code"), None)
        if found is None or bank.now() - found[1] > CODE_LIFETIME:
            return _grant_error("invalid_grant", "The code is unknown, used or expired.")
        grant = found[0]
        if req.field("redirect_uri") != grant.redirect_uri:
            return _grant_error("invalid_grant", "redirect_uri does not match the authorization request.")
        verifier = req.field("code_verifier")
        if not verifier or not _same(s256(verifier), grant.challenge):
            return _grant_error("invalid_grant", "PKCE verification failed.")
        with bank.lock:
            consent = bank.state.grant(grant.accounts, grant.scopes, bank.now())
            return json_response(200, bank.state.mint(consent, bank.now()))
    if kind == "refresh_token":
        with bank.lock:
            renewed = bank.state.use_refresh(req.field("refresh_token"))
            if renewed is None:
                return _grant_error("invalid_grant", "The refresh token is unknown, used or revoked.")
            return json_response(200, bank.state.mint(renewed, bank.now()))
    return _grant_error("unsupported_grant_type", "Use authorization_code or refresh_token.")


def revoke(bank: Bank, req: Request) -> Response:
    with bank.lock:
        bank.state.revoke(req.field("token"))
    return json_response(200, {})  # RFC 7009: unknown tokens are not an error

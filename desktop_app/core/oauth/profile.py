"""A provider's OAuth behaviour as declarative data; quirks are fields, not subclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ClientAuth = Literal["basic_json", "basic_form", "client_secret_post", "none"]
NonceStyle = Literal["none", "guid", "token"]


@dataclass(frozen=True)
class OAuthProfile:
    """How to ask one provider for consent and tokens.

    Attributes:
        provider: display name, used in every message to the person.
        authorize_url / token_url / revocation_url: the endpoints (all overridable).
        scopes: requested scopes, space-joined in the request.
        redirect_param: ``redirect_uri`` (standard) or ``redirect_url`` (ConnectPay).
        redirect_host: ``127.0.0.1`` (RFC 8252's choice) or ``localhost`` for providers that
            only accept that name; with ``localhost`` the receiver binds IPv4 and IPv6.
        redirect_path: a distinct path per provider (RFC 8252 §8.10).
        fixed_port: the registered port for providers that do not allow any loopback port.
        pkce: send an S256 code challenge.
        nonce: ``guid`` (a GUIDv4, ConnectPay), ``token`` (OIDC) or ``none``.
        client_auth: how the token endpoint authenticates the client.
        extra_authorize_params: fixed extras such as ``flowId`` or ``prompt``.
        request_id_header: a header carrying a fresh UUID on every token request.
        callback_extras: redirect parameters to keep besides ``code`` (``consentId``, ``flowId``).
        keep_token_fields: non-standard token response fields to keep.
        issuer: the authorization server's issuer identifier (RFC 8414). When set, an ``iss`` on
            the redirect must equal it exactly (RFC 9207 mix-up defence).
        issuer_in_response: the server's metadata says it always sends ``iss``
            (``authorization_response_iss_parameter_supported``), so a redirect without one is refused.
    """

    provider: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...] = ()
    revocation_url: str | None = None
    redirect_param: str = "redirect_uri"
    redirect_host: str = "127.0.0.1"
    redirect_path: str = "/callback"
    fixed_port: int | None = None
    pkce: bool = True
    nonce: NonceStyle = "none"
    client_auth: ClientAuth = "none"
    extra_authorize_params: Mapping[str, str] = field(default_factory=dict)
    request_id_header: str | None = None
    callback_extras: tuple[str, ...] = ()
    keep_token_fields: tuple[str, ...] = ("id_token", "scope")
    issuer: str | None = None
    issuer_in_response: bool = False

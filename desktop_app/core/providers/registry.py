"""The providers Saldo can connect to: endpoints, OAuth profile, data adapter, consent rules.

Every endpoint is overridable: ``endpoints(sandbox=URL)`` points a provider at a running
``saldo sandbox`` (each provider under its own prefix there). The Demo Bank exists only as
the embedded simulator, so it always needs a sandbox URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta

from desktop_app.core.errors import SaldoError, TenantNeeded, UnknownProvider
from desktop_app.core.models import Endpoints
from desktop_app.core.oauth.profile import OAuthProfile
from desktop_app.core.providers.aiia import AiiaAdapter
from desktop_app.core.providers.base import DataAdapter
from desktop_app.core.providers.berlin import BerlinGroupAdapter
from desktop_app.core.providers.enablebanking import EnableBankingAdapter
from desktop_app.core.providers.simple import DemoAdapter, TatraAdapter
from desktop_app.core.providers.simplefin import SimpleFinAdapter

TENANT = "{tenant}"
_TENANT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def check_tenant(tenant: str) -> str:
    """A tenant name as Aritma issues them: letters, digits, ``_ . -``; it goes into a URL path."""
    if not _TENANT_NAME.fullmatch(tenant) or ".." in tenant:
        raise TenantNeeded(f"{tenant[:40]!r} is not a tenant name (letters, digits, '_', '.', '-').")
    return tenant


@dataclass(frozen=True)
class Provider:
    """One provider as Saldo knows it. `profile` holds placeholders filled by `endpoints`."""

    id: str
    name: str
    profile: OAuthProfile
    adapter: DataAdapter
    production: Endpoints | None
    sandbox_paths: Endpoints  # paths below a sandbox base URL
    needs_credentials: bool = True
    default_client_id: str | None = None
    consent_lifetime: timedelta | None = None  # fixed lifetime of a consent, when documented
    one_time: bool = False
    api_request_id_header: str | None = None
    setup: str = "client id and secret"  # what the person brings to connect
    region: str = "Europe"

    @property
    def needs_tenant(self) -> bool:
        """Aritma's sign-in addresses carry the customer's tenant: ``/{tenant}/connect/…``."""
        return TENANT in self.sandbox_paths.authorize

    def endpoints(self, sandbox: str | None = None, tenant: str | None = None) -> Endpoints:
        if sandbox:
            base = sandbox.rstrip("/")
            p = self.sandbox_paths
            found = Endpoints(base + p.authorize, base + p.token, base + p.api, base + p.revoke if p.revoke else None)
        elif self.production is None:
            raise SaldoError(f"{self.name} is only available through Saldo's built-in simulator.")
        else:
            found = self.production
        if not self.needs_tenant:
            return found
        if tenant is None:
            raise TenantNeeded.for_provider(self.name)
        check_tenant(tenant)
        return replace(
            found,
            authorize=found.authorize.replace(TENANT, tenant),
            token=found.token.replace(TENANT, tenant),
            api=found.api.replace(TENANT, tenant),
        )

    def oauth_profile(self, endpoints: Endpoints) -> OAuthProfile:
        return replace(
            self.profile, authorize_url=endpoints.authorize, token_url=endpoints.token, revocation_url=endpoints.revoke
        )


def _profile(name: str, **kw: object) -> OAuthProfile:
    return OAuthProfile(provider=name, authorize_url="", token_url="", **kw)  # type: ignore[arg-type]


_AIIA_PROFILE = dict(
    pkce=False,
    client_auth="basic_json",
    callback_extras=("consentId",),
    keep_token_fields=("consentId", "scope"),
)

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="demo",
        name="Demo Bank",
        profile=_profile("Demo Bank", scopes=("accounts",), redirect_path="/callback/demo", client_auth="none"),
        adapter=DemoAdapter(),
        production=None,
        sandbox_paths=Endpoints("/demo/oauth/authorize", "/demo/oauth/token", "/demo", "/demo/oauth/revoke"),
        needs_credentials=False,
        default_client_id="demo-client",
        setup="nothing",
        region="built in",
    ),
    Provider(
        id="aiia",
        name="Aiia",
        profile=_profile(
            "Aiia", scopes=("accounts", "offline_access"), redirect_path="/callback/aiia", **_AIIA_PROFILE
        ),
        adapter=AiiaAdapter(),
        production=Endpoints(
            "https://api.aiia.eu/v1/oauth/connect", "https://api.aiia.eu/v1/oauth/token", "https://api.aiia.eu"
        ),
        sandbox_paths=Endpoints("/aiia/v1/oauth/connect", "/aiia/v1/oauth/token", "/aiia"),
    ),
    Provider(
        id="aiia-one-time",
        name="Aiia (one-time)",
        profile=_profile("Aiia", scopes=("accounts",), redirect_path="/callback/aiia", **_AIIA_PROFILE),
        adapter=AiiaAdapter(),
        production=Endpoints(
            "https://api.aiia.eu/v1/oauth/connect", "https://api.aiia.eu/v1/oauth/token", "https://api.aiia.eu"
        ),
        sandbox_paths=Endpoints("/aiia/v1/oauth/connect", "/aiia/v1/oauth/token", "/aiia"),
        consent_lifetime=timedelta(hours=24),
        one_time=True,
    ),
    Provider(
        id="aritma",
        name="Aritma",
        profile=_profile(
            "Aritma",
            scopes=("openid", "banking.ais.read", "offline_access"),
            redirect_path="/callback/aritma",
            client_auth="client_secret_post",
            keep_token_fields=("id_token", "scope"),
        ),
        adapter=BerlinGroupAdapter("Aritma", accounts_path="/api/accounts", extra_params=()),
        production=Endpoints(
            "https://id.aritma.io/{tenant}/connect/authorize",
            "https://id.aritma.io/{tenant}/connect/token",
            "https://banking.zdata.io",
        ),
        sandbox_paths=Endpoints("/aritma/{tenant}/connect/authorize", "/aritma/{tenant}/connect/token", "/aritma"),
    ),
    Provider(
        id="connectpay",
        name="ConnectPay",
        profile=_profile(
            "ConnectPay",
            scopes=("psd2-ais",),
            redirect_param="redirect_url",
            redirect_path="/callback/connectpay",
            pkce=False,
            nonce="guid",
            client_auth="basic_form",
            extra_authorize_params={"flowId": "GetPSD2AuthCode"},
            request_id_header="X-Request-ID",
            callback_extras=("flowId",),
            keep_token_fields=("scope", "client_customer_name"),
        ),
        adapter=BerlinGroupAdapter("ConnectPay"),
        production=Endpoints(
            "https://auth.connectpay.com/auth/v1/oauth2/authorize",
            "https://api.connectpay.com/auth/v1/oauth2/token",
            "https://api.connectpay.com",
        ),
        sandbox_paths=Endpoints(
            "/connectpay/auth/v1/oauth2/authorize", "/connectpay/auth/v1/oauth2/token", "/connectpay"
        ),
        api_request_id_header="X-Request-ID",
    ),
    Provider(
        id="tatrabanka",
        name="Tatra banka",
        profile=_profile(
            "Tatra banka", scopes=("AISP",), redirect_path="/callback/tatrabanka", pkce=False, client_auth="basic_form"
        ),
        adapter=TatraAdapter(),
        production=Endpoints(
            "https://api.tatrabanka.sk/auth/oauth/v2/authorize",
            "https://api.tatrabanka.sk/auth/oauth/v2/token",
            "https://api.tatrabanka.sk",
        ),
        sandbox_paths=Endpoints(
            "/tatrabanka/auth/oauth/v2/authorize", "/tatrabanka/auth/oauth/v2/token", "/tatrabanka"
        ),
        consent_lifetime=timedelta(days=90),
        api_request_id_header="Request-ID",
    ),
    Provider(
        id="enablebanking",
        name="Enable Banking",
        profile=_profile("Enable Banking"),  # its own consent flow: POST /auth, then a session
        adapter=EnableBankingAdapter(""),
        production=None,  # api.enablebanking.com, called with the person's own application key
        sandbox_paths=Endpoints("", "", "/enablebanking"),
        needs_credentials=False,
        setup="application id + key",
        region="Europe",
    ),
    Provider(
        id="simplefin",
        name="SimpleFIN Bridge",
        profile=_profile("SimpleFIN Bridge"),  # no OAuth: a setup token is claimed for an access URL
        adapter=SimpleFinAdapter(),
        production=None,  # the address comes inside the person's setup token
        sandbox_paths=Endpoints("", "", "/simplefin/bridge"),
        needs_credentials=False,
        setup="setup token",
        region="North America",
    ),
)

_BY_ID = {p.id: p for p in PROVIDERS}
# What a private person can set up alone comes first, after the Demo Bank; then the providers
# that need a company's developer contract.
_FOR_PEOPLE = ("demo", "enablebanking", "simplefin")


def in_wizard_order() -> list[Provider]:
    """The providers as the connect wizard offers them: Demo Bank, real banks by region, the rest."""
    first = [_BY_ID[i] for i in _FOR_PEOPLE]
    return first + [p for p in PROVIDERS if p.id not in _FOR_PEOPLE]


def get_provider(provider_id: str) -> Provider:
    try:
        return _BY_ID[provider_id]
    except KeyError:
        known = ", ".join(_BY_ID)
        raise UnknownProvider(f"Unknown provider {provider_id!r}; choose one of: {known}.") from None

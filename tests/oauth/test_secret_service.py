"""The vault against a real Secret Service (gnome-keyring on a private D-Bus session)."""

from __future__ import annotations

import subprocess

import pytest

from desktop_app.core.oauth.tokens import ClientCredentials, TokenSet
from desktop_app.core.vault import Vault

pytestmark = pytest.mark.secret_service


def _entries(env: dict[str, str]) -> str:
    result = subprocess.run(
        ["secret-tool", "search", "--all", "service", "Saldo"], capture_output=True, text=True, env=env, timeout=20
    )
    return result.stdout + result.stderr


def test_long_token_round_trips_and_delete_leaves_nothing(secret_service: dict[str, str]) -> None:
    from keyring.backends import SecretService

    vault = Vault.open(SecretService.Keyring())
    assert vault.describe() == "Stored in your system keyring (Secret Service)."
    tokens = TokenSet(access_token="a" * 5000, refresh_token="r" * 900, expires_at=1.5, extras={"consentId": "c-1"})
    vault.save_tokens("conn-ss", tokens)
    vault.save_credentials("aiia", ClientCredentials("id-1", "secret-1"))
    assert vault.load_tokens("conn-ss") == tokens
    assert vault.load_credentials("aiia") == ClientCredentials("id-1", "secret-1")
    assert "conn-ss" in _entries({**secret_service, "PATH": "/usr/bin:/bin"})
    vault.delete_connection("conn-ss")
    vault.delete_credentials("aiia")
    assert vault.load_tokens("conn-ss") is None
    listing = _entries({**secret_service, "PATH": "/usr/bin:/bin"})
    assert "conn-ss" not in listing and "client:aiia" not in listing

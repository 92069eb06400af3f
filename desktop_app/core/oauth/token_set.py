"""What a token set and client credentials are, and where they are kept (no OAuth client here).

The vault stores these and the account tree asks the vault whether a connection still holds
tokens; both run at start-up, when authlib and the HTTP client are not needed yet, so these
types live apart from the OAuth mechanics in ``tokens``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str | None = None

    def __repr__(self) -> str:  # the secret never shows in a traceback
        return f"ClientCredentials(client_id={self.client_id!r}, secret={'yes' if self.client_secret else 'no'})"


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (a token type, not a secret)
    refresh_token: str | None = None
    expires_at: float | None = None
    refresh_expires_at: float | None = None
    scope: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        return self.expires_at is not None and self.expires_at - (now or time.time()) <= seconds

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["extras"] = dict(self.extras)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenSet:
        return cls(**{**data, "extras": dict(data.get("extras") or {})})

    def secrets(self) -> tuple[str, ...]:
        return tuple(v for v in (self.access_token, self.refresh_token) if v)

    def __repr__(self) -> str:  # never show a token in a traceback or log line
        return f"TokenSet(expires_at={self.expires_at}, refresh={'yes' if self.refresh_token else 'no'})"


class TokenStore:
    """Where a TokenManager reads and writes a connection's tokens (the vault, in practice)."""

    def load_tokens(self, connection_id: str) -> TokenSet | None:
        raise NotImplementedError

    def save_tokens(self, connection_id: str, tokens: TokenSet) -> None:
        raise NotImplementedError
